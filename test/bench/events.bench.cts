// Event Sync benchmark: 100,000 events for 100,000 users through n8n's real engine (TikTok Send Sync Event) against the
// emulator, batched (≤1,000 per request) versus one request per event (how n8n-nodes-tiktok-events-api and Segment's
// TikTok Conversions destination send). Prints `name: value unit` lines.
//
//   npm run build:only && npx tsx test/bench/events.bench.cts            (BENCH_EVENTS / BENCH_SINGLE_EVENTS to resize)
//
// The one-per-request side is measured on a slice (default 5,000 events, the same node with Batch Size 1) and
// extrapolated per event to the full count: 100,000 sequential requests would take minutes and measure nothing new.
import type { IDataObject } from 'n8n-workflow';

import { startEmulator, type EmulatorHandle } from '../emulator/index.cts';
import { byId, runWorkflow } from '../support/engine.cts';
import { createNode, emulatorCredentials, inspectAudience, MAIN_PIXEL, requestsTo, sendNode } from '../support/eventSync.cts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const SINGLE = Number(process.env.BENCH_SINGLE_EVENTS ?? 5_000);
const MAX_REQUESTS = 100;

const users = (n: number, from: number) => Array.from({ length: n }, (_, k) => ({ json: { email: `user${from + k}@example.com` } }));

async function createAudience(emu: EmulatorHandle, name: string): Promise<string> {
	const r = await runWorkflow({ nodes: [createNode({ audienceName: name })], connections: {}, credentials: emulatorCredentials(emu, 0) });
	return String(r.output('TikTok Create Website Audience')[0].audienceId);
}

async function sendAll(emu: EmulatorHandle, audienceId: string, n: number, from: number, options: IDataObject) {
	const before = requestsTo(emu, 'event/track/');
	const started = performance.now();
	const r = await runWorkflow({
		nodes: [sendNode({ audience: byId(audienceId), pixel: byId(MAIN_PIXEL.pixel_code), options })],
		connections: {},
		// Client-side limiter off and the emulator's QPS limit off: the bench measures the work, not a throttle.
		credentials: emulatorCredentials(emu, 0),
		input: users(n, from),
		// A scheduled sync: a manual run would be an instant sync, which also records itself in n8n's store.
		mode: 'trigger',
	});
	const seconds = (performance.now() - started) / 1000;
	const error = r.error();
	if (error) throw new Error(`run failed: ${error.message}`);
	const [summary] = r.outputAt('TikTok Send Sync Event', 1);
	if (summary.sent !== n) throw new Error(`sent ${String(summary.sent)} of ${n}`);
	return { seconds, requests: requestsTo(emu, 'event/track/') - before, nodeRequests: Number(summary.requests) };
}

async function main(): Promise<void> {
	const emu = await startEmulator({ qps: 0 });
	try {
		const batchedAudience = await createAudience(emu, 'Bench batched');
		const batched = await sendAll(emu, batchedAudience, EVENTS, 0, {});
		const members = (await inspectAudience(emu, batchedAudience)).member_count;
		if (members !== EVENTS) throw new Error(`audience has ${members} members, expected ${EVENTS}`);
		if (batched.requests !== batched.nodeRequests) throw new Error('node and emulator disagree on the request count');

		const singleAudience = await createAudience(emu, 'Bench one per request');
		const single = await sendAll(emu, singleAudience, SINGLE, EVENTS, { batchSize: 1 });
		const perEventSingle = single.seconds / SINGLE;
		const singleFullSeconds = perEventSingle * EVENTS;

		const line = (name: string, value: number | string, unit: string) => process.stdout.write(`${name}: ${value} ${unit}\n`);
		line('events_total', EVENTS, 'events');
		line('events_requests', batched.requests, 'requests');
		line('events_requests_limit', MAX_REQUESTS, 'requests');
		line('events_per_request', Math.round(EVENTS / batched.requests), 'events');
		line('events_wall', batched.seconds.toFixed(2), 's');
		line('events_per_s', Math.round(EVENTS / batched.seconds), 'events/s');
		line('events_audience_members', members, 'users');
		line('events_one_per_request_measured', SINGLE, 'events');
		line('events_one_per_request_measured_wall', single.seconds.toFixed(2), 's');
		line('events_one_per_request_per_s', Math.round(SINGLE / single.seconds), 'events/s');
		// Extrapolated from the measured slice, per event, to the full event count.
		line('events_one_per_request_requests', EVENTS, 'requests');
		line('events_one_per_request_wall_extrapolated', singleFullSeconds.toFixed(2), 's');
		line('events_requests_ratio', (EVENTS / batched.requests).toFixed(0), 'x');
		line('events_vs_one_per_request', (singleFullSeconds / batched.seconds).toFixed(1), 'x');
		if (batched.requests > MAX_REQUESTS) {
			process.stdout.write(`FAIL: ${batched.requests} requests > ${MAX_REQUESTS}\n`);
			process.exitCode = 1;
		}
	} finally {
		await emu.close();
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exitCode = 1;
});
