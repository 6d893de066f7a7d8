// The example workflows (examples/*.json) as users get them: imported into the real n8n server (2.41.1 or 1.123) with the CLI
// (their ids kept), their credentials created with the ids they reference (`tiktok-emulator`, pointing at the
// emulator, and the Header Auth credentials of their webhooks, each with a fresh secret), and run the way each is
// meant to run: the CSV list sync from "Run Now", the CustomerLabs webhook and the trigger/unlink/delete workflow
// activated and called on their production URLs, the status report by hand.
//
// Every example webhook uses n8n's own Webhook authentication (Header Auth, README "Securing the example webhooks"):
// a POST without the header, with a wrong secret, with another webhook's secret or with the secret under another
// header name is answered 403 by n8n, runs nothing and leaves the emulator exactly as it was; the right header runs
// the workflow.
//
// The CSV example reads /home/node/.n8n-files/customers.csv and keeps its Mirror snapshot beside it (n8n's Docker
// image: HOME=/home/node, and n8n 2.x only reads and writes files under N8N_RESTRICT_FILE_ACCESS_TO, default
// ~/.n8n-files). Here that variable points at a temp folder holding examples/customers.csv, and the file nodes' paths
// are moved into it at import (examplesForFolder); nothing else is changed.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

import { WEBHOOK_AUTH_HEADER } from '../../scripts/editor.cts';
import { SEED } from '../emulator/index.cts';
import {
	CREDENTIAL_TYPE,
	PACKAGE_NAME,
	REPO_ROOT,
	activateWorkflow,
	executionError,
	executionSettled,
	importCredentialsCli,
	nodeOutput,
	waitFor,
	type Execution,
	type WorkflowJson,
} from './n8nServer.cts';
import { describeOnFullSuite } from './n8nVersions.cts';
import { emulatorCredentialData, startStack, type Stack } from './stack.cts';
import { parseSnapshot, rawIdentifiersIn } from '../support/snapshotFile.cts';
import { DAY, DOCKER_FILES_DIR, inFilesFolder, inspectAudience, isoSeconds, postWebhook, postWebhookOnceRegistered, sha, linkFact, storedLinkFacts, storedStaticData } from './workflows.cts';

const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
const ADV = SEED.grantedAdvertiserId;
const MAIN_PIXEL = SEED.pixels[0];
const CREDENTIAL = { id: 'tiktok-emulator', name: 'TikTok Business API (emulator)' };
const DOCKER_CSV_PATH = `${DOCKER_FILES_DIR}customers.csv`;
const SNAPSHOT_FILE = 'crm-customers.tiktok-snapshot';

/** The Header Auth credentials the examples' webhooks reference, as a user creates them: header X-Webhook-Token. */
const HEADER_CREDENTIALS = {
	customerLabs: { id: 'customerlabs-webhook-header', name: 'CustomerLabs webhook header', secret: randomBytes(24).toString('hex') },
	unlinkDelete: { id: 'unlink-delete-webhook-header', name: 'Unlink and Delete webhook header', secret: randomBytes(24).toString('hex') },
};
type HeaderCredential = (typeof HEADER_CREDENTIALS)[keyof typeof HEADER_CREDENTIALS];
/** Every Webhook node of the examples: file → [node, path, the credential it checks]. */
const WEBHOOKS: Record<string, Array<[string, string, HeaderCredential]>> = {
	'event-sync-customerlabs-webhook.json': [['CustomerLabs Webhook', 'customerlabs-tiktok-event-sync', HEADER_CREDENTIALS.customerLabs]],
	'list-sync-customerlabs-changes.json': [['CustomerLabs Segment Webhook', 'customerlabs-tiktok-segment-changes', HEADER_CREDENTIALS.customerLabs]],
	'list-sync-trigger-instant-unlink-delete.json': [
		['Unlink Webhook', 'tiktok-audience-unlink', HEADER_CREDENTIALS.unlinkDelete],
		['Delete Webhook', 'tiktok-audience-delete', HEADER_CREDENTIALS.unlinkDelete],
	],
};
const withSecret = (credential: HeaderCredential) => ({ [WEBHOOK_AUTH_HEADER]: credential.secret });

const readExample = (file: string): WorkflowJson => JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));

const EXAMPLES = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json')).sort();

let stack: Stack;
let filesDir = '';
const ids: Record<string, string> = {};

