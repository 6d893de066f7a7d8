// `npm run bench:n8n`: our nodes side by side with what an n8n user builds today from n8n's own nodes, in the real n8n
// 2.41.1 server (regular mode, SQLite; the e2e harness: test/e2e/stack.cts) against the TikTok emulator. Every run is a
// production webhook execution (the workflow is active, the bench POSTs to /webhook/<path> and the Webhook node answers
// when the last node is done), as a CRM or CustomerLabs would trigger it. The workflows are the importable JSON files
// in test/bench/n8n/. Each comparison runs BENCH_N8N_RUNS times (3), ours and native alternating; figures are medians.
//
//   npm run bench:n8n          (BENCH_N8N_ROWS=100000 BENCH_N8N_EVENTS=10000 BENCH_N8N_RUNS=3 by default)
//
// Correctness is checked exactly on every run: the audience holds exactly the expected SHA-256 set (computed here with
// node:crypto from the generated people), our node's summary counts the generated invalid rows and duplicates, the
// emulator's inspection API gives the request counts and the stored events. A failed check ends the bench with exit
// code 1. Peak RSS is the sum of VmRSS over the n8n server's process group, sampled every 100 ms during the run; n8n
// is restarted before each list run, so no run inherits the heap another one grew.
import * as fs from 'node:fs';
import * as http from 'node:http';
import { createRequire } from 'node:module';
import * as path from 'node:path';

import { SEED } from '../emulator/index.cts';
import { createCredential, activateWorkflow, log, REPO_ROOT, type WorkflowJson } from '../e2e/n8nServer.cts';
import { startStack, type Stack } from '../e2e/stack.cts';
import { generatePeople, sha256, toCsv } from './n8n/people.cts';

const ROWS = Number(process.env.BENCH_N8N_ROWS ?? 100_000);
const EVENTS = Number(process.env.BENCH_N8N_EVENTS ?? 10_000);
const RUNS = Number(process.env.BENCH_N8N_RUNS ?? 3);
/** BENCH_N8N_RESTART=0 skips the restart before each list run (quicker, but a run's peak RSS then includes heap that earlier runs grew). */
const RESTART = process.env.BENCH_N8N_RESTART !== '0';
/** The emulator's basic-tier limit for the stored-events check (TikTok's basic tier: 10 requests/s). */
const LIMITED_QPS = 10;
const WORKFLOWS = path.join(__dirname, 'n8n');
const DATA_DIR = path.join(REPO_ROOT, '.e2e', 'bench-n8n');
/** The production URL in the native workflows' HTTP Request nodes; pointed at the emulator on import. */
const TIKTOK_API = 'https://business-api.tiktok.com/open_api/v1.3';
/** The emulator's "Main website" pixel, which both events workflows use. */
const PIXEL_CODE = 'CEMU0PIXEL0MAIN00001';

type Side = 'ours' | 'native';

interface RunResult {
	seconds: number;
	peakRssMb: number;
	status: number;
	body: any;
	executionId: string;
	executionStatus: string;
}

const failures: string[] = [];
function check(ok: boolean, what: string): boolean {
	if (!ok) {
		failures.push(what);
		process.stderr.write(`CHECK FAILED: ${what}\n`);
	}
	return ok;
}

function figure(name: string, value: number | string, unit = ''): void {
	process.stdout.write(`${name}: ${value}${unit ? ` ${unit}` : ''}\n`);
}

