// The lifecycle's pure rules (nodes/shared/sync/lifecycle.ts): due times, last sync, the instant-sync cooldown message;
// Poll Times against Refresh Every (nodes/shared/sync/pollTimes.ts).
import { NodeHelpers, Workflow } from 'n8n-workflow';
import type { IDataObject, INode, INodeProperties, INodeType } from 'n8n-workflow';

import { nextAllowedAfter } from '../../nodes/shared/sync/guards';
import { cooldownMessage, DAY_MS, decideDue, lastSync, MINUTE_MS } from '../../nodes/shared/sync/lifecycle';
import { durationWords, longestPollGapMs, pollSlowerThanRefresh } from '../../nodes/shared/sync/pollTimes';
import { TikTokAudienceSyncTrigger } from '../../nodes/TikTokAudienceSyncTrigger/TikTokAudienceSyncTrigger.node';

const T = Date.UTC(2026, 2, 2, 9, 0, 0);

test('decideDue: never synced is an initial sync due now; then due one interval after the newest evidence', () => {
	expect(decideDue({ kind: 'list', now: T, intervalMs: DAY_MS })).toEqual({ due: true, reason: 'initial', dueAt: T });
	expect(decideDue({ kind: 'list', now: T + DAY_MS - 1, intervalMs: DAY_MS, tiktokLastSyncAt: T })).toEqual({
		due: false, reason: 'scheduled', lastSyncAt: T, lastSyncSource: 'tiktok', dueAt: T + DAY_MS,
	});
	expect(decideDue({ kind: 'list', now: T + DAY_MS, intervalMs: DAY_MS, tiktokLastSyncAt: T, triggerLastEmitAt: T - 5 }).due).toBe(true);
	// The trigger's own emit counts: an initial sync whose run created nothing is not emitted again within the interval.
	expect(decideDue({ kind: 'list', now: T + MINUTE_MS, intervalMs: DAY_MS, lastEmitAt: T })).toEqual({ due: false, reason: 'initial', lastSyncAt: undefined, lastSyncSource: undefined, dueAt: T + DAY_MS });
});

test('lastSync: Event Sync ignores TikTok history; the newer source wins, TikTok on a tie', () => {
	expect(lastSync({ kind: 'event', tiktokLastSyncAt: T + 10, triggerLastEmitAt: T })).toEqual({ at: T, source: 'trigger' });
	expect(lastSync({ kind: 'list', tiktokLastSyncAt: T, triggerLastEmitAt: T })).toEqual({ at: T, source: 'tiktok' });
	expect(lastSync({ kind: 'list', tiktokLastSyncAt: T, triggerLastEmitAt: T + 1 })).toEqual({ at: T + 1, source: 'trigger' });
	expect(lastSync({ kind: 'event' })).toEqual({});
});

test('instant sync cooldown and its message', () => {
	expect(nextAllowedAfter(undefined, 30 * MINUTE_MS, T)).toBeUndefined();
	expect(nextAllowedAfter(T, 30 * MINUTE_MS, T + 30 * MINUTE_MS)).toBeUndefined();
	expect(nextAllowedAfter(T, 30 * MINUTE_MS, T + 13 * MINUTE_MS)).toEqual(new Date(T + 30 * MINUTE_MS));
	expect(nextAllowedAfter(T, 0, T - 1)).toBeUndefined();
	expect(cooldownMessage(T + 30 * MINUTE_MS, T + 13 * MINUTE_MS)).toBe('Instant sync is available again at 09:30 UTC (in 17 minutes)');
	expect(cooldownMessage(T + DAY_MS, T)).toBe('Instant sync is available again at 2026-03-03 09:00 UTC (in 24 hours)');
});

test('decideDue: a sync the trigger started lands its upload time after the emit; the schedule counts from the emit', () => {
	// Refresh every minute, upload of 90 s: due again one minute after the emit, not one minute after the upload.
	expect(decideDue({ kind: 'list', now: T + MINUTE_MS, intervalMs: MINUTE_MS, tiktokLastSyncAt: T + 90_000, lastEmitAt: T })).toEqual({
		due: true, reason: 'scheduled', lastSyncAt: T + 90_000, lastSyncSource: 'tiktok', dueAt: T + MINUTE_MS,
	});
	// A sync more than 10 minutes after the emit (an instant sync, another workflow) is a sync of its own: counted from it.
	expect(decideDue({ kind: 'list', now: T + DAY_MS, intervalMs: DAY_MS, tiktokLastSyncAt: T + 31 * MINUTE_MS, lastEmitAt: T })).toEqual({
		due: false, reason: 'scheduled', lastSyncAt: T + 31 * MINUTE_MS, lastSyncSource: 'tiktok', dueAt: T + 31 * MINUTE_MS + DAY_MS,
	});
});

