// Keeping a TikTok audience equal to a segment, in the real n8n server (2.41.1, this package from its tarball)
// against the emulator, with the two examples made for it:
//
//   list-sync-daily-csv.json (Mirror): activated, over three emulator days with an n8n restart between days 1 and 2.
//     Each day the segment's CSV export changes (people join and leave) and the schedule runs the workflow (a
//     production execution); the audience then equals the segment exactly, TikTok received only who joined and who
//     left, and the snapshot file is where the example says, holding exactly the segment's hashes and no raw value.
//   list-sync-customerlabs-changes.json (From Each Row): bursts of concurrent CustomerLabs-like segment webhooks
//     (entered / exited, with the Header Auth header) on an audience started by a full upload: exact members after
//     every burst, at most one APPEND and one REMOVE update per call, the later row winning inside a call.
//
// The examples are imported as users get them, with two changes only a test needs: the file paths move into the
// test's allowed folder (N8N_RESTRICT_FILE_ACCESS_TO), and "every day at 03:00" becomes "every minute at second 0",
// since the test's days are emulator days (its clock is set before each run) and cannot wait for 03:00.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';

import { SEED } from '../emulator/index.cts';
import { createAudience } from '../emulator/testClient.cts';
import { parseSnapshot, rawIdentifiersIn } from '../support/snapshotFile.cts';
import {
	CREDENTIAL_TYPE,
	REPO_ROOT,
	activateWorkflow,
	deactivateWorkflow,
	executionSettled,
	importCredentialsCli,
	importWorkflowCli,
	log,
	nodeOutput,
	waitFor,
	type Execution,
	type WorkflowJson,
} from './n8nServer.cts';
import { emulatorCredentialData, startStack, type Stack } from './stack.cts';
import { DAY, DOCKER_FILES_DIR, inFilesFolder, postWebhook, postWebhookOnceRegistered, sha, storedStaticData } from './workflows.cts';

const ADV = SEED.grantedAdvertiserId;
const MIRROR_EXAMPLE = 'list-sync-daily-csv.json';
const CHANGES_EXAMPLE = 'list-sync-customerlabs-changes.json';
const TIKTOK_CREDENTIAL = { id: 'tiktok-emulator', name: 'TikTok Business API (emulator)' };
/** The Header Auth credential the CustomerLabs webhook references, as a user creates it. */
const HEADER = { id: 'customerlabs-webhook-header', name: 'CustomerLabs webhook header', header: 'X-Webhook-Token', secret: randomBytes(24).toString('hex') };
const SNAPSHOT_PATH = `${DOCKER_FILES_DIR}crm-customers.tiktok-snapshot`;

const readExample = (file: string): WorkflowJson => JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8'));

let stack: Stack;
let filesDir = '';
const ids: Record<string, string> = {};

beforeAll(async () => {
	filesDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tiktok-e2e-mirror-'));
	stack = await startStack({ emulator: { matchRate: 1, processingDelayMs: 0 }, n8n: { env: { N8N_RESTRICT_FILE_ACCESS_TO: filesDir } } });
	await importCredentialsCli(stack.n8n, [
		{ ...TIKTOK_CREDENTIAL, type: CREDENTIAL_TYPE, data: emulatorCredentialData(stack.emulator) },
		{ id: HEADER.id, name: HEADER.name, type: 'httpHeaderAuth', data: { name: HEADER.header, value: HEADER.secret } },
	]);
	const mirror = inFilesFolder(readExample(MIRROR_EXAMPLE), filesDir);
	mirror.nodes = mirror.nodes.map((n) =>
		n.name === 'Every Day at 03:00' ? { ...n, parameters: { rule: { interval: [{ field: 'cronExpression', expression: '0 * * * * *' }] } } } : n,
	);
	ids[MIRROR_EXAMPLE] = await importWorkflowCli(stack.n8n, mirror);
	ids[CHANGES_EXAMPLE] = await importWorkflowCli(stack.n8n, readExample(CHANGES_EXAMPLE));
}, 600_000);

afterAll(async () => {
	await stack?.stop();
	if (filesDir) await fsp.rm(filesDir, { recursive: true, force: true });
});

const audiencesNamed = (name: string) => [...stack.emulator.state.audiences.values()].filter((a) => a.name === name);
const calls = (from: number) => stack.emulator.state.requestLog.slice(from).map((c) => c.path.replace('/open_api/v1.3/', ''));