beforeAll(async () => {
	filesDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tiktok-e2e-files-'));
	await fsp.copyFile(path.join(EXAMPLES_DIR, 'customers.csv'), path.join(filesDir, 'customers.csv'));
	// matchRate 1 and no processing delay: sizes equal member counts, so the status report is exact at once.
	stack = await startStack({ emulator: { matchRate: 1, processingDelayMs: 0 }, n8n: { env: { N8N_RESTRICT_FILE_ACCESS_TO: filesDir } } });
	await importCredentialsCli(stack.n8n, [
		{ ...CREDENTIAL, type: CREDENTIAL_TYPE, data: emulatorCredentialData(stack.emulator) },
		...Object.values(HEADER_CREDENTIALS).map(({ id, name, secret }) => ({ id, name, type: 'httpHeaderAuth', data: { name: WEBHOOK_AUTH_HEADER, value: secret } })),
	]);
	// Every example in one `n8n import:workflow --separate` (ids kept).
	const importDir = path.join(stack.n8n.userFolder, 'examples-import');
	await fsp.mkdir(importDir);
	for (const file of EXAMPLES) {
		const workflow = inFilesFolder(readExample(file), filesDir);
		ids[file] = String(workflow.id);
		await fsp.writeFile(path.join(importDir, file), JSON.stringify({ active: false, ...workflow }));
	}
	await stack.n8n.cli(['import:workflow', '--separate', `--input=${importDir}`]);
}, 600_000);

afterAll(async () => {
	await stack?.stop();
	if (filesDir) await fsp.rm(filesDir, { recursive: true, force: true });
});

const executionsOf = async (file: string, mode: string) =>
	(await stack.executions(ids[file])).filter((e) => e.mode === mode && executionSettled(e));
const audiencesNamed = (name: string) => [...stack.emulator.state.audiences.values()].filter((a) => a.name === name);

/** Everything the emulator holds and was asked, from its inspection API: audiences with members, events, files, requests. */
async function emulatorView(): Promise<Record<string, unknown>> {
	const view: Record<string, unknown> = {};
	for (const part of ['audiences', 'events', 'files', 'requests']) view[part] = await (await fetch(`${stack.emulator.url}/__emulator/${part}`)).json();
	return view;
}

/**
 * POSTs the body without the header, with the secret cut short by one character, with `otherSecret` (another
 * webhook's) and with the right secret under another header name: n8n's Webhook node answers each with 403
 * "Authorization data is wrong!" (https://docs.n8n.io/integrations/builtin/core-nodes/n8n-nodes-base.webhook/#authentication),
 * the workflow does not run (no execution) and the emulator's whole state and request log are unchanged. Each call
 * waits for the webhook to be registered (n8n 2.41 activates asynchronously: 404 "is not registered" until then).
 */
async function expectRefused(file: string, path: string, body: unknown, credential: HeaderCredential, otherSecret: string): Promise<void> {
	const before = await emulatorView();
	const executionsBefore = (await stack.executions(ids[file])).map((e) => e.id);
	const attempts: Record<string, Record<string, string>> = {
		'no header': {},
		'the secret without its last character': { [WEBHOOK_AUTH_HEADER]: credential.secret.slice(0, -1) },
		"another webhook's secret": { [WEBHOOK_AUTH_HEADER]: otherSecret },
		'right secret, other header name': { Authorization: credential.secret },
	};
	const answers: Record<string, unknown> = {};
	for (const [attempt, headers] of Object.entries(attempts)) answers[attempt] = await postWebhookOnceRegistered(stack.url, path, body, 30_000, headers);
	const refused = { status: 403, json: 'Authorization data is wrong!' };
	expect(answers).toEqual(Object.fromEntries(Object.keys(attempts).map((attempt) => [attempt, refused])));
	expect(await emulatorView()).toEqual(before);
	expect((await stack.executions(ids[file])).map((e) => e.id)).toEqual(executionsBefore);
}

test('every example is imported with its id, our node types and the credential it references', async () => {
	expect(EXAMPLES).toEqual([
		'audience-status.json',
		'event-sync-customerlabs-webhook.json',
		'list-sync-customerlabs-changes.json',
		'list-sync-daily-csv.json',
		'list-sync-trigger-instant-unlink-delete.json',
	]);
	for (const file of EXAMPLES) {
		const stored = await stack.session.api<WorkflowJson>('GET', `/workflows/${ids[file]}`);
		const ours = stored.nodes.filter((n) => String(n.type).startsWith(`${PACKAGE_NAME}.`));
		expect({ file, name: stored.name, ours: ours.length > 0 }).toEqual({ file, name: readExample(file).name, ours: true });
		for (const node of ours) expect({ file, node: node.name, credential: node.credentials?.[CREDENTIAL_TYPE] }).toEqual({ file, node: node.name, credential: CREDENTIAL });
	}
});