const median = (values: number[]): number => {
	const s = [...values].sort((a, b) => a - b);
	const m = Math.floor(s.length / 2);
	return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const round = (v: number, digits: number) => Number(v.toFixed(digits));

// ---------------------------------------------------------------------------------------------------------------
// Peak RSS of n8n's process group (the server and any task runner it started)

async function groupRssKb(groupPid: number): Promise<number> {
	let total = 0;
	for (const entry of await fs.promises.readdir('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = await fs.promises.readFile(`/proc/${entry}/stat`, 'utf8');
			// fields after the command (which may hold spaces) start after the last ')': state ppid pgrp ...
			const pgrp = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
			if (pgrp !== groupPid) continue;
			const status = await fs.promises.readFile(`/proc/${entry}/status`, 'utf8');
			const m = /^VmRSS:\s+(\d+) kB/m.exec(status);
			if (m) total += Number(m[1]);
		} catch {
			// the process ended meanwhile
		}
	}
	return total;
}

function sampleRss(groupPid: number): { stop(): Promise<number> } {
	let peakKb = 0;
	let running = true;
	const loop = (async () => {
		while (running) {
			peakKb = Math.max(peakKb, await groupRssKb(groupPid));
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	})();
	return {
		async stop() {
			running = false;
			await loop;
			peakKb = Math.max(peakKb, await groupRssKb(groupPid));
			return peakKb / 1024;
		},
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Webhook calls without a client timeout (a native run over 100,000 items may take minutes; fetch gives up at 300 s)

function postJson(url: string, body: unknown): Promise<{ status: number; body: any }> {
	const payload = Buffer.from(JSON.stringify(body));
	return new Promise((resolve, reject) => {
		const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': payload.length } }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let parsed: unknown = text;
				try {
					parsed = JSON.parse(text);
				} catch {
					// not JSON
				}
				resolve({ status: res.statusCode ?? 0, body: parsed });
			});
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(payload);
	});
}

// ---------------------------------------------------------------------------------------------------------------
// Workflows

interface Deployed {
	id: string;
	webhookPath: string;
	name: string;
}

function loadWorkflow(file: string): WorkflowJson {
	return JSON.parse(fs.readFileSync(path.join(WORKFLOWS, file), 'utf8')) as WorkflowJson;
}

/** Points the workflow at the emulator and at this n8n's credentials; optionally renames its webhook path. */
function adapt(
	workflow: WorkflowJson,
	emulatorBaseUrl: string,
	credentials: { tiktok: { id: string; name: string }; header: { id: string; name: string } },
	suffix = '',
): WorkflowJson {
	const text = JSON.stringify(workflow).split(TIKTOK_API).join(emulatorBaseUrl);
	const wf = JSON.parse(text) as WorkflowJson;
	wf.name = `${wf.name}${suffix}`;
	for (const node of wf.nodes) {
		if (node.credentials?.tikTokBusinessApi) node.credentials = { tikTokBusinessApi: credentials.tiktok };
		if (node.credentials?.httpHeaderAuth) node.credentials = { httpHeaderAuth: credentials.header };
		if (node.type === 'n8n-nodes-base.webhook' && suffix) {
			const params = node.parameters as { path: string };
			params.path = `${params.path}${suffix.replace(/\W+/g, '-').toLowerCase()}`;
			node.webhookId = `${String(node.webhookId).slice(0, -8)}${'f'.repeat(8)}`;
		}
	}
	return wf;
}

async function deploy(stack: Stack, workflow: WorkflowJson): Promise<Deployed> {
	const id = await stack.createWorkflow(workflow);
	await activateWorkflow(stack.session, id);
	const webhook = workflow.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
	return { id, webhookPath: String((webhook?.parameters as { path: string }).path), name: workflow.name as string };
}

/** The newest execution of a workflow once it is finished (status only, no data). */
async function finishedExecution(stack: Stack, workflowId: string, after: Set<string>): Promise<{ id: string; status: string }> {
	const deadline = Date.now() + 600_000;
	for (;;) {
		// n8n answers 503 "Database is not ready!" for a while when its SQLite database is busy: ask again
		const res = await stack.session.apiRaw<{ data: Array<{ id: string; status: string }> }>('GET', `/executions?workflowId=${workflowId}&limit=5`);
		const fresh = res.status === 200 ? res.body.data.find((e) => !after.has(String(e.id))) : undefined;
		if (res.status !== 200) log(`executions: HTTP ${res.status}, asking again`);
		if (fresh && !['new', 'running', 'waiting'].includes(fresh.status)) return { id: String(fresh.id), status: fresh.status };
		if (Date.now() > deadline) throw new Error(`no finished execution of workflow ${workflowId}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/**
 * Where an execution spent its time: each node's executionTime as n8n records it in the run data, and the size of
 * the saved execution data (what n8n writes to its database for this run).
 */
async function timeByNode(stack: Stack, id: string): Promise<{ nodes: string; savedKb: number }> {
	const res = await stack.session.apiRaw<any>('GET', `/executions/${id}?includeData=true`);
	const runData = res.body?.data?.resultData?.runData ?? {};
	const nodes = Object.entries(runData as Record<string, Array<{ executionTime?: number }>>)
		.map(([name, runs]) => `${name} ${runs.reduce((t, r) => t + (r.executionTime ?? 0), 0)} ms`)
		.join(', ');
	return { nodes, savedKb: await savedExecutionKb(stack, id) };
}

/** Bytes n8n stored for an execution's data in its SQLite database (read with n8n's own sqlite3 module). */
async function savedExecutionKb(stack: Stack, id: string): Promise<number> {
	const req = createRequire(path.join(stack.n8n.n8nDir, 'node_modules', 'n8n', 'package.json'));
	const sqlite3 = req('sqlite3') as { Database: new (file: string, mode: number, cb: (e: Error | null) => void) => any; OPEN_READONLY: number };
	const file = path.join(stack.n8n.userFolder, '.n8n', 'database.sqlite');
	return new Promise((resolve, reject) => {
		const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (error) => {
			if (error) return reject(error);
			db.get('SELECT length(data) AS bytes FROM execution_data WHERE executionId = ?', [Number(id)], (e: Error | null, row: { bytes?: number } | undefined) => {
				db.close();
				if (e) reject(e);
				else resolve((row?.bytes ?? 0) / 1024);
			});
		});
	});
}

/** The error of a failed execution, as n8n reports it (node and message). */
async function executionError(stack: Stack, id: string): Promise<string> {
	const e = await stack.session.api<any>('GET', `/executions/${id}?includeData=true`);
	const error = e.data?.resultData?.error;
	return `${e.data?.resultData?.lastNodeExecuted ?? '?'}: ${error?.message ?? '(no message)'}${error?.description ? ` (${error.description})` : ''}`;
}

async function executionIds(stack: Stack, workflowId: string): Promise<Set<string>> {
	for (let attempt = 1; ; attempt++) {
		const res = await stack.session.apiRaw<{ data: Array<{ id: string }> }>('GET', `/executions?workflowId=${workflowId}&limit=50`);
		if (res.status === 200) return new Set(res.body.data.map((e) => String(e.id)));
		if (attempt === 120) throw new Error(`GET /executions: HTTP ${res.status}`);
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

/** The webhook in production mode; repeats while n8n 2.41's publication outbox has not registered it yet. */
async function callWebhook(stack: Stack, deployed: Deployed, body: unknown): Promise<{ status: number; body: any }> {
	const deadline = Date.now() + 60_000;
	for (;;) {
		const res = await postJson(`${stack.url}/webhook/${deployed.webhookPath}`, body);
		if (!(res.status === 404 && /is not registered/.test(JSON.stringify(res.body))) || Date.now() > deadline) return res;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

async function run(stack: Stack, deployed: Deployed, body: unknown, options: { restart?: boolean } = {}): Promise<RunResult> {
	if (options.restart) await stack.n8n.restart();
	await emulatorCall(stack, 'POST', '/__emulator/reset');
	const before = await executionIds(stack, deployed.id);
	const pid = stack.n8n.pid();
	if (!pid) throw new Error('n8n is not running');
	const sampler = sampleRss(pid);
	const started = performance.now();
	const res = await callWebhook(stack, deployed, body);
	const seconds = (performance.now() - started) / 1000;
	const peakRssMb = await sampler.stop();
	const execution = await finishedExecution(stack, deployed.id, before);
	log(`${deployed.name}: HTTP ${res.status}, execution ${execution.id} ${execution.status}, ${seconds.toFixed(2)} s, peak RSS ${peakRssMb.toFixed(0)} MB`);
	if (execution.status !== 'success') log(`  error: ${await executionError(stack, execution.id)}`);
	return { seconds, peakRssMb, status: res.status, body: res.body, executionId: execution.id, executionStatus: execution.status };
}

// ---------------------------------------------------------------------------------------------------------------
// The emulator's inspection API

async function emulatorCall<T = any>(stack: Stack, method: string, route: string, body?: unknown): Promise<T> {
	const res = await fetch(`${stack.emulator.url}${route}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	if (!res.ok) throw new Error(`emulator ${method} ${route}: HTTP ${res.status}`);
	return (await res.json()) as T;
}

async function audienceMembers(stack: Stack, name: string): Promise<string[] | undefined> {
	const { audiences } = await emulatorCall<{ audiences: Array<{ name: string; members: string[] }> }>(stack, 'GET', '/__emulator/audiences');
	const matching = audiences.filter((a) => a.name === name);
	check(matching.length === 1, `exactly one audience named "${name}" (found ${matching.length})`);
	return matching[0]?.members;
}

function sameSet(actual: string[] | undefined, expected: Set<string>): boolean {
	if (!actual || actual.length !== expected.size) return false;
	return actual.every((h) => expected.has(h));
}

async function requestCounts(stack: Stack): Promise<{ total: number; byPath: Record<string, number>; truncated: boolean }> {
	const { requests } = await emulatorCall<{ requests: Array<{ path: string }> }>(stack, 'GET', '/__emulator/requests');
	const byPath: Record<string, number> = {};
	let total = 0;
	for (const r of requests) {
		if (!r.path.includes('/open_api/')) continue;
		const key = r.path.replace(/^.*\/open_api\/v1\.3\//, '').replace(/\/$/, '');
		byPath[key] = (byPath[key] ?? 0) + 1;
		total++;
	}
	// the emulator keeps the last 10,000 requests
	return { total, byPath, truncated: requests.length >= 10_000 };
}

async function storedEvents(stack: Stack): Promise<Array<{ email: string[] }>> {
	const { pixels } = await emulatorCall<{ pixels: Array<{ pixel_code: string; events: Array<{ email: string[] }> }> }>(
		stack,
		'GET',
		`/__emulator/events?pixel_code=${PIXEL_CODE}`,
	);
	return pixels.flatMap((p) => p.events);
}

// ---------------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
	const began = performance.now();
	const list = generatePeople(ROWS);
	const pool = generatePeople(Math.ceil(EVENTS / 0.85) + 20, 1515);
	const seen = new Set<string>();
	const users: Array<{ email: string }> = [];
	for (const p of pool.people) {
		const key = p.email.trim().toLowerCase();
		if (users.length === EVENTS || p.email.startsWith('person') || seen.has(key)) continue;
		seen.add(key);
		users.push({ email: p.email });
	}
	if (users.length !== EVENTS) throw new Error(`generated ${users.length} event users, want ${EVENTS}`);
	const expectedEventHashes = new Set(users.map((u) => sha256(u.email.trim().toLowerCase())));
	fs.mkdirSync(DATA_DIR, { recursive: true });
	const csvFile = path.join(DATA_DIR, `people-${ROWS}.csv`);
	fs.writeFileSync(csvFile, toCsv(list.people));
	// The failed-upload check needs no 100,000 rows: what it shows does not depend on the size.
	const smallCsvFile = path.join(DATA_DIR, 'people-failure.csv');
	fs.writeFileSync(smallCsvFile, toCsv(list.people.slice(0, 2000)));
	log(`people: ${ROWS} rows (${list.invalid} invalid, ${list.duplicates} duplicates, ${list.expectedHashes.size} expected members); ${EVENTS} event users`);

	const stack = await startStack({
		emulator: { processingDelayMs: 0, matchRate: 1, qps: 0 },
		n8n: {
			env: {
				// the Read/Write Files node may read the generated CSV (n8n 2.x restricts file access to ~/.n8n-files by default)
				N8N_RESTRICT_FILE_ACCESS_TO: DATA_DIR,
				// 100,000 people as one JSON body (about 5 MB; n8n's default limit is 16 MB)
				N8N_PAYLOAD_SIZE_MAX: '64',
			},
		},
	});
	try {
		const header = { name: 'TikTok Access-Token header', id: '' };
		header.id = await createCredential(stack.session, {
			name: header.name,
			type: 'httpHeaderAuth',
			data: { name: 'Access-Token', value: SEED.validToken },
		});
		const tiktok = { id: stack.credential.id, name: stack.credential.name };
		// The failure run: the upload keeps failing beyond the credential's retries (one retry, 100 ms, to keep it short).
		const oneRetry = await stack.addCredential('TikTok (emulator, 1 retry)', { maxRetries: 1, retryBaseDelayMs: 100 });
		const baseUrl = stack.emulator.baseUrl;
		const wf = async (file: string, cred = tiktok, suffix = '') => deploy(stack, adapt(loadWorkflow(file), baseUrl, { tiktok: cred, header }, suffix));
		const deployed = {
			listCsv: { ours: await wf('list-csv-ours.json'), native: await wf('list-csv-native.json') },
			listItems: { ours: await wf('list-items-ours.json'), native: await wf('list-items-native.json') },
			events: { ours: await wf('events-ours.json'), native: await wf('events-native.json') },
			failure: await wf('list-csv-ours.json', oneRetry, ' (failure)'),
		};
		const listNames = {
			listCsv: { ours: 'Bench: CRM customers (CSV, ours)', native: 'Bench: CRM customers (CSV, native)' },
			listItems: { ours: 'Bench: CRM customers (items, ours)', native: 'Bench: CRM customers (items, native)' },
		};

		// ---- correctness where the native build loses (first: a few minutes, whatever the sizes) --------------------
		// TikTok's basic tier: 10 requests/s per app (40100 inside HTTP 200 when exceeded).
		stack.emulator.config.qps = LIMITED_QPS;
		const storedUnderLimit: Record<Side, number> = { ours: 0, native: 0 };
		for (const side of ['ours', 'native'] as Side[]) {
			const r = await run(stack, deployed.events[side], { users });
			storedUnderLimit[side] = (await storedEvents(stack)).length;
			log(`events at ${LIMITED_QPS} requests/s, ${side}: execution ${r.executionStatus}, ${storedUnderLimit[side]} of ${EVENTS} stored`);
			// wait out the emulator's 1 s window so the next run starts with a fresh budget
			await new Promise((resolve) => setTimeout(resolve, 1500));
		}
		stack.emulator.config.qps = 0;
		figure('n8n_events_stored_ours', storedUnderLimit.ours);
		figure('n8n_events_stored_native', storedUnderLimit.native);

		// A failed upload: TikTok answers the upload with 50000 "System error." (HTTP 200) every time.
		const failureReported: Record<Side, number> = { ours: 0, native: 0 };
		for (const side of ['ours', 'native'] as Side[]) {
			const target = side === 'ours' ? deployed.failure : deployed.listCsv.native;
			await emulatorCall(stack, 'POST', '/__emulator/reset');
			const r = await runWithFault(stack, target, { file: smallCsvFile });
			failureReported[side] = r.executionStatus === 'error' ? 1 : 0;
			log(`failed upload, ${side}: HTTP ${r.status}, execution ${r.executionStatus}${r.executionStatus === 'success' ? '' : `: ${await executionError(stack, r.executionId)}`}`);
		}
		figure('n8n_list_failure_reported_ours', failureReported.ours);
		figure('n8n_list_failure_reported_native', failureReported.native);

		// ---- lists: CSV and items -----------------------------------------------------------------------------
		const listFigures = async (key: 'listCsv' | 'listItems', body: unknown) => {
			const times: Record<Side, number[]> = { ours: [], native: [] };
			const peaks: Record<Side, number[]> = { ours: [], native: [] };
			const requests: Record<Side, number[]> = { ours: [], native: [] };
			const exact: Record<Side, boolean> = { ours: true, native: true };
			const breakdown: Record<Side, { nodes: string; savedKb: number }> = { ours: { nodes: '', savedKb: 0 }, native: { nodes: '', savedKb: 0 } };
			for (let round = 0; round < RUNS; round++) {
				const order: Side[] = round % 2 === 0 ? ['ours', 'native'] : ['native', 'ours'];
				for (const side of order) {
					const r = await run(stack, deployed[key][side], body, { restart: RESTART });
					times[side].push(r.seconds);
					peaks[side].push(r.peakRssMb);
					requests[side].push((await requestCounts(stack)).total);
					if (round === RUNS - 1) breakdown[side] = await timeByNode(stack, r.executionId);
					const members = await audienceMembers(stack, listNames[key][side]);
					const ok = sameSet(members, list.expectedHashes);
					exact[side] &&= ok;
					check(ok, `${key} ${side} run ${round + 1}: audience holds exactly the ${list.expectedHashes.size} expected hashes (got ${members?.length})`);
					check(r.status === 200 && r.executionStatus === 'success', `${key} ${side} run ${round + 1}: HTTP 200 and execution success (got ${r.status}, ${r.executionStatus})`);
					if (side === 'ours') {
						const s = r.body as { rowsIn?: number; rowsSent?: number; invalidTotal?: number; duplicates?: number };
						check(
							s.rowsIn === ROWS && s.rowsSent === list.expectedHashes.size && s.invalidTotal === list.invalid && s.duplicates === list.duplicates,
							`${key} ours run ${round + 1}: summary rowsIn ${s.rowsIn}/${ROWS}, rowsSent ${s.rowsSent}/${list.expectedHashes.size}, invalid ${s.invalidTotal}/${list.invalid}, duplicates ${s.duplicates}/${list.duplicates}`,
						);
					}
				}
			}
			return { times, peaks, requests, exact, breakdown };
		};

		const csv = await listFigures('listCsv', { file: csvFile });
		figure('n8n_list_rows', ROWS);
		figure('n8n_list_ours_s', round(median(csv.times.ours), 3), 's');
		figure('n8n_list_native_s', round(median(csv.times.native), 3), 's');
		figure('n8n_list_speedup', round(median(csv.times.native) / median(csv.times.ours), 1), 'x');
		figure('n8n_list_ours_peak_rss_mb', round(Math.max(...csv.peaks.ours), 0), 'MB');
		figure('n8n_list_native_peak_rss_mb', round(Math.max(...csv.peaks.native), 0), 'MB');
		figure('n8n_list_ours_requests', median(csv.requests.ours), 'requests');
		figure('n8n_list_native_requests', median(csv.requests.native), 'requests');
		figure('n8n_list_exact_both', csv.exact.ours && csv.exact.native ? 1 : 0);
		figure('n8n_list_ours_saved_kb', round(csv.breakdown.ours.savedKb, 1), 'KB');
		figure('n8n_list_native_saved_kb', round(csv.breakdown.native.savedKb, 1), 'KB');
		process.stdout.write(`# time by node, ours (last run): ${csv.breakdown.ours.nodes}\n# time by node, native (last run): ${csv.breakdown.native.nodes}\n`);

		const items = await listFigures('listItems', { people: list.people });
		figure('n8n_list_items_ours_s', round(median(items.times.ours), 3), 's');
		figure('n8n_list_items_native_s', round(median(items.times.native), 3), 's');
		figure('n8n_list_items_speedup', round(median(items.times.native) / median(items.times.ours), 1), 'x');
		figure('n8n_list_items_ours_peak_rss_mb', round(Math.max(...items.peaks.ours), 0), 'MB');
		figure('n8n_list_items_native_peak_rss_mb', round(Math.max(...items.peaks.native), 0), 'MB');
		figure('n8n_list_items_exact_both', items.exact.ours && items.exact.native ? 1 : 0);
		figure('n8n_list_items_ours_saved_kb', round(items.breakdown.ours.savedKb, 1), 'KB');
		figure('n8n_list_items_native_saved_kb', round(items.breakdown.native.savedKb, 1), 'KB');
		process.stdout.write(`# time by node, ours (last run): ${items.breakdown.ours.nodes}\n# time by node, native (last run): ${items.breakdown.native.nodes}\n`);

		// ---- events -------------------------------------------------------------------------------------------
		const eventTimes: Record<Side, number[]> = { ours: [], native: [] };
		const trackRequests: Record<Side, number[]> = { ours: [], native: [] };
		let eventsExact = true;
		const eventBreakdown: Record<Side, string> = { ours: '', native: '' };
		for (let round = 0; round < RUNS; round++) {
			const order: Side[] = round % 2 === 0 ? ['ours', 'native'] : ['native', 'ours'];
			for (const side of order) {
				const r = await run(stack, deployed.events[side], { users });
				eventTimes[side].push(r.seconds);
				const counts = await requestCounts(stack);
				trackRequests[side].push(counts.byPath['event/track'] ?? 0);
				if (round === RUNS - 1) eventBreakdown[side] = (await timeByNode(stack, r.executionId)).nodes;
				const stored = await storedEvents(stack);
				const ok = sameSet(stored.map((e) => e.email[0]), expectedEventHashes);
				eventsExact &&= ok;
				check(ok, `events ${side} run ${round + 1}: the pixel stored exactly one event for each of the ${EVENTS} users (got ${stored.length})`);
				check(r.status === 200 && r.executionStatus === 'success', `events ${side} run ${round + 1}: HTTP 200 and execution success (got ${r.status}, ${r.executionStatus})`);
			}
		}
		figure('n8n_events', EVENTS);
		figure('n8n_events_ours_s', round(median(eventTimes.ours), 3), 's');
		figure('n8n_events_native_s', round(median(eventTimes.native), 3), 's');
		figure('n8n_events_speedup', round(median(eventTimes.native) / median(eventTimes.ours), 1), 'x');
		figure('n8n_events_ours_requests', median(trackRequests.ours), 'requests');
		figure('n8n_events_native_requests', median(trackRequests.native), 'requests');
		figure('n8n_events_exact_both', eventsExact ? 1 : 0);
		process.stdout.write(`# time by node, ours (last run): ${eventBreakdown.ours}\n# time by node, native (last run): ${eventBreakdown.native}\n`);


		printGoals({
			n8n_list_speedup: median(csv.times.native) / median(csv.times.ours),
			n8n_list_items_speedup: median(items.times.native) / median(items.times.ours),
			n8n_events_speedup: median(eventTimes.native) / median(eventTimes.ours),
			n8n_list_exact_both: csv.exact.ours && csv.exact.native ? 1 : 0,
			n8n_events_stored_ours: storedUnderLimit.ours,
			n8n_list_failure_reported_ours: failureReported.ours,
			n8n_list_failure_reported_native: failureReported.native,
		});
	} finally {
		await stack.stop();
		fs.rmSync(csvFile, { force: true });
		fs.rmSync(smallCsvFile, { force: true });
	}
	process.stdout.write(`\n# bench:n8n took ${((performance.now() - began) / 1000).toFixed(0)} s\n`);
	if (failures.length > 0) {
		process.stdout.write(`\nFAILED CHECKS (${failures.length}):\n${failures.map((f) => `- ${f}`).join('\n')}\n`);
		process.exitCode = 1;
	}
}

/** A run during which every customer-file upload fails with TikTok's 50000 (HTTP 200), retries included. */
async function runWithFault(stack: Stack, deployed: Deployed, body: unknown): Promise<RunResult> {
	const before = await executionIds(stack, deployed.id);
	// afterHandling: the emulator reads and stores the upload, then answers 50000, as a server that fails after taking
	// the whole body does (answering before reading it made the native upload fail on a broken pipe now and then).
	await emulatorCall(stack, 'POST', '/__emulator/faults', { path: 'dmp/custom_audience/file/upload/', kind: '50000', times: 1000, afterHandling: true });
	const started = performance.now();
	const res = await callWebhook(stack, deployed, body);
	const seconds = (performance.now() - started) / 1000;
	const execution = await finishedExecution(stack, deployed.id, before);
	await emulatorCall(stack, 'DELETE', '/__emulator/faults');
	return { seconds, peakRssMb: 0, status: res.status, body: res.body, executionId: execution.id, executionStatus: execution.status };
}

function printGoals(v: Record<string, number>): void {
	const rows: Array<[string, string, string, boolean]> = [
		['n8n_list_speedup', `${v.n8n_list_speedup.toFixed(1)} x`, '>= 100 x', v.n8n_list_speedup >= 100],
		['n8n_list_items_speedup', `${v.n8n_list_items_speedup.toFixed(1)} x`, '>= 50 x', v.n8n_list_items_speedup >= 50],
		['n8n_events_speedup', `${v.n8n_events_speedup.toFixed(1)} x`, '>= 50 x', v.n8n_events_speedup >= 50],
		['n8n_list_exact_both', String(v.n8n_list_exact_both), '= 1', v.n8n_list_exact_both === 1],
		['n8n_events_stored_ours', String(v.n8n_events_stored_ours), `= ${EVENTS} (all)`, v.n8n_events_stored_ours === EVENTS],
		['n8n_list_failure_reported_ours', String(v.n8n_list_failure_reported_ours), '= 1', v.n8n_list_failure_reported_ours === 1],
		['n8n_list_failure_reported_native', String(v.n8n_list_failure_reported_native), '= 0 (what a user gets)', v.n8n_list_failure_reported_native === 0],
	];
	const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
	process.stdout.write('\n## Goals\n');
	process.stdout.write(`${pad('figure', 34)} ${pad('value', 12)} ${pad('goal', 24)} status\n`);
	for (const [name, value, goal, met] of rows) process.stdout.write(`${pad(name, 34)} ${pad(value, 12)} ${pad(goal, 24)} ${met ? 'MET' : 'MISSED'}\n`);
}

main().catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exitCode = 1;
});