describe('list-sync-daily-csv.json: Mirror over three days, n8n restarted between days 1 and 2', () => {
	const NAME = 'CRM customers (daily CSV)';
	// Customer i as examples/customers.csv writes them; the emulator stores a MULTIPLE_TYPES row as the pair's hashes.
	const email = (i: number) => `customer${i}@example.com`;
	const phone = (i: number) => `+1 415 555 ${1000 + i}`;
	const member = (i: number) => `EMAIL_SHA256:${sha(email(i))}|PHONE_SHA256:${sha(`1415555${1000 + i}`)}`;
	const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
	const SEGMENT = [
		range(0, 1200), // day 1: examples/customers.csv's 1,200 customers
		[...range(30, 1200), ...range(1200, 1240)], // day 2: customers 0-29 left, 1200-1239 joined
		[...range(0, 5), ...range(50, 1240), ...range(1240, 1265)], // day 3: 30-49 left, 0-4 came back, 1240-1264 joined
	];
	/** What the CRM exports each day: the segment, plus a bad row, an empty row and the first customer again. */
	const csvOf = (segment: number[]) => ['email,phone', ...segment.map((i) => `${email(i)},${phone(i)}`), 'not-an-email,12', ',', `${email(segment[0])},${phone(segment[0])}`].join('\n');

	/** Waits until the scheduled runs (second 0 of each minute) are at least 5 s away and none is running. */
	async function betweenRuns(workflowId: string): Promise<void> {
		await waitFor(
			'a moment between scheduled runs',
			async () => {
				const second = new Date().getUTCSeconds();
				if (second < 5 || second > 45) return undefined;
				const open = (await stack.executions(workflowId)).filter((e) => !executionSettled(e));
				return open.length === 0 || undefined;
			},
			{ timeoutMs: 120_000, intervalMs: 500 },
		);
	}

	/** The first scheduled run that started at or after `after` (a production execution, mode trigger), once settled. */
	async function scheduledRunAfter(workflowId: string, after: number): Promise<Execution> {
		return waitFor(
			'the scheduled run',
			async () => {
				const runs = (await stack.executions(workflowId)).filter((e) => e.mode === 'trigger' && Date.parse(e.startedAt) >= after);
				const first = runs.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt))[0];
				return first && executionSettled(first) ? first : undefined;
			},
			{ timeoutMs: 150_000, intervalMs: 1000 },
		);
	}

	test('each day the audience equals the segment, only joiners and leavers are sent, and the snapshot file holds exactly its hashes', async () => {
		const id = ids[MIRROR_EXAMPLE];
		const snapshotFile = path.join(filesDir, path.basename(SNAPSHOT_PATH));
		await activateWorkflow(stack.session, id);
		let audienceId = '';
		const history: Array<[string, string]> = [];
		for (const [day, segment] of SEGMENT.entries()) {
			if (day === 1) {
				// The snapshot is a file beside the CSV: a restart of n8n changes nothing about it.
				const before = await fsp.readFile(snapshotFile);
				await stack.n8n.restart();
				expect((await fsp.readFile(snapshotFile)).equals(before)).toBe(true);
			}
			await betweenRuns(id);
			// The day's export replaces yesterday's in one step (a run never reads half a file).
			await fsp.writeFile(path.join(filesDir, 'customers.csv.new'), csvOf(segment));
			await fsp.rename(path.join(filesDir, 'customers.csv.new'), path.join(filesDir, 'customers.csv'));
			stack.emulator.clock.set(Date.now() - (SEGMENT.length - 1 - day) * DAY);
			const mark = stack.emulator.state.requestLog.length;
			const prepared = Date.now();
			const execution = await scheduledRunAfter(id, prepared);
			log(`mirror day ${day + 1}: execution ${execution.id} (${execution.mode}) ${execution.status}`);
			expect({ day: day + 1, status: execution.status, error: execution.data?.resultData.error?.message }).toEqual({ day: day + 1, status: 'success', error: undefined });

			const [audience] = audiencesNamed(NAME);
			expect(audiencesNamed(NAME)).toHaveLength(1);
			audienceId ||= audience.audienceId;
			expect(audience.audienceId).toBe(audienceId);
			const expected = segment.map(member).sort();
			expect({ day: day + 1, members: [...audience.members].sort() }).toEqual({ day: day + 1, members: expected });

			const previous = day === 0 ? [] : SEGMENT[day - 1];
			const joined = segment.filter((i) => !previous.includes(i)).length;
			const left = previous.filter((i) => !segment.includes(i)).length;
			const requests = stack.emulator.state.requestLog.slice(mark);
			const [summary] = nodeOutput(execution, 'Mirror Customers to TikTok');
			if (day === 0) {
				expect(calls(mark)).toEqual(['dmp/custom_audience/list/', 'dmp/custom_audience/file/upload/', 'dmp/custom_audience/create/', 'dmp/custom_audience/get/']);
				history.push(['create', '1200']);
			} else {
				expect(calls(mark)).toEqual([
					'dmp/custom_audience/list/',
					'dmp/custom_audience/get/',
					'dmp/custom_audience/file/upload/',
					'dmp/custom_audience/file/upload/',
					'dmp/custom_audience/update/',
					'dmp/custom_audience/update/',
					'dmp/custom_audience/get/',
				]);
				history.push(['append', String(joined)], ['remove', String(left)]);
				// The previous snapshot came from the file the day before wrote.
				expect(nodeOutput(execution, 'Read Previous Snapshot')).toEqual([expect.objectContaining({ fileName: path.basename(SNAPSHOT_PATH) })]);
			}
			expect(audience.history.map((h) => [h.action, h.action_detail])).toEqual(history);
			expect(summary).toEqual({
				audienceId,
				audienceName: NAME,
				advertiserId: ADV,
				calculateType: 'MULTIPLE_TYPES',
				action: day === 0 ? 'CREATE' : 'MIRROR',
				created: day === 0,
				dryRun: false,
				skipped: false,
				source: 'binary',
				rowsIn: segment.length + 3,
				rowsSent: segment.length,
				invalidTotal: 2,
				invalid: { email_invalid: { count: 1, rows: [segment.length + 1] }, empty: { count: 1, rows: [segment.length + 2] } },
				droppedValues: {},
				duplicates: 1,
				preHashed: 0,
				filesUploaded: day === 0 ? 1 : 2,
				requestIds: requests.filter((r) => !r.path.endsWith('/list/')).map((r) => r.request_id),
				audienceSize: segment.length,
				audienceValid: true,
				mirror:
					day === 0
						? { firstSync: true, sentAs: 'CREATE', reason: 'new_list', joined: 1200, left: 0, members: 1200, previousMembers: null, snapshotField: 'snapshot' }
						: { firstSync: false, sentAs: 'CHANGES', joined, left, members: segment.length, previousMembers: previous.length, snapshotField: 'snapshot' },
			});

			// The new snapshot is in the file the example names: exactly today's segment, intact, for this audience.
			const saved = await fsp.readFile(snapshotFile);
			const snapshot = parseSnapshot(saved);
			expect({ ...snapshot, members: snapshot.members.length }).toEqual({
				calculateType: 'MULTIPLE_TYPES',
				advertiserId: ADV,
				audienceId,
				members: segment.length,
				checksumOk: true,
				bytes: saved.length,
			});
			expect(snapshot.members).toEqual(expected);
			const raw = segment.flatMap((i) => [email(i), phone(i), `1415555${1000 + i}`]);
			expect(rawIdentifiersIn(saved, raw)).toEqual([]);
		}
		await deactivateWorkflow(stack.session, id);
		expect(history.map(([action]) => action)).toEqual(['create', 'append', 'remove', 'append', 'remove']);
		// Mirror keeps nothing in static data; the only static data is the Schedule Trigger's own.
		expect(Object.keys((await storedStaticData(stack.session, id)) ?? {})).toEqual(['node:Every Day at 03:00']);
	});
});

