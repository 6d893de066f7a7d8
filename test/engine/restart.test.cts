// The harness's restart helpers act on the module instances the nodes run with (dist/, loaded by n8n-core), not on the
// TypeScript source a test imports. Before they did, "restart" tests cleared a second, unused copy of a per-process
// view and passed without restarting anything.
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, IHttpRequestOptions } from 'n8n-workflow';

import { startEmulator, type EmulatorHandle } from '../emulator/index.cts';
import * as sourceLifecycle from '../../nodes/shared/sync/lifecycle';
import { anyDataSchema } from '../../nodes/shared/tiktok/schemas';
import { DAY_MS, HOUR_MS } from '../../nodes/shared/sync/lifecycle';
import { ActiveWorkflow } from '../support/activeWorkflow.cts';
import {
	byId,
	dedupStore,
	lifecycleModule,
	linkFact,
	simulateRestart,
	transportModule,
	WORKFLOW_ID,
} from '../support/engine.cts';
import { ADV, lifecycleNode, NAME, syncTrigger, T0, workflow } from '../support/lifecycleHarness.cts';

let emu: EmulatorHandle;
beforeEach(async () => {
	simulateRestart();
	emu = await startEmulator({ now: T0, freezeClock: true });
});
afterEach(async () => {
	jest.restoreAllMocks();
	await emu.close();
});


function lifecycleWorkflow(): ActiveWorkflow {
	return workflow(emu, syncTrigger(), [lifecycleNode('Unlink', { operation: 'unlink', confirmName: NAME })]);
}

test('an unlink writes the link view the helpers read and forget; the TypeScript source is another instance', async () => {
	jest.spyOn(Date, 'now').mockImplementation(() => emu.clock.now());
	const wf = lifecycleWorkflow();
	await wf.activate();
	const id = String((await wf.tick()).run?.output('Sync')[0].audienceId);
	wf.setParameters('Unlink', { audience: byId(id) });
	await wf.execute('manual', [{ json: {} }], 'Unlink');
	expect(lifecycleModule().seenLinkState(WORKFLOW_ID, id)).toBe('unlinked');
	// What the engine tests used to clear: a copy of the module the nodes never load.
	expect(sourceLifecycle.seenLinkState(WORKFLOW_ID, id)).toBeUndefined();
	simulateRestart();
	expect(lifecycleModule().seenLinkState(WORKFLOW_ID, id)).toBeUndefined();
});

test('after a restart the trigger has forgotten the unlink it saw, and emits; the sync reads the link store and sends nothing', async () => {
	jest.spyOn(Date, 'now').mockImplementation(() => emu.clock.now());
	const wf = lifecycleWorkflow();
	await wf.activate();
	const id = String((await wf.tick()).run?.output('Sync')[0].audienceId);
	wf.setParameters('Unlink', { audience: byId(id) });

	// Unlink from the editor (a manual run: n8n saves no static data; the link store is not static data).
	emu.clock.set(T0 + HOUR_MS);
	const unlink = await wf.execute('manual', [{ json: {} }], 'Unlink');
	expect(unlink.output('Unlink')).toEqual([{ operation: 'Unlink', advertiserId: ADV, audienceId: id, name: NAME, unlinked: true, alreadyUnlinked: false }]);
	expect(dedupStore.has(linkFact.unlinked(id))).toBe(true);

	// Same process: the trigger saw the unlink (link view), so the due sync is not emitted.
	emu.clock.set(T0 + DAY_MS);
	expect((await wf.tick()).emitted).toEqual([]);
	const lifecycle = lifecycleModule();
	const memoryKey = lifecycle.triggerMemoryKey(WORKFLOW_ID, 'sync-trigger', ADV, `name:${NAME}`);
	expect(lifecycle.recallTrigger(memoryKey)).toEqual({ audienceId: id, lastEmitAt: T0, reported: `Audience "${NAME}" (${id}) is unlinked` });

	await wf.restart();
	expect(lifecycle.recallTrigger(memoryKey)).toEqual({});
	// The trigger (which cannot read the link store) emits the due sync; the sync skips it with the reason.
	const after = await wf.tick();
	expect(after.emitted.map((e) => [e.reason, e.audienceId, e.lastSyncAt])).toEqual([['scheduled', id, new Date(T0).toISOString()]]);
	expect(after.run?.output('Sync')).toEqual([{ skipped: true, reason: `Audience ${id} is unlinked` }]);
	expect(emu.state.audiences.get(id)?.history.map((h) => h.action)).toEqual(['create']);
}, 30_000);

test('a restart forgets the request limiter: the first call after it does not wait for a slot taken before it', async () => {
	jest.spyOn(Date, 'now').mockReturnValue(T0);
	const calls: string[] = [];
	const ctx = {
		getNode: () => ({ name: 'Probe' }),
		getCredentials: async () => ({ accessToken: 'token', environment: 'custom', baseUrl: 'http://limiter.test', requestsPerSecond: 2, maxRetries: 0 }),
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) => {
				calls.push(String((options.qs as IDataObject).n));
				return { statusCode: 200, body: { code: 0, message: 'OK', request_id: `r${calls.length}`, data: {} } };
			},
		},
	};
	const { tiktokRequest } = transportModule();
	const call = async (n: string) => await tiktokRequest(ctx as never, { method: 'GET', path: 'user/info/', qs: { n }, schema: anyDataSchema });
	const tick = async () => await new Promise((resolve) => setImmediate(resolve));

	await call('a');
	// With the clock frozen, the next slot is 500 ms away: b sleeps for it.
	const b = call('b');
	await tick();
	expect(calls).toEqual(['a']);

	simulateRestart();
	const c = call('c');
	await tick();
	expect(calls).toEqual(['a', 'c']);
	await Promise.all([b, c]);
	expect(calls).toEqual(['a', 'c', 'b']);
});

test('every module-level store in nodes/ is one simulateRestart clears', () => {
	const root = path.resolve(__dirname, '..', '..', 'nodes');
	const files = (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).sort();
	const stores: string[] = [];
	for (const file of files) {
		for (const line of fs.readFileSync(path.join(root, file), 'utf8').split('\n')) {
			const m = /^(?:export\s+)?(?:(let|var)\s+(\w+)|const\s+(\w+)\b[^=]*=\s*new\s+(?:Map|Set|WeakMap|WeakSet)\b)/.exec(line);
			if (m) stores.push(`${file.split(path.sep).join('/')}: ${m[2] ?? m[3]}`);
		}
	}
	// A new store here must be cleared by simulateRestart (test/support/engine.cts), then added to this list.
	expect(stores).toEqual([
		'shared/events/build.ts: CONSENT_YES', // a constant: never written
		'shared/identity/normalize.ts: EXTENSION_WORDS', // a constant: never written
		'shared/sync/lifecycle.ts: triggerMemory', // forgetTriggerMemory
		'shared/sync/lifecycle.ts: schedules', // forgetTriggerMemory
		'shared/sync/lifecycle.ts: linkView', // forgetTriggerMemory
		'shared/tiktok/connect.ts: exchangedCodes', // forgetExchangedCodes
		'shared/tiktok/transport.ts: nextSlotByKey', // forgetRequestSlots
	]);
});
