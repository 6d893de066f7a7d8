// Trigger benchmark: polls of TikTok Audience Sync Trigger against the emulator, for 20 List Sync audiences (all due,
// their last sync 48 h old in TikTok's history). The trigger watches one audience per node, so two figures:
//   trigger_poll_ms / trigger_poll_requests        one scheduled poll (median of the 20 trigger nodes' polls)
//   trigger_poll_all_ms / trigger_poll_all_requests  one poll of each of the 20 triggers, one after another
// Requests are counted from the emulator's request log, not from the node.
// Run: npm run build:only && npx tsx test/bench/trigger.bench.cts      (TRIGGER_AUDIENCES=… to resize)
import { createHash } from 'node:crypto';
import type { IDataObject, INode } from 'n8n-workflow';

import { SEED, startEmulator, type EmulatorHandle } from '../emulator/index.cts';
import { ActiveWorkflow } from '../support/activeWorkflow.cts';
import { byId, packageLoader, packageNode, simulateRestart } from '../support/engine.cts';

const AUDIENCES = Number(process.env.TRIGGER_AUDIENCES ?? 20);
const ADV = SEED.grantedAdvertiserId;
const HOUR = 3_600_000;
const sha = (v: string) => createHash('sha256').update(v).digest('hex');

/** A customer-file audience created through the emulator's API (upload + create), as a sync would leave it. */
async function createListAudience(emu: EmulatorHandle, name: string, members: number): Promise<string> {
	const text = `${Array.from({ length: members }, (_, i) => sha(`${name}-${i}@example.com`)).join('\n')}\n`;
	const form = new FormData();
	form.append('advertiser_id', ADV);
	form.append('calculate_type', 'EMAIL_SHA256');
	form.append('file_signature', createHash('md5').update(text).digest('hex'));
	form.append('file', new Blob([text], { type: 'text/csv' }), 'members.csv');
	const headers = { 'Access-Token': SEED.validToken };
	const up = (await (await fetch(`${emu.baseUrl}/dmp/custom_audience/file/upload/`, { method: 'POST', headers, body: form })).json()) as IDataObject;
	const filePath = (up.data as IDataObject).file_path as string;
	const created = (await (
		await fetch(`${emu.baseUrl}/dmp/custom_audience/create/`, {
			method: 'POST',
			headers: { ...headers, 'Content-Type': 'application/json' },
			body: JSON.stringify({ advertiser_id: ADV, custom_audience_name: name, calculate_type: 'EMAIL_SHA256', file_paths: [filePath] }),
		})
	).json()) as IDataObject;
	if (created.code !== 0) throw new Error(`create failed: ${JSON.stringify(created)}`);
	return String((created.data as IDataObject).custom_audience_id);
}

const trigger = (audienceId: string): INode =>
	packageNode('Sync Trigger', 'tikTokAudienceSyncTrigger', {
		syncKind: 'list',
		advertiserId: byId(ADV),
		audience: byId(audienceId),
		status: 'active',
		refreshInterval: 1,
		refreshUnit: 'days',
		instantSyncCooldown: 30,
	});

const median = (xs: number[]) => {
	const s = [...xs].sort((a, b) => a - b);
	return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
	await packageLoader();
	// The emulator's history lies 48 h in the past, so every audience is due (refresh every day).
	const emu = await startEmulator({ qps: 0, processingDelayMs: 0, now: Date.now() - 48 * HOUR });
	try {
		const ids: string[] = [];
		for (let k = 0; k < AUDIENCES; k++) ids.push(await createListAudience(emu, `Bench list ${k}`, 1000));
		// Nothing saved yet: every audience's last sync comes from TikTok's history.
		const staticData = {};
		const credentials = {
			tikTokBusinessApi: { accessToken: SEED.validToken, environment: 'custom', baseUrl: emu.url, requestsPerSecond: 0, maxRetries: 3, retryBaseDelayMs: 5 },
		};
		const workflows = ids.map((id) => new ActiveWorkflow({ nodes: [trigger(id)], connections: {}, credentials, triggerName: 'Sync Trigger', staticData }));
		// Warm-up: one poll on a throwaway workflow, so module loading and JIT are not measured.
		simulateRestart();
		const warm = new ActiveWorkflow({ nodes: [trigger(ids[0])], connections: {}, credentials, triggerName: 'Sync Trigger', staticData });
		await warm.activate();
		await warm.poll();
		simulateRestart();

		const times: number[] = [];
		const requests: number[] = [];
		let emitted = 0;
		const allStart = performance.now();
		const logBefore = emu.state.requestLog.length;
		for (const wf of workflows) {
			await wf.activate();
			const before = emu.state.requestLog.length;
			const t = performance.now();
			const result = await wf.poll();
			times.push(performance.now() - t);
			requests.push(emu.state.requestLog.length - before);
			if (result && result[0].length === 1) emitted++;
		}
		const allMs = performance.now() - allStart;
		const allRequests = emu.state.requestLog.length - logBefore;
		if (emitted !== AUDIENCES) throw new Error(`${emitted} of ${AUDIENCES} polls emitted a due sync`);

		const line = (name: string, value: number | string, unit: string) => process.stdout.write(`${name}: ${value} ${unit}\n`);
		line('trigger_linked_audiences', AUDIENCES, 'audiences');
		line('trigger_poll_ms', median(times).toFixed(1), 'ms');
		line('trigger_poll_max_ms', Math.max(...times).toFixed(1), 'ms');
		line('trigger_poll_requests', median(requests), 'requests');
		line('trigger_poll_all_ms', allMs.toFixed(1), 'ms');
		line('trigger_poll_all_requests', allRequests, 'requests');
		line('trigger_poll_due', emitted, 'audiences');
	} finally {
		await emu.close();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exitCode = 1;
});