describe('list-sync-customerlabs-changes.json: segment entered/exited webhooks in bursts', () => {
	const NAME = 'CustomerLabs: segment members';
	const PATH = 'customerlabs-tiktok-segment-changes';
	const email = (prefix: string, i: number) => `${prefix}${i}@example.com`;
	const users = (prefix: string, from: number, to: number, event?: string) =>
		Array.from({ length: to - from }, (_, k) => ({ identify_by_email: email(prefix, from + k), ...(event ? { event } : {}) }));
	const post = (body: unknown) => postWebhook(stack.url, PATH, body, { [HEADER.header]: HEADER.secret });

	test('bursts of concurrent calls: the audience holds exactly the people whose last event was entered', async () => {
		// The audience exists with the whole segment, uploaded once (TikTok's floor: updates need 1,000 members).
		const audienceId = await createAudience(stack.emulator, Array.from({ length: 1200 }, (_, i) => sha(email('member', i))), NAME);
		const members = new Set(Array.from({ length: 1200 }, (_, i) => email('member', i)));
		const membersNow = () => [...(stack.emulator.state.audiences.get(audienceId)?.members ?? [])].sort();
		const expected = () => [...members].map(sha).sort();
		await activateWorkflow(stack.session, ids[CHANGES_EXAMPLE]);

		// Without the header n8n refuses the call and nothing reaches TikTok.
		const mark = stack.emulator.state.requestLog.length;
		const refused = await postWebhookOnceRegistered(stack.url, PATH, { event: 'segment_exited', users: users('member', 0, 5) });
		expect(refused).toEqual({ status: 403, json: 'Authorization data is wrong!' });
		expect(stack.emulator.state.requestLog.length).toBe(mark);

		// Burst 1, four calls at once, each about other people.
		const burst1 = await Promise.all([
			post({ event: 'segment_entered', users: users('new', 0, 10) }),
			post({ event: 'segment_exited', users: users('member', 0, 10) }),
			// Per-user events in one call; an address in another case is the same person.
			post({ users: [{ identify_by_email: 'New10@Example.com', event: 'segment_entered' }, ...users('member', 10, 12, 'segment_exited')] }),
			// The same person entered, then exited in one call (the later row wins); an event that is neither.
			post({
				users: [
					{ identify_by_email: email('late', 0), event: 'segment_entered' },
					{ identify_by_email: email('late', 0), event: 'segment_exited' },
					{ identify_by_email: email('member', 12), event: 'segment_updated' },
				],
			}),
		]);
		for (const e of users('new', 0, 11)) members.add(e.identify_by_email);
		for (const e of users('member', 0, 12)) members.delete(e.identify_by_email);
		expect(burst1.map((r) => r.status)).toEqual([200, 200, 200, 200]);
		expect(burst1.map((r) => [r.json.appended, r.json.removed, r.json.overridden, r.json.invalidTotal])).toEqual([
			[10, 0, 0, 0],
			[0, 10, 0, 0],
			[1, 2, 0, 0],
			[0, 1, 1, 1],
		]);
		expect(burst1[3].json.invalid).toEqual({ unknown_change: { count: 1, rows: [3] } });
		expect(membersNow()).toEqual(expected());

		// Burst 2: some who entered leave again, some who left come back, everyone in one call each way.
		const burst2 = await Promise.all([
			post({ event: 'segment_exited', users: users('new', 0, 5) }),
			post({ event: 'segment_entered', users: users('member', 0, 5) }),
			post({ users: [...users('new', 20, 25, 'segment_entered'), ...users('member', 100, 103, 'segment_exited')] }),
		]);
		for (const e of users('new', 0, 5)) members.delete(e.identify_by_email);
		for (const e of [...users('member', 0, 5), ...users('new', 20, 25)]) members.add(e.identify_by_email);
		for (const e of users('member', 100, 103)) members.delete(e.identify_by_email);
		expect(burst2.map((r) => [r.status, r.json.appended, r.json.removed])).toEqual([
			[200, 0, 5],
			[200, 5, 0],
			[200, 5, 3],
		]);
		expect(membersNow()).toEqual(expected());
		expect(membersNow()).toHaveLength(1200 + 11 - 12 - 5 + 5 + 5 - 3);

		// At most one APPEND and one REMOVE update per call: TikTok's history has exactly those.
		const history = (stack.emulator.state.audiences.get(audienceId)?.history ?? []).map((h) => [h.action, h.action_detail]);
		expect(history.slice(0, 1)).toEqual([['create', '1200']]);
		expect(history.slice(1).sort()).toEqual(
			[
				['append', '10'],
				['remove', '10'],
				['append', '1'],
				['remove', '2'],
				['remove', '1'],
				['remove', '5'],
				['append', '5'],
				['append', '5'],
				['remove', '3'],
			].sort(),
		);
		await deactivateWorkflow(stack.session, ids[CHANGES_EXAMPLE]);
	});
});
