// The link lifecycle in the real n8n server (2.41.1, and 1.123 through jest.e2e.n8n1.config.cjs) against the
// emulator: one active workflow holds
// [Sync Trigger → People (Code) → Upsert Customer File List] and two admin webhooks ([Unlink], [Delete]), which write
// the same workflow's link store (n8n's de-duplication table); the trigger alone writes static data (its emits).
// Assertions read the emulator's state, n8n's executions, n8n's log, the stored static data and the link store.
import { randomUUID } from 'node:crypto';

import { SEED } from '../emulator/index.cts';
import { activateWorkflow, executionError, executionSettled, nodeOutput, nodeType, nodeTypes, sleep, waitFor, type Execution } from './n8nServer.cts';
import { startStack, type Stack } from './stack.cts';
import { linkFact, postWebhook, storedLinkFacts, storedStaticData } from './workflows.cts';

const NAME = 'E2E lifecycle buyers';
const ADV = SEED.grantedAdvertiserId;
const rl = (mode: string, value: string) => ({ __rl: true, mode, value });

function lifecycleWorkflow() {
	const webhook = (name: string, path: string, x: number) => ({
		id: randomUUID(),
		name,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [x, 400],
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} },
	});
	const lifecycle = (name: string, operation: string, x: number) => ({
		id: randomUUID(),
		name,
		type: nodeType('tikTokUnlinkDeleteAudience'),
		typeVersion: 1,
		position: [x, 400],
		parameters: {
			operation,
			advertiserId: rl('id', ADV),
			audience: rl('id', '={{ $json.body.audienceId }}'),
			confirmName: '={{ $json.body.confirm }}',
		},
	});
	return {
		name: 'E2E lifecycle',
		nodes: [
			{
				id: randomUUID(),
				name: 'Sync Trigger',
				type: nodeType('tikTokAudienceSyncTrigger'),
				typeVersion: 1,
				position: [0, 0],
				parameters: {
					pollTimes: { item: [{ mode: 'everyMinute' }] },
					syncKind: 'list',
					advertiserId: rl('id', ADV),
					audience: rl('name', NAME),
					status: 'active',
					refreshInterval: 1,
					refreshUnit: 'days',
					instantSyncCooldown: 30,
				},
			},
			{
				id: randomUUID(),
				name: 'People',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [250, 0],
				parameters: { jsCode: 'return Array.from({ length: 1200 }, (_, i) => ({ json: { email: `Person${i}@Example.com` } }));' },
			},
			{
				id: randomUUID(),
				name: 'Upsert',
				type: nodeType('tikTokUpsertCustomerFileList'),
				typeVersion: 1,
				position: [500, 0],
				parameters: {
					advertiserId: rl('id', ADV),
					listMode: 'create',
					listName: NAME,
					calculateType: 'EMAIL_SHA256',
					action: 'APPEND',
					inputSource: 'items',
					emailField: 'email',
				},
			},
			webhook('Unlink Webhook', 'e2e-unlink', 0),
			lifecycle('Unlink', 'unlink', 250),
			webhook('Delete Webhook', 'e2e-delete', 500),
			lifecycle('Delete', 'delete', 750),
		],
		connections: {
			'Sync Trigger': { main: [[{ node: 'People', type: 'main', index: 0 }]] },
			People: { main: [[{ node: 'Upsert', type: 'main', index: 0 }]] },
			'Unlink Webhook': { main: [[{ node: 'Unlink', type: 'main', index: 0 }]] },
			'Delete Webhook': { main: [[{ node: 'Delete', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

let stack: Stack;
beforeAll(async () => {
	stack = await startStack();
}, 600_000);
afterAll(async () => {
	await stack?.stop();
});

const named = () => [...stack.emulator.state.audiences.values()].filter((a) => a.name === NAME);
const byMode = (executions: Execution[], mode: string) => executions.filter((e) => e.mode === mode);
const pad = (n: number) => String(n).padStart(2, '0');
const hhmm = (ms: number) => `${pad(new Date(ms).getUTCHours())}:${pad(new Date(ms).getUTCMinutes())} UTC`;

const post = (path: string, body: unknown) => postWebhook(stack.url, path, body);

/** Polls the emulator's request log until the trigger (a list/ call) has polled since `since` (emulator clock). */
async function triggerPolledSince(since: number): Promise<void> {
	await waitFor(
		'a trigger poll',
		async () =>
			stack.emulator.state.requestLog.some((r) => r.path.endsWith('/dmp/custom_audience/list/') && Date.parse(r.time) >= since) || undefined,
		{ timeoutMs: 90_000, intervalMs: 500 },
	);
}

test('Unlink/Delete\'s Operation has its four operations and no "Custom API Call", in the node and its AI-tool variant', async () => {
	// n8n adds "Custom API Call" to nodes whose credential works in the HTTP Request node, unless their version is a
	// list (nodes/TikTokUnlinkDeleteAudience/TikTokUnlinkDeleteAudience.node.ts).
	const types = await nodeTypes(stack.session);
	const operations = types
		.filter((t) => t.name === nodeType('tikTokUnlinkDeleteAudience') || t.name === nodeType('tikTokUnlinkDeleteAudienceTool'))
		.map((t) => [t.name, (t.properties as Array<{ name: string; options?: Array<{ value: string }> }>).find((p) => p.name === 'operation')?.options?.map((o) => o.value)]);
	expect(operations).toEqual([
		[nodeType('tikTokUnlinkDeleteAudience'), ['getStatus', 'unlink', 'relink', 'delete']],
		[nodeType('tikTokUnlinkDeleteAudienceTool'), ['getStatus', 'unlink', 'relink', 'delete']],
	]);
});

test('activate, initial sync once, restart without a resync, Fetch Test Event a sample, instant sync refused, unlink, delete', async () => {
	const id = await stack.createWorkflow(lifecycleWorkflow());
	await activateWorkflow(stack.session, id);

	// 1. The activation poll emits the initial sync; the Upsert creates the audience. Exactly once.
	const initial = await waitFor(
		'the initial sync execution',
		async () => {
			const done = byMode(await stack.executions(id), 'trigger').filter(executionSettled);
			return done.length > 0 ? done : undefined;
		},
		{ timeoutMs: 90_000, intervalMs: 500 },
	);
	expect(initial.map((e) => e.status)).toEqual(['success']);
	const [emitted] = nodeOutput(initial[0], 'Sync Trigger');
	expect([emitted.reason, emitted.audienceId, emitted.audienceName, emitted.lastSyncAt]).toEqual(['initial', null, NAME, null]);
	expect(named()).toHaveLength(1);
	const audience = named()[0];
	const audienceId = audience.audienceId;
	expect(audience.history.map((h) => h.action)).toEqual(['create']);
	expect(audience.members.size).toBe(1200);
	const createdAt = audience.history[0].atMs;
	// The only static data: the trigger's emit, saved by n8n with it.
	expect(Object.keys((await storedStaticData(stack.session, id)) ?? {})).toEqual(['node:Sync Trigger']);
	const facts = [linkFact.unlinked(audienceId), linkFact.deleted(audienceId), linkFact.deletedName(ADV, NAME)];

	// 2. Restart within the interval: the activation poll after the restart finds the sync in TikTok's history.
	const beforeRestart = stack.emulator.clock.now();
	await stack.n8n.restart();
	await triggerPolledSince(beforeRestart);
	await sleep(3000);
	expect(byMode(await stack.executions(id), 'trigger')).toHaveLength(1);
	expect(named().map((a) => a.history.length)).toEqual([1]);

	// 3. Runs by hand inside the 30-minute cooldown. Fetch Test Event (the trigger alone): a sample marked test: true,
	// nothing else runs. Execute Workflow: the trigger hands the sample on and the Upsert refuses it with the time the
	// cooldown opens, read from TikTok's history.
	// The last sync is the later of TikTok's history (whole seconds, the emulator's clock) and the trigger's saved emit.
	const saved = (await storedStaticData(stack.session, id)) as { 'node:Sync Trigger'?: { emits?: Record<string, { lastEmitAt?: number }> } } | undefined;
	const emittedAt = Math.max(...Object.values(saved?.['node:Sync Trigger']?.emits ?? {}).map((e) => e.lastEmitAt ?? -Infinity));
	const opensAt = Math.max(Math.floor(createdAt / 1000) * 1000, emittedAt) + 30 * 60_000;
	const fetched = await stack.runWorkflow(id, { destinationNode: 'Sync Trigger' });
	expect([fetched.mode, fetched.status, Object.keys(fetched.data?.resultData.runData ?? {})]).toEqual(['manual', 'success', ['Sync Trigger']]);
	expect(nodeOutput(fetched, 'Sync Trigger').map((e) => [e.reason, e.test, e.audienceId, e.instantSyncAvailableAt])).toEqual([
		['instant', true, audienceId, new Date(opensAt).toISOString()],
	]);
	const instant = await stack.runWorkflow(id, { triggerNode: 'Sync Trigger' });
	expect(instant.mode).toBe('manual');
	expect(nodeOutput(instant, 'Sync Trigger').map((e) => [e.reason, e.test])).toEqual([['instant', true]]);
	expect(instant.data?.resultData.lastNodeExecuted).toBe('Upsert');
	expect(executionError(instant)?.message).toMatch(new RegExp(`^Instant sync is available again at ${hhmm(opensAt)} \\(in (2[89]|30) minutes\\)`));
	expect(named().map((a) => a.history.length)).toEqual([1]);

	// 4. Unlink through the admin webhook. A wrong name changes nothing.
	const typo = await post('e2e-unlink', { audienceId, confirm: 'e2e lifecycle buyers' });
	expect(typo.status).toBe(500);
	expect(await storedLinkFacts(stack.n8n, id, facts)).toEqual([]);
	const unlinked = await post('e2e-unlink', { audienceId, confirm: NAME });
	expect(unlinked).toEqual({
		status: 200,
		json: { operation: 'Unlink', advertiserId: ADV, audienceId, name: NAME, unlinked: true, alreadyUnlinked: false },
	});
	expect(await storedLinkFacts(stack.n8n, id, facts)).toEqual([linkFact.unlinked(audienceId)]);
	// The trigger runs in the same process: it sees it at once, and an instant sync is refused because of it.
	const afterUnlink = await stack.runWorkflow(id, { triggerNode: 'Sync Trigger' });
	expect(executionError(afterUnlink)?.message).toBe(`Audience "${NAME}" (${audienceId}) is unlinked`);
	// And after a restart the unlink is still in n8n's database; no sync runs.
	const beforeSecondRestart = stack.emulator.clock.now();
	await stack.n8n.restart();
	await triggerPolledSince(beforeSecondRestart);
	await sleep(3000);
	expect(await storedLinkFacts(stack.n8n, id, facts)).toEqual([linkFact.unlinked(audienceId)]);
	expect(byMode(await stack.executions(id), 'trigger')).toHaveLength(1);
	expect(named().map((a) => [a.audienceId, a.history.length])).toEqual([[audienceId, 1]]);

	// 5. Delete: a wrong name changes nothing; the right name removes it from TikTok, and nothing recreates it.
	expect((await post('e2e-delete', { audienceId, confirm: 'E2E' })).status).toBe(500);
	expect(stack.emulator.state.audiences.has(audienceId)).toBe(true);
	const deleted = await post('e2e-delete', { audienceId, confirm: NAME });
	expect(deleted.status).toBe(200);
	expect(deleted.json).toMatchObject({ operation: 'Delete', deleted: true, audienceId, name: NAME });
	expect(stack.emulator.state.audiences.has(audienceId)).toBe(false);
	const beforeThirdRestart = stack.emulator.clock.now();
	await stack.n8n.restart();
	await triggerPolledSince(beforeThirdRestart);
	await sleep(3000);
	expect(named()).toEqual([]);
	expect(byMode(await stack.executions(id), 'trigger')).toHaveLength(1);
	expect(await storedLinkFacts(stack.n8n, id, facts)).toEqual(facts);
	// Executions by mode: the one initial sync; by hand a Fetch Test Event, a refused instant sync and one refused
	// because the audience is unlinked; four admin webhook calls.
	const all = await stack.executions(id);
	expect([byMode(all, 'trigger').length, byMode(all, 'manual').length, byMode(all, 'webhook').length]).toEqual([1, 3, 4]);
});
