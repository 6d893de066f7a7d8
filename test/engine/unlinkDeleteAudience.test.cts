// TikTok Unlink/Delete Audience with the trigger and the sync nodes of the same workflow: unlink, relink, delete,
// a write racing a sync in the link store, Get Status. Harness: test/support/lifecycleHarness.cts.
import { SEED } from '../emulator/index.cts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../nodes/shared/sync/lifecycle';
import { byId, dedupStore, linkFact, recordInStore } from '../support/engine.cts';
import { createWebsiteAudienceAt } from '../support/eventSync.cts';
import { ADV, audiencesNamed, historyOf, initiallySynced, iso, lifecycleNode, NAME, syncTrigger, T0, useLifecycleEmulator, webhookRun, workflow } from '../support/lifecycleHarness.cts';

const emu = useLifecycleEmulator();

test('unlink: a wrong name changes nothing; the right name stops syncs at the next poll and after a restart; the audience stays', async () => {
	const { wf, id } = await initiallySynced(emu(), [
		lifecycleNode('Unlink Typo', { operation: 'unlink', confirmName: 'CRM Buyers' }),
		lifecycleNode('Unlink', { operation: 'unlink', confirmName: NAME }),
	]);
	const before = JSON.stringify(wf.db);

	const typo = await webhookRun(wf, 'Unlink Typo');
	expect(typo.error()?.message).toBe(`"Confirm Audience Name" does not match: expected "${NAME}"`);
	expect(typo.error()?.description).toBe(`The audience's current name on TikTok is "${NAME}"; you typed "CRM Buyers". Type it exactly. Nothing was changed.`);
	expect(JSON.stringify(wf.db)).toBe(before);

	expect(dedupStore.has(linkFact.unlinked(id))).toBe(false);

	// From the editor (a manual run, whose static data n8n never saves): the link store is not static data.
	emu().clock.set(T0 + HOUR_MS);
	const unlink = await wf.execute('manual', [{ json: {} }], 'Unlink');
	expect(unlink.output('Unlink')).toEqual([
		{ operation: 'Unlink', advertiserId: ADV, audienceId: id, name: NAME, unlinked: true, alreadyUnlinked: false },
	]);
	expect(dedupStore.has(linkFact.unlinked(id))).toBe(true);
	expect(JSON.stringify(wf.db)).toBe(before);

	// No restart: the trigger's activation copy still says "linked", the per-process view says "unlinked".
	for (let i = 0; i < 3; i++) {
		emu().clock.advance(DAY_MS);
		expect((await wf.tick()).emitted).toEqual([]);
	}
	expect(wf.logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
		`Sync Trigger: Audience "${NAME}" (${id}) is unlinked. It was unlinked with the TikTok Unlink/Delete Audience node: it stays on TikTok but is no longer refreshed.`,
	]);
	// A sync node that gets the audience anyway skips it with a reason.
	const forced = await wf.execute('trigger', [{ json: { reason: 'scheduled', advertiserId: ADV, audienceId: id, audienceName: NAME } }]);
	expect(forced.output('Sync')).toEqual([{ skipped: true, reason: `Audience ${id} is unlinked` }]);
	expect((await wf.execute('manual')).error()?.message).toBe(`Audience "${NAME}" (${id}) is unlinked`);

	// After a restart the trigger's view is gone: it emits the due sync, which the sync node skips (the link store).
	await wf.restart();
	emu().clock.advance(DAY_MS);
	const afterRestart = await wf.tick();
	expect(afterRestart.emitted.map((e) => [e.reason, e.audienceId])).toEqual([['scheduled', id]]);
	expect(afterRestart.run?.output('Sync')).toEqual([{ skipped: true, reason: `Audience ${id} is unlinked` }]);
	expect(historyOf(emu(), id)).toEqual([`create@${iso(T0)}`]);
	expect(emu().state.audiences.has(id)).toBe(true);

	const again = await webhookRun(wf, 'Unlink');
	expect(again.output('Unlink')[0]).toMatchObject({ unlinked: true, alreadyUnlinked: true });
});

