// The lifecycle engine tests' shared harness (audienceSyncTrigger, unlinkDeleteAudience): one emulator per test on a
// frozen clock that Date.now() follows, a restart before each test, and an active workflow [Sync Trigger → Sync]
// (a probe sync node) with lifecycle nodes reached from webhooks in the same workflow (they share its link store).
// An ActiveWorkflow simulates n8n's static-data handling (activation copy, executions that load and save the database
// row, restarts) so the single-writer design is tested, not assumed.
import type { IDataObject, INode } from 'n8n-workflow';

import { startEmulator, SEED, type EmulatorHandle } from '../emulator/index.cts';
import { ActiveWorkflow } from './activeWorkflow.cts';
import { byId, chain, packageNode, simulateRestart } from './engine.cts';
import { PROBE_EVENT, PROBE_LIST, probeEventSync, probeListSync } from './probeSyncNodes.cts';

export const T0 = Date.UTC(2026, 2, 2, 9, 0, 0); // 2026-03-02 09:00:00 UTC
export const ADV = SEED.grantedAdvertiserId;
export const NAME = 'CRM buyers';
export const iso = (ms: number) => new Date(ms).toISOString();

/** Registers the per-test emulator and restart; returns a getter for the current test's emulator. */
export function useLifecycleEmulator(): () => EmulatorHandle {
	let emu: EmulatorHandle | undefined;
	beforeEach(async () => {
		emu = await startEmulator({ now: T0, freezeClock: true });
		const current = emu;
		jest.spyOn(Date, 'now').mockImplementation(() => current.clock.now());
		simulateRestart();
	});
	afterEach(async () => {
		jest.restoreAllMocks();
		await emu?.close();
	});
	return () => emu as EmulatorHandle;
}

export const credentials = (emu: EmulatorHandle) => ({
	// requestsPerSecond 0: no client-side limiter, which would wait on a frozen Date.now().
	tikTokBusinessApi: { accessToken: SEED.validToken, environment: 'custom', baseUrl: emu.url, requestsPerSecond: 0, maxRetries: 3, retryBaseDelayMs: 5 },
});

export const syncTrigger = (params: IDataObject = {}): INode =>
	packageNode('Sync Trigger', 'tikTokAudienceSyncTrigger', {
		syncKind: 'list',
		advertiserId: byId(ADV),
		audience: { __rl: true, mode: 'name', value: NAME },
		status: 'active',
		refreshInterval: 1,
		refreshUnit: 'days',
		instantSyncCooldown: 30,
		...params,
	});

export const lifecycleNode = (name: string, params: IDataObject): INode =>
	packageNode(name, 'tikTokUnlinkDeleteAudience', { advertiserId: byId(ADV), audience: byId('0'), ...params });

const probe = (type: string): INode =>
	({ id: 'sync', name: 'Sync', type, typeVersion: 1, position: [0, 0], parameters: {}, credentials: { tikTokBusinessApi: { id: '1', name: 'TikTok' } } }) as INode;

/** [Sync Trigger → Sync] plus lifecycle nodes reached from a webhook in the same workflow (they share its link store). */
export function workflow(emu: EmulatorHandle, trigger: INode, extra: INode[] = [], syncType = PROBE_LIST): ActiveWorkflow {
	return new ActiveWorkflow({
		nodes: [trigger, probe(syncType), ...extra],
		connections: chain('Sync Trigger', 'Sync'),
		credentials: credentials(emu),
		triggerName: 'Sync Trigger',
		extraNodeTypes: { [PROBE_LIST]: probeListSync, [PROBE_EVENT]: probeEventSync },
	});
}

export const audiencesNamed = (emu: EmulatorHandle, name: string) => [...emu.state.audiences.values()].filter((a) => a.name === name);
export const historyOf = (emu: EmulatorHandle, id: string) => emu.state.audiences.get(id)?.history.map((h) => `${h.action}@${iso(h.atMs)}`);
export const webhookRun = (wf: ActiveWorkflow, node: string) => wf.execute('webhook', [{ json: {} }], node);

/** Activates a by-name List Sync workflow and lets its initial sync create the audience at T0. */
export async function initiallySynced(emu: EmulatorHandle, extra: INode[] = []) {
	const wf = workflow(emu, syncTrigger(), extra);
	await wf.activate();
	const first = await wf.tick();
	const id = String(first.run?.output('Sync')[0].audienceId);
	// Lifecycle nodes point at the audience the sync created.
	for (const node of extra) wf.setParameters(node.name, { audience: byId(id) });
	return { wf, id, first };
}
