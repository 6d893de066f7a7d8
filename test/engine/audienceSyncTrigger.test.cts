// TikTok Audience Sync Trigger: initial and scheduled syncs, unknown audiences, instant sync and its cooldown, pause,
// Event Sync evidence across a restart. Harness: test/support/lifecycleHarness.cts.
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../nodes/shared/sync/lifecycle';
import { byId, lifecycleModule, WORKFLOW_ID } from '../support/engine.cts';
import { createWebsiteAudienceAt } from '../support/eventSync.cts';
import { ADV, audiencesNamed, historyOf, initiallySynced, iso, NAME, syncTrigger, T0, useLifecycleEmulator, workflow } from '../support/lifecycleHarness.cts';
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

test('initial sync: one item, reason "initial"; the sync creates the audience; nothing more within the interval', async () => {
	const { wf, id, first } = await initiallySynced(emu());
	expect(first.emitted).toEqual([
		{
			reason: 'initial',
			advertiserId: ADV,
			audienceId: null,
			audienceName: NAME,
			kind: 'list',
			lastSyncAt: null,
			lastSyncSource: null,
			dueAt: iso(T0),
			nextDueAt: iso(T0 + DAY_MS),
			triggeredAt: iso(T0),
		},
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
});

test('interval: the next sync is due one interval after the last sync in TikTok history, and is emitted once', async () => {
	const { wf, id } = await initiallySynced(emu());
	emu().clock.set(T0 + DAY_MS - MINUTE_MS);
	expect((await wf.tick()).emitted).toEqual([]);
	emu().clock.set(T0 + DAY_MS);
	const due = await wf.tick();
	expect(due.emitted).toEqual([
		{
			reason: 'scheduled',
			advertiserId: ADV,
			audienceId: id,
			audienceName: NAME,
			kind: 'list',
			lastSyncAt: iso(T0),
			lastSyncSource: 'tiktok',
			dueAt: iso(T0 + DAY_MS),
			nextDueAt: iso(T0 + 2 * DAY_MS),
			triggeredAt: iso(T0 + DAY_MS),
		},
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

test('instant sync: refused inside the cooldown with the time it opens, allowed after; TikTok history bounds it even after a restart', async () => {
	const { wf, id } = await initiallySynced(emu());
	emu().clock.set(T0 + 13 * MINUTE_MS);
	const refused = await wf.execute('manual');
	expect(refused.error()?.message).toBe('Instant sync is available again at 09:30 UTC (in 17 minutes)');
	expect(refused.error()?.description).toBe(
		`The last sync of "${NAME}" was at ${iso(T0)}; instant syncs need 30 minutes between syncs.`,
	);
	expect(historyOf(emu(), id)).toEqual([`create@${iso(T0)}`]);

	emu().clock.set(T0 + 31 * MINUTE_MS);
	const dbBefore = JSON.stringify(wf.db);
	const instant = await wf.execute('manual');
	expect(instant.error()).toBeUndefined();
	expect(instant.output('Sync Trigger')).toEqual([
		{
			reason: 'instant',
			advertiserId: ADV,
			audienceId: id,
			audienceName: NAME,
			kind: 'list',
			lastSyncAt: iso(T0),
			lastSyncSource: 'tiktok',
			dueAt: iso(T0 + 31 * MINUTE_MS),
			nextDueAt: iso(T0 + 31 * MINUTE_MS + DAY_MS),
			triggeredAt: iso(T0 + 31 * MINUTE_MS),
		},
	]);
	expect(instant.output('Sync')).toEqual([{ audienceId: id, action: 'APPEND' }]);
	// A manual run's static data is never saved by n8n; TikTok's history is.
	expect(JSON.stringify(wf.db)).toBe(dbBefore);
	expect(historyOf(emu(), id)).toEqual([`create@${iso(T0)}`, `append@${iso(T0 + 31 * MINUTE_MS)}`]);
	expect(triggerMemory()).toMatchObject({ audienceId: id, lastInstantAt: T0 + 31 * MINUTE_MS });

	await wf.restart();
	// The instant sync is forgotten with the process, so the refusal below can only come from TikTok's history.
	expect(triggerMemory()).toEqual({});
	emu().clock.set(T0 + 40 * MINUTE_MS);
	expect((await wf.execute('manual')).error()?.message).toBe('Instant sync is available again at 10:01 UTC (in 21 minutes)');
	// The scheduled sync follows TikTok's history too: due a day after the instant sync, not after the first one.
	emu().clock.set(T0 + DAY_MS + 5 * MINUTE_MS);
	expect((await wf.tick()).emitted).toEqual([]);
	emu().clock.set(T0 + 31 * MINUTE_MS + DAY_MS);
	expect((await wf.tick()).emitted.map((e) => [e.reason, e.lastSyncAt])).toEqual([['scheduled', iso(T0 + 31 * MINUTE_MS)]]);
});

test('instant sync a day later than the cooldown shows the date; one minute left says "1 minute"', async () => {
	const { wf } = await initiallySynced(emu());
	const slow = workflow(emu(), syncTrigger({ instantSyncCooldown: 2 * 24 * 60 }));
	await slow.activate();
	emu().clock.set(T0 + 5 * MINUTE_MS);
	expect((await slow.execute('manual')).error()?.message).toBe('Instant sync is available again at 2026-03-04 09:00 UTC (in 47 hours 55 minutes)');
	emu().clock.set(T0 + 29 * MINUTE_MS + 30_000);
	expect((await wf.execute('manual')).error()?.message).toBe('Instant sync is available again at 09:30 UTC (in 1 minute)');
});

test('paused: nothing is emitted and TikTok is not called; a manual run says it is paused', async () => {
	const wf = workflow(emu(), syncTrigger({ status: 'paused' }));
	await wf.activate();
	const requests = emu().state.requestLog.length;
	for (let i = 0; i < 3; i++) {
		emu().clock.advance(DAY_MS);
		expect((await wf.tick()).emitted).toEqual([]);
	}
	expect(emu().state.requestLog.length).toBe(requests);
	expect(audiencesNamed(emu(), NAME)).toEqual([]);
	const manual = await wf.execute('manual');
	expect(manual.error()?.message).toBe('This trigger is paused');
	expect(manual.error()?.description).toBe('Set "Status" to Active to sync the audience again.');
});

test('Event Sync: last sync is the trigger\'s saved emit, reloaded after a restart; no sync is emitted twice', async () => {
	const id = await createWebsiteAudienceAt(emu(), ADV, 'Website buyers');
	const wf = workflow(emu(), syncTrigger({ syncKind: 'event', audience: byId(id) }), [], PROBE_EVENT);
	await wf.activate();
	const first = await wf.tick();
	expect(first.emitted.map((e) => [e.reason, e.audienceId, e.audienceName, e.lastSyncAt])).toEqual([['initial', id, 'Website buyers', null]]);
	expect(wf.db).toEqual({ [TRIGGER_DATA]: { emits: { [`${ADV}|id:${id}`]: { lastEmitAt: T0, audienceId: id } } } });

	emu().clock.advance(HOUR_MS);
	expect((await wf.tick()).emitted).toEqual([]);
	expect(triggerMemory(`id:${id}`)).toMatchObject({ lastEmitAt: T0 });
	await wf.restart();
	expect(triggerMemory(`id:${id}`)).toEqual({});
	expect((await wf.tick()).emitted).toEqual([]);
	emu().clock.set(T0 + DAY_MS);
	expect((await wf.tick()).emitted.map((e) => [e.reason, e.lastSyncAt, e.lastSyncSource])).toEqual([['scheduled', iso(T0), 'trigger']]);
	await wf.restart();
	expect(triggerMemory(`id:${id}`)).toEqual({});
	emu().clock.advance(MINUTE_MS);
	expect((await wf.tick()).emitted).toEqual([]);
	expect(wf.saves.map((s) => s.by)).toEqual(['trigger', 'trigger']);
});