test('every webhook of every example requires Header Auth with its credential, as committed and as imported', async () => {
	const webhooks = (nodes: WorkflowJson['nodes']) =>
		nodes
			.filter((n) => n.type === 'n8n-nodes-base.webhook')
			.map((n) => ({ node: n.name, path: n.parameters.path, authentication: n.parameters.authentication, credentials: n.credentials }));
	for (const file of EXAMPLES) {
		const expected = (WEBHOOKS[file] ?? []).map(([node, path, { id, name }]) => ({
			node,
			path,
			authentication: 'headerAuth',
			credentials: { httpHeaderAuth: { id, name } },
		}));
		expect({ file, webhooks: webhooks(readExample(file).nodes) }).toEqual({ file, webhooks: expected });
		const stored = await stack.session.api<WorkflowJson>('GET', `/workflows/${ids[file]}`);
		expect({ file, webhooks: webhooks(stored.nodes) }).toEqual({ file, webhooks: expected });
	}
});

describe('list-sync-daily-csv.json', () => {
	const FILE = 'list-sync-daily-csv.json';
	const NAME = 'CRM customers (daily CSV)';

	test('the committed example reads the CSV and keeps its snapshot in the Docker folder (moved to the test folder at import)', () => {
		const file = (name: string) => readExample(FILE).nodes.find((n) => n.name === name)?.parameters;
		expect([file('Read Customers CSV')?.fileSelector, file('Read Previous Snapshot')?.fileSelector, file('Save New Snapshot')?.fileName]).toEqual([
			DOCKER_CSV_PATH,
			`${DOCKER_FILES_DIR}${SNAPSHOT_FILE}`,
			`${DOCKER_FILES_DIR}${SNAPSHOT_FILE}`,
		]);
	});

	test('"Run Now" (no snapshot yet: a first sync) creates the list with exactly one email+phone pair per customer and saves the snapshot', async () => {
		const mark = stack.emulator.state.requestLog.length;
		const execution = await stack.runWorkflow(ids[FILE], { triggerNode: 'Run Now' });
		expect({ status: execution.status, error: executionError(execution)?.message }).toEqual({ status: 'success', error: undefined });
		const [audience] = audiencesNamed(NAME);
		expect(audiencesNamed(NAME)).toHaveLength(1);
		expect(audience.calculateType).toBe('MULTIPLE_TYPES');
		// customers.csv: customer0..customer1199 with +1 415 555 1000..2199, then a bad row, an empty row and a repeat.
		// MULTIPLE_TYPES members are stored per row as "EMAIL_SHA256:<hash>|PHONE_SHA256:<hash>".
		const expected = Array.from(
			{ length: 1200 },
			(_, i) => `EMAIL_SHA256:${sha(`customer${i}@example.com`)}|PHONE_SHA256:${sha(`1415555${1000 + i}`)}`,
		).sort();
		expect([...audience.members].sort()).toEqual(expected);
		const calls = stack.emulator.state.requestLog.slice(mark);
		expect(calls.map((c) => c.path.replace('/open_api/v1.3/', ''))).toEqual([
			'dmp/custom_audience/list/',
			'dmp/custom_audience/file/upload/',
			'dmp/custom_audience/create/',
			'dmp/custom_audience/get/',
		]);
		// No snapshot file yet: Read Previous Snapshot found none and passed an empty item on.
		expect(nodeOutput(execution, 'Read Previous Snapshot')).toEqual([{}]);
		expect(nodeOutput(execution, 'Mirror Customers to TikTok')).toEqual([
			{
				audienceId: audience.audienceId,
				audienceName: NAME,
				advertiserId: ADV,
				calculateType: 'MULTIPLE_TYPES',
				action: 'CREATE',
				created: true,
				dryRun: false,
				skipped: false,
				source: 'binary',
				rowsIn: 1203,
				rowsSent: 1200,
				invalidTotal: 2,
				invalid: { email_invalid: { count: 1, rows: [1201] }, empty: { count: 1, rows: [1202] } },
				droppedValues: {},
				duplicates: 1,
				preHashed: 0,
				filesUploaded: 1,
				requestIds: calls.slice(1).map((c) => c.request_id),
				audienceSize: 1200,
				audienceValid: true,
				mirror: { firstSync: true, sentAs: 'CREATE', reason: 'new_list', joined: 1200, left: 0, members: 1200, previousMembers: null, snapshotField: 'snapshot' },
			},
		]);
		// Save New Snapshot wrote the node's snapshot where the example says: the 1,200 pairs' hashes, nothing raw.
		const saved = await fsp.readFile(path.join(filesDir, SNAPSHOT_FILE));
		const snapshot = parseSnapshot(saved);
		expect({ ...snapshot, members: snapshot.members.length }).toEqual({
			calculateType: 'MULTIPLE_TYPES',
			advertiserId: ADV,
			audienceId: audience.audienceId,
			members: 1200,
			checksumOk: true,
			bytes: saved.length,
		});
		expect(snapshot.members).toEqual(expected);
		const rows = fs.readFileSync(path.join(EXAMPLES_DIR, 'customers.csv'), 'utf8').split('\n').slice(1, 1201).map((line) => line.split(','));
		const raw = rows.flatMap(([email, phone]) => [email, phone, phone.replace(/\D/g, '')]);
		expect(raw).toHaveLength(3600);
		expect(rawIdentifiersIn(saved, raw)).toEqual([]);
		expect(nodeOutput(execution, 'Save New Snapshot')).toEqual([expect.objectContaining({ fileName: path.join(filesDir, SNAPSHOT_FILE), audienceId: audience.audienceId })]);
	});
});

