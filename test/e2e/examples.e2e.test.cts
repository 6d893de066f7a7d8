// The example workflows (examples/*.json) as users get them: imported into the real n8n server (2.41.1 or 1.123) with the CLI
// (their ids kept), their credential created with the id they reference (`tiktok-emulator`, pointing at the
// emulator), and run the way each is meant to run: the CSV list sync from "Run Now", the CustomerLabs webhook
// and the trigger/unlink/delete workflow activated and called on their production URLs, the status report by hand.
//
// The CSV example reads /home/node/.n8n-files/customers.csv (n8n's Docker image: HOME=/home/node, and n8n 2.x only
// reads files under N8N_RESTRICT_FILE_ACCESS_TO, default ~/.n8n-files). Here that variable points at a temp folder
// holding examples/customers.csv, and the node's path is rewritten to it at import; nothing else is changed.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

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
import { DAY, inspectAudience, isoSeconds, postWebhook, postWebhookOnceRegistered, sha, linkFact, storedLinkFacts, storedStaticData } from './workflows.cts';

const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
const ADV = SEED.grantedAdvertiserId;
const MAIN_PIXEL = SEED.pixels[0];
const CREDENTIAL = { id: 'tiktok-emulator', name: 'TikTok Business API (emulator)' };
const DOCKER_CSV_PATH = '/home/node/.n8n-files/customers.csv';

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
	await importCredentialsCli(stack.n8n, [{ ...CREDENTIAL, type: CREDENTIAL_TYPE, data: emulatorCredentialData(stack.emulator) }]);
	// Every example in one `n8n import:workflow --separate` (ids kept).
	const importDir = path.join(stack.n8n.userFolder, 'examples-import');
	await fsp.mkdir(importDir);
	for (const file of EXAMPLES) {
		const workflow = readExample(file);
		for (const node of workflow.nodes) {
			if (node.type === 'n8n-nodes-base.readWriteFile' && node.parameters.fileSelector === DOCKER_CSV_PATH) {
				node.parameters = { ...node.parameters, fileSelector: path.join(filesDir, 'customers.csv') };
			}
		}
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

test('every example is imported with its id, our node types and the credential it references', async () => {
	expect(EXAMPLES).toEqual([
		'audience-status.json',
		'event-sync-customerlabs-webhook.json',
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

describe('list-sync-daily-csv.json', () => {
	const FILE = 'list-sync-daily-csv.json';
	const NAME = 'CRM customers (daily CSV)';

	test('the committed example reads the Docker path (rewritten to the test folder at import)', () => {
		const read = readExample(FILE).nodes.find((n) => n.name === 'Read Customers CSV');
		expect(read?.parameters.fileSelector).toBe(DOCKER_CSV_PATH);
	});

	test('"Run Now" reads examples/customers.csv and creates the list with exactly one email+phone pair per customer', async () => {
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
		expect(nodeOutput(execution, 'TikTok Upsert Customer File List')).toEqual([
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
			},
		]);
	});
});

describeOnFullSuite('event-sync-customerlabs-webhook.json', () => {
	const FILE = 'event-sync-customerlabs-webhook.json';
	const NAME = 'CustomerLabs: high-intent visitors';
	const people = Array.from({ length: 12 }, (_, i) => ({
		identify_by_email: `Shopper${i}@Example.com`,
		identify_by_phone: `(415) 555-01${String(i).padStart(2, '0')}`,
		...(i % 4 === 1 ? { consent: false } : i % 4 === 2 ? {} : { consent: true }),
	}));
	const consenting = people.filter((p) => p.consent !== false);

	test('activated: a CustomerLabs POST creates the website audience, which holds exactly the consenting users', async () => {
		await activateWorkflow(stack.session, ids[FILE]);
		const res = await postWebhookOnceRegistered(stack.url, 'customerlabs-tiktok-event-sync', { users: people });
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
						filter_set: { operator: 'OR', filters: [{ field: 'EVENT', operator: 'EQ', value: 'PIXEL ADD TO CART' }] },
					},
				],
			},
		});
		const view = await inspectAudience(stack.emulator.url, audience.audienceId);
		expect(view.members).toEqual(consenting.map((p) => sha(p.identify_by_email.toLowerCase())).sort());
		const events = stack.emulator.state.events.get(MAIN_PIXEL.pixel_code)?.live ?? [];
		expect(events.map((e) => [e.event, e.email, e.phone])).toEqual(
			consenting.map((p) => ['AddToCart', [sha(p.identify_by_email.toLowerCase())], [sha(`+1${p.identify_by_phone.replace(/\D/g, '')}`)]]),
		);

		// The response is the first item of the last node; the execution holds every item and the summary.
		const track = stack.emulator.state.requestLog.filter((r) => r.path.endsWith('/event/track/'));
		expect(track.map((r) => r.code)).toEqual([0]);
		const eventTime = res.json.event_time as number;
		expect(res.json).toEqual({
			status: 'sent',
			event: 'AddToCart',
			pixel_code: MAIN_PIXEL.pixel_code,
			audience_id: audience.audienceId,
			identifiers: ['email', 'phone'],
			event_id: sha(`${audience.audienceId}|${MAIN_PIXEL.pixel_code}|AddToCart|${sha('shopper0@example.com')}|${Math.floor(eventTime / 86400)}`),
			event_time: eventTime,
			request_id: track[0].request_id,
		});
		const [execution] = await waitFor('the webhook execution', async () => {
			const done = await executionsOf(FILE, 'webhook');
			return done.length > 0 ? done : undefined;
		});
		expect(execution.status).toBe('success');
		const out = nodeOutput(execution, 'TikTok Send Sync Event');
		expect(out.slice(0, people.length).map((o) => o.status)).toEqual(people.map((p) => (p.consent === false ? 'skipped' : 'sent')));
		expect(out[people.length]).toEqual({
			summary: { sent: consenting.length, skipped: 3, skipped_by_reason: { no_consent: 3 }, failed: 0, requests: 1, request_ids: [track[0].request_id] },
		});

		// A production run; the nodes write no static data (n8n saves none).
		expect(await storedStaticData(stack.session, ids[FILE])).toBeNull();
	});
});

describeOnFullSuite('list-sync-trigger-instant-unlink-delete.json', () => {
	const FILE = 'list-sync-trigger-instant-unlink-delete.json';
	const NAME = 'CRM customers (trigger)';

	test('activated: the initial sync creates the 1,500-member list; unlink refuses a wrong name, then unlinks; delete removes it', async () => {
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

		const wrong = await postWebhookOnceRegistered(stack.url, 'tiktok-audience-unlink', { audienceId, confirmName: 'crm customers (trigger)' });
		expect(wrong.status).toBe(500);
		const facts = [linkFact.unlinked(audienceId), linkFact.deleted(audienceId), linkFact.deletedName(ADV, NAME)];
		expect(await storedLinkFacts(stack.n8n, ids[FILE], facts)).toEqual([]);

		const unlinked = await postWebhook(stack.url, 'tiktok-audience-unlink', { audienceId, confirmName: NAME });
		expect(unlinked).toEqual({
			status: 200,
			json: { operation: 'Unlink', advertiserId: ADV, audienceId, name: NAME, unlinked: true, alreadyUnlinked: false },
		});
		expect(await storedLinkFacts(stack.n8n, ids[FILE], facts)).toEqual([linkFact.unlinked(audienceId)]);
		expect(stack.emulator.state.audiences.has(audienceId)).toBe(true);

		const deleted = await postWebhook(stack.url, 'tiktok-audience-delete', { audienceId, confirmName: NAME });
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
