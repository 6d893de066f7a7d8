// Event Sync's Instant Sync cooldown store (nodes/shared/sync/instantSync.ts) on a de-duplication store with n8n
// 2.41's semantics: bounded probes, minute arithmetic at the edges, a probe that leaves nothing behind, one value per
// recorded sync, and a recorded sync that survives a concurrent writer putting back a row it read before.
import {
	availableAfter,
	cooldownMinutes,
	instantSyncBlockedUntil,
	instantSyncValue,
	MAX_COOLDOWN_MINUTES,
	recordInstantSync,
	type InstantSyncKey,
} from '../../nodes/shared/sync/instantSync';
import { MemoryDeduplicator } from '../support/engine.cts';

const MINUTE = 60_000;
const T = Date.UTC(2026, 2, 2, 9, 0, 0); // a minute boundary
const KEY: InstantSyncKey = { advertiserId: '7100000000000000001', pixelCode: 'CEMU0PIXEL0MAIN00001', event: 'AudienceSync', audienceId: '6900000000000000001' };

function context(store: MemoryDeduplicator, calls: string[][] = []) {
	const contextData = { workflow: { id: 'wf-1', active: false } };
	return {
		helpers: {
			checkProcessedAndRecord: async (items: string[], scope: 'workflow' | 'node', options: { mode: 'entries' }) => {
				calls.push(items);
				return await store.checkProcessedAndRecord(items, scope, contextData, options);
			},
			removeProcessed: async (items: string[], scope: 'workflow' | 'node', options: { mode: 'entries' }) =>
				await store.removeProcessed(items, scope, contextData, options),
		},
		getWorkflowStaticData: () => ({}),
	} as unknown as Parameters<typeof recordInstantSync>[0];
}
const row = (store: MemoryDeduplicator) => store.rows.get('wf-1\u0000')?.data ?? [];

test('the window: cooldown + 1 minutes, capped at 24 hours; a sync blocks until the end of its minute plus the cooldown', () => {
	const m = T / MINUTE;
	expect(cooldownMinutes(T + 37_000, 30 * MINUTE)).toEqual(Array.from({ length: 31 }, (_, k) => m - 30 + k));
	expect(cooldownMinutes(T, 30 * MINUTE)).toEqual(Array.from({ length: 31 }, (_, k) => m - 30 + k));
	expect(cooldownMinutes(T, 0)).toEqual([]);
	expect(cooldownMinutes(T, 10 * 24 * 60 * MINUTE)).toHaveLength(MAX_COOLDOWN_MINUTES + 1);
	expect(availableAfter(m, 30 * MINUTE)).toBe(T + 31 * MINUTE);
	// The oldest minute probed is the last whose sync still blocks: its block ends after now.
	const now = T + 31 * MINUTE + 5_000;
	const [oldest] = cooldownMinutes(now, 30 * MINUTE);
	expect(availableAfter(oldest, 30 * MINUTE)).toBeGreaterThan(now);
	expect(availableAfter(oldest - 1, 30 * MINUTE)).toBeLessThanOrEqual(now);
});

test('values name advertiser, pixel, event, audience and minute, and nothing personal', () => {
	expect(instantSyncValue(KEY, 29_543_340)).toBe(
		'tiktok-audience-sync/v1/instant-sync/["7100000000000000001","CEMU0PIXEL0MAIN00001","AudienceSync","6900000000000000001",29543340]',
	);
});

test('nothing recorded: allowed, in one read of 31 values, and the row stays empty', async () => {
	const store = new MemoryDeduplicator();
	const calls: string[][] = [];
	expect(await instantSyncBlockedUntil(context(store, calls), KEY, T + 12_000, 30 * MINUTE)).toBeUndefined();
	expect(calls.map((c) => c.length)).toEqual([31]);
	expect(row(store)).toEqual([]);
});

test('a recorded sync (one value) blocks the same key at +29 min and frees it at +31 min; other keys are free', async () => {
	const store = new MemoryDeduplicator();
	const ctx = context(store);
	const at = T + 59_400; // late in its minute
	await recordInstantSync(ctx, KEY, at);
	expect(row(store)).toEqual([MemoryDeduplicator.hash(instantSyncValue(KEY, T / MINUTE))]);
	expect(await instantSyncBlockedUntil(ctx, KEY, at + 29 * MINUTE, 30 * MINUTE)).toBe(T + 31 * MINUTE);
	expect(await instantSyncBlockedUntil(ctx, KEY, at + 31 * MINUTE, 30 * MINUTE)).toBeUndefined();
	expect(await instantSyncBlockedUntil(ctx, { ...KEY, event: 'OtherSync' }, at + MINUTE, 30 * MINUTE)).toBeUndefined();
	expect(await instantSyncBlockedUntil(ctx, { ...KEY, audienceId: '' }, at + MINUTE, 30 * MINUTE)).toBeUndefined();
	// A shorter cooldown set later reads the same record.
	expect(await instantSyncBlockedUntil(ctx, KEY, at + 5 * MINUTE, 10 * MINUTE)).toBe(T + 11 * MINUTE);
	expect(row(store)).toHaveLength(1);
}, 30_000);

test('a recorded sync survives a writer that puts back the row it read before the record', async () => {
	const store = new MemoryDeduplicator();
	const ctx = context(store);
	const calls: string[] = [];
	const record = store.checkProcessedAndRecord.bind(store);
	store.checkProcessedAndRecord = async (items, scope, c, o) => {
		const out = await record(items, scope, c, o);
		calls.push(out.new.length > 0 ? 'recorded' : 'held');
		return out;
	};
	// Half a second after the record, another process writes back the (empty) row it read before it.
	const stale = new Promise<void>((resolve) =>
		setTimeout(() => {
			store.rows.set('wf-1\u0000', { mode: 'entries', data: [] });
			resolve();
		}, 500),
	);
	await recordInstantSync(ctx, KEY, T);
	await stale;
	// recorded, undone, recorded again by the first check, then held twice in a row.
	expect(calls).toEqual(['recorded', 'recorded', 'held', 'held']);
	expect(row(store)).toEqual([MemoryDeduplicator.hash(instantSyncValue(KEY, T / MINUTE))]);
	expect(await instantSyncBlockedUntil(ctx, KEY, T + 10 * MINUTE, 30 * MINUTE)).toBe(T + 31 * MINUTE);
}, 30_000);
