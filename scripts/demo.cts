// The demo: starts the TikTok emulator and runs the example workflows (examples/*.json) through n8n's real engine,
// showing List Sync and Event Sync end to end, the refresh/cooldown guards, unlink and delete, and a final table.
// Nodes from n8n itself (triggers, file reads, Code nodes, webhooks) are replaced by a stand-in that outputs what they
// would (the CSV file, the webhook's body, the people list), so the demo needs no n8n server; the TikTok steps run
// exactly as the workflow files describe them. Run: npm run demo
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LoggerProxy, NodeConnectionTypes } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData, INodeType, IWorkflowBase, WorkflowExecuteMode } from 'n8n-workflow';

import { SEED, startEmulator, type EmulatorHandle } from '../test/emulator/index.cts';
import { PACKAGE_NAME, runWorkflow, type RunResult } from '../test/support/engine.cts';

const ROOT = path.resolve(__dirname, '..');
const LOG_LINES: string[] = [];
// n8n's engine logs every node error; the demo prints its own progress and keeps n8n's lines for the privacy check.
const keep = (message: string) => void LOG_LINES.push(message);
LoggerProxy.init({ error: keep, warn: keep, info: keep, debug: keep, verbose: keep, scoped: () => LoggerProxy } as unknown as Parameters<typeof LoggerProxy.init>[0]);
const OUTPUTS: string[] = [];
const STAND_IN = 'demo.standIn';

/** Outputs the items registered for its node name: what the replaced n8n node would have produced. */
function standInNode(outputs: Map<string, INodeExecutionData[]>): INodeType {
	return {
		description: {
			displayName: 'Stand-in',
			name: 'standIn',
			group: ['transform'],
			version: 1,
			description: 'Outputs scripted items in place of an n8n core node',
			defaults: { name: 'Stand-in' },
			inputs: [NodeConnectionTypes.Main],
			outputs: [NodeConnectionTypes.Main],
			properties: [],
		},
		async execute(this: IExecuteFunctions) {
			return [outputs.get(this.getNode().name) ?? [{ json: {} }]];
		},
	};
}

interface Example {
	file: string;
	workflow: IWorkflowBase;
	staticData: IDataObject;
}

function loadExample(file: string): Example {
	const workflow = JSON.parse(readFileSync(path.join(ROOT, 'examples', file), 'utf8')) as IWorkflowBase;
	workflow.nodes = workflow.nodes.map((n) => (n.type.startsWith(`${PACKAGE_NAME}.`) ? n : ({ ...n, type: STAND_IN, typeVersion: 1, parameters: {} } as INode)));
	return { file, workflow, staticData: {} };
}

async function run(
	example: Example,
	emu: EmulatorHandle,
	startNode: string,
	mode: WorkflowExecuteMode,
	outputs: Record<string, INodeExecutionData[]>,
): Promise<RunResult> {
	const result = await runWorkflow({
		nodes: example.workflow.nodes,
		connections: example.workflow.connections,
		credentials: {
			tikTokBusinessApi: { accessToken: SEED.validToken, environment: 'custom', baseUrl: emu.url, requestsPerSecond: 50, maxRetries: 5, retryBaseDelayMs: 200 },
		},
		startNode,
		mode,
		staticData: example.staticData,
		extraNodeTypes: { [STAND_IN]: standInNode(new Map(Object.entries(outputs))) },
		workflowId: example.workflow.id as string,
	});
	// What our nodes output and the run's error (the stand-ins' items are upstream data: raw by nature).
	for (const node of example.workflow.nodes.filter((n) => n.type !== STAND_IN)) OUTPUTS.push(JSON.stringify(result.run.data.resultData.runData[node.name] ?? []));
	OUTPUTS.push(JSON.stringify(result.run.data.resultData.error ?? null));
	// n8n saves static data after production runs only; the next run of this workflow loads what was saved.
	if (mode !== 'manual' && result.staticDataChanged) example.staticData = result.staticData;
	return result;
}