describe('event-sync-customerlabs-webhook.json', () => {
	const FILE = 'event-sync-customerlabs-webhook.json';
	const NAME = 'CustomerLabs: high-intent visitors';
	const people = Array.from({ length: 12 }, (_, i) => ({
		identify_by_email: `Shopper${i}@Example.com`,
		identify_by_phone: `(415) 555-01${String(i).padStart(2, '0')}`,
		...(i % 4 === 1 ? { consent: false } : i % 4 === 2 ? {} : { consent: true }),
	}));
	const consenting = people.filter((p) => p.consent !== false);
	/** The example's event: a custom one (not a conversion), one name per audience. */
	const EVENT = 'CustomerLabsHighIntent';

	test('activated: a POST without the right X-Webhook-Token is refused with 403 and changes nothing at TikTok', async () => {
		await activateWorkflow(stack.session, ids[FILE]);
		await expectRefused(FILE, 'customerlabs-tiktok-event-sync', { users: people }, HEADER_CREDENTIALS.customerLabs, HEADER_CREDENTIALS.unlinkDelete.secret);
		expect(audiencesNamed(NAME)).toEqual([]);
		expect(await executionsOf(FILE, 'webhook')).toEqual([]);
	});

	test('a CustomerLabs POST with the header creates the website audience, which holds exactly the consenting users', async () => {
		const res = await postWebhook(stack.url, 'customerlabs-tiktok-event-sync', { users: people }, withSecret(HEADER_CREDENTIALS.customerLabs));
		expect(res.status).toBe(200);
		const [audience] = audiencesNamed(NAME);
		expect(audiencesNamed(NAME)).toHaveLength(1);
		expect(audience).toMatchObject({ kind: 'PIXEL', pixelIds: [MAIN_PIXEL.pixel_id], isAutoRefresh: true });
		expect(audience.ruleSpec).toEqual({
			inclusion_rule_set: {
				operator: 'OR',
				rules: [
					{
						event_source_ids: [MAIN_PIXEL.pixel_id],
						retention_days: 30,
						filter_set: { operator: 'OR', filters: [{ field: 'EVENT', operator: 'EQ', value: EVENT }] },
					},
				],
			},
		});
		const view = await inspectAudience(stack.emulator.url, audience.audienceId);
		expect(view.members).toEqual(consenting.map((p) => sha(p.identify_by_email.toLowerCase())).sort());
		const events = stack.emulator.state.events.get(MAIN_PIXEL.pixel_code)?.live ?? [];
		expect(events.map((e) => [e.event, e.email, e.phone])).toEqual(
			consenting.map((p) => [EVENT, [sha(p.identify_by_email.toLowerCase())], [sha(`+1${p.identify_by_phone.replace(/\D/g, '')}`)]]),
		);

		// The response is the first item of the last node's first output (Results); the execution holds every item and,
		// on the second output (Summary), the run summary.
		const track = stack.emulator.state.requestLog.filter((r) => r.path.endsWith('/event/track/'));
		expect(track.map((r) => r.code)).toEqual([0]);
		const eventTime = res.json.eventTime as number;
		expect(res.json).toEqual({
			status: 'sent',
			event: EVENT,
			pixelCode: MAIN_PIXEL.pixel_code,
			audienceId: audience.audienceId,
			identifiers: ['email', 'phone'],
			eventId: sha(`${audience.audienceId}|${MAIN_PIXEL.pixel_code}|${EVENT}|${sha('shopper0@example.com')}|${Math.floor(eventTime / 86400)}`),
			eventTime,
			requestId: track[0].request_id,
		});
		const [execution] = await waitFor('the webhook execution', async () => {
			const done = await executionsOf(FILE, 'webhook');
			return done.length > 0 ? done : undefined;
		});
		expect(execution.status).toBe('success');
		const out = nodeOutput(execution, 'TikTok Send Sync Event');
		expect(out.map((o) => o.status)).toEqual(people.map((p) => (p.consent === false ? 'skipped' : 'sent')));
		expect(nodeOutput(execution, 'TikTok Send Sync Event', 1)).toEqual([
			{ sent: consenting.length, skipped: 3, skippedByReason: { no_consent: 3 }, failed: 0, requests: 1, requestIds: [track[0].request_id] },
		]);

		// A production run; the nodes write no static data (n8n saves none).
		expect(await storedStaticData(stack.session, ids[FILE])).toBeNull();
	});
});

