// `npm run season`: 30 simulated days of keeping TikTok audiences equal to one CRM segment, in n8n-core's engine
// against the emulator, with the emulator's clock moving (issue 13, "The season").
//
// The segment starts with 20,000 people; every day 2 % join and 1 % leave (seeded), in webhook bursts between 06:30
// and 23:30 UTC. Four flows keep four audiences, each in its own workflow (its own link store):
//   - Mirror, daily at 03:00 ± 2 minutes: the segment as a CSV export plus the previous snapshot (kept between runs
//     as a file store would keep it: written only when a run outputs a new one) → only who joined and who left;
//   - Changes, from each webhook burst (joins and leaves as add/remove rows, some rows overridden by a later one,
//     some with an action the node must reject); a failed burst is sent again after a few minutes, in order;
//   - Event Sync: the Audience Sync Trigger (kind Event Sync, refresh every 6 hours, polled hourly) sends a join event
//     for everyone who joined since its last refresh to a website audience with a 7-day lookback;
//   - Replace All, daily at 04:00 ± 2 minutes, with the wait option (TikTok allows one replace per 24 hours). The wait
//     is 60 minutes (the option's maximum; `--replace-wait N`): a replace that lands late (a failed run retried a few
//     minutes later) opens TikTok's next window that much later on every following day, since each replace must come
//     24 hours after the one before; only a refused day resets it. The season's five retried replaces add up to more
//     than the default 10 minutes (with `--replace-wait 10` days 8, 16 and 28 are refused).
// Uploads take 5–120 s of emulator time; 10 % of TikTok requests fail (5xx, timeouts, rate limits, resets), and on a
// few days TikTok is down long enough to fail a run (partly applied, for Mirror), which is run again a few minutes
// later ('retry' mode, as n8n's "Retry" does). Every few days n8n restarts (module state cleared). Instant syncs
// (manual runs of Mirror) come at random times, some inside the 30-minute cooldown. On day 20 Mirror's audience is
// unlinked, on day 22 relinked. Every n8n `sleep` (retry backoff, the wait for the replace window, the rate limiter)
// passes in emulator time, so a season takes a minute or two of real time.
//
// Every day at 06:00 the emulator's member sets (inspection API) are compared with the segment exactly; while Mirror's
// audience is unlinked it must not change at all. Prints `name: value unit` lines and exits non-zero when a figure
// misses its goal.
//
//   npm run season                    (build, then the full season)
//   npx tsx test/season/season.cts [--small] [--days N] [--people N] [--seed S] [--flows mirror,changes,events,replace]
//                                  [--replace-wait MINUTES] [--verbose]  (every job as it starts)
import path from 'node:path';
import type { IBinaryData, IDataObject, INode, INodeExecutionData, INodeType, IRun, WorkflowExecuteMode } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { SEED, startEmulator, type EmulatorHandle } from '../emulator/index.cts';
import type { LogEntry } from '../emulator/state.cts';
import { ActiveWorkflow } from '../support/activeWorkflow.cts';
import { byId, chain, PACKAGE_NAME, packageLoader, packageNode, runWorkflow, simulateRestart, type RunResult } from '../support/engine.cts';
import { captureN8nLogs, findSecrets } from '../soak/capture.cts';
import { EMAIL_MARKER, RawRegistry, rng } from '../soak/people.cts';
import {
	ADD_WORDS,
	expectedChanges,
	keysOf,
	REMOVE_WORDS,
	Segment,
	segmentCsv,
	spellEmail,
	spellPhone,
	UNKNOWN_WORD,
	userKeyOf,
	type ChangesExpected,
} from './segment.cts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 3, 1); // 2026-04-01 00:00 UTC
const ADV = SEED.grantedAdvertiserId;
const PIXEL = SEED.pixels[0];
const COOLDOWN_MINUTES = 30;
const LOOKBACK_DAYS = 7;

const MIRROR_LIST = 'Season: segment (Mirror)';
const CHANGES_LIST = 'Season: segment (Changes)';
const REPLACE_LIST = 'Season: segment (daily Replace All)';
const WEBSITE_AUDIENCE = 'Season: joined in the last 7 days (Event Sync)';
const MIRROR = 'Mirror Segment';
const CHANGES = 'Segment Changes';
const REPLACE = 'Replace Segment';
const CREATE = 'TikTok Create Website Audience';
const SEND = 'TikTok Send Sync Event';
const TRIGGER = 'Sync Trigger';
const WF = { mirror: 'season-mirror', changes: 'season-changes', replace: 'season-replace' };

type Flow = 'mirror' | 'changes' | 'events' | 'replace';
const FLOWS: Flow[] = ['mirror', 'changes', 'events', 'replace'];

interface Size {
	small: boolean;
	days: number;
	people: number;
	seed: number;
	faultRate: number;
	flows: Flow[];
	replaceWaitMinutes: number;
}

function arg(name: string): string | undefined {
	const args = process.argv.slice(2);
	const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
	if (i === -1) return undefined;
	return args[i].includes('=') ? args[i].slice(args[i].indexOf('=') + 1) : args[i + 1];
}

function size(): Size {
	const small = process.argv.includes('--small');
	const flows = (arg('flows') ?? FLOWS.join(',')).split(',').filter(Boolean) as Flow[];
	for (const f of flows) if (!FLOWS.includes(f)) throw new Error(`unknown flow ${f} (${FLOWS.join(', ')})`);
	return {
		small,
		days: Number(arg('days') ?? (small ? 8 : 30)),
		people: Number(arg('people') ?? (small ? 2000 : 20_000)),
		seed: Number(arg('seed') ?? 13),
		faultRate: Number(arg('fault-rate') ?? 0.1),
		flows,
		replaceWaitMinutes: Number(arg('replace-wait') ?? 60),
	};
}