test('delete: a wrong name changes nothing; the right name deletes it on TikTok and records it; nothing recreates it by name', async () => {
	const { wf, id } = await initiallySynced(emu(), [
		lifecycleNode('Delete Typo', { operation: 'delete', confirmName: 'CRM' }),
		lifecycleNode('Delete', { operation: 'delete', confirmName: NAME }),
	]);

	const typo = await webhookRun(wf, 'Delete Typo');
	expect(typo.error()?.message).toBe(`"Confirm Audience Name" does not match: expected "${NAME}"`);
	expect(emu().state.audiences.has(id)).toBe(true);

	emu().clock.set(T0 + 2 * HOUR_MS);
	const del = await webhookRun(wf, 'Delete');
	const out = del.output('Delete');
	expect(out).toEqual([{ operation: 'Delete', advertiserId: ADV, audienceId: id, name: NAME, deleted: true, requestId: out[0].requestId }]);
	expect(out[0].requestId).toMatch(/^20260302110000/);
	expect(emu().state.audiences.has(id)).toBe(false);
	expect([dedupStore.has(linkFact.deleted(id)), dedupStore.has(linkFact.deletedName(ADV, NAME))]).toEqual([true, true]);

	// The trigger cannot read the link store: when the name is due it emits, and the sync finds the deleted name there
	// and creates nothing. A restart changes nothing.
	for (const restart of [false, true]) {
		if (restart) await wf.restart();
		emu().clock.advance(DAY_MS);
		const due = await wf.tick();
		expect(due.emitted.map((e) => [e.reason, e.audienceId, e.audienceName])).toEqual([['scheduled', null, NAME]]);
		expect(due.run?.output('Sync')).toEqual([{ skipped: true, reason: `List "${NAME}" was deleted` }]);
	}
	expect(audiencesNamed(emu(), NAME)).toEqual([]);
	const gone = await webhookRun(wf, 'Delete');
	expect(gone.error()?.message).toBe(`Audience ${id} does not exist on TikTok`);
});

test('relink: a relinked audience is synced again; an unlink that races a sync of another audience in the store is kept', async () => {
	const { wf, id } = await initiallySynced(emu(), [
		lifecycleNode('Unlink', { operation: 'unlink', confirmName: NAME }),
		lifecycleNode('Relink', { operation: 'relink' }),
	]);
	// Between the unlink's read of the store and its write, a sync of another audience reads and writes the same row.
	dedupStore.interleave.push(async () => {
		await wf.execute('trigger', [{ json: { reason: 'scheduled', advertiserId: ADV, audienceId: '6900000000000000999', audienceName: 'Other' } }]);
	});
	const unlink = await webhookRun(wf, 'Unlink');
	expect(unlink.output('Unlink')[0]).toMatchObject({ unlinked: true, alreadyUnlinked: false });
	expect(dedupStore.has(linkFact.unlinked(id))).toBe(true);

	const relink = await webhookRun(wf, 'Relink');
	expect(relink.output('Relink')).toEqual([{ operation: 'Relink', advertiserId: ADV, audienceId: id, name: NAME, linked: true, alreadyLinked: false }]);
	expect(dedupStore.has(linkFact.unlinked(id))).toBe(false);
	expect((await webhookRun(wf, 'Relink')).output('Relink')[0]).toMatchObject({ linked: true, alreadyLinked: true });
	emu().clock.set(T0 + DAY_MS);
	const due = await wf.tick();
	expect(due.run?.output('Sync')).toEqual([{ audienceId: id, action: 'APPEND' }]);
}, 60_000);

test('Get Status: size, validity, expiry, link state, last sync, next due and the log, in words', async () => {
	const { wf, id } = await initiallySynced(emu(), [lifecycleNode('Status', { operation: 'getStatus' })]);
	emu().clock.set(T0 + 2 * MINUTE_MS);
	await wf.tick();
	const status = (await webhookRun(wf, 'Status')).output('Status');
	expect(status).toEqual([
		{
			operation: 'Get Status',
			exists: true,
			advertiserId: ADV,
			audienceId: id,
			name: NAME,
			type: 'Customer File Audience',
			kind: 'List Sync',
			pixelIds: [],
			audienceSize: 700,
			audienceValid: false,
			isExpiring: false,
			expiresAt: iso(T0 + 365 * DAY_MS),
			createdAt: iso(T0),
			linked: true,
			linkStatus: 'linked',
			lastSyncAt: iso(T0),
			lastSyncAction: 'Create',
			lastSyncSource: 'TikTok history',
			lastReplaceAt: null,
			nextDueAt: iso(T0 + DAY_MS),
			schedule: { trigger: 'Sync Trigger', status: 'Active', refreshEvery: '1 day', polledAt: iso(T0 + 2 * MINUTE_MS) },
			notes: [],
			log: [{ at: iso(T0), source: 'TikTok', event: 'Create', detail: '1000; by API' }],
		},
	]);
	// A manual Get Status works too (it writes nothing).
	expect((await wf.execute('manual', [{ json: {} }], 'Status')).output('Status')[0].exists).toBe(true);
});

