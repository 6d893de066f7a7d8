// The harness's restart helpers act on the module instances the nodes run with (dist/, loaded by n8n-core), not on the
// TypeScript source a test imports. Before they did, "restart" tests cleared a second, unused copy of the registry's
// live view and passed without restarting anything.
import fs from 'node:fs';
import path from 'node:path';
import type { IDataObject, IHttpRequestOptions, INode } from 'n8n-workflow';

import { startEmulator, SEED, type EmulatorHandle } from '../emulator/index.cts';
import * as sourceRegistry from '../../nodes/shared/sync/registry';
import { anyDataSchema } from '../../nodes/shared/tiktok/schemas';
import { DAY_MS, HOUR_MS } from '../../nodes/shared/sync/lifecycle';
import { ActiveWorkflow } from '../support/activeWorkflow.cts';
import {
	byId,
	chain,
	forgetLiveRegistries,
	lifecycleModule,
	liveRegistry,
	packageNode,
	runWorkflow,
	simulateRestart,
	transportModule,
	WORKFLOW_ID,
} from '../support/engine.cts';
import { createNode, emulatorCredentials, savedRegistry } from '../support/eventSync.cts';
import { PROBE_LIST, probeListSync } from '../support/probeSyncNodes.cts';

const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const ADV = SEED.grantedAdvertiserId;
const NAME = 'CRM buyers';

let emu: EmulatorHandle;
beforeEach(async () => {
	simulateRestart();
	emu = await startEmulator({ now: T0, freezeClock: true });
});
afterEach(async () => {
	jest.restoreAllMocks();
	await emu.close();
});

test('a node run writes the live view the helpers read and forget; the TypeScript source is another instance', async () => {
	const r = await runWorkflow({ nodes: [createNode()], connections: {}, credentials: emulatorCredentials(emu), mode: 'trigger' });
	expect(r.error()).toBeUndefined();
	const id = String(r.output('TikTok Create Website Audience')[0].audience_id);
	const saved = savedRegistry(r.staticData)!;
	expect(Object.keys(saved.audiences)).toEqual([id]);
	expect(liveRegistry()).toEqual(saved);

	// What the engine tests used to clear: a copy of the module the nodes never load.
	const ctx = { getWorkflowStaticData: () => ({}), getMode: () => 'trigger', getWorkflow: () => ({ id: WORKFLOW_ID }) };
	expect(sourceRegistry.readRegistry(ctx as unknown as Parameters<typeof sourceRegistry.readRegistry>[0]).audiences).toEqual({});

	forgetLiveRegistries();
	expect(liveRegistry().audiences).toEqual({});
});

test('after a restart the trigger sees only the saved static data, not what an unsaved execution left in memory', async () => {
	jest.spyOn(Date, 'now').mockImplementation(() => emu.clock.now());
	const credentials = {
		tikTokBusinessApi: { accessToken: SEED.validToken, environment: 'custom', baseUrl: emu.url, requestsPerSecond: 0, maxRetries: 3, retryBaseDelayMs: 5 },
	};
	const nodes: INode[] = [
		packageNode('Sync Trigger', 'tikTokAudienceSyncTrigger', {
			syncKind: 'list',
			advertiserId: byId(ADV),
			audience: { __rl: true, mode: 'name', value: NAME },
			status: 'active',
			refreshInterval: 1,
			refreshUnit: 'days',
			instantSyncCooldown: 30,
		}),
		{ id: 'sync', name: 'Sync', type: PROBE_LIST, typeVersion: 1, position: [0, 0], parameters: {}, credentials: { tikTokBusinessApi: { id: '1', name: 'TikTok' } } } as INode,
		packageNode('Unlink', 'tikTokUnlinkDeleteAudience', { operation: 'unlink', advertiserId: byId(ADV), audience: byId('0'), confirmName: NAME }),
	];
	const connections = chain('Sync Trigger', 'Sync');
	const extraNodeTypes = { [PROBE_LIST]: probeListSync };
	const wf = new ActiveWorkflow({ nodes, connections, credentials, triggerName: 'Sync Trigger', extraNodeTypes });
	await wf.activate();
	const id = String((await wf.tick()).run?.output('Sync')[0].audienceId);
	wf.setParameters('Unlink', { audience: byId(id) });
	const saved = JSON.stringify(wf.db);

	// An unlink whose execution was never saved (n8n died before its workflowExecuteAfter hook): only memory has it.
	emu.clock.set(T0 + HOUR_MS);
	const lost = await runWorkflow({ nodes, connections, credentials, extraNodeTypes, mode: 'webhook', startNode: 'Unlink', staticData: wf.db });
	expect(lost.output('Unlink')).toEqual([{ operation: 'unlink', advertiserId: ADV, audienceId: id, name: NAME, unlinked: true, alreadyUnlinked: false }]);
	expect(JSON.stringify(wf.db)).toBe(saved);
	expect(liveRegistry().audiences[id]).toMatchObject({ linked: false });

	// Same process: the trigger merges the live view over its activation copy, so the due sync is not emitted.
	emu.clock.set(T0 + DAY_MS);
	expect((await wf.tick()).emitted).toEqual([]);
	const lifecycle = lifecycleModule();
	const memoryKey = lifecycle.triggerMemoryKey(WORKFLOW_ID, 'sync-trigger', ADV, `name:${NAME}`);
	expect(lifecycle.recallTrigger(memoryKey)).toEqual({ audienceId: id, lastEmitAt: T0, reported: `Audience "${NAME}" (${id}) is unlinked` });

	await wf.restart();
	expect(liveRegistry().audiences).toEqual({});
	expect(lifecycle.recallTrigger(memoryKey)).toEqual({});
	// The database never heard of the unlink: the audience is linked, and its due sync runs.
	const after = await wf.tick();
	expect(after.emitted.map((e) => [e.reason, e.audienceId, e.lastSyncAt])).toEqual([['scheduled', id, new Date(T0).toISOString()]]);
	expect(after.run?.output('Sync')).toEqual([{ audienceId: id, action: 'APPEND' }]);
});

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
		'shared/sync/lifecycle.ts: triggerMemory', // forgetTriggerMemory
		'shared/sync/lifecycle.ts: schedules', // forgetTriggerMemory
		'shared/sync/registry.ts: liveEntries', // forgetLiveRegistries
		'shared/tiktok/transport.ts: nextSlotByKey', // forgetRequestSlots
	]);
});
