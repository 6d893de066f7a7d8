// The link store (nodes/shared/sync/linkStore.ts) on a de-duplication store with n8n 2.41's semantics (every call reads
// the whole row and writes it back, no lock): facts, probes that leave nothing behind, and changes that survive a
// concurrent writer putting back a row it read before them.
import type { IDataObject } from 'n8n-workflow';

import { isDeletedName, legacyFacts, readLinkState, recordDelete, recordRelink, recordUnlink } from '../../nodes/shared/sync/linkStore';
import { linkFact, MemoryDeduplicator } from '../support/engine.cts';

const ADV = '7100000000000000001';
const A = '6900000000000000001';
const B = '6900000000000000002';

function context(store: MemoryDeduplicator, staticData: IDataObject = {}, workflowId = 'wf-1') {
	const contextData = { workflow: { id: workflowId, active: false } };
	return {
		helpers: {
			checkProcessedAndRecord: async (items: string[] | number[], scope: 'workflow' | 'node', options: { mode: 'entries' }) =>
				await store.checkProcessedAndRecord(items, scope, contextData, options),
			removeProcessed: async (items: string[] | number[], scope: 'workflow' | 'node', options: { mode: 'entries' }) =>
				await store.removeProcessed(items, scope, contextData, options),
		},
		getWorkflowStaticData: () => staticData,
	} as unknown as Parameters<typeof readLinkState>[0];
}

const row = (store: MemoryDeduplicator) => store.rows.get('wf-1\u0000')?.data ?? [];

test('a new audience is linked; reading leaves the row as it was', async () => {
	const store = new MemoryDeduplicator();
	const ctx = context(store);
	expect(await readLinkState(ctx, ADV, A)).toEqual({ unlinked: false, deleted: false });
	expect(row(store)).toEqual([]);
	expect(await isDeletedName(ctx, ADV, 'CRM buyers')).toBe(false);
	expect(row(store)).toEqual([]);
});

test('unlink, relink and delete, each a fact every reader sees; the first unlink says it changed something', async () => {
	const store = new MemoryDeduplicator();
	const ctx = context(store);
	expect(await recordUnlink(ctx, ADV, A)).toBe(true);
	expect(await recordUnlink(ctx, ADV, A)).toBe(false);
	expect(row(store)).toEqual([MemoryDeduplicator.hash(linkFact.unlinked(A))]);
	expect(await readLinkState(ctx, ADV, A)).toEqual({ unlinked: true, deleted: false });
	expect(await readLinkState(ctx, ADV, B)).toEqual({ unlinked: false, deleted: false });
	await recordRelink(ctx, ADV, A);
	expect(row(store)).toEqual([]);
	expect(await readLinkState(ctx, ADV, A)).toEqual({ unlinked: false, deleted: false });
	await recordDelete(ctx, ADV, B, 'Old buyers');
	expect(await readLinkState(ctx, ADV, B)).toEqual({ unlinked: true, deleted: true });
	expect(await isDeletedName(ctx, ADV, 'Old buyers')).toBe(true);
	expect(await isDeletedName(ctx, '7100000000000000002', 'Old buyers')).toBe(false);
	expect([...row(store)].sort()).toEqual([MemoryDeduplicator.hash(linkFact.deleted(B)), MemoryDeduplicator.hash(linkFact.deletedName(ADV, 'Old buyers'))].sort());
}, 30_000);