/** What the season runs on: jobs at emulator times, run in time order; a job may add later ones (retries). */
class Agenda {
	private jobs: Array<{ at: number; seq: number; label: string; run: () => Promise<void> }> = [];
	private seq = 0;
	/** Real seconds spent per kind of job (where a season's time goes). */
	readonly seconds = new Map<string, number>();
	private readonly emu: EmulatorHandle;
	constructor(emu: EmulatorHandle) {
		this.emu = emu;
	}
	add(at: number, label: string, run: () => Promise<void>): void {
		this.jobs.push({ at, seq: this.seq++, label, run });
	}
	async runUntil(end: number, onJob: (label: string) => void): Promise<void> {
		for (;;) {
			let best = -1;
			for (let i = 0; i < this.jobs.length; i++) {
				const j = this.jobs[i];
				if (best === -1 || j.at < this.jobs[best].at || (j.at === this.jobs[best].at && j.seq < this.jobs[best].seq)) best = i;
			}
			if (best === -1 || this.jobs[best].at > end) return;
			const [job] = this.jobs.splice(best, 1);
			// A job starts at its time, or late when the one before it ran past it (n8n would run both at once).
			if (this.emu.clock.now() < job.at) this.emu.clock.set(job.at);
			onJob(job.label);
			const t = performance.now();
			await job.run();
			const kind = job.label.replace(/ \(.*\)$/, '');
			this.seconds.set(kind, (this.seconds.get(kind) ?? 0) + (performance.now() - t) / 1000);
		}
	}
}

/**
 * n8n-workflow's `sleep` (every wait in the nodes: retry backoff, rate limiter, link-store checks, the wait for the
 * replace window) passes in emulator time: the clock moves forward by the time asked and the promise resolves at once.
 * The nodes read Date.now(), which follows the emulator's clock.
 */
function emulatorTime(emu: EmulatorHandle): () => void {
	const sleepModule = require(require.resolve('@n8n/utils/sleep', { paths: [path.dirname(require.resolve('n8n-workflow'))] })) as {
		sleep: (ms: number) => Promise<void>;
	};
	const original = { sleep: sleepModule.sleep, now: Date.now.bind(Date) };
	sleepModule.sleep = async (ms: number) => {
		if (ms > 0) emu.clock.advance(ms);
		await new Promise((resolve) => setImmediate(resolve));
	};
	Date.now = () => emu.clock.now();
	return () => {
		sleepModule.sleep = original.sleep;
		Date.now = original.now;
	};
}

const REFUSED = /Replace All is allowed once per 24 hours|Instant sync is available again|member floor|unfinished replace operation|less than 1000/i;

interface Inspected {
	audience_id: string;
	name: string;
	members: string[];
	history: Array<{ action: string; opt_time: string }>;
}

