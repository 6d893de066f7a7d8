// The lifecycle's pure rules (nodes/shared/sync/lifecycle.ts): due times, last sync, the instant-sync cooldown message.
import { nextAllowedAfter } from '../../nodes/shared/sync/guards';
import { cooldownMessage, DAY_MS, decideDue, lastSync, MINUTE_MS } from '../../nodes/shared/sync/lifecycle';

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
