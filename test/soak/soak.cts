// `npm run soak`: List Sync (create, APPEND, REMOVE, REPLACE; items and CSV; email, phone and multiple types) and
// Event Sync (website audience + events) through n8n's real engine against the emulator with random faults (40100,
// 50000, 50002, HTTP 429/500/503/504 with HTML bodies, connection resets, slow answers), faults that strike after
// the change was made, and a QPS limit. Bounded in iterations and time. Then it checks:
//   - every audience's member set equals the expected set exactly; one audience per name (no duplicate creates);
//   - every event (pixel, event_id, event) is counted once, and every event reported sent is there;
//   - every failed or rejected item is reported with a reason, and the reported counts are exact;
//   - neither the access token nor a raw identifier appears in outputs, errors, n8n logs or the emulator's log.
// Prints `name: value` lines and exits non-zero when an invariant fails.
//
//   npm run build:only && npx tsx test/soak/soak.cts [--small] [--iterations N] [--seed S] [--fault-rate R] [--max-seconds T]
//   (env SOAK_ITERATIONS, SOAK_SEED, SOAK_FAULT_RATE, SOAK_MAX_SECONDS do the same)
import type { IDataObject, INode, INodeExecutionData, WorkflowExecuteMode } from 'n8n-workflow';

import { SEED, startEmulator } from '../emulator/index.cts';
import type { LogEntry } from '../emulator/state.cts';
import { byId, packageLoader, packageNode, runWorkflow, type RunResult } from '../support/engine.cts';
import { captureN8nLogs, findSecrets } from './capture.cts';
import { asCsvItem, asItems, badReason, EMAIL_MARKER, memberKey, RawRegistry, rng, stepRows, type ListType } from './people.cts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const ADV = SEED.grantedAdvertiserId;
const PIXEL = SEED.pixels[0];
const LIST_NODE = 'TikTok Upsert Customer File List';
const CREATE_NODE = 'TikTok Create Website Audience';
const SEND_NODE = 'TikTok Send Sync Event';
const WEBSITE_AUDIENCE = 'Soak website buyers';

interface Size {
	iterations: number;
	lists: number;
	baseRows: number;
	events: number;
	faultRate: number;
	qps: number;
	maxSeconds: number;
	seed: number;
}

function arg(name: string): string | undefined {
	const args = process.argv.slice(2);
	const i = args.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
	if (i === -1) return undefined;
	return args[i].includes('=') ? args[i].split('=')[1] : args[i + 1];
}

function size(): Size {
	const small = process.argv.includes('--small');
	const base: Size = small
		? { iterations: 3, lists: 3, baseRows: 1100, events: 5000, faultRate: 0.2, qps: 10, maxSeconds: 100, seed: 8 }
		: { iterations: 8, lists: 6, baseRows: 5000, events: 20_000, faultRate: 0.25, qps: 10, maxSeconds: 900, seed: 8 };
	const num = (flag: string, env: string, fallback: number) => Number(arg(flag) ?? process.env[env] ?? fallback);
	return {
		...base,
		iterations: num('iterations', 'SOAK_ITERATIONS', base.iterations),
		seed: num('seed', 'SOAK_SEED', base.seed),
		faultRate: num('fault-rate', 'SOAK_FAULT_RATE', base.faultRate),
		maxSeconds: num('max-seconds', 'SOAK_MAX_SECONDS', base.maxSeconds),
	};
}

const LIST_TYPES: ListType[] = ['EMAIL_SHA256', 'PHONE_SHA256', 'MULTIPLE_TYPES'];

interface ListState {
	tag: string;
	name: string;
	type: ListType;
	audienceId?: string;
	members: Set<number>;
	nextPerson: number;
}

interface Counters {
	runs: number;
	runsFailed: number;
	runRetries: number;
	replaceAlreadyApplied: number;
	itemsOk: number;
	itemsFailed: number;
	failuresWithoutReason: number;
	reportMismatches: string[];
	eventsSent: Set<string>;
	eventsFailed: Set<string>;
	eventsSkipped: number;
}

