// `npm run editor` as a developer runs it: a child process (npm → node scripts/editor.cts → n8n + its task runner, the
// emulator in the editor's process), its data in a temporary TIKTOK_SYNC_CACHE while Node 24 and n8n come from the
// machine's cache (TIKTOK_SYNC_TOOLS_CACHE). The test reads the printed block, logs in with the printed login, finds
// the examples and the credentials (TikTok, and the Header Auth credentials of the example webhooks), runs the printed
// curl against the CustomerLabs webhook (it carries the X-Webhook-Token header; without it n8n answers 403), then
// sends SIGTERM to npm and checks that every process the run started is gone and its ports are free. A second run without --fresh reuses
// the same user folder: same workflows and credential, package not rebuilt.
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { WEBHOOK_AUTH_HEADER } from '../../scripts/editor.cts';
import { SEED } from '../emulator/index.cts';
import {
	CREDENTIAL_TYPE,
	PACKAGE_NAME,
	REPO_ROOT,
	log,
	login,
	node24Path,
	run,
	spawnGroup,
	testCredential,
	toolsCacheDir,
	waitFor,
	type Session,
	type Spawned,
	type WorkflowJson,
} from './n8nServer.cts';
import { postWebhookOnceRegistered, sha } from './workflows.cts';

const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
const EXAMPLES: WorkflowJson[] = fs
	.readdirSync(EXAMPLES_DIR)
	.filter((f) => f.endsWith('.json'))
	.sort()
	.map((f) => JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, f), 'utf8')));
const WEBHOOK_WORKFLOW = 'TikTok Event Sync: CustomerLabs webhook';
const MAIN_PIXEL = SEED.pixels[0];
const TEST_OK = { status: 'OK', message: 'Connection successful!' };
/** The Header Auth credentials the examples' webhooks reference (examples/*.json), by name. */
const HEADER_CREDENTIALS = ['CustomerLabs webhook header', 'Unlink and Delete webhook header'];

interface EditorRun {
	spawned: Spawned;
	stdout: () => string;
	/** stderr and stdout as logged */
	stderr: () => string;
	/** parsed from the printed block */
	url: string;
	email: string;
	password: string;
	emulatorUrl: string;
	curl: string;
	/** wall-clock seconds from spawn to the printed block */
	seconds: number;
}

let cache = '';
const runs: EditorRun[] = [];

beforeAll(async () => {
	cache = await fsp.mkdtemp(path.join(os.tmpdir(), 'tiktok-e2e-editor-cache-'));
});

afterAll(async () => {
	for (const r of runs) await r.spawned.stop(5000);
	if (cache) await fsp.rm(cache, { recursive: true, force: true });
});

async function startEditor(args: string[]): Promise<EditorRun> {
	const logFile = path.join(cache, `editor-${runs.length}.log`);
	let stdout = '';
	const env: NodeJS.ProcessEnv = {
		...process.env,
		PATH: node24Path(),
		TIKTOK_SYNC_CACHE: cache,
		// resolved in this process before the override: the machine's Node 24 and n8n
		TIKTOK_SYNC_TOOLS_CACHE: toolsCacheDir(),
	};
	delete env.NODE_ENV;
	const started = Date.now();
	const spawned = spawnGroup('npm', ['run', 'editor', '--', ...args], {
		cwd: REPO_ROOT,
		env,
		logFile,
		stdout: (chunk) => (stdout += chunk),
	});
	const stderr = () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '');
	let exitCode: number | null | undefined;
	void spawned.exited.then((code) => (exitCode = code));
	await waitFor(
		'the editor to print its block',
		async () => {
			if (exitCode !== undefined) throw new Error(`npm run editor exited with ${exitCode}\n${stderr().slice(-6000)}`);
			return /^Stop: Ctrl-C$/m.test(stdout);
		},
		{ timeoutMs: 15 * 60_000, intervalMs: 250 },
	);
	const seconds = (Date.now() - started) / 1000;
	const n8nUp = /n8n up at \S+ in ([0-9.]+) s/.exec(stderr())?.[1];
	log(`editor ready at ${/^ {2}Editor:\s+(\S+)/m.exec(stdout)?.[1]} after ${seconds.toFixed(1)} s (of which n8n start: ${n8nUp} s)`);
	const field = (label: string) => {
		const m = new RegExp(`^  ${label}:\\s+(\\S+)`, 'm').exec(stdout);
		if (!m) throw new Error(`no "${label}:" line in\n${stdout}`);
		return m[1];
	};
	const loginLine = /^ {2}Login:\s+(\S+) \/ (\S+)/m.exec(stdout);
	if (!loginLine) throw new Error(`no login in\n${stdout}`);
	// the curl command: lines ending in a backslash, then its last line
	const curlMatch = /^( +)(curl (?:[^\n]*\\\n)*[^\n]*)$/m.exec(stdout);
	// without the block's indentation
	const curl = curlMatch ? curlMatch[2].split('\n').map((line) => line.replace(curlMatch[1], '')).join('\n') : '';
	const r: EditorRun = {
		spawned,
		stdout: () => stdout,
		stderr,
		url: field('Editor'),
		email: loginLine[1],
		password: loginLine[2],
		emulatorUrl: field('Emulator'),
		curl,
		seconds,
	};
	runs.push(r);
	return r;
}

