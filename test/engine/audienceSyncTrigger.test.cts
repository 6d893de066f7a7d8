// TikTok Audience Sync Trigger: initial and scheduled syncs, unknown audiences, runs by hand (Fetch Test Event and
// Execute Workflow) inside and after the Instant Sync cooldown, pause, Poll Times slower than the refresh interval,
// Event Sync evidence across a restart. Harness: test/support/lifecycleHarness.cts.
import { NodeConnectionTypes } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData, INodeType } from 'n8n-workflow';

import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../nodes/shared/sync/lifecycle';
import { ActiveWorkflow } from '../support/activeWorkflow.cts';
import { byId, chain, lifecycleModule, packageNode, WORKFLOW_ID } from '../support/engine.cts';
import { createWebsiteAudienceAt } from '../support/eventSync.cts';
import { ADV, audiencesNamed, credentials, historyOf, initiallySynced, iso, NAME, syncTrigger, T0, useLifecycleEmulator, workflow } from '../support/lifecycleHarness.cts';
import { PROBE_EVENT } from '../support/probeSyncNodes.cts';

const emu = useLifecycleEmulator();

/**
 * What the trigger remembers in process memory about its audience (by-name unless `ref` says otherwise), read from the
 * module instance the nodes run with. A restart must leave it empty, so what the trigger does next follows from TikTok
 * and the saved static data alone.
 */
const triggerMemory = (ref = `name:${NAME}`) => {
	const lifecycle = lifecycleModule();
	return lifecycle.recallTrigger(lifecycle.triggerMemoryKey(WORKFLOW_ID, 'sync-trigger', ADV, ref));
};

/** Where n8n keeps the trigger's node static data, and the trigger's key for the by-name audience. */
const TRIGGER_DATA = 'node:Sync Trigger';
const REF = `${ADV}|name:${NAME}`;

/** The item every emit has; tests override what differs. */
const emit = (fields: IDataObject): IDataObject => ({
	reason: 'scheduled',
	test: false,
	advertiserId: ADV,
	audienceId: null,
	audienceName: NAME,
	kind: 'List Sync',
	lastSyncAt: null,
	lastSyncSource: null,
	instantSyncAvailableAt: null,
	warnings: [],
	...fields,
});

test('initial sync: one item, reason "initial"; the sync creates the audience; nothing more within the interval', async () => {
	const { wf, id, first } = await initiallySynced(emu());
	expect(first.emitted).toEqual([
		emit({
			reason: 'initial',
			dueAt: iso(T0),
			nextDueAt: iso(T0 + DAY_MS),
			triggeredAt: iso(T0),
			message: 'First sync: no sync of this audience is known yet.',
		}),
	]);
	expect(first.run?.output('Sync')).toEqual([{ audienceId: id, action: 'CREATE' }]);
	expect(audiencesNamed(emu(), NAME).map((a) => a.audienceId)).toEqual([id]);
	// The trigger's emit is the only static data written, saved by n8n with the emit.
	expect(wf.db).toEqual({ [TRIGGER_DATA]: { emits: { [REF]: { lastEmitAt: T0 } } } });
	for (const step of [MINUTE_MS, HOUR_MS, 22 * HOUR_MS, 58 * MINUTE_MS]) {
		emu().clock.advance(step);
		expect((await wf.tick()).emitted).toEqual([]);
	}
	expect(historyOf(emu(), id)).toEqual([`create@${iso(T0)}`]);
	expect(wf.saves.map((s) => s.by)).toEqual(['trigger']);
	expect(wf.logs).toEqual([]);
});

test('interval: the next sync is due one interval after the last sync in TikTok history, and is emitted once', async () => {
	const { wf, id } = await initiallySynced(emu());
	emu().clock.set(T0 + DAY_MS - MINUTE_MS);
	expect((await wf.tick()).emitted).toEqual([]);
	emu().clock.set(T0 + DAY_MS);
	const due = await wf.tick();
	expect(due.emitted).toEqual([
		emit({
			audienceId: id,
			lastSyncAt: iso(T0),
			lastSyncSource: 'TikTok history',
			dueAt: iso(T0 + DAY_MS),
			nextDueAt: iso(T0 + 2 * DAY_MS),
			triggeredAt: iso(T0 + DAY_MS),
			message: 'Scheduled sync: due 1 day after the last sync.',
		}),
	]);
	expect(due.run?.output('Sync')).toEqual([{ audienceId: id, action: 'APPEND' }]);
	for (let i = 0; i < 3; i++) {
		emu().clock.advance(MINUTE_MS);
		expect((await wf.tick()).emitted).toEqual([]);
	}
	expect(historyOf(emu(), id)).toEqual([`create@${iso(T0)}`, `append@${iso(T0 + DAY_MS)}`]);
	expect(wf.saves.map((s) => s.by)).toEqual(['trigger', 'trigger']);
	expect(wf.db).toEqual({ [TRIGGER_DATA]: { emits: { [REF]: { lastEmitAt: T0 + DAY_MS, audienceId: id } } } });
});