async function main(): Promise<void> {
	const S = size();
	const started = performance.now();
	const deadline = started + S.maxSeconds * 1000;
	await packageLoader();
	const logs = captureN8nLogs((line) => process.stderr.write(`${line.slice(0, 300)}\n`));
	const emu = await startEmulator({
		seed: S.seed,
		qps: S.qps,
		faultRate: S.faultRate,
		faultCodes: ['40100', '50000', '50002', 'http429', 'http500', 'http503', 'http504', 'reset', 'slow'],
		slowMs: 40,
		matchRate: 1,
		processingDelayMs: 0,
	});
	// One clock for both sides: the nodes read Date.now(), which follows the emulator's clock (real time plus the jumps
	// the soak makes for TikTok's 24 h REPLACE rule and the 30-minute instant-sync cooldown).
	const realNow = Date.now.bind(Date);
	Date.now = () => emu.clock.now();
	const requestLog: LogEntry[] = [];
	const drainLog = () => requestLog.push(...emu.state.requestLog.splice(0));
	const raw = new RawRegistry();
	const random = rng(S.seed);
	const leaks: string[] = [];
	const c: Counters = {
		runs: 0,
		runsFailed: 0,
		runRetries: 0,
		replaceAlreadyApplied: 0,
		itemsOk: 0,
		itemsFailed: 0,
		failuresWithoutReason: 0,
		reportMismatches: [],
		eventsSent: new Set(),
		eventsFailed: new Set(),
		eventsSkipped: 0,
	};
	const credentials = {
		tikTokBusinessApi: { accessToken: SEED.validToken, environment: 'custom', baseUrl: emu.url, requestsPerSecond: 200, maxRetries: 8, retryBaseDelayMs: 20 },
	};
	const secrets = () => ({ token: SEED.validToken, emails: raw.emails, phoneDigits: raw.phoneDigits, emailMarker: EMAIL_MARKER });

	/** One workflow run; everything it produced is scanned for secrets. */
	const run = async (node: INode, input: INodeExecutionData[], label: string, mode: WorkflowExecuteMode = 'manual'): Promise<RunResult> => {
		c.runs++;
		const r = await runWorkflow({ nodes: [node], connections: {}, credentials, input, mode });
		drainLog();
		leaks.push(...findSecrets(JSON.stringify(r.run.data.resultData), secrets(), `${label} output/error`));
		return r;
	};

	/** Runs a step until it succeeds (at most 4 runs), as a user re-running a failed execution would. */
	const runStep = async (
		make: () => INode,
		input: INodeExecutionData[],
		label: string,
		alreadyDone?: (message: string) => boolean,
		mode: WorkflowExecuteMode = 'manual',
	): Promise<RunResult | undefined> => {
		for (let attempt = 0; attempt < 4; attempt++) {
			if (attempt > 0) c.runRetries++;
			const r = await run(make(), input, label, mode);
			const error = r.error();
			if (!error) return r;
			c.runsFailed++;
			if (!error.message) c.failuresWithoutReason++;
			process.stderr.write(`soak: ${label} failed (${error.message}); running it again\n`);
			if (alreadyDone?.(`${error.message} ${error.description ?? ''}`)) {
				c.replaceAlreadyApplied++;
				return undefined;
			}
		}
		throw new Error(`${label} failed 4 times in a row`);
	};

	const lists: ListState[] = Array.from({ length: S.lists }, (_, k) => ({
		tag: `l${k}`,
		name: `Soak list ${k} ${LIST_TYPES[k % LIST_TYPES.length]}`,
		type: LIST_TYPES[k % LIST_TYPES.length],
		members: new Set<number>(),
		nextPerson: 0,
	}));

	const listNode = (l: ListState, action: 'APPEND' | 'REMOVE' | 'REPLACE', byName: boolean, source: 'items' | 'binary') =>
		packageNode(LIST_NODE, 'tikTokUpsertCustomerFileList', {
			advertiserId: byId(ADV),
			...(byName || !l.audienceId ? { listMode: 'create', listName: l.name } : { listMode: 'existing', audience: byId(l.audienceId) }),
			calculateType: l.type,
			action,
			inputSource: source,
			...(source === 'binary' ? { binaryPropertyName: 'data' } : {}),
			...(l.type !== 'PHONE_SHA256' ? { emailField: 'email' } : {}),
			...(l.type !== 'EMAIL_SHA256' ? { phoneField: 'phone' } : {}),
			options: { maxRowsPerFile: Math.max(500, Math.floor(S.baseRows / 2)) },
		});

	/** One List Sync step: send `people` (plus duplicates and bad rows) with `action`; check the reported counts. */
	const listStep = async (l: ListState, action: 'APPEND' | 'REMOVE' | 'REPLACE', people: number[], step: number) => {
		const source = step % 2 === 0 ? 'items' : 'binary';
		const dupes = Math.min(people.length, 7 + (step % 5));
		const bad = 3 + (step % 4);
		const rows = stepRows(l.type, l.tag, people, dupes, bad, raw, random);
		const input = source === 'items' ? asItems(rows.rows) : asCsvItem(rows.rows, `${l.tag}-${step}.csv`);
		const label = `list ${l.tag} ${action} (${source})`;
		const r = await runStep(() => listNode(l, action, step % 3 === 1, source), input, label, (m) => action === 'REPLACE' && /once per 24 hours/.test(m));
		if (action === 'REMOVE') people.forEach((n) => l.members.delete(n));
		else if (action === 'REPLACE') l.members = new Set(people);
		else people.forEach((n) => l.members.add(n));
		if (!r) return;
		const [summary] = r.output(LIST_NODE);
		l.audienceId = String(summary.audienceId);
		const invalid = (summary.invalid ?? {}) as Record<string, { count: number; rows: number[] }>;
		const expected = { rowsIn: rows.rows.length, rowsSent: rows.valid, duplicates: rows.duplicates, invalidTotal: rows.bad, preHashed: rows.preHashed };
		const got = { rowsIn: summary.rowsIn, rowsSent: summary.rowsSent, duplicates: summary.duplicates, invalidTotal: summary.invalidTotal, preHashed: summary.preHashed };
		if (JSON.stringify(got) !== JSON.stringify(expected)) c.reportMismatches.push(`${label}: ${JSON.stringify(got)} ≠ ${JSON.stringify(expected)}`);
		// Every rejected row is reported under a reason, with its row numbers sampled.
		const reasons = Object.entries(invalid);
		const reasonTotal = reasons.reduce((a, [, v]) => a + v.count, 0);
		if (reasonTotal !== rows.bad || reasons.length !== 1 || reasons[0][0] !== badReason(l.type) || reasons[0][1].rows.length !== Math.min(5, rows.bad)) {
			c.failuresWithoutReason += Math.max(1, rows.bad - (reasons.find(([k]) => k === badReason(l.type))?.[1].count ?? 0));
			c.reportMismatches.push(`${label}: invalid breakdown ${JSON.stringify(invalid)}`);
		}
		c.itemsOk += rows.valid + rows.duplicates;
		c.itemsFailed += rows.bad;
	};

	const newPeople = (l: ListState, n: number) => Array.from({ length: n }, () => l.nextPerson++);

	let websiteAudienceId: string | undefined;
	let previousEvents: IDataObject[] = [];
	const createNode = () =>
		packageNode(CREATE_NODE, 'tikTokCreateWebsiteAudience', {
			advertiserId: byId(ADV),
			pixel: byId(PIXEL.pixel_id),
			audienceName: WEBSITE_AUDIENCE,
			event: 'Purchase',
			lookbackDays: 30,
		});
	const sendNode = () =>
		packageNode(
			SEND_NODE,
			'tikTokSendSyncEvent',
			{
				source: 'manual',
				advertiserId: byId(ADV),
				pixel: byId(PIXEL.pixel_code),
				event: 'Purchase',
				audience: byId(websiteAudienceId ?? ''),
				email: '={{ $json.email }}',
				eventId: '={{ $json.id }}',
				eventTime: '={{ $json.t }}',
			},
			{ onError: 'continueRegularOutput' },
		);

	const eventStep = async (iteration: number) => {
		const created = await runStep(createNode, [{ json: {} }], 'create website audience');
		websiteAudienceId = String(created?.output(CREATE_NODE)[0].audienceId);
		const t = Math.floor(emu.clock.now() / 1000);
		const fresh: IDataObject[] = Array.from({ length: S.events }, (_, k) => ({
			id: `soak-${iteration}-${k}`,
			// Every 50th has no usable identifier: it must come back skipped, with the reason.
			email: raw.email(k % 50 === 49 ? `${EMAIL_MARKER}-no-at-${iteration}-${k}` : `${EMAIL_MARKER}.e.${iteration}.${k}@example.org`),
			t,
		}));
		// The previous iteration's first events again, as a re-run would send them: TikTok must count them once.
		const input = [...fresh, ...previousEvents.slice(0, 100)].map((json) => ({ json }));
		previousEvents = fresh;
		// A scheduled sync (a trigger run): manual runs are instant syncs, which the 30-minute cooldown limits.
		const r = await runStep(sendNode, input, `send events ${iteration}`, undefined, 'trigger');
		// Results: one item per input item (the run summary is on the second output).
		const results = r?.output(SEND_NODE) ?? [];
		if (results.length !== input.length) c.reportMismatches.push(`send events ${iteration}: ${results.length} results for ${input.length} items`);
		results.forEach((o, k) => {
			const id = String(input[k].json.id);
			const bad = String(input[k].json.email).includes('-no-at-');
			if (o.status === 'sent') {
				c.eventsSent.add(id);
				c.itemsOk++;
				if (bad) c.reportMismatches.push(`event ${id} without identifier was sent`);
			} else {
				if (!o.reason) c.failuresWithoutReason++;
				c.itemsFailed++;
				if (o.status === 'skipped') {
					c.eventsSkipped++;
					if (!bad || o.reason !== 'no_identifier') c.reportMismatches.push(`event ${id} skipped: ${String(o.reason)}`);
				} else c.eventsFailed.add(id);
			}
		});
	};

	let iterations = 0;
	let step = 0;
	for (let it = 0; it < S.iterations && performance.now() < deadline; it++) {
		iterations++;
		// Faults that strike after TikTok made the change: the retry must not duplicate or lose anything.
		emu.faults.script({ path: 'dmp/custom_audience/create/', kind: 'http504', afterHandling: true });
		emu.faults.script({ path: 'dmp/custom_audience/update/', kind: 'reset', afterHandling: true, times: 2 });
		emu.faults.script({ path: 'dmp/custom_audience/rule/create/', kind: '50002', afterHandling: true });
		emu.faults.script({ path: 'event/track/', kind: 'http503', afterHandling: true });

		for (const l of lists) {
			step++;
			if (it === 0) await listStep(l, 'APPEND', newPeople(l, S.baseRows), step);
			else await listStep(l, 'APPEND', newPeople(l, Math.floor(S.baseRows / 10)), step);
		}
		emu.clock.advance(31 * MINUTE);
		for (const l of lists) {
			step++;
			const current = [...l.members].sort((a, b) => a - b);
			await listStep(l, 'REMOVE', current.slice(0, Math.floor(S.baseRows / 20)), step);
		}
		await eventStep(it);
		// TikTok allows one REPLACE per audience per 24 h.
		emu.clock.advance(25 * HOUR);
		for (const l of lists) {
			step++;
			const current = [...l.members].sort((a, b) => a - b);
			const keep = current.slice(Math.floor(S.baseRows / 5));
			await listStep(l, 'REPLACE', [...keep, ...newPeople(l, Math.floor(S.baseRows / 5))], step);
		}
		emu.clock.advance(31 * MINUTE);
	}
	emu.faults.clear();

	// Invariants.
	let membersLost = 0;
	let membersDuplicated = 0;
	let audiencesDuplicated = 0;
	const all = [...emu.state.audiences.values()];
	for (const l of lists) {
		const same = all.filter((a) => a.name === l.name);
		if (same.length !== 1) audiencesDuplicated += Math.max(1, same.length - 1);
		const actual = same.find((a) => a.audienceId === l.audienceId)?.members ?? new Set<string>();
		const expected = new Set([...l.members].map((n) => memberKey(l.type, l.tag, n)));
		for (const k of expected) if (!actual.has(k)) membersLost++;
		for (const k of actual) if (!expected.has(k)) membersDuplicated++;
	}
	const websites = all.filter((a) => a.name === WEBSITE_AUDIENCE);
	if (websites.length !== 1) audiencesDuplicated += Math.max(1, websites.length - 1);

	const stored = emu.state.events.get(PIXEL.pixel_code)?.live ?? [];
	const counts = new Map<string, number>();
	for (const e of stored) counts.set(`${e.event_id}|${e.event}`, (counts.get(`${e.event_id}|${e.event}`) ?? 0) + 1);
	const eventsDoubleCounted = [...counts.values()].filter((n) => n > 1).length;
	const eventsLost = [...c.eventsSent].filter((id) => !counts.has(`${id}|Purchase`)).length;
	const eventsUnreported = [...counts.keys()].filter((k) => !c.eventsSent.has(k.split('|')[0]) && !c.eventsFailed.has(k.split('|')[0])).length;

	drainLog();
	leaks.push(...findSecrets(JSON.stringify(requestLog), secrets(), 'emulator request log'));
	leaks.push(...findSecrets(logs.lines.join('\n'), secrets(), 'n8n logs'));
	logs.restore();

	const faultCounters = emu.faults.counters();
	const faultsInjected = Object.values(faultCounters).reduce((a, b) => a + b, 0);
	const rateLimited = requestLog.filter((l) => l.code === 40100 && !l.fault).length;
	// Each answer that failed and can be retried made the node send the request again (slow answers succeed).
	const retries = requestLog.filter((l) => (l.fault && l.fault !== 'slow') || l.code === 40100).length;
	const duration = (performance.now() - started) / 1000;
	Date.now = realNow;
	await emu.close();

	const line = (name: string, value: number | string, unit = '') => process.stdout.write(`${name}: ${value}${unit ? ` ${unit}` : ''}\n`);
	line('size', process.argv.includes('--small') ? 'small' : 'full');
	line('iterations', iterations);
	line('runs', c.runs);
	line('requests', requestLog.length);
	line('faults_injected', faultsInjected);
	line('faults_by_kind', JSON.stringify(faultCounters));
	line('rate_limited', rateLimited);
	line('retries', retries);
	line('runs_failed_then_rerun', c.runsFailed);
	line('replace_already_applied', c.replaceAlreadyApplied);
	line('items_ok', c.itemsOk);
	line('items_failed', c.itemsFailed);
	line('failures_without_reason', c.failuresWithoutReason);
	line('report_mismatches', c.reportMismatches.length);
	line('members_lost', membersLost);
	line('members_duplicated', membersDuplicated);
	line('audiences_duplicated', audiencesDuplicated);
	line('events_sent', c.eventsSent.size);
	line('events_stored', stored.length);
	line('events_lost', eventsLost);
	line('events_double_counted', eventsDoubleCounted);
	line('events_stored_unreported', eventsUnreported);
	line('secrets_leaked', leaks.length);
	line('duration_s', duration.toFixed(1));

	const problems: string[] = [];
	if (iterations < 1) problems.push('no iteration ran');
	if (faultsInjected === 0) problems.push('no fault was injected');
	if (membersLost) problems.push(`${membersLost} members lost`);
	if (membersDuplicated) problems.push(`${membersDuplicated} unexpected members`);
	if (audiencesDuplicated) problems.push(`${audiencesDuplicated} duplicate audiences`);
	if (eventsLost) problems.push(`${eventsLost} events reported sent but not stored`);
	if (eventsDoubleCounted) problems.push(`${eventsDoubleCounted} events counted twice`);
	if (eventsUnreported) problems.push(`${eventsUnreported} stored events reported neither sent nor failed`);
	if (c.failuresWithoutReason) problems.push(`${c.failuresWithoutReason} failures without a reason`);
	if (c.reportMismatches.length) problems.push(`report mismatches: ${c.reportMismatches.slice(0, 5).join(' | ')}`);
	if (leaks.length) problems.push(`secrets leaked: ${[...new Set(leaks)].slice(0, 10).join(' | ')}`);
	if (problems.length > 0) {
		process.stdout.write(`SOAK FAILED: ${problems.join('; ')}\n`);
		process.exitCode = 1;
	} else {
		process.stdout.write('SOAK OK: every invariant holds\n');
	}
}

main().catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exitCode = 1;
});