async function main(): Promise<void> {
	const S = size();
	const started = performance.now();
	await packageLoader();
	const logs = captureN8nLogs();
	const emu = await startEmulator({
		seed: S.seed,
		now: T0,
		freezeClock: true,
		qps: 0,
		faultRate: S.faultRate,
		// Every failure TikTok answers with, except `slow` (a real-time delay; emulator-time durations come from uploads).
		faultCodes: ['50000', '50002', '51003', '40100', 'http429', 'http500', 'http503', 'http504', 'reset'],
		uploadMinMs: 5_000,
		uploadMaxMs: 120_000,
	});
	const restoreTime = emulatorTime(emu);
	const random = rng(S.seed);
	const between = (lo: number, hi: number) => lo + random() * (hi - lo);
	const jitter = () => Math.round(between(-2, 2) * MINUTE);
	const retryDelay = () => Math.round(between(3, 8) * MINUTE);
	const dayOf = (ms: number) => Math.floor((ms - T0) / DAY);
	const at = (day: number, hours: number, minutes = 0) => T0 + day * DAY + hours * HOUR + minutes * MINUTE;
	const iso = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
	const flowOn = (f: Flow) => S.flows.includes(f);

	const raw = new RawRegistry();
	const segment = new Segment(S.people, raw);
	const agenda = new Agenda(emu);
	const unlinkDay = Math.round((S.days * 2) / 3);
	const relinkDay = unlinkDay + 2;
	const lastCheck = at(S.days - 1, 6);

	const credentials = {
		// The credential's defaults (10 requests/s, 5 retries from 1 s): waits pass in emulator time.
		tikTokBusinessApi: { accessToken: SEED.validToken, environment: 'custom', baseUrl: emu.url, requestsPerSecond: 10, maxRetries: 5, retryBaseDelayMs: 1000 },
	};
	const secrets = () => ({ token: SEED.validToken, emails: raw.emails, phoneDigits: raw.phoneDigits, emailMarker: EMAIL_MARKER });

	// ---- figures and findings
	const leaks: string[] = [];
	const problems: string[] = [];
	const note = (message: string) => {
		problems.push(message);
		process.stderr.write(`season: ${message}\n`);
	};
	const c = {
		scheduledRuns: 0,
		scheduledRefused: 0,
		runsFailed: 0,
		pollErrors: 0,
		daysExact: 0,
		daysChecked: 0,
		unlinkedDays: 0,
		unlinkedChanged: 0,
		drift: 0,
		instantRefused: 0,
		instantRefusedExpected: 0,
		instantAllowed: 0,
		instantAllowedExpected: 0,
		instantSkippedUnlinked: 0,
		bytes: { mirror: 0, replace: 0, changes: 0 } as Record<string, number>,
		firstSyncBytes: { mirror: 0, replace: 0 } as Record<string, number>,
		mirrorRuns: 0,
		changesRuns: 0,
		replaceRuns: 0,
		replaceWaited: 0,
		replaceLongestWaitMs: 0,
		eventRefreshes: 0,
		eventsSent: 0,
		restarts: 0,
		faultsScripted: 0,
	};
	const requestLog: LogEntry[] = [];
	const drainLog = () => {
		const fresh = emu.state.requestLog.splice(0);
		leaks.push(...findSecrets(JSON.stringify(fresh), secrets(), 'emulator request log'));
		requestLog.push(...fresh);
	};

	/**
	 * Every item and error this package's nodes produced in a run, binary included, scanned for raw identifiers and
	 * the token. (A workflow's own nodes, such as the one that lists who joined, carry the user's data by design.)
	 */
	const scanRun = (run: IRun, nodes: INode[], where: string) => {
		const ours = new Set(nodes.filter((n) => n.type.startsWith(`${PACKAGE_NAME}.`)).map((n) => n.name));
		for (const [name, tasks] of Object.entries(run.data.resultData.runData)) {
			if (!ours.has(name)) continue;
			for (const task of tasks) {
				const items = task.data?.main?.flat() ?? [];
				leaks.push(...findSecrets(JSON.stringify(items.map((i) => i?.json)), secrets(), `${where} ${name} output`));
				if (task.error) leaks.push(...findSecrets(JSON.stringify({ message: task.error.message, description: task.error.description }), secrets(), `${where} ${name} error`));
				for (const item of items) {
					for (const [prop, bin] of Object.entries(item?.binary ?? {})) {
						leaks.push(...findSecrets(Buffer.from(bin.data, 'base64').toString('latin1'), secrets(), `${where} ${name} binary ${prop}`));
					}
				}
			}
		}
		const error = run.data.resultData.error;
		if (error) leaks.push(...findSecrets(JSON.stringify({ message: error.message, description: error.description }), secrets(), `${where} error`));
	};

	/** Bytes of the files TikTok accepted during `fn` (the emulator keeps every upload it accepted, in order). */
	const countingUploads = async <T,>(fn: () => Promise<T>): Promise<{ value: T; bytes: number }> => {
		const before = emu.state.files.size;
		const value = await fn();
		const bytes = [...emu.state.files.values()].slice(before).reduce((a, f) => a + f.bytes, 0);
		return { value, bytes };
	};

	const items = (r: RunResult, nodeName: string): INodeExecutionData[] => r.run.data.resultData.runData[nodeName]?.[0]?.data?.main?.[0] ?? [];
	const errorText = (r: RunResult) => {
		const e = r.error();
		return e ? `${e.message} ${e.description ?? ''}` : '';
	};

	/** One execution of a workflow, as n8n runs it in `mode`; everything it output is scanned. */
	const execute = async (label: string, workflowId: string, nodes: INode[], inputs: INodeExecutionData[][], mode: WorkflowExecuteMode) => {
		const r = await runWorkflow({ nodes, connections: {}, credentials, inputs, mode, workflowId });
		drainLog();
		scanRun(r.run, nodes, label);
		leaks.push(...findSecrets(JSON.stringify(r.staticData), secrets(), `${label} static data`));
		if (Object.keys(r.staticData).length > 0 && r.staticDataChanged) note(`${label} wrote static data: ${Object.keys(r.staticData).join(', ')}`);
		return r;
	};

	type Outcome = 'ok' | 'skipped' | 'refused' | 'failed';
	const outcomeOf = (r: RunResult): Outcome => {
		const text = errorText(r);
		return !text ? 'ok' : REFUSED.test(text) ? 'refused' : 'failed';
	};
	/** Books a scheduled, webhook or retry run: a refusal of one is a figure that must stay 0; a failure is run again. */
	const book = (label: string, outcome: Outcome, r: RunResult, mode: WorkflowExecuteMode): Outcome => {
		c.scheduledRuns++;
		if (outcome === 'refused') {
			c.scheduledRefused++;
			note(`${label} (${mode}) at ${iso(emu.clock.now())} was refused: ${errorText(r).slice(0, 300)}`);
		} else if (outcome === 'failed') {
			c.runsFailed++;
			process.stderr.write(`season: ${label} (${mode}) at ${iso(emu.clock.now())} failed, run again in a few minutes: ${errorText(r).slice(0, 200)}\n`);
		}
		return outcome;
	};

	/** The emulator's inspection API (a kept-alive connection the server has just closed is opened again). */
	const inspection = async <T,>(path: string): Promise<T> => {
		for (let attempt = 1; ; attempt++) {
			try {
				const res = await fetch(`${emu.url}/__emulator/${path}`);
				if (res.status !== 200) throw new Error(`inspection ${path}: HTTP ${res.status}`);
				return (await res.json()) as T;
			} catch (error) {
				if (attempt >= 3 || !(error instanceof TypeError)) throw error;
			}
		}
	};
	const inspect = async (audienceId: string) => await inspection<Inspected>(`audiences/${audienceId}`);
	const audienceIdNamed = async (name: string): Promise<string | undefined> => {
		const all = (await inspection<{ audiences: Array<{ audience_id: string; name: string }> }>('audiences?members=false')).audiences.filter((a) => a.name === name);
		if (all.length > 1) note(`${all.length} audiences are named "${name}"`);
		return all[0]?.audience_id;
	};

	// ---- Mirror: the segment export and the snapshot store (a file the workflow reads and writes)
	let snapshot: IBinaryData | undefined;
	let mirrored = new Set<number>();
	let mirrorAudienceId: string | undefined;
	let mirrorLinked = true;
	const mirrorNode = () =>
		packageNode(MIRROR, 'tikTokUpsertCustomerFileList', {
			advertiserId: byId(ADV),
			listMode: 'create',
			listName: MIRROR_LIST,
			calculateType: 'MULTIPLE_TYPES',
			action: 'MIRROR',
			inputSource: 'binary',
			binaryPropertyName: 'data',
			emailField: 'email',
			phoneField: 'phone',
			options: {},
		});

	/** One Mirror run: 'ok' (a new snapshot was stored), 'skipped' (unlinked), 'refused' or 'failed'. */
	const mirrorRun = async (mode: WorkflowExecuteMode, label: string): Promise<{ outcome: Outcome; r: RunResult }> => {
		const people = segment.sorted();
		const previous: INodeExecutionData = snapshot ? { json: {}, binary: { snapshot } } : { json: {} };
		const expected = { joined: people.filter((n) => !mirrored.has(n)).length, left: [...mirrored].filter((n) => !segment.has(n)).length, members: people.length, firstSync: snapshot === undefined };
		const { value: r, bytes } = await countingUploads(async () => await execute(label, WF.mirror, [mirrorNode()], [[segmentCsv(people, dayOf(emu.clock.now()), 'segment.csv')], [previous]], mode));
		c.mirrorRuns++;
		if (expected.firstSync) c.firstSyncBytes.mirror += bytes;
		else c.bytes.mirror += bytes;
		if (outcomeOf(r) !== 'ok') return { outcome: outcomeOf(r), r };
		const [out] = items(r, MIRROR);
		if (out?.json.skipped === true) return { outcome: 'skipped', r };
		const newSnapshot = out?.binary?.snapshot;
		if (!newSnapshot) {
			note(`${label}: succeeded without a new snapshot: ${JSON.stringify(out?.json).slice(0, 300)}`);
			return { outcome: 'failed', r };
		}
		const m = (out.json.mirror ?? {}) as IDataObject;
		const got = { joined: m.joined, left: m.left, members: m.members, firstSync: m.firstSync };
		if (JSON.stringify(got) !== JSON.stringify(expected)) note(`${label}: mirror ${JSON.stringify(got)}, expected ${JSON.stringify(expected)}`);
		mirrorAudienceId ??= String(out.json.audienceId);
		snapshot = newSnapshot;
		mirrored = new Set(people);
		return { outcome: 'ok', r };
	};

	const scheduledMirror = async (mode: WorkflowExecuteMode): Promise<void> => {
		const { outcome, r } = await mirrorRun(mode, `mirror ${iso(emu.clock.now())}`);
		if (outcome === 'skipped') {
			if (mirrorLinked) note(`mirror skipped while linked: ${JSON.stringify(r.output(MIRROR)[0]).slice(0, 300)}`);
			return;
		}
		book('mirror', outcome, r, mode);
		if (outcome === 'failed') agenda.add(emu.clock.now() + retryDelay(), 'mirror retry', () => scheduledMirror('retry'));
		// Some days an instant sync follows inside the cooldown.
		if (outcome === 'ok' && dayOf(emu.clock.now()) % 3 === 1) agenda.add(emu.clock.now() + Math.round(between(5, 25) * MINUTE), 'instant (in cooldown)', instantMirror);
	};

	/** An instant sync: a manual run of the Mirror workflow; refused exactly when the audience changed < 30 min ago. */
	const instantMirror = async (): Promise<void> => {
		const now = emu.clock.now();
		let expectRefused = false;
		if (mirrorAudienceId) {
			const history = (await inspect(mirrorAudienceId)).history;
			const last = Math.max(...history.map((h) => Date.parse(`${h.opt_time.replace(' ', 'T')}Z`)));
			expectRefused = last + COOLDOWN_MINUTES * MINUTE > now;
		}
		const { outcome, r } = await mirrorRun('manual', `instant ${iso(now)}`);
		if (outcome === 'skipped') {
			c.instantSkippedUnlinked++;
			if (mirrorLinked) note(`instant sync skipped while linked`);
			return;
		}
		if (outcome === 'failed') {
			process.stderr.write(`season: instant sync at ${iso(now)} failed, tried again in a minute: ${errorText(r).slice(0, 200)}\n`);
			agenda.add(emu.clock.now() + MINUTE, 'instant retry', instantMirror);
			return;
		}
		if (expectRefused) c.instantRefusedExpected++;
		else c.instantAllowedExpected++;
		if (outcome === 'refused') c.instantRefused++;
		else c.instantAllowed++;
		if ((outcome === 'refused') !== expectRefused) note(`instant sync at ${iso(now)}: ${outcome}, expected ${expectRefused ? 'refused' : 'allowed'}: ${errorText(r).slice(0, 200)}`);
	};

	// ---- Replace All, daily, with the wait option
	let replaceAudienceId: string | undefined;
	const replaceNode = () =>
		packageNode(REPLACE, 'tikTokUpsertCustomerFileList', {
			advertiserId: byId(ADV),
			listMode: 'create',
			listName: REPLACE_LIST,
			calculateType: 'MULTIPLE_TYPES',
			action: 'REPLACE',
			inputSource: 'binary',
			binaryPropertyName: 'data',
			emailField: 'email',
			phoneField: 'phone',
			options: { replaceWaitMinutes: S.replaceWaitMinutes },
		});
	const scheduledReplace = async (mode: WorkflowExecuteMode): Promise<void> => {
		const people = segment.sorted();
		const startedAt = emu.clock.now();
		const first = replaceAudienceId === undefined;
		const { value: r, bytes } = await countingUploads(
			async () => await execute(`replace ${iso(startedAt)}`, WF.replace, [replaceNode()], [[segmentCsv(people, dayOf(startedAt), 'segment.csv')]], mode),
		);
		c.replaceRuns++;
		if (first) c.firstSyncBytes.replace += bytes;
		else c.bytes.replace += bytes;
		const outcome = book('replace', outcomeOf(r), r, mode);
		if (outcome === 'failed') agenda.add(emu.clock.now() + retryDelay(), 'replace retry', () => scheduledReplace('retry'));
		if (outcome !== 'ok') return;
		const [summary] = r.output(REPLACE);
		replaceAudienceId ??= String(summary.audienceId);
		const history = (await inspect(replaceAudienceId)).history;
		const replaces = history.filter((h) => h.action === 'replace').map((h) => Date.parse(`${h.opt_time.replace(' ', 'T')}Z`)).sort((x, y) => y - x);
		if (replaces.length >= 2) {
			const [last, before] = replaces;
			if (last - before < DAY) note(`two replaces ${iso(before)} and ${iso(last)} less than 24 h apart`);
			// Started before TikTok's window opened and not refused: the node uploaded, then waited for the window.
			if (startedAt < before + DAY) {
				c.replaceWaited++;
				c.replaceLongestWaitMs = Math.max(c.replaceLongestWaitMs, before + DAY - startedAt);
			}
		}
	};

	// ---- Changes, from webhook bursts
	interface Burst {
		label: string;
		rows: Array<{ n: number; kind: 'add' | 'remove' | 'unknown' }>;
		expected: ChangesExpected;
		day: number;
	}
	const changesQueue: Burst[] = [];
	let changesRetryPending = false;
	let changesAudienceId: string | undefined;
	const changesNode = (action: 'APPEND' | 'CHANGES', source: 'items' | 'binary') =>
		packageNode(CHANGES, 'tikTokUpsertCustomerFileList', {
			advertiserId: byId(ADV),
			listMode: 'create',
			listName: CHANGES_LIST,
			calculateType: 'EMAIL_SHA256',
			action,
			...(action === 'CHANGES' ? { changeField: 'action' } : {}),
			inputSource: source,
			...(source === 'binary' ? { binaryPropertyName: 'data' } : {}),
			emailField: 'email',
			options: {},
		});
	const word = (kind: 'add' | 'remove' | 'unknown', k: number) =>
		kind === 'unknown' ? UNKNOWN_WORD : (kind === 'add' ? ADD_WORDS : REMOVE_WORDS)[k % (kind === 'add' ? ADD_WORDS.length : REMOVE_WORDS.length)];

	/** Sends queued bursts in order; a failure stops the queue and sends it again a few minutes later. */
	const drainChanges = async (): Promise<void> => {
		while (changesQueue.length > 0) {
			const burst = changesQueue[0];
			const input = burst.rows.map((row, k) => ({ json: { email: spellEmail(row.n, burst.day), action: word(row.kind, row.n + k), segment: 'season' } }));
			const { value: r, bytes } = await countingUploads(async () => await execute(burst.label, WF.changes, [changesNode('CHANGES', 'items')], [input], 'webhook'));
			c.changesRuns++;
			c.bytes.changes += bytes;
			if (book('changes', outcomeOf(r), r, 'webhook') !== 'ok') {
				if (!changesRetryPending) {
					changesRetryPending = true;
					agenda.add(emu.clock.now() + retryDelay(), 'changes retry', async () => {
						changesRetryPending = false;
						await drainChanges();
					});
				}
				return;
			}
			const [summary] = r.output(CHANGES);
			const invalid = (summary.invalid ?? {}) as Record<string, { count: number }>;
			const got = { appended: summary.appended, removed: summary.removed, overridden: summary.overridden, unknown: invalid.unknown_change?.count ?? 0 };
			if (JSON.stringify(got) !== JSON.stringify(burst.expected)) note(`${burst.label}: ${JSON.stringify(got)}, expected ${JSON.stringify(burst.expected)}`);
			changesQueue.shift();
		}
	};

	// ---- Event Sync: the trigger's refreshes send a join event for everyone who joined since the last one
	interface Join {
		n: number;
		t: number;
		id: string;
	}
	let pendingJoins: Join[] = [];
	const deliveredJoins: Join[] = [];
	let refreshBatch: Join[] = [];
	const joinersType: INodeType = {
		description: {
			displayName: 'Segment Joiners',
			name: 'joiners',
			group: ['transform'],
			version: 1,
			description: 'People who joined the segment since the last refresh',
			defaults: { name: 'Segment Joiners' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async execute() {
			refreshBatch = [...pendingJoins];
			return [refreshBatch.map((j) => ({ json: { email: spellEmail(j.n, 0), id: j.id, t: j.t }, pairedItem: { item: 0 } }))];
		},
	};
	const eventNodes: INode[] = [
			packageNode(TRIGGER, 'tikTokAudienceSyncTrigger', {
				syncKind: 'event',
				advertiserId: byId(ADV),
				audience: { __rl: true, mode: 'name', value: WEBSITE_AUDIENCE },
				status: 'active',
				refreshInterval: 6,
				refreshUnit: 'hours',
				instantSyncCooldown: COOLDOWN_MINUTES,
			}),
			packageNode(CREATE, 'tikTokCreateWebsiteAudience', {
				advertiserId: byId(ADV),
				pixel: byId(PIXEL.pixel_id),
				audienceName: WEBSITE_AUDIENCE,
				event: 'CompleteRegistration',
				lookbackDays: LOOKBACK_DAYS,
			}),
			{ id: 'joiners', name: 'Segment Joiners', type: 'season.joiners', typeVersion: 1, position: [0, 0], parameters: {} } as INode,
			packageNode(
				SEND,
				'tikTokSendSyncEvent',
				{ source: 'recipe', email: '={{ $json.email }}', phone: '', eventId: '={{ $json.id }}', eventTime: '={{ $json.t }}' },
				{ onError: 'continueRegularOutput' },
			),
	];
	const eventWf = new ActiveWorkflow({
		nodes: eventNodes,
		connections: chain(TRIGGER, CREATE, 'Segment Joiners', SEND),
		credentials,
		triggerName: TRIGGER,
		extraNodeTypes: { 'season.joiners': joinersType },
	});
	let websiteAudienceId: string | undefined;
	const pollEvents = async (): Promise<void> => {
		refreshBatch = [];
		let tick: Awaited<ReturnType<ActiveWorkflow['tick']>>;
		try {
			tick = await eventWf.tick();
		} catch (error) {
			c.pollErrors++;
			process.stderr.write(`season: trigger poll at ${iso(emu.clock.now())} failed (n8n polls again): ${(error as Error).message.slice(0, 200)}\n`);
			drainLog();
			return;
		}
		drainLog();
		if (!tick.run) return;
		c.eventRefreshes++;
		scanRun(tick.run.run, eventNodes, 'event refresh');
		if (book('event refresh', outcomeOf(tick.run), tick.run, 'trigger') === 'refused') return;
		const created = tick.run.output(CREATE)[0];
		if (created?.audienceId) websiteAudienceId ??= String(created.audienceId);
		// Send Sync Event's first output: one result per item (its summary is on the second).
		const results = tick.run.output(SEND);
		if (results.length > 0 && results.length !== refreshBatch.length) note(`event refresh: ${results.length} results for ${refreshBatch.length} joiners`);
		const sent = new Set<string>();
		results.forEach((o, k) => {
			if (o.status === 'sent') sent.add(refreshBatch[k].id);
			else if (o.status === 'skipped') note(`join event ${refreshBatch[k].id} skipped: ${String(o.reason)}`);
		});
		for (const j of refreshBatch) if (sent.has(j.id)) deliveredJoins.push(j);
		c.eventsSent += sent.size;
		pendingJoins = pendingJoins.filter((j) => !sent.has(j.id));
	};

	// ---- the segment's churn, as webhook bursts
	const planDay = (day: number): void => {
		const shuffle = <T,>(list: T[]): T[] => {
			for (let i = list.length - 1; i > 0; i--) {
				const j = Math.floor(random() * (i + 1));
				[list[i], list[j]] = [list[j], list[i]];
			}
			return list;
		};
		const joins = Math.round(segment.size * 0.02);
		const leaves = Math.round(segment.size * 0.01);
		const count = 4 + Math.floor(random() * 5);
		const times = Array.from({ length: count }, () => at(day, 6, 30) + Math.round(random() * 17 * HOUR)).sort((a, b) => a - b);
		const ops: Array<Array<'join' | 'leave'>> = times.map(() => []);
		for (let k = 0; k < joins; k++) ops[Math.floor(random() * count)].push('join');
		for (let k = 0; k < leaves; k++) ops[Math.floor(random() * count)].push('leave');
		times.forEach((t, b) => {
			if (t > lastCheck) return;
			agenda.add(t, 'burst', async () => {
				const now = emu.clock.now();
				const rows: Burst['rows'] = [];
				for (const op of shuffle(ops[b])) {
					if (op === 'join') {
						const n = segment.join(random);
						rows.push({ n, kind: 'add' });
						pendingJoins.push({ n, t: Math.floor(now / 1000), id: `join-${n}-${Math.floor(now / 1000)}` });
					} else rows.push({ n: segment.leave(random), kind: 'remove' });
				}
				// Now and then someone enters and exits within one burst (the later row wins), or leaves and comes back.
				if (random() < 0.4) {
					const n = segment.join(random);
					pendingJoins.push({ n, t: Math.floor(now / 1000), id: `join-${n}-${Math.floor(now / 1000)}` });
					segment.leaveMember(n);
					rows.push({ n, kind: 'add' }, { n, kind: 'remove' });
				}
				if (random() < 0.4 && segment.size > 0) {
					const n = segment.leave(random);
					segment.rejoin(n);
					pendingJoins.push({ n, t: Math.floor(now / 1000), id: `join-${n}-${Math.floor(now / 1000)}` });
					rows.push({ n, kind: 'remove' }, { n, kind: 'add' });
				}
				if (random() < 0.3) rows.push({ n: segment.sorted()[0], kind: 'unknown' });
				if (!flowOn('changes')) return;
				changesQueue.push({ label: `changes burst ${iso(now)}`, rows, expected: expectedChanges(rows), day });
				if (!changesRetryPending) await drainChanges();
			});
		});
	};

	// ---- the daily check
	const exactly = (label: string, actual: string[], expected: Set<string>): number => {
		const a = new Set(actual);
		let missing = 0;
		let extra = 0;
		for (const k of expected) if (!a.has(k)) missing++;
		for (const k of a) if (!expected.has(k)) extra++;
		if (missing + extra > 0) note(`${label}: ${missing} missing, ${extra} not in the segment (${a.size} members, ${expected.size} expected)`);
		return missing + extra;
	};
	let frozenMirror: string[] | undefined;
	const check = async (day: number): Promise<void> => {
		drainLog();
		const now = emu.clock.now();
		const unlinked = !mirrorLinked;
		let drift = 0;
		const current = segment.sorted();
		if (flowOn('mirror')) {
			const members = mirrorAudienceId ? (await inspect(mirrorAudienceId)).members : [];
			if (unlinked) {
				c.unlinkedDays++;
				if (JSON.stringify(members) !== JSON.stringify(frozenMirror)) {
					c.unlinkedChanged++;
					note(`day ${day}: the unlinked Mirror audience changed`);
				}
			} else drift += exactly(`day ${day} mirror`, members, keysOf('MULTIPLE_TYPES', current));
		}
		if (flowOn('changes')) drift += exactly(`day ${day} changes`, changesAudienceId ? (await inspect(changesAudienceId)).members : [], keysOf('EMAIL_SHA256', current));
		if (flowOn('replace')) drift += exactly(`day ${day} replace`, replaceAudienceId ? (await inspect(replaceAudienceId)).members : [], keysOf('MULTIPLE_TYPES', current));
		if (flowOn('events')) {
			const from = now - LOOKBACK_DAYS * DAY;
			const expected = new Set(deliveredJoins.filter((j) => j.t * 1000 >= from && j.t * 1000 <= now).map((j) => userKeyOf(j.n)));
			drift += exactly(`day ${day} website audience`, websiteAudienceId ? (await inspect(websiteAudienceId)).members : [], expected);
			// Everyone who joined was sent by a refresh since (a failed refresh leaves them to the next one).
			const stale = pendingJoins.filter((j) => j.t * 1000 < now - 14 * HOUR).length;
			if (stale > 0) note(`day ${day}: ${stale} join events still unsent after 14 hours (two refresh intervals)`);
			drift += stale;
		}
		c.daysChecked++;
		c.drift += drift;
		if (drift === 0 && !unlinked) c.daysExact++;
		process.stderr.write(
			`season: day ${day} ${iso(now)}: segment ${current.length}, drift ${drift}${unlinked ? ' (Mirror unlinked)' : ''}; runs so far: mirror ${c.mirrorRuns}, changes ${c.changesRuns}, replace ${c.replaceRuns}, event refreshes ${c.eventRefreshes}\n`,
		);
	};

	// ---- the season's calendar
	/** TikTok is back: the outage's faults that no request met are dropped (and not counted). */
	const endOutage = () => {
		c.faultsScripted -= emu.faults.pending().reduce((a, f) => a + f.remaining, 0);
		emu.faults.clear();
	};
	if (flowOn('events')) {
		await eventWf.activate();
		for (let h = 0; at(0, h, 30) <= lastCheck; h++) agenda.add(at(0, h, 30), 'trigger poll', pollEvents);
	}
	if (flowOn('changes')) {
		// The Changes audience starts as the segment (a one-off Add of the export), then follows the webhooks.
		const seed = async (): Promise<void> => {
			const input = [segmentCsv(segment.sorted(), 0, 'segment.csv')];
			const r = await execute('changes seed', WF.changes, [changesNode('APPEND', 'binary')], [input], 'manual');
			const text = errorText(r);
			if (text) {
				process.stderr.write(`season: changes seed failed, run again: ${text.slice(0, 200)}\n`);
				agenda.add(emu.clock.now() + retryDelay(), 'changes seed retry', seed);
				return;
			}
			changesAudienceId = String(r.output(CHANGES)[0].audienceId);
		};
		agenda.add(at(0, 0, 10), 'changes seed', seed);
	}
	for (let day = 0; day < S.days; day++) {
		if (day < S.days - 1) agenda.add(at(day, 0, 1), 'plan the day', async () => planDay(day));
		if (flowOn('mirror')) {
			agenda.add(at(day, 3) + jitter(), 'mirror', () => scheduledMirror('trigger'));
			// Instant syncs: some inside the cooldown after the scheduled run (see scheduledMirror), some just before it (the
			// scheduled run must go ahead all the same), some at random times.
			if (day % 4 === 2) agenda.add(at(day, 2, 30) + Math.round(random() * 20 * MINUTE), 'instant (before the schedule)', instantMirror);
			if (random() < 0.6) agenda.add(at(day, 7) + Math.round(random() * 16 * HOUR), 'instant', instantMirror);
		}
		if (flowOn('replace')) agenda.add(at(day, 4) + jitter(), 'replace', () => scheduledReplace('trigger'));
		agenda.add(at(day, 6), 'check', () => check(day));
		// n8n restarts every few days at some hour: everything in process memory is gone.
		if (day % 4 === 1) {
			agenda.add(at(day, 0) + Math.round(random() * DAY), 'restart', async () => {
				c.restarts++;
				simulateRestart();
				if (flowOn('events')) await eventWf.restart();
			});
		}
		// TikTok down for a while: runs fail and are run again. Mirror's partly: its first update goes through (the
		// answer is lost), then every retry fails; the daily Replace All's update fails 6 times in a row.
		if (day % 6 === 3) {
			agenda.add(at(day, 2, 57), 'outage (update)', async () => {
				c.faultsScripted += 7;
				emu.faults.script({ path: 'dmp/custom_audience/update/', kind: '50002', afterHandling: true });
				emu.faults.script({ path: 'dmp/custom_audience/update/', kind: 'http503', times: 6 });
			});
			agenda.add(at(day, 3, 40), 'outage over', async () => endOutage());
			agenda.add(at(day, 3, 57), 'outage (update)', async () => {
				c.faultsScripted += 6;
				emu.faults.script({ path: 'dmp/custom_audience/update/', kind: 'http503', times: 6 });
			});
			agenda.add(at(day, 4, 40), 'outage over', async () => endOutage());
			agenda.add(at(day, 12), 'outage (upload)', async () => {
				c.faultsScripted += 6;
				emu.faults.script({ path: 'dmp/custom_audience/file/upload/', kind: 'http503', times: 6 });
			});
			agenda.add(at(day, 15), 'outage over', async () => endOutage());
		}
	}
	if (flowOn('mirror') && unlinkDay < S.days) {
		const lifecycle = (operation: 'unlink' | 'relink') => async (): Promise<void> => {
			const node = packageNode(operation === 'unlink' ? 'Unlink' : 'Relink', 'tikTokUnlinkDeleteAudience', {
				operation,
				advertiserId: byId(ADV),
				audience: byId(mirrorAudienceId ?? (await audienceIdNamed(MIRROR_LIST)) ?? '0'),
				...(operation === 'unlink' ? { confirmName: MIRROR_LIST } : {}),
			});
			const r = await execute(operation, WF.mirror, [node], [[{ json: {} }]], 'webhook');
			const text = errorText(r);
			if (text) {
				process.stderr.write(`season: ${operation} failed, run again: ${text.slice(0, 200)}\n`);
				agenda.add(emu.clock.now() + retryDelay(), operation, lifecycle(operation));
				return;
			}
			mirrorLinked = operation === 'relink';
			// While unlinked, Mirror's audience must stay exactly as it is now.
			frozenMirror = mirrorLinked || !mirrorAudienceId ? undefined : (await inspect(mirrorAudienceId)).members;
		};
		agenda.add(at(unlinkDay, 1), 'unlink', lifecycle('unlink'));
		if (relinkDay < S.days) agenda.add(at(relinkDay, 1), 'relink', lifecycle('relink'));
	}

	const verbose = process.argv.includes('--verbose');
	await agenda.runUntil(lastCheck, (label) => {
		if (verbose) process.stderr.write(`season: ${iso(emu.clock.now())} ${label}\n`);
	});

	// ---- the stores this package could write to, scanned for raw identifiers
	drainLog();
	leaks.push(...findSecrets(JSON.stringify(eventWf.db), secrets(), 'trigger static data'));
	leaks.push(...findSecrets(JSON.stringify(eventWf.saves), secrets(), 'trigger static data saves'));
	leaks.push(...findSecrets(JSON.stringify(eventWf.logs), secrets(), 'trigger logs'));
	if (snapshot) leaks.push(...findSecrets(Buffer.from(snapshot.data, 'base64').toString('latin1'), secrets(), 'snapshot store'));
	leaks.push(...findSecrets(logs.lines.join('\n'), secrets(), 'n8n logs'));
	leaks.push(...findSecrets(JSON.stringify([...emu.state.events.values()]), secrets(), 'emulator events'));
	logs.restore();
	const faultCounters = emu.faults.counters();
	const faultsInjected = Object.values(faultCounters).reduce((a, b) => a + b, 0);
	const apiRequests = requestLog.filter((l) => l.path.startsWith('/open_api/')).length;
	restoreTime();
	await emu.close();

	// ---- figures
	const line = (name: string, value: number | string, unit = '') => process.stdout.write(`${name}: ${value}${unit ? ` ${unit}` : ''}\n`);
	const expectedExactDays = S.days - c.unlinkedDays;
	const ratio = c.bytes.replace > 0 ? c.bytes.mirror / c.bytes.replace : NaN;
	line('season_size', `${S.small ? 'small' : 'full'} (${S.people} people, seed ${S.seed}, flows ${S.flows.join(',')})`);
	line('season_days', S.days, 'days');
	line('season_days_exact', `${c.daysExact} days (expected ${expectedExactDays}: ${S.days} days less ${c.unlinkedDays} with Mirror's audience unlinked)`);
	line('season_unlinked_audience_changed', c.unlinkedChanged, 'days');
	line('season_scheduled_refused', c.scheduledRefused, 'runs');
	line('season_members_drift', c.drift, 'members');
	line('season_bytes_sent_vs_daily_replace', Number.isFinite(ratio) ? ratio.toFixed(4) : 'n/a', `ratio (Mirror ${c.bytes.mirror} bytes vs Replace All ${c.bytes.replace} bytes after the first sync; goal ≤ 0.05)`);
	line('season_changes_bytes_vs_daily_replace', c.bytes.replace > 0 ? (c.bytes.changes / c.bytes.replace).toFixed(4) : 'n/a', 'ratio');
	line('season_instant_refused_in_cooldown', `${c.instantRefused} runs (expected ${c.instantRefusedExpected})`);
	line('season_instant_allowed_after_cooldown', `${c.instantAllowed} runs (expected ${c.instantAllowedExpected})`);
	line('season_instant_skipped_unlinked', c.instantSkippedUnlinked, 'runs');
	line('season_raw_identifiers_stored', leaks.length, 'findings');
	line('season_segment_final', segment.size, 'people');
	line('season_runs', `mirror ${c.mirrorRuns}, changes ${c.changesRuns}, replace ${c.replaceRuns}, event refreshes ${c.eventRefreshes}`);
	line('season_replace_waited', `${c.replaceWaited} runs (window opened up to ${(c.replaceLongestWaitMs / MINUTE).toFixed(1)} minutes after the start; wait option ${S.replaceWaitMinutes} minutes)`);
	line('season_runs_failed_then_retried', c.runsFailed, 'runs');
	line('season_trigger_poll_errors', c.pollErrors, 'polls');
	line('season_events_sent', c.eventsSent, 'events');
	line('season_restarts', c.restarts, 'restarts');
	line('season_api_requests', apiRequests, 'requests');
	line('season_faults_injected', `${faultsInjected} (${((faultsInjected - c.faultsScripted) / Math.max(1, apiRequests)).toFixed(3)} of requests at random, plus outages) ${JSON.stringify(faultCounters)}`);
	process.stderr.write(`season: real time by job: ${[...agenda.seconds].map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(', ')}\n`);
	line('season_duration_s', ((performance.now() - started) / 1000).toFixed(1), 's');

	if (c.daysExact !== expectedExactDays) problems.push(`season_days_exact ${c.daysExact} ≠ ${expectedExactDays}`);
	if (c.scheduledRefused !== 0) problems.push(`season_scheduled_refused ${c.scheduledRefused}`);
	if (c.drift !== 0) problems.push(`season_members_drift ${c.drift}`);
	if (flowOn('mirror') && flowOn('replace') && !(ratio <= 0.05)) problems.push(`season_bytes_sent_vs_daily_replace ${ratio}`);
	if (c.instantRefused !== c.instantRefusedExpected || c.instantAllowed !== c.instantAllowedExpected) problems.push('instant syncs differ from the cooldown rule');
	if (flowOn('mirror') && (c.instantRefusedExpected === 0 || c.instantAllowedExpected === 0)) problems.push('the instant syncs did not cover both sides of the cooldown');
	if (leaks.length) problems.push(`raw identifiers or the token stored: ${[...new Set(leaks)].slice(0, 10).join(' | ')}`);
	if (faultsInjected === 0) problems.push('no fault was injected');
	// The scan finds what it looks for: a member's email and phone, as the CRM writes them, in a text.
	const control = findSecrets(`${spellEmail(0, 0)} ${spellPhone(0, 1)}`, secrets(), 'control');
	if (control.length !== 2) problems.push(`the raw-identifier scan misses a planted email and phone (${control.length} of 2 found)`);
	if (problems.length > 0) {
		process.stdout.write(`SEASON FAILED: ${[...new Set(problems)].slice(0, 20).join('; ')}\n`);
		process.exitCode = 1;
	} else process.stdout.write('SEASON OK: every figure meets its goal\n');
}

main().catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}${(error as Error).cause ? `\ncause: ${String((error as Error).cause)}` : ''}\n`);
	process.exitCode = 1;
});