test('an audience ID TikTok does not know: nothing is emitted, and n8n\'s log says so once', async () => {
	const wf = workflow(emu(), syncTrigger({ audience: byId('999') }));
	await wf.activate();
	// An audience ID TikTok does not know: the trigger says so once in n8n's log and emits nothing.
	expect((await wf.tick()).emitted).toEqual([]);
	expect((await wf.tick()).emitted).toEqual([]);
	expect(wf.logs).toEqual([
		{
			level: 'warn',
			message: 'Sync Trigger: Audience "999" (999) no longer exists on TikTok. It was deleted (with the TikTok Unlink/Delete Audience node or in TikTok Ads Manager). Nothing is synced and it is not created again; pick another audience.',
		},
	]);
});

test('Fetch Test Event: the configured sync, inside the cooldown a sample marked test: true; nothing saved, not even in memory', async () => {
	const { wf, id } = await initiallySynced(emu());
	const requests = () => emu().state.requestLog.map((r) => r.path.replace('/open_api/v1.3/', ''));
	const sample = (at: number, left: string, fields: IDataObject = {}) =>
		emit({
			reason: 'instant',
			test: true,
			audienceId: id,
			lastSyncAt: iso(T0),
			lastSyncSource: 'TikTok history',
			dueAt: iso(at),
			nextDueAt: iso(T0 + DAY_MS),
			instantSyncAvailableAt: iso(T0 + 30 * MINUTE_MS),
			triggeredAt: iso(at),
			message: `A sample, not a sync: Instant sync is available again at 09:30 UTC (in ${left}); the sync node refuses an instant sync until then.`,
			...fields,
		});
	const dbBefore = JSON.stringify(wf.db);
	const memoryBefore = triggerMemory();
	// The clock moves through the cooldown: each fetch is a sample until 30 minutes after TikTok's last change.
	for (const [offset, left] of [
		[MINUTE_MS, '29 minutes'],
		[13 * MINUTE_MS, '17 minutes'],
		[29 * MINUTE_MS + 30_000, '1 minute'],
	] as const) {
		emu().clock.set(T0 + offset);
		const mark = requests().length;
		const fetched = await wf.fetchTestEvent();
		expect(fetched.error()).toBeUndefined();
		expect(fetched.output('Sync Trigger')).toEqual([sample(T0 + offset, left)]);
		// It only reads: the audience by name, then its history.
		expect(requests().slice(mark)).toEqual(['dmp/custom_audience/list/', 'dmp/custom_audience/get/']);
		// Nothing of a run by hand lasts: no static data written, the trigger's memory as before.
		expect(fetched.staticDataChanged).toBe(false);
		expect(triggerMemory()).toEqual(memoryBefore);
	}
	emu().clock.set(T0 + 30 * MINUTE_MS);
	expect((await wf.fetchTestEvent()).output('Sync Trigger')).toEqual([
		emit({
			reason: 'instant',
			audienceId: id,
			lastSyncAt: iso(T0),
			lastSyncSource: 'TikTok history',
			dueAt: iso(T0 + 30 * MINUTE_MS),
			nextDueAt: iso(T0 + 30 * MINUTE_MS + DAY_MS),
			triggeredAt: iso(T0 + 30 * MINUTE_MS),
			message: 'Instant Sync: with Execute Workflow the sync node syncs the audience now; Fetch Test Event only shows this item.',
		}),
	]);
	// Fetching changed nothing the schedule or a restart depends on.
	expect(JSON.stringify(wf.db)).toBe(dbBefore);
	expect(historyOf(emu(), id)).toEqual([`create@${iso(T0)}`]);
	await wf.restart();
	emu().clock.set(T0 + 13 * MINUTE_MS);
	expect((await wf.fetchTestEvent()).output('Sync Trigger')).toEqual([sample(T0 + 13 * MINUTE_MS, '17 minutes')]);
	emu().clock.set(T0 + DAY_MS);
	expect((await wf.tick()).emitted.map((e) => [e.reason, e.lastSyncAt])).toEqual([['scheduled', iso(T0)]]);
});