describe('list-sync-trigger-instant-unlink-delete.json', () => {
	const FILE = 'list-sync-trigger-instant-unlink-delete.json';
	const NAME = 'CRM customers (trigger)';

	test('activated: the initial sync creates the 1,500-member list; Unlink and Delete refuse a POST without the right header; unlink refuses a wrong name, then unlinks; delete removes it', async () => {
		await activateWorkflow(stack.session, ids[FILE]);
		const [initial] = await waitFor(
			'the initial sync execution',
			async () => {
				const done = await executionsOf(FILE, 'trigger');
				return done.length > 0 ? done : undefined;
			},
			{ timeoutMs: 90_000, intervalMs: 500 },
		);
		expect({ status: initial.status, error: executionError(initial)?.message }).toEqual({ status: 'success', error: undefined });
		expect(nodeOutput(initial, 'TikTok Audience Sync Trigger')).toEqual([
			expect.objectContaining({ reason: 'initial', test: false, audienceId: null, audienceName: NAME, kind: 'List Sync', lastSyncAt: null }),
		]);
		expect(audiencesNamed(NAME)).toHaveLength(1);
		const [audience] = audiencesNamed(NAME);
		const audienceId = audience.audienceId;
		const expected = Array.from(
			{ length: 1500 },
			(_, i) => `EMAIL_SHA256:${sha(`customer${i}@example.com`)}|PHONE_SHA256:${sha(`1415555${String(1000 + i).padStart(4, '0')}`)}`,
		).sort();
		expect([...audience.members].sort()).toEqual(expected);
		expect(nodeOutput(initial, 'TikTok Upsert Customer File List')).toEqual([
			expect.objectContaining({ audienceId, audienceName: NAME, action: 'CREATE', created: true, rowsIn: 1500, rowsSent: 1500 }),
		]);

		// Knowing the URL, the audience id and its exact name is not enough without the header.
		const { unlinkDelete, customerLabs } = HEADER_CREDENTIALS;
		const requestsBefore = stack.emulator.state.requestLog.length;
		await expectRefused(FILE, 'tiktok-audience-unlink', { audienceId, confirmName: NAME }, unlinkDelete, customerLabs.secret);
		await expectRefused(FILE, 'tiktok-audience-delete', { audienceId, confirmName: NAME }, unlinkDelete, customerLabs.secret);
		expect(stack.emulator.state.requestLog.length).toBe(requestsBefore);
		expect([...(stack.emulator.state.audiences.get(audienceId)?.members ?? [])].sort()).toEqual(expected);
		const facts = [linkFact.unlinked(audienceId), linkFact.deleted(audienceId), linkFact.deletedName(ADV, NAME)];
		expect(await storedLinkFacts(stack.n8n, ids[FILE], facts)).toEqual([]);
		expect(await executionsOf(FILE, 'webhook')).toEqual([]);

		const wrong = await postWebhook(stack.url, 'tiktok-audience-unlink', { audienceId, confirmName: 'crm customers (trigger)' }, withSecret(unlinkDelete));
		expect(wrong.status).toBe(500);
		expect(await storedLinkFacts(stack.n8n, ids[FILE], facts)).toEqual([]);

		const unlinked = await postWebhook(stack.url, 'tiktok-audience-unlink', { audienceId, confirmName: NAME }, withSecret(unlinkDelete));
		expect(unlinked).toEqual({
			status: 200,
			json: { operation: 'Unlink', advertiserId: ADV, audienceId, name: NAME, unlinked: true, alreadyUnlinked: false },
		});
		expect(await storedLinkFacts(stack.n8n, ids[FILE], facts)).toEqual([linkFact.unlinked(audienceId)]);
		expect(stack.emulator.state.audiences.has(audienceId)).toBe(true);

		const deleted = await postWebhook(stack.url, 'tiktok-audience-delete', { audienceId, confirmName: NAME }, withSecret(unlinkDelete));
		expect(deleted.status).toBe(200);
		expect(deleted.json).toEqual({
			operation: 'Delete',
			advertiserId: ADV,
			audienceId,
			name: NAME,
			deleted: true,
			requestId: stack.emulator.state.requestLog.filter((r) => r.path.endsWith('/dmp/custom_audience/delete/')).pop()?.request_id,
		});
		expect(stack.emulator.state.audiences.has(audienceId)).toBe(false);
		expect(await storedLinkFacts(stack.n8n, ids[FILE], facts)).toEqual(facts);
		const webhookRuns: Execution[] = await executionsOf(FILE, 'webhook');
		expect(webhookRuns.map((e) => e.status).sort()).toEqual(['error', 'success', 'success']);
	});
});