const say = (text: string) => process.stdout.write(`${text}\n`);
const step = (text: string) => say(`\n▶ ${text}`);
const ok = (text: string) => say(`  ✓ ${text}`);
const refused = (text: string) => say(`  ✗ refused as expected: ${text}`);
/** "Instant sync is available again at 06:33 UTC (in 30 minutes): …" → "refused until 06:33 UTC (in 30 minutes)". */
const refusedUntil = (message: string) => {
	const m = /available again at ([^:]+:\d\d UTC \(in [^)]+\))/.exec(message);
	return m ? `refused until ${m[1]}` : `refused: ${message}`;
};

function fail(text: string): never {
	throw new Error(`demo: ${text}`);
}

function csvBinary(csv: string): INodeExecutionData[] {
	return [{ json: {}, binary: { data: { data: Buffer.from(csv).toString('base64'), mimeType: 'text/csv', fileName: 'customers.csv' } } }];
}

function reasons(summary: IDataObject): string {
	const invalid = (summary.invalid ?? summary.skippedByReason ?? {}) as Record<string, number | { count: number }>;
	const parts = Object.entries(invalid).map(([k, v]) => `${k} ${typeof v === 'number' ? v : v.count}`);
	return parts.length ? parts.join(', ') : 'none';
}

interface Row {
	audience: string;
	kind: string;
	size: string;
	valid: string;
	sent: string;
	rejected: string;
	refresh: string;
	secondSync: string;
}