/** Every process below `root` (children, grandchildren, ...), from /proc. */
function descendants(root: number): number[] {
	const parent = new Map<number, number>();
	for (const entry of fs.readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
			// pid (comm) state ppid ...: comm may hold spaces and parentheses
			const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
			parent.set(Number(entry), ppid);
		} catch {
			// gone meanwhile
		}
	}
	const found: number[] = [];
	const walk = (pid: number) => {
		for (const [child, ppid] of parent) {
			if (ppid === pid) {
				found.push(child);
				walk(child);
			}
		}
	};
	walk(root);
	return found;
}

const commandLine = (pid: number) => {
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
	} catch {
		return '';
	}
};

/** Alive = /proc/<pid> exists and is not a zombie (a zombie holds no port or file, it only waits for its parent). */
const alive = (pid: number) => {
	try {
		const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
		return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
	} catch {
		return false;
	}
};

async function portIsFree(port: number): Promise<boolean> {
	const server = net.createServer();
	return new Promise((resolve) => {
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/** SIGTERM to npm only (what a process manager or `kill <pid>` does); every process of the run must end. */
async function stopAndCheck(r: EditorRun): Promise<void> {
	const npmPid = r.spawned.pid;
	const pids = [npmPid, ...descendants(npmPid)];
	const n8nPid = pids.find((pid) => /\/n8n\/bin\/n8n start$/.test(commandLine(pid)));
	expect(n8nPid).toBeDefined();
	const n8nEnv = Object.fromEntries(
		fs
			.readFileSync(`/proc/${n8nPid}/environ`, 'utf8')
			.split('\0')
			.filter(Boolean)
			.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
	);
	const ports = [Number(new URL(r.url).port), Number(new URL(r.emulatorUrl).port), Number(n8nEnv.N8N_RUNNERS_BROKER_PORT)];
	expect(n8nEnv.N8N_PORT).toBe(String(ports[0]));
	// npm, node (the editor), n8n, n8n's task runner, the harness's reaper of the n8n group
	expect(pids.length).toBeGreaterThanOrEqual(4);
	log(`editor processes: ${pids.map((pid) => `${pid} ${commandLine(pid).slice(0, 60)}`).join('; ')}`);

	process.kill(npmPid, 'SIGTERM');
	const code = await Promise.race([r.spawned.exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 60_000))]);
	expect(code).toBe(0);
	await waitFor('every process of the editor to end', async () => pids.every((pid) => !alive(pid)), { timeoutMs: 20_000 }).catch(() => undefined);
	expect(pids.filter(alive).map((pid) => `${pid} ${commandLine(pid)}`)).toEqual([]);
	const free = await Promise.all(ports.map(portIsFree));
	expect(Object.fromEntries(ports.map((p, i) => [p, free[i]]))).toEqual(Object.fromEntries(ports.map((p) => [p, true])));
	expect(r.stderr()).toMatch(/\[editor\] SIGTERM received\n\[editor\] stopping n8n and the emulator\n/);
}

interface Found {
	workflows: Array<{ id: string; name: string; active: boolean; nodes: WorkflowJson['nodes'] }>;
	credentials: Array<{ id: string; name: string; type: string }>;
}

async function findAll(session: Session): Promise<Found> {
	const list = await session.api<{ data: Array<{ id: string; name: string; active: boolean; nodes: WorkflowJson['nodes'] }> }>('GET', '/workflows?limit=250');
	const credentials = (await session.rest<Array<{ id: string; name: string; type: string }>>('GET', '/credentials')).map(({ id, name, type }) => ({ id, name, type }));
	return { workflows: list.data.sort((a, b) => a.name.localeCompare(b.name)), credentials: credentials.sort((a, b) => a.name.localeCompare(b.name)) };
}

/** The editor's "Test" button on a saved credential: its data as the editor loads it (secrets redacted). */
async function testStored(session: Session, id: string) {
	const stored = await session.rest<{ id: string; name: string; type: string; data: Record<string, unknown> }>('GET', `/credentials/${id}?includeData=true`);
	return testCredential(session, { id, name: stored.name, type: stored.type, data: stored.data });
}

let first: Found;

test('npm run editor -- --fresh: editor, login, examples, credential, the printed curl, and a clean SIGTERM', async () => {
	const defaultPortFree = await portIsFree(5678);
	const r = await startEditor(['--fresh']);
	expect(r.url).toBe(defaultPortFree ? 'http://127.0.0.1:5678' : r.url);
	expect(r.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
	expect(r.emulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
	expect(r.stderr()).toContain(`--fresh: removing ${path.join(cache, 'editor')}`);
	expect(fs.existsSync(path.join(cache, 'editor', 'n8n', '.n8n', 'nodes', 'node_modules', PACKAGE_NAME, 'package.json'))).toBe(true);

	const session = await login(r.url, { email: r.email, password: r.password });
	first = await findAll(session);
	expect(first.credentials.map(({ name, type }) => ({ name, type }))).toEqual(
		[{ name: 'TikTok (emulator)', type: CREDENTIAL_TYPE }, ...HEADER_CREDENTIALS.map((name) => ({ name, type: 'httpHeaderAuth' }))].sort((a, b) =>
			a.name.localeCompare(b.name),
		),
	);
	const credential = first.credentials.find((c) => c.type === CREDENTIAL_TYPE)!;
	// Each Header Auth credential: header X-Webhook-Token and the secret kept in the editor folder for the printed curl.
	const secrets = JSON.parse(fs.readFileSync(path.join(cache, 'editor', 'webhook-headers.json'), 'utf8')) as Record<string, { name: string; value: string }>;
	expect(Object.keys(secrets).sort()).toEqual(HEADER_CREDENTIALS);
	for (const name of HEADER_CREDENTIALS) {
		expect({ name, header: secrets[name].name, value: /^[0-9a-f]{36}$/.test(secrets[name].value) }).toEqual({ name, header: WEBHOOK_AUTH_HEADER, value: true });
	}
	expect(secrets[HEADER_CREDENTIALS[0]].value).not.toBe(secrets[HEADER_CREDENTIALS[1]].value);
	// Every example webhook is assigned the editor's credential of the name it references.
	const headerIds = Object.fromEntries(first.credentials.map((c) => [c.name, c.id]));
	const webhooks = (nodes: WorkflowJson['nodes']) => nodes.filter((n) => n.type === 'n8n-nodes-base.webhook').sort((a, b) => a.name.localeCompare(b.name));
	expect(webhooks(first.workflows.flatMap((w) => w.nodes)).map((n) => [n.name, n.parameters.authentication, n.credentials])).toEqual(
		webhooks(EXAMPLES.flatMap((e) => e.nodes)).map((n) => {
			const name = String(n.credentials?.httpHeaderAuth?.name);
			return [n.name, 'headerAuth', { httpHeaderAuth: { id: headerIds[name], name } }];
		}),
	);
	expect(first.workflows.map((w) => [w.name, w.active])).toEqual(
		EXAMPLES.map((e) => [e.name, e.name === WEBHOOK_WORKFLOW] as [string, boolean]).sort((a, b) => a[0].localeCompare(b[0])),
	);
	for (const workflow of first.workflows) {
		const ours = workflow.nodes.filter((n) => String(n.type).startsWith(`${PACKAGE_NAME}.`));
		const expected = EXAMPLES.find((e) => e.name === workflow.name)!.nodes.filter((n) => String(n.type).startsWith(`${PACKAGE_NAME}.`));
		expect(ours.map((n) => [n.name, n.credentials])).toEqual(
			expected.map((n) => [n.name, { [CREDENTIAL_TYPE]: { id: credential.id, name: 'TikTok (emulator)' } }]),
		);
	}
	const csvRead = first.workflows.flatMap((w) => w.nodes).find((n) => n.type === 'n8n-nodes-base.readWriteFile');
	expect(csvRead?.parameters.fileSelector).toBe(path.join(cache, 'editor', 'files', 'customers.csv'));

	expect(await testStored(session, credential.id)).toEqual(TEST_OK);

	// Without the header, n8n refuses the POST and nothing reaches the emulator.
	const emulatorRequests = async () => ((await (await fetch(`${r.emulatorUrl}/__emulator/requests`)).json()) as { requests: unknown[] }).requests;
	const requestsBefore = await emulatorRequests();
	const refused = await postWebhookOnceRegistered(r.url, 'customerlabs-tiktok-event-sync', { users: [{ identify_by_email: 'intruder@example.com' }] });
	expect(refused).toEqual({ status: 403, json: 'Authorization data is wrong!' });
	expect(await emulatorRequests()).toEqual(requestsBefore);

	// The printed curl, run as printed.
	expect(r.curl).toBe(
		[
			`curl -sS -X POST '${r.url}/webhook/customerlabs-tiktok-event-sync' \\`,
			`     -H '${WEBHOOK_AUTH_HEADER}: ${secrets['CustomerLabs webhook header'].value}' \\`,
			`     -H 'Content-Type: application/json' \\`,
			`     -d '{"users":[{"identify_by_email":"shopper@example.com","identify_by_phone":"+1 415 555 0100","consent":true}]}'`,
		].join('\n'),
	);
	const answer = await run('bash', ['-c', r.curl], { timeoutMs: 120_000 });
	const response = JSON.parse(answer.stdout);
	const { audiences } = (await (await fetch(`${r.emulatorUrl}/__emulator/audiences`)).json()) as {
		audiences: Array<{ audience_id: string; name: string; members: string[] }>;
	};
	expect(audiences.map((a) => [a.name, a.members])).toEqual([['CustomerLabs: high-intent visitors', [sha('shopper@example.com')]]]);
	const audienceId = audiences[0].audience_id;
	const requests = ((await (await fetch(`${r.emulatorUrl}/__emulator/requests`)).json()) as { requests: Array<{ path: string; request_id: string }> }).requests;
	const track = requests.filter((q) => q.path.endsWith('/event/track/'));
	expect(track).toHaveLength(1);
	const eventTime = response.eventTime as number;
	expect(response).toEqual({
		status: 'sent',
		event: 'CustomerLabsHighIntent',
		pixelCode: MAIN_PIXEL.pixel_code,
		audienceId,
		identifiers: ['email', 'phone'],
		eventId: sha(`${audienceId}|${MAIN_PIXEL.pixel_code}|CustomerLabsHighIntent|${sha('shopper@example.com')}|${Math.floor(eventTime / 86400)}`),
		eventTime,
		requestId: track[0].request_id,
	});

	await stopAndCheck(r);
}, 20 * 60_000);

test('npm run editor again (warm): same user folder, workflows and credential; package not rebuilt; clean SIGTERM', async () => {
	expect(first).toBeDefined();
	const r = await startEditor([]);
	expect(r.stderr()).toContain('[editor] package unchanged since the last install: not rebuilt');
	expect(r.stderr()).not.toContain('[editor] --fresh: removing');
	const session = await login(r.url, { email: r.email, password: r.password });
	const again = await findAll(session);
	expect(again.credentials).toEqual(first.credentials);
	expect(again.workflows.map((w) => [w.id, w.name, w.active])).toEqual(first.workflows.map((w) => [w.id, w.name, w.active]));
	// the emulator's URL is the one of this run (its port may differ from the first run's)
	expect(await testStored(session, again.credentials.find((c) => c.type === CREDENTIAL_TYPE)!.id)).toEqual(TEST_OK);
	await stopAndCheck(r);
}, 20 * 60_000);