test('an unlink survives a sync that puts back the row it read just before the unlink', async () => {
	const store = new MemoryDeduplicator();
	const ctx = context(store);
	// A sync of B reads the row (empty), then, before it writes, the unlink of A lands; the sync then writes its stale row.
	store.interleave.push(async () => {
		store.interleave.push(() => undefined); // the unlink's own write goes through
		await store.checkProcessedAndRecord([linkFact.unlinked(A)], 'workflow', { workflow: { id: 'wf-1', active: false } }, { mode: 'entries' });
	});
	const syncOfB = readLinkState(ctx, ADV, B);
	expect(await syncOfB).toEqual({ unlinked: false, deleted: false });
	expect(row(store)).toEqual([]); // the stale write erased the unlink
	// The Unlink node's own call re-checks until its fact held twice: here it records it again.
	expect(await recordUnlink(ctx, ADV, A)).toBe(true);
	// A stale writer between a reader's read and write: the reader read the fact, so its write keeps it.
	store.interleave.push(() => {
		store.rows.set('wf-1\u0000', { mode: 'entries', data: [] });
	});
	expect(await readLinkState(ctx, ADV, A)).toEqual({ unlinked: true, deleted: false });
	expect(row(store)).toEqual([MemoryDeduplicator.hash(linkFact.unlinked(A))]);
}, 30_000);

test('the verification loop re-records an unlink that a concurrent writer undid while it was confirming', async () => {
	const store = new MemoryDeduplicator();
	const ctx = context(store);
	// Half a second after the unlink's first record, a writer puts back a row it read before it.
	const calls: string[] = [];
	const record = store.checkProcessedAndRecord.bind(store);
	store.checkProcessedAndRecord = async (items, scope, c, o) => {
		const out = await record(items, scope, c, o);
		calls.push(out.new.length > 0 ? 'recorded' : 'held');
		return out;
	};
	const stale = new Promise<void>((resolve) =>
		setTimeout(() => {
			store.rows.set('wf-1\u0000', { mode: 'entries', data: [] });
			resolve();
		}, 500),
	);
	await recordUnlink(ctx, ADV, A);
	await stale;
	// recorded, undone, recorded again by the first check, then held twice in a row.
	expect(calls).toEqual(['recorded', 'recorded', 'held', 'held']);
	expect(row(store)).toEqual([MemoryDeduplicator.hash(linkFact.unlinked(A))]);
}, 30_000);

test('facts of version 0.1.0 (static data) move into the store once; a later relink sticks', async () => {
	const store = new MemoryDeduplicator();
	const legacy = {
		tiktokAudienceSync: {
			version: 1,
			audiences: {
				[A]: { audienceId: A, advertiserId: ADV, name: 'Buyers', linked: false },
				[B]: { audienceId: B, advertiserId: ADV, name: 'Gone', linked: false, deleted: true },
				'6900000000000000003': { audienceId: '6900000000000000003', advertiserId: ADV, name: 'Live', linked: true },
			},
		},
	};
	expect(legacyFacts(legacy)).toEqual([linkFact.unlinked(A), linkFact.deleted(B), linkFact.deletedName(ADV, 'Gone')]);
	const ctx = context(store, legacy);
	expect(await readLinkState(ctx, ADV, A)).toEqual({ unlinked: true, deleted: false });
	expect(await isDeletedName(ctx, ADV, 'Gone')).toBe(true);
	await recordRelink(ctx, ADV, A);
	expect(await readLinkState(ctx, ADV, A)).toEqual({ unlinked: false, deleted: false });
	expect(legacy.tiktokAudienceSync.audiences[A].linked).toBe(false); // static data is never written
}, 30_000);

test('a reader does not take another reader\'s probe, which lives in the row for a moment, for a fact', async () => {
	const store = new MemoryDeduplicator();
	const ctx = context(store);
	const wf = { workflow: { id: 'wf-1', active: false } };
	// Another reader's probe of "deleted" is in the row when this reader first looks, and gone a moment later.
	await store.checkProcessedAndRecord([linkFact.deleted(A)], 'workflow', wf, { mode: 'entries' });
	const removed = new Promise<void>((resolve) => setTimeout(() => void store.removeProcessed([linkFact.deleted(A)], 'workflow', wf).then(resolve), 50));
	expect(await readLinkState(ctx, ADV, A)).toEqual({ unlinked: false, deleted: false });
	await removed;
	expect(row(store)).toEqual([]);
});