function table(rows: Row[]): string {
	const head: Row = { audience: 'Audience', kind: 'Kind', size: 'Size', valid: 'Valid', sent: 'Rows sent', rejected: 'Rejected (by reason)', refresh: 'Refresh / cooldown', secondSync: 'Second instant sync' };
	const keys = Object.keys(head) as Array<keyof Row>;
	const width = (k: keyof Row) => Math.max(...[head, ...rows].map((r) => r[k].length));
	const line = (r: Row) => `| ${keys.map((k) => r[k].padEnd(width(k))).join(' | ')} |`;
	return [line(head), `|${keys.map((k) => '-'.repeat(width(k) + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function main(): Promise<void> {
	const started = Date.now();
	const emu = await startEmulator({ seed: 1, matchRate: 0.9, processingDelayMs: 0 });
	say(`TikTok emulator listening on ${emu.url} (seeded advertiser ${SEED.grantedAdvertiserId}, match rate 90 %)`);
	const rows: Row[] = [];
	try {
		// 1. List Sync from a CSV file, as the daily schedule runs it.
		step('List Sync: examples/list-sync-daily-csv.json (scheduled run: CSV → customer file, MULTIPLE_TYPES, Mirror; no snapshot yet: a first sync)');
		const csvExample = loadExample('list-sync-daily-csv.json');
		const csv = readFileSync(path.join(ROOT, 'examples', 'customers.csv'), 'utf8');
		const listNode = 'TikTok Upsert Customer File List';
		const mirrorNode = 'Mirror Customers to TikTok';
		const first = await run(csvExample, emu, 'Every Day at 03:00', 'trigger', { 'Read Customers CSV': csvBinary(csv) });
		if (first.error()) fail(first.error()?.message ?? '');
		const listSummary = first.output(mirrorNode)[0];
		ok(`audience ${listSummary.audienceId} "${listSummary.audienceName}": ${listSummary.rowsIn} rows in, ${listSummary.rowsSent} sent, rejected: ${reasons(listSummary)}, duplicates ${listSummary.duplicates}`);
		step('Instant Sync of the same list right away (run by hand)');
		const again = await run(csvExample, emu, 'Run Now', 'manual', { 'Read Customers CSV': csvBinary(csv) });
		const csvSecond = again.error()?.message ?? fail('the second sync was not refused');
		refused(csvSecond);

		// 2. Event Sync fed by a CustomerLabs webhook.
		step('Event Sync: examples/event-sync-customerlabs-webhook.json (webhook → website audience → events)');
		const hookExample = loadExample('event-sync-customerlabs-webhook.json');
		const users = Array.from({ length: 1500 }, (_, i) => ({ email: `visitor${i}@example.com`, phone: `+44 7700 9${String(i).padStart(5, '0')}`, consent: i % 50 !== 49 }));
		const body = { body: { users: users.map((u) => ({ identify_by_email: u.email, identify_by_phone: u.phone, consent: u.consent })) } };
		const events = await run(hookExample, emu, 'CustomerLabs Webhook', 'webhook', {
			'CustomerLabs Webhook': [{ json: body }],
			'One Item per User': users.map((u) => ({ json: u })),
		});
		if (events.error()) fail(events.error()?.message ?? '');
		const created = events.output('TikTok Create Website Audience')[0];
		// Send Sync Event: one result per user on its first output, the run summary on its second ("Summary").
		const [eventSummary] = events.outputAt('TikTok Send Sync Event', 1);
		ok(`website audience ${created.audienceId} "${created.audienceName}" on pixel ${created.pixelCode}, event "${created.event}" (${created.eventKind})`);
		ok(`events: ${eventSummary.sent} sent in ${eventSummary.requests} requests, ${eventSummary.skipped} skipped (${reasons(eventSummary)}), ${eventSummary.failed} failed`);
		step('Same webhook again (a resend): TikTok deduplicates on event_id');
		const inputs = { 'CustomerLabs Webhook': [{ json: body }], 'One Item per User': users.map((u) => ({ json: u })) };
		const resend = await run(hookExample, emu, 'CustomerLabs Webhook', 'webhook', inputs);
		const [resendSummary] = resend.outputAt('TikTok Send Sync Event', 1);
		ok(`resend: ${resendSummary.sent} events accepted by TikTok, none counted twice`);
		step('Instant Sync of the events (run by hand), then again inside the 30-minute cooldown');
		const byHand = await run(hookExample, emu, 'CustomerLabs Webhook', 'manual', inputs);
		if (byHand.error()) fail(byHand.error()?.message ?? '');
		ok(`instant sync: ${byHand.outputAt('TikTok Send Sync Event', 1)[0].sent} events sent; next instant sync at ${byHand.outputAt('TikTok Send Sync Event', 1)[0].nextInstantSyncAt}`);
		const eventSecond = (await run(hookExample, emu, 'CustomerLabs Webhook', 'manual', inputs)).error()?.message ?? fail('the second instant sync of events was not refused');
		refused(eventSecond);

		// 3. The trigger: Instant Sync, its cooldown, unlink and delete.
		step('Trigger: examples/list-sync-trigger-instant-unlink-delete.json, Instant Sync (run by hand)');
		const trigExample = loadExample('list-sync-trigger-instant-unlink-delete.json');
		const people = Array.from({ length: 1500 }, (_, i) => ({ json: { email: `customer${i}@example.com`, phone: `+1 415 555 ${String(1000 + i).padStart(4, '0')}` } }));
		const instant = await run(trigExample, emu, 'TikTok Audience Sync Trigger', 'manual', { 'Load Customers': people });
		if (instant.error()) fail(instant.error()?.message ?? '');
		const trig = instant.output('TikTok Audience Sync Trigger')[0];
		const trigSummary = instant.output(listNode)[0];
		ok(`trigger emitted reason "${trig.reason}" for "${trig.audienceName}"; audience ${trigSummary.audienceId}: ${trigSummary.rowsSent} rows sent`);
		step('Instant Sync again inside the 30-minute cooldown');
		const second = await run(trigExample, emu, 'TikTok Audience Sync Trigger', 'manual', { 'Load Customers': people });
		const trigSecond = second.error()?.message ?? fail('the second instant sync was not refused');
		refused(trigSecond);

		// 4. Status of every audience (examples/audience-status.json), then the table.
		step('Status: examples/audience-status.json for each audience');
		const statusExample = loadExample('audience-status.json');
		const status = async (audienceId: string) => {
			statusExample.workflow.nodes = statusExample.workflow.nodes.map((n) =>
				n.name === 'Get Status' ? { ...n, parameters: { ...n.parameters, audience: { __rl: true, mode: 'id', value: audienceId } } } : n,
			);
			const r = await run(statusExample, emu, 'Check Status', 'manual', {});
			if (r.error()) fail(r.error()?.message ?? '');
			return r.output('Get Status')[0];
		};
		const listStatus = await status(String(listSummary.audienceId));
		const eventStatus = await status(String(created.audienceId));
		const trigStatus = await status(String(trigSummary.audienceId));
		ok('Get Status read size, validity and history for 3 audiences');
		const size = (s: IDataObject) => String(s.audienceSize ?? '-');
		const valid = (s: IDataObject) => (s.audienceValid ? 'yes' : 'no (calculating)');
		rows.push(
			{ audience: String(listSummary.audienceName), kind: 'List (CSV, scheduled)', size: size(listStatus), valid: valid(listStatus), sent: String(listSummary.rowsSent), rejected: reasons(listSummary), refresh: 'daily Mirror (joiners and leavers)', secondSync: refusedUntil(csvSecond) },
			{ audience: String(created.audienceName), kind: 'Event (pixel rule)', size: size(eventStatus), valid: valid(eventStatus), sent: String(eventSummary.sent), rejected: reasons(eventSummary), refresh: 'on each webhook; resend deduplicated', secondSync: refusedUntil(eventSecond) },
			{ audience: String(trigSummary.audienceName), kind: 'List (trigger)', size: size(trigStatus), valid: valid(trigStatus), sent: String(trigSummary.rowsSent), rejected: reasons(trigSummary), refresh: `every 1 day, cooldown 30 min; next due ${trig.nextDueAt}`, secondSync: refusedUntil(trigSecond) },
		);

		// 5. Unlink (through the admin webhook: a production run, so n8n keeps it), then the trigger stops; delete.
		step('Unlink through the admin webhook, then the trigger no longer syncs it');
		const admin = (operation: 'Unlink' | 'Delete', confirmName: string) =>
			run(trigExample, emu, `${operation} Webhook`, 'webhook', { [`${operation} Webhook`]: [{ json: { body: { audienceId: trigSummary.audienceId, confirmName } } }] });
		const wrong = await admin('Unlink', 'Wrong name');
		refused(wrong.error()?.message ?? fail('a wrong confirmation name was accepted'));
		const unlinked = await admin('Unlink', String(trigSummary.audienceName));
		if (unlinked.error()) fail(unlinked.error()?.message ?? '');
		ok(`unlinked; the audience stays on TikTok (${emu.state.audiences.has(String(trigSummary.audienceId)) ? 'still there' : 'gone?!'})`);
		const afterUnlink = await run(trigExample, emu, 'TikTok Audience Sync Trigger', 'manual', { 'Load Customers': people });
		refused(afterUnlink.error()?.message ?? fail('the trigger still synced an unlinked audience'));
		step('Delete through the admin webhook');
		const deleted = await admin('Delete', String(trigSummary.audienceName));
		if (deleted.error()) fail(deleted.error()?.message ?? '');
		ok(`deleted: ${JSON.stringify(deleted.output('Delete')[0]?.deleted)}; still on TikTok: ${emu.state.audiences.has(String(trigSummary.audienceId)) ? 'yes' : 'no'}`);

		say('\n' + table(rows));
		say(`(after the table: "${trigSummary.audienceName}" was unlinked, then deleted from TikTok)`);

		// Privacy: only hashes leave the nodes. Look for the token and every raw email/phone in outputs, errors and logs.
		const haystack = [...OUTPUTS, ...LOG_LINES, JSON.stringify(emu.state.requestLog)].join('\n');
		const secrets = [SEED.validToken, ...csv.split('\n').flatMap((l) => l.split(',')).filter((v) => v.includes('@')), ...users.map((u) => u.email), ...users.map((u) => u.phone)];
		const leaked = secrets.filter((v) => v && haystack.includes(v));
		if (leaked.length > 0) fail(`${leaked.length} secrets leaked into outputs or logs`);
		say(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s: ${emu.state.requestLog.length} requests to the emulator; checked ${secrets.length} secrets (token, raw emails and phones): none in any output, error, n8n log line or the emulator's request log.`);
	} finally {
		await emu.close();
	}
}

main().catch((error: Error) => {
	process.stderr.write(`${error.stack ?? error.message}\n`);
	process.exitCode = 1;
});
