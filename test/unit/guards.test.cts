// Sync guards on TikTok's audience history: 24 h REPLACE rule, instant-sync cooldown, 1,000-member floor.
import {
	checkCooldown,
	checkFloor,
	checkReplaceAllowed,
	formatNextAllowed,
	nextAllowedSync,
} from '../../nodes/shared/sync/guards';
import { lastApiChangeAt } from '../../nodes/shared/tiktok/history';
import type { AudienceHistoryEntry } from '../../nodes/shared/tiktok/schemas';

const at = (iso: string) => Date.parse(iso);
const entry = (action: string, opt_time: string, editor = 'open_api', action_detail = '0'): AudienceHistoryEntry => ({
	action,
	action_detail,
	editor,
	msg: null,
	opt_time,
});
describe('24 h REPLACE guard', () => {
	const history = [entry('append', '2026-03-01 10:00:00'), entry('replace', '2026-03-01 08:15:00'), entry('create', '2026-02-01 00:00:00')];
	test('refused 23 h 45 min after, naming the next allowed time', () => {
		const result = checkReplaceAllowed(history, at('2026-03-02T08:00:00Z'));
		expect(result).toEqual({
			ok: false,
			guard: 'replace_interval',
			nextAllowedAt: new Date('2026-03-02T08:15:00Z'),
			message:
				'Replace All is allowed once per 24 hours per audience and this audience was last replaced less than 24 hours ago. The next replace is allowed at 08:15 UTC (in 15 minutes); use Add or Remove until then.',
		});
	});
	test('allowed exactly 24 h after, and with no replace in the history', () => {
		expect(checkReplaceAllowed(history, at('2026-03-02T08:15:00Z'))).toEqual({ ok: true });
		expect(checkReplaceAllowed([entry('create', '2026-03-01 08:15:00')], at('2026-03-01T09:00:00Z'))).toEqual({ ok: true });
	});
	test('a replace made in the UI (another editor) counts too', () => {
		expect(checkReplaceAllowed([entry('REPLACE', '2026-03-01 08:15:00', 'ads_manager')], at('2026-03-01T20:00:00Z')).ok).toBe(false);
	});
});

describe('instant-sync cooldown', () => {
	const history = [entry('append', '2026-03-01 14:02:00'), entry('create', '2026-03-01 10:00:00')];
	test('refused 13 minutes after an API change, with the time it opens again', () => {
		expect(checkCooldown(history, at('2026-03-01T14:15:00Z'), 30 * 60_000)).toEqual({
			ok: false,
			guard: 'cooldown',
			nextAllowedAt: new Date('2026-03-01T14:32:00Z'),
			message:
				'Instant sync is available again at 14:32 UTC (in 17 minutes): the audience was changed through the API less than 30 minutes ago. Set "Instant Sync Cooldown (Minutes)" to 0 to turn this check off.',
		});
	});
	test('allowed after the cooldown, when off, and for changes not made through the API', () => {
		expect(checkCooldown(history, at('2026-03-01T14:32:00Z'), 30 * 60_000)).toEqual({ ok: true });
		expect(checkCooldown(history, at('2026-03-01T14:15:00Z'), 0)).toEqual({ ok: true });
		expect(checkCooldown([entry('append', '2026-03-01 14:02:00', 'ads_manager')], at('2026-03-01T14:15:00Z'), 30 * 60_000)).toEqual({ ok: true });
	});
	test('nextAllowedSync and lastApiChangeAt take the newest entry, whatever the order', () => {
		const shuffled = [history[1], history[0]];
		expect(lastApiChangeAt(shuffled)).toBe(at('2026-03-01T14:02:00Z'));
		expect(nextAllowedSync(shuffled, at('2026-03-01T14:10:00Z'), 60 * 60_000)).toEqual(new Date('2026-03-01T15:02:00Z'));
	});
	test('times on another day carry the date; long waits in hours and minutes', () => {
		expect(formatNextAllowed(new Date('2026-03-02T01:05:00Z'), at('2026-03-01T23:00:00Z'))).toBe('2026-03-02 01:05 UTC (in 2 hours 5 minutes)');
		expect(formatNextAllowed(new Date('2026-03-01T23:00:30Z'), at('2026-03-01T23:00:00Z'))).toBe('23:00 UTC (in 1 minute)');
	});
});

describe('1,000-member floor', () => {
	test.each([
		[5000, 'REMOVE', 4000, true],
		[5000, 'REMOVE', 4001, false],
		[0, 'REPLACE', 999, false],
		[0, 'REPLACE', 1000, true],
		[200, 'APPEND', 800, true],
		[200, 'APPEND', 700, false],
	] as const)('cover %i, %s %i rows → ok %s', (cover, action, rows, ok) => {
		expect(checkFloor(cover, action, rows).ok).toBe(ok);
	});
	test('an APPEND to an audience still being calculated is not judged by its stale cover_num; a REMOVE is', () => {
		expect(checkFloor(0, 'APPEND', 5, false)).toEqual({ ok: true });
		expect(checkFloor(0, 'REMOVE', 5, false).ok).toBe(false);
	});
	test('the message says what would happen and how to proceed', () => {
		expect(checkFloor(1200, 'REMOVE', 600)).toEqual({
			ok: false,
			guard: 'floor',
			message:
				"Removing 600 rows from an audience of 1,200 matched users could leave 600, under TikTok's 1,000-member floor: TikTok rejects such updates. Nothing was sent. Send more rows, or turn off \"Stop Below 1,000 Members\" to try anyway.",
		});
	});
});