test('Get Status right after a sync by hand: the sync is read from TikTok\'s history; why the next due time is unknown is said', async () => {
	const { wf, id } = await initiallySynced(emu(), [lifecycleNode('Status', { operation: 'getStatus' })]);
	// A new process: no trigger has polled since (a trigger's schedule lives in the process that polls).
	await wf.restart();
	emu().clock.set(T0 + 31 * MINUTE_MS);
	const instant = await wf.execute('manual');
	expect(instant.output('Sync')).toEqual([{ audienceId: id, action: 'APPEND' }]);
	emu().clock.set(T0 + 32 * MINUTE_MS);
	const [status] = (await wf.execute('manual', [{ json: {} }], 'Status')).output('Status');
	expect([status.lastSyncAt, status.lastSyncAction, status.lastSyncSource, status.nextDueAt, status.schedule, status.notes]).toEqual([
		iso(T0 + 31 * MINUTE_MS),
		'Add',
		'TikTok history',
		null,
		null,
		[
			"Next due time unknown here: no Audience Sync Trigger of this workflow has polled this audience in this n8n process since it started. A trigger keeps its schedule in the process that polls; n8n keeps nothing of a run by hand. Syncs made by hand are in TikTok's history (lastSyncAt).",
		],
	]);
	expect(status.log).toEqual([
		{ at: iso(T0 + 31 * MINUTE_MS), source: 'TikTok', event: 'Add', detail: '1000; by API' },
		{ at: iso(T0), source: 'TikTok', event: 'Create', detail: '1000; by API' },
	]);
	// A run by hand of the trigger (Fetch Test Event) publishes no schedule either: it started nothing.
	await wf.fetchTestEvent();
	expect((await wf.execute('manual', [{ json: {} }], 'Status')).output('Status')[0].schedule).toBeNull();
	// Once the trigger polls in this process, its schedule is known.
	await wf.tick();
	const [polled] = (await wf.execute('manual', [{ json: {} }], 'Status')).output('Status');
	expect([polled.nextDueAt, polled.schedule, polled.notes]).toEqual([
		iso(T0 + 31 * MINUTE_MS + DAY_MS),
		{ trigger: 'Sync Trigger', status: 'Active', refreshEvery: '1 day', polledAt: iso(T0 + 32 * MINUTE_MS) },
		[],
	]);
});

test('Get Status of a website audience names its pixel and why its last sync is unknown; of an unknown audience says it does not exist', async () => {
	const id = await createWebsiteAudienceAt(emu(), ADV, 'Website buyers');
	const wf = workflow(emu(), syncTrigger(), [
		lifecycleNode('Status', { operation: 'getStatus', audience: byId(id) }),
		lifecycleNode('Missing', { operation: 'getStatus', audience: byId('424242') }),
	]);
	const web = (await webhookRun(wf, 'Status')).output('Status')[0];
	expect([web.type, web.kind, web.pixelIds, web.linked, web.linkStatus, web.lastSyncAt, web.lastSyncSource, web.nextDueAt, web.schedule]).toEqual([
		'Website Audience',
		'Event Sync',
		[SEED.pixels[0].pixel_id],
		true,
		'linked',
		null,
		null,
		null,
		null,
	]);
	expect(web.notes).toEqual([
		"Event Sync sends pixel events, which TikTok does not record in the audience's history: the last sync is not known here. The Send Sync Event execution shows what was sent.",
		"Next due time unknown here: no Audience Sync Trigger of this workflow has polled this audience in this n8n process since it started. A trigger keeps its schedule in the process that polls; n8n keeps nothing of a run by hand. Syncs made by hand are in TikTok's history (lastSyncAt).",
	]);
	expect((await webhookRun(wf, 'Missing')).output('Missing')[0]).toMatchObject({
		exists: false,
		audienceId: '424242',
		name: null,
		audienceSize: null,
		notes: [`TikTok has no audience 424242 for advertiser ${ADV}.`],
		log: [],
	});
});

test('"Custom API Call" (added by n8n to the operations) says what it is and changes nothing', async () => {
	const { wf, id } = await initiallySynced(emu(), [lifecycleNode('Custom', { operation: '__CUSTOM_API_CALL__', confirmName: NAME })]);
	const requests = emu().state.requestLog.length;
	const run = await webhookRun(wf, 'Custom');
	expect(run.error()?.message).toBe('Custom API Call is not an operation of this node');
	expect(run.error()?.description).toBe(
		'"Custom API Call" is added by n8n to every node whose credential also works in the HTTP Request node. This node has no custom call: choose Get Status, Unlink, Relink or Delete, or call another TikTok endpoint with an HTTP Request node and the TikTok Business API credential.',
	);
	expect(emu().state.requestLog.length).toBe(requests);
	expect([dedupStore.has(linkFact.unlinked(id)), emu().state.audiences.has(id)]).toEqual([false, true]);
});

test('a "deleted" fact about an audience TikTok still has reads as unlinked, never linked; Relink clears it', async () => {
	const { wf, id } = await initiallySynced(emu(), [lifecycleNode('Status', { operation: 'getStatus' }), lifecycleNode('Relink', { operation: 'relink' })]);
	// As a delete TikTok refused would leave it, or a concurrent reader's probe written back.
	await recordInStore(linkFact.deleted(id));
	const status = (await webhookRun(wf, 'Status')).output('Status')[0];
	expect([status.exists, status.linked, status.linkStatus]).toEqual([true, false, 'unlinked']);
	expect((await webhookRun(wf, 'Relink')).output('Relink')).toEqual([{ operation: 'Relink', advertiserId: ADV, audienceId: id, name: NAME, linked: true, alreadyLinked: false }]);
	expect(dedupStore.has(linkFact.deleted(id))).toBe(false);
	const after = (await webhookRun(wf, 'Status')).output('Status')[0];
	expect([after.linked, after.linkStatus]).toEqual([true, 'linked']);
}, 30_000);