describeOnFullSuite('audience-status.json', () => {
	const FILE = 'audience-status.json';

	test('pointed at the CSV list, a manual run reports its exact status', async () => {
		const [audience] = audiencesNamed('CRM customers (daily CSV)');
		// What a user does in the editor: pick the audience in "Get Status", save.
		const workflow = await stack.session.api<WorkflowJson>('GET', `/workflows/${ids[FILE]}`);
		const nodes = workflow.nodes.map((n) =>
			n.name === 'Get Status' ? { ...n, parameters: { ...n.parameters, audience: { __rl: true, mode: 'id', value: audience.audienceId } } } : n,
		);
		await stack.session.api('PUT', `/workflows/${ids[FILE]}`, { name: workflow.name, nodes, connections: workflow.connections, settings: { executionOrder: 'v1' } });
		const execution = await stack.runWorkflow(ids[FILE], { triggerNode: 'Check Status' });
		expect({ status: execution.status, error: executionError(execution)?.message }).toEqual({ status: 'success', error: undefined });
		const [created] = audience.history;
		expect(nodeOutput(execution, 'Get Status')).toEqual([
			{
				operation: 'Get Status',
				exists: true,
				advertiserId: ADV,
				audienceId: audience.audienceId,
				name: 'CRM customers (daily CSV)',
				type: 'Customer File Audience',
				kind: 'List Sync',
				pixelIds: [],
				audienceSize: 1200,
				audienceValid: true,
				isExpiring: false,
				expiresAt: isoSeconds(audience.modifiedAt + 365 * DAY),
				createdAt: isoSeconds(audience.createdAt),
				linked: true,
				linkStatus: 'linked',
				lastSyncAt: isoSeconds(created.atMs),
				lastSyncAction: 'Create',
				lastSyncSource: 'TikTok history',
				lastReplaceAt: null,
				nextDueAt: null,
				schedule: null,
				notes: [
					"Next due time unknown here: no Audience Sync Trigger of this workflow has polled this audience in this n8n process since it started. A trigger keeps its schedule in the process that polls; n8n keeps nothing of a run by hand. Syncs made by hand are in TikTok's history (lastSyncAt).",
				],
				log: [{ at: isoSeconds(created.atMs), source: 'TikTok', event: 'Create', detail: '1200; by API' }],
			},
		]);
	});
});
