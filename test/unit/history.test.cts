// TikTok audience history parsing (nodes/shared/tiktok/history.ts): which entries are replaces.
import { isReplaceEntry } from '../../nodes/shared/tiktok/history';
import type { AudienceHistoryEntry } from '../../nodes/shared/tiktok/schemas';

const entry = (action: string, opt_time: string, editor = 'open_api', action_detail = '0'): AudienceHistoryEntry => ({
	action,
	action_detail,
	editor,
	msg: null,
	opt_time,
});

describe('replace detection', () => {
	test.each([
		['replace', '0', true],
		['REPLACE', '0', true],
		['replace_data', '0', true],
		['update', 'REPLACE', true],
		['append', '0', false],
		['remove', '0', false],
		['create', '0', false],
		['update', 'REACH_FREQUENCY', false],
	])('%s / %s → %s', (action, detail, expected) => {
		expect(isReplaceEntry(entry(action, '2026-01-01 00:00:00', 'open_api', detail))).toBe(expected);
	});
});