/** Stands in for a CRM query between the trigger and the Upsert: 1,200 people per run. */
const PEOPLE = 'test.people';
const people: INodeType = {
	description: {
		displayName: 'People',
		name: 'people',
		group: ['transform'],
		version: 1,
		description: 'test stand-in',
		defaults: { name: 'People' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	},
	async execute(): Promise<INodeExecutionData[][]> {
		return [Array.from({ length: 1200 }, (_, i) => ({ json: { email: `person${i}@example.com` } }))];
	},
};

test('Execute Workflow inside the cooldown: the trigger hands over a sample, the Upsert refuses with the time it opens; after it, an instant sync', async () => {
	const wf = new ActiveWorkflow({
		nodes: [
			syncTrigger(),
			{ id: 'people', name: 'People', type: PEOPLE, typeVersion: 1, position: [0, 0], parameters: {} },
			packageNode('Upsert', 'tikTokUpsertCustomerFileList', {
				advertiserId: byId(ADV),
				listMode: 'create',
				listName: NAME,
				calculateType: 'EMAIL_SHA256',
				action: 'APPEND',
				inputSource: 'items',
				emailField: 'email',
			}),
		],
		connections: chain('Sync Trigger', 'People', 'Upsert'),
		credentials: credentials(emu()),
		triggerName: 'Sync Trigger',
		extraNodeTypes: { [PEOPLE]: people },
	});
	await wf.activate();
	const initial = await wf.tick();
	expect(initial.run?.error()).toBeUndefined();
	const id = String(initial.run?.output('Upsert')[0].audienceId);
	expect(historyOf(emu(), id)).toEqual([`create@${iso(T0)}`]);

	for (const [offset, left] of [
		[2 * MINUTE_MS, '28 minutes'],
		[13 * MINUTE_MS, '17 minutes'],
	] as const) {
		emu().clock.set(T0 + offset);
		const run = await wf.execute('manual');
		expect(run.output('Sync Trigger').map((e) => [e.reason, e.test, e.instantSyncAvailableAt])).toEqual([['instant', true, iso(T0 + 30 * MINUTE_MS)]]);
		// The sync node enforces the cooldown from TikTok's history (what persists), with the same time.
		expect(run.error()?.node).toBe('Upsert');
		expect(run.error()?.message).toMatch(new RegExp(`^Instant sync is available again at 09:30 UTC \\(in ${left}\\)`));
		expect(historyOf(emu(), id)).toEqual([`create@${iso(T0)}`]);
	}

	emu().clock.set(T0 + 31 * MINUTE_MS);
	const instant = await wf.execute('manual');
	expect(instant.error()).toBeUndefined();
	expect(instant.output('Sync Trigger').map((e) => [e.reason, e.test, e.instantSyncAvailableAt, e.nextDueAt])).toEqual([
		['instant', false, null, iso(T0 + 31 * MINUTE_MS + DAY_MS)],
	]);
	expect(instant.output('Upsert').map((s) => [s.audienceId, s.action, s.rowsSent])).toEqual([[id, 'APPEND', 1200]]);
	expect(historyOf(emu(), id)).toEqual([`create@${iso(T0)}`, `append@${iso(T0 + 31 * MINUTE_MS)}`]);
	// A manual run's static data is never saved by n8n; TikTok's history is.
	expect(wf.saves.map((s) => s.by)).toEqual(['trigger']);

	// After a restart, the next scheduled sync counts from the instant sync in TikTok's history.
	await wf.restart();
	emu().clock.set(T0 + 40 * MINUTE_MS);
	expect((await wf.fetchTestEvent()).output('Sync Trigger').map((e) => [e.test, e.instantSyncAvailableAt])).toEqual([[true, iso(T0 + 61 * MINUTE_MS)]]);
	emu().clock.set(T0 + DAY_MS + 5 * MINUTE_MS);
	expect((await wf.tick()).emitted).toEqual([]);
	emu().clock.set(T0 + 31 * MINUTE_MS + DAY_MS);
	expect((await wf.tick()).emitted.map((e) => [e.reason, e.lastSyncAt])).toEqual([['scheduled', iso(T0 + 31 * MINUTE_MS)]]);
}, 60_000);

test('a cooldown longer than a day shows the date; one minute left says "1 minute"', async () => {
	const { wf } = await initiallySynced(emu());
	const slow = workflow(emu(), syncTrigger({ instantSyncCooldown: 2 * 24 * 60 }));
	await slow.activate();
	emu().clock.set(T0 + 5 * MINUTE_MS);
	const [far] = (await slow.fetchTestEvent()).output('Sync Trigger');
	expect([far.test, far.instantSyncAvailableAt, far.message]).toEqual([
		true,
		iso(T0 + 2 * DAY_MS),
		'A sample, not a sync: Instant sync is available again at 2026-03-04 09:00 UTC (in 47 hours 55 minutes); the sync node refuses an instant sync until then.',
	]);
	emu().clock.set(T0 + 29 * MINUTE_MS + 59_000);
	expect((await wf.fetchTestEvent()).output('Sync Trigger')[0].message).toBe(
		'A sample, not a sync: Instant sync is available again at 09:30 UTC (in 1 minute); the sync node refuses an instant sync until then.',
	);
});

test('paused: nothing is emitted and TikTok is not called; a run by hand says it is paused', async () => {
	const wf = workflow(emu(), syncTrigger({ status: 'paused' }));
	await wf.activate();
	const requests = emu().state.requestLog.length;
	for (let i = 0; i < 3; i++) {
		emu().clock.advance(DAY_MS);
		expect((await wf.tick()).emitted).toEqual([]);
	}
	expect(emu().state.requestLog.length).toBe(requests);
	expect(audiencesNamed(emu(), NAME)).toEqual([]);
	for (const manual of [await wf.execute('manual'), await wf.fetchTestEvent()]) {
		expect(manual.error()?.message).toBe('This trigger is paused');
		expect(manual.error()?.description).toBe('Set "Status" to Active to sync the audience again.');
	}
});

test('Poll Times further apart than Refresh Every: said once in n8n\'s log and in every item; a poll every minute says nothing', async () => {
	const everyDay = { pollTimes: { item: [{ mode: 'everyDay', hour: 9, minute: 0 }] }, refreshInterval: 6, refreshUnit: 'hours' };
	const warning =
		'Poll Times check as rarely as every 1 day, but Refresh Every is 6 hours: a sync starts at the first check after it is due, so the audience is refreshed about every 1 day. Add a Poll Time at least every 6 hours, or refresh less often.';
	const wf = workflow(emu(), syncTrigger(everyDay));
	await wf.activate();
	const first = await wf.tick();
	expect(first.emitted.map((e) => [e.reason, e.warnings])).toEqual([['initial', [warning]]]);
	emu().clock.set(T0 + DAY_MS);
	expect((await wf.tick()).emitted.map((e) => [e.reason, e.lastSyncAt, e.warnings])).toEqual([['scheduled', iso(T0), [warning]]]);
	expect(wf.logs).toEqual([{ level: 'warn', message: `Sync Trigger: ${warning}` }]);
	expect((await wf.fetchTestEvent()).output('Sync Trigger')[0].warnings).toEqual([warning]);

	// Checked every 6 hours: as often as the refresh; and a Custom cron, which is not judged.
	for (const item of [{ mode: 'everyX', value: 6, unit: 'hours' }, { mode: 'custom', cronExpression: '0 0 9 * * *' }]) {
		wf.setParameters('Sync Trigger', { pollTimes: { item: [item] } });
		expect((await wf.fetchTestEvent()).output('Sync Trigger')[0].warnings).toEqual([]);
	}
	expect(wf.logs).toHaveLength(1);
});

test('Event Sync: last sync is the trigger\'s saved emit, reloaded after a restart; no sync is emitted twice', async () => {
	const id = await createWebsiteAudienceAt(emu(), ADV, 'Website buyers');
	const wf = workflow(emu(), syncTrigger({ syncKind: 'event', audience: byId(id) }), [], PROBE_EVENT);
	await wf.activate();
	const first = await wf.tick();
	expect(first.emitted.map((e) => [e.reason, e.audienceId, e.audienceName, e.kind, e.lastSyncAt])).toEqual([['initial', id, 'Website buyers', 'Event Sync', null]]);
	expect(wf.db).toEqual({ [TRIGGER_DATA]: { emits: { [`${ADV}|id:${id}`]: { lastEmitAt: T0, audienceId: id } } } });

	expect(triggerMemory(`id:${id}`)).toMatchObject({ lastEmitAt: T0 });
	// Run by hand inside the cooldown of the last emit: a sample, bounded by the saved emit after a restart too.
	const fetched = async () => (await wf.fetchTestEvent()).output('Sync Trigger').map((e) => [e.test, e.lastSyncSource, e.instantSyncAvailableAt]);
	emu().clock.set(T0 + 10 * MINUTE_MS);
	expect(await fetched()).toEqual([[true, 'this trigger', iso(T0 + 30 * MINUTE_MS)]]);
	await wf.restart();
	expect(triggerMemory(`id:${id}`)).toEqual({});
	expect(await fetched()).toEqual([[true, 'this trigger', iso(T0 + 30 * MINUTE_MS)]]);

	emu().clock.set(T0 + HOUR_MS);
	expect((await wf.tick()).emitted).toEqual([]);
	emu().clock.set(T0 + DAY_MS);
	expect((await wf.tick()).emitted.map((e) => [e.reason, e.lastSyncAt, e.lastSyncSource])).toEqual([['scheduled', iso(T0), 'this trigger']]);
	await wf.restart();
	expect(triggerMemory(`id:${id}`)).toEqual({});
	emu().clock.advance(MINUTE_MS);
	expect((await wf.tick()).emitted).toEqual([]);
	expect(wf.saves.map((s) => s.by)).toEqual(['trigger', 'trigger']);
});