// Poll Times (n8n's) against Refresh Every (nodes/shared/sync/pollTimes.ts), and the panel's hint that says so.
describe('Poll Times vs Refresh Every', () => {
	const HOUR = 60 * MINUTE_MS;

	test('longestPollGapMs: the longest wait between two polls, over a week of every mode n8n offers', () => {
		expect(longestPollGapMs([{ mode: 'everyMinute' }])).toBe(MINUTE_MS);
		expect(longestPollGapMs([{ mode: 'everyHour', minute: 15 }])).toBe(HOUR);
		expect(longestPollGapMs([{ mode: 'everyDay', hour: 3, minute: 0 }])).toBe(DAY_MS);
		expect(longestPollGapMs([{ mode: 'everyDay', hour: 9 }, { mode: 'everyDay', hour: 21 }])).toBe(12 * HOUR);
		expect(longestPollGapMs([{ mode: 'everyDay', hour: 9 }, { mode: 'everyDay', hour: 12 }])).toBe(21 * HOUR);
		expect(longestPollGapMs([{ mode: 'everyWeek', weekday: '1', hour: 9, minute: 0 }])).toBe(7 * DAY_MS);
		expect(longestPollGapMs([{ mode: 'everyWeek', weekday: '6', hour: 23, minute: 59 }, { mode: 'everyWeek', weekday: '0', hour: 0, minute: 0 }])).toBe(7 * DAY_MS - MINUTE_MS);
		// Cron steps restart each hour / day: */45 minutes fires at :00 and :45; */5 hours at 0, 5, 10, 15, 20.
		expect(longestPollGapMs([{ mode: 'everyX', value: 45, unit: 'minutes' }])).toBe(45 * MINUTE_MS);
		expect(longestPollGapMs([{ mode: 'everyX', value: 5, unit: 'hours' }])).toBe(5 * HOUR);
		expect(longestPollGapMs([{ mode: 'everyX', value: 90, unit: 'minutes' }])).toBe(HOUR);
		expect(longestPollGapMs([{ mode: 'everyMonth', dayOfMonth: 1, hour: 0 }])).toBe(31 * DAY_MS);
		expect(longestPollGapMs([{ mode: 'everyMonth', dayOfMonth: 31, hour: 0 }])).toBe(62 * DAY_MS);
		expect(longestPollGapMs([{ mode: 'everyMonth', dayOfMonth: 1 }, { mode: 'everyDay', hour: 6 }])).toBe(DAY_MS);
		// Not told: no poll time, a Custom cron, an Every X of 0.
		expect(longestPollGapMs([])).toBeUndefined();
		expect(longestPollGapMs([{ mode: 'custom', cronExpression: '0 */7 * * * *' }])).toBeUndefined();
		expect(longestPollGapMs([{ mode: 'everyX', value: 0, unit: 'hours' }])).toBeUndefined();
	});

	test('durationWords and the warning', () => {
		expect([MINUTE_MS, 30 * MINUTE_MS, 90 * MINUTE_MS, HOUR, DAY_MS, 7 * DAY_MS, 36 * HOUR, DAY_MS + 30 * MINUTE_MS, 0].map(durationWords)).toEqual([
			'1 minute',
			'30 minutes',
			'1 hour 30 minutes',
			'1 hour',
			'1 day',
			'7 days',
			'1 day 12 hours',
			'1 day 30 minutes',
			'1 minute',
		]);
		expect(pollSlowerThanRefresh(DAY_MS, HOUR)).toBe(
			'Poll Times check as rarely as every 1 day, but Refresh Every is 1 hour: a sync starts at the first check after it is due, so the audience is refreshed about every 1 day. Add a Poll Time at least every 1 hour, or refresh less often.',
		);
		expect(pollSlowerThanRefresh(HOUR, HOUR)).toBeUndefined();
		expect(pollSlowerThanRefresh(undefined, MINUTE_MS)).toBeUndefined();
	});

	test("the trigger panel's hint shows when even the most frequent Poll Time is rarer than Refresh Every", () => {
		const trigger: INodeType = new TikTokAudienceSyncTrigger();
		// n8n's loader puts Poll Times first on every polling node (n8n-core nodes-loader `commonPollingParameters`).
		const pollTimesProperty: INodeProperties = {
			displayName: 'Poll Times',
			name: 'pollTimes',
			type: 'fixedCollection',
			typeOptions: { multipleValues: true },
			default: { item: [{ mode: 'everyMinute' }] },
			options: NodeHelpers.cronNodeOptions,
		};
		const type: INodeType = { ...trigger, description: { ...trigger.description, properties: [pollTimesProperty, ...trigger.description.properties] } };
		const [hint] = type.description.hints ?? [];
		const shown = (pollTimes: IDataObject[], refreshInterval: number, refreshUnit: string) => {
			const node = {
				id: '1',
				name: 'Trigger',
				type: 'n8n-nodes-tiktok-audience-sync.tikTokAudienceSyncTrigger',
				typeVersion: 1,
				position: [0, 0],
				parameters: { pollTimes: { item: pollTimes }, refreshInterval, refreshUnit },
			} as INode;
			const nodeTypes = { getByName: () => type, getByNameAndVersion: () => type, getKnownTypes: () => ({}) };
			const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
			// What the editor does with a node hint's displayCondition.
			return workflow.expression.getSimpleParameterValue(node, hint.displayCondition as string, 'internal', {});
		};
		expect([hint.type, hint.location, hint.whenToDisplay]).toEqual(['warning', 'ndv', 'always']);
		expect(shown([{ mode: 'everyMinute' }], 1, 'days')).toBe(false);
		expect(shown([{ mode: 'everyDay', hour: 3 }], 1, 'days')).toBe(false);
		expect(shown([{ mode: 'everyDay', hour: 3 }], 12, 'hours')).toBe(true);
		expect(shown([{ mode: 'everyHour', minute: 0 }], 30, 'minutes')).toBe(true);
		expect(shown([{ mode: 'everyX', value: 2, unit: 'hours' }], 1, 'hours')).toBe(true);
		expect(shown([{ mode: 'everyX', value: 30, unit: 'minutes' }], 1, 'hours')).toBe(false);
		expect(shown([{ mode: 'everyWeek', weekday: '1' }, { mode: 'everyMinute' }], 1, 'minutes')).toBe(false);
		expect(shown([{ mode: 'custom', cronExpression: '0 0 * * * *' }], 1, 'minutes')).toBe(false);
		expect(shown([], 1, 'minutes')).toBe(false);
	});
});
