// `npm run editor [-- --fresh] [-- --watch]`: the real n8n 2.41.1 editor with this package installed from its packed
// tarball as a community package, the TikTok emulator, an owner account, a "TikTok (emulator)" credential, the Header
// Auth credentials the example webhooks reference (header X-Webhook-Token, a random secret each) and every example
// workflow of examples/ imported ready to run. A thin composition of the e2e harness (test/e2e/n8nServer.cts,
// test/e2e/stack.cts): the same n8n install, build, pack, community-package install and offline settings.
//
// The user folder lives in the project's cache (<cache>/editor/, TIKTOK_SYNC_CACHE moves it), so workflows,
// credentials and executions survive between runs; --fresh starts over. The package is rebuilt and reinstalled only
// when its sources changed since the last install. --watch rebuilds, reinstalls and restarts n8n when nodes/ or
// credentials/ change. Ctrl-C or SIGTERM stops n8n and the emulator; nothing is left running.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as path from 'node:path';

import { SEED, startEmulator, type EmulatorHandle } from '../test/emulator/index.cts';
import {
	CREDENTIAL_TYPE,
	N8N_VERSION,
	OWNER,
	PACKAGE_NAME,
	REPO_ROOT,
	activateWorkflow,
	buildPackage,
	cacheDir,
	createCredential,
	createN8n,
	createWorkflow,
	ensureN8nInstalled,
	getWorkflow,
	installCommunityPackage,
	login,
	onSignal,
	packPackage,
	testCredential,
	type N8nInstance,
	type Session,
	type WorkflowJson,
} from '../test/e2e/n8nServer.cts';
import { emulatorCredentialData } from '../test/e2e/stack.cts';
import { inFilesFolder } from '../test/e2e/workflows.cts';

export const CREDENTIAL_NAME = 'TikTok (emulator)';
/** n8n's usual port, and the emulator's port in the README; any free port when taken. */
const PREFERRED_N8N_PORT = 5678;
const PREFERRED_EMULATOR_PORT = 4010;
const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
const CSV_EXAMPLE = 'list-sync-daily-csv.json';
const WEBHOOK_EXAMPLE = 'event-sync-customerlabs-webhook.json';
const STATUS_EXAMPLE = 'audience-status.json';
/** The header a Header Auth webhook credential created here checks (n8n's httpHeaderAuth: {name, value}). */
export const WEBHOOK_AUTH_HEADER = 'X-Webhook-Token';
/** What the printed curl posts to the CustomerLabs webhook: one consenting user, as CustomerLabs sends it. */
export const SAMPLE_CUSTOMERLABS_BODY = {
	users: [{ identify_by_email: 'shopper@example.com', identify_by_phone: '+1 415 555 0100', consent: true }],
};
/** The inputs of `npm run build:only` (what ends up in the tarball). */
const BUILD_INPUTS = ['package.json', 'tsconfig.json', 'gulpfile.js', 'index.ts', 'nodes', 'credentials', 'icons'];

const say = (message: string) => process.stderr.write(`[editor] ${message}\n`);

export function editorDir(): string {
	return path.join(cacheDir(), 'editor');
}

function parseArgs(argv: string[]): { fresh: boolean; watch: boolean } {
	const options = { fresh: false, watch: false };
	for (const arg of argv) {
		if (arg === '--fresh') options.fresh = true;
		else if (arg === '--watch') options.watch = true;
		else if (arg === '--help' || arg === '-h') {
			process.stdout.write(
				'Usage: npm run editor [-- --fresh] [-- --watch]\n' +
					`  --fresh  start over: remove the editor's user folder (${editorDir()})\n` +
					'  --watch  rebuild, reinstall and restart n8n when nodes/ or credentials/ change\n',
			);
			process.exit(0);
		} else throw new Error(`unknown option ${arg} (try --help)`);
	}
	return options;
}

async function portIsFree(port: number): Promise<boolean> {
	const server = net.createServer();
	return new Promise((resolve) => {
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/** SHA-256 over the build inputs (paths and contents): unchanged sources need no rebuild. */
export function sourceFingerprint(root = REPO_ROOT): string {
	const hash = createHash('sha256');
	const add = (relative: string) => {
		const full = path.join(root, relative);
		if (!fs.existsSync(full)) return;
		if (fs.statSync(full).isDirectory()) {
			for (const entry of fs.readdirSync(full).sort()) add(path.join(relative, entry));
			return;
		}
		hash.update(`${relative}\0`).update(fs.readFileSync(full)).update('\0');
	};
	for (const input of BUILD_INPUTS) add(input);
	return hash.digest('hex');
}

/** Builds (in a staging copy) and packs the package; returns the tarball and a cleanup of the temp folders. */
async function buildAndPack(): Promise<{ tarball: string; cleanup: () => Promise<void> }> {
	const packageDir = await buildPackage();
	try {
		const tarball = await packPackage(packageDir);
		return { tarball, cleanup: () => fsp.rm(path.dirname(tarball), { recursive: true, force: true }) };
	} finally {
		if (packageDir !== REPO_ROOT) await fsp.rm(packageDir, { recursive: true, force: true });
	}
}

/** Single-quoted for a POSIX shell. */
const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

/**
 * The curl command that posts a JSON body to a workflow's production webhook. A webhook with Header Auth gets the
 * header of its credential (`headers`: credential name → {name, value}), so the command works as printed.
 */
export function webhookCurl(
	baseUrl: string,
	webhookNode: { parameters: Record<string, any>; credentials?: Record<string, { id?: string; name: string }> },
	body: unknown,
	headers: Record<string, { name: string; value: string }> = {},
): string {
	const method = String(webhookNode.parameters.httpMethod ?? 'GET');
	const lines = [`curl -sS -X ${method} ${shellQuote(`${baseUrl}/webhook/${webhookNode.parameters.path}`)}`];
	const auth = webhookNode.credentials?.httpHeaderAuth;
	if (webhookNode.parameters.authentication === 'headerAuth' && auth) {
		const header = headers[auth.name];
		if (!header) throw new Error(`no value for the Header Auth credential "${auth.name}"`);
		lines.push(`-H ${shellQuote(`${header.name}: ${header.value}`)}`);
	}
	lines.push(`-H 'Content-Type: application/json'`, `-d ${shellQuote(JSON.stringify(body))}`);
	return lines.join(' \\\n     ');
}

function readExamples(): Array<{ file: string; workflow: WorkflowJson }> {
	return fs
		.readdirSync(EXAMPLES_DIR)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((file) => ({ file, workflow: JSON.parse(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')) }));
}

async function findCredential(session: Session, name: string, type: string): Promise<string | undefined> {
	const all = await session.rest<Array<{ id: string; name: string; type: string }>>('GET', '/credentials');
	return all.find((c) => c.name === name && c.type === type)?.id;
}

/** Creates the credential, or updates its data (the emulator's port may differ from the last run). Returns the id. */
async function upsertCredential(session: Session, name: string, type: string, data: Record<string, unknown>): Promise<string> {
	const id = await findCredential(session, name, type);
	if (!id) return createCredential(session, { name, type, data });
	await session.api('PATCH', `/credentials/${id}`, { name, type, data });
	return id;
}

/** Header Auth values of the examples' webhooks, kept in the editor folder so the printed curl stays valid. */
async function webhookHeaders(session: Session, dir: string, examples: Array<{ workflow: WorkflowJson }>) {
	const file = path.join(dir, 'webhook-headers.json');
	const stored: Record<string, { name: string; value: string }> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
	const ids: Record<string, string> = {};
	for (const { workflow } of examples) {
		for (const node of workflow.nodes) {
			const auth = node.credentials?.httpHeaderAuth as { name: string } | undefined;
			if (node.type !== 'n8n-nodes-base.webhook' || node.parameters?.authentication !== 'headerAuth' || !auth) continue;
			stored[auth.name] ??= { name: WEBHOOK_AUTH_HEADER, value: randomBytes(18).toString('hex') };
			ids[auth.name] ??= await upsertCredential(session, auth.name, 'httpHeaderAuth', stored[auth.name]);
		}
	}
	await fsp.writeFile(file, JSON.stringify(stored, null, 2), { mode: 0o600 });
	return { values: stored, ids };
}

/**
 * An example as imported: the file paths of this machine (the CSV and the Mirror snapshot, ~/.n8n-files in n8n's Docker
 * image), the editor's credentials on every node that has one.
 */
function forThisEditor(workflow: WorkflowJson, filesDir: string, credentialId: string, headerIds: Record<string, string>): WorkflowJson {
	const moved = inFilesFolder(workflow, filesDir);
	return {
		...moved,
		nodes: moved.nodes.map((node) => {
			if (!node.credentials) return node;
			const credentials: Record<string, { id: string; name: string }> = {};
			for (const [type, ref] of Object.entries(node.credentials as Record<string, { name: string }>)) {
				credentials[type] =
					type === CREDENTIAL_TYPE ? { id: credentialId, name: CREDENTIAL_NAME } : { id: headerIds[ref.name] ?? '', name: ref.name };
			}
			return { ...node, credentials };
		}),
	};
}

interface Ready {
	url: string;
	emulatorUrl: string;
	credentialId: string;
	workflows: Record<string, { id: string; name: string; active: boolean }>;
	curl: string;
	dataDir: string;
}

/** Owner login, credential (tested), webhook credentials, examples imported when missing, the webhook example active. */
async function setUp(n8n: N8nInstance, emulator: EmulatorHandle, dataDir: string, filesDir: string): Promise<Ready> {
	const session = await login(n8n.url);
	try {
		const data = emulatorCredentialData(emulator);
		const credentialId = await upsertCredential(session, CREDENTIAL_NAME, CREDENTIAL_TYPE, data);
		const test = await testCredential(session, { id: credentialId, name: CREDENTIAL_NAME, type: CREDENTIAL_TYPE, data });
		if (test.status !== 'OK') throw new Error(`the credential "${CREDENTIAL_NAME}" failed its test: ${test.message}`);
		say(`credential "${CREDENTIAL_NAME}" → ${emulator.baseUrl}: test ${test.status}`);

		const examples = readExamples();
		const headers = await webhookHeaders(session, dataDir, examples);
		const existing = (await session.api<{ data: Array<{ id: string; name: string; active: boolean }> }>('GET', '/workflows?limit=250')).data;
		const workflows: Ready['workflows'] = {};
		for (const { file, workflow } of examples) {
			const found = existing.find((w) => w.name === workflow.name);
			if (found) {
				workflows[file] = { id: found.id, name: found.name, active: found.active };
				continue;
			}
			const id = await createWorkflow(session, forThisEditor(workflow, filesDir, credentialId, headers.ids));
			workflows[file] = { id, name: workflow.name, active: false };
			say(`imported "${workflow.name}" (${file})`);
		}
		// The CustomerLabs webhook answers on its production URL only while the workflow is active (published).
		const hook = workflows[WEBHOOK_EXAMPLE];
		if (hook && !hook.active) {
			await activateWorkflow(session, hook.id);
			hook.active = true;
			say(`activated "${hook.name}"`);
		}
		const stored = hook ? await getWorkflow(session, hook.id) : undefined;
		const webhookNode = stored?.nodes.find((n) => n.type === 'n8n-nodes-base.webhook');
		const curl = webhookNode ? webhookCurl(n8n.url, webhookNode as any, SAMPLE_CUSTOMERLABS_BODY, headers.values) : '';
		return { url: n8n.url, emulatorUrl: emulator.url, credentialId, workflows, curl, dataDir };
	} finally {
		// login() made an API key for this setup; do not pile one up per run in the kept database. n8n 2.41 lists
		// them as { items }, older versions as an array.
		try {
			type Key = { id: string; label: string };
			const keys = await session.rest<Key[] | { items: Key[] }>('GET', '/api-keys');
			for (const key of (Array.isArray(keys) ? keys : keys.items).filter((k) => /^e2e-\d+$/.test(k.label))) {
				await session.rest('DELETE', `/api-keys/${key.id}`);
			}
		} catch (error) {
			say(`could not remove the setup's API key: ${String(error).slice(0, 300)}`);
		}
	}
}

function readyBlock(ready: Ready, seconds: number, watch: boolean): string {
	const name = (file: string) => ready.workflows[file]?.name ?? file;
	const indent = (text: string) => text.replace(/^/gm, '       ');
	const count = Object.keys(ready.workflows).length;
	return [
		'',
		`n8n ${N8N_VERSION} editor with ${PACKAGE_NAME} is ready (${seconds.toFixed(1)} s)`,
		`  Editor:     ${ready.url}`,
		`  Login:      ${OWNER.email} / ${OWNER.password}   (local only)`,
		`  Emulator:   ${ready.emulatorUrl}   (TikTok Business API emulator; inspect: ${ready.emulatorUrl}/__emulator/audiences)`,
		`  Credential: "${CREDENTIAL_NAME}" (Custom Base URL → the emulator, advertiser ${SEED.grantedAdvertiserId})`,
		`  Workflows:  ${count} examples from examples/, ready to run`,
		'',
		'Try:',
		`  1. Open "${name(CSV_EXAMPLE)}" and click "Execute workflow": examples/customers.csv becomes the list "CRM customers (daily CSV)".`,
		`  2. Post a CustomerLabs user to the active "${name(WEBHOOK_EXAMPLE)}" webhook. Like every example webhook it`,
		`     requires the header ${WEBHOOK_AUTH_HEADER} (Header Auth; without it n8n answers 403). The secrets of the webhook`,
		`     credentials are in ${path.join(ready.dataDir, 'webhook-headers.json')}:`,
		indent(ready.curl),
		`  3. Open "${name(STATUS_EXAMPLE)}" and execute it: Get Status of the emulator's first audience (the list of step 1 when`,
		'     you ran it first; pick any audience in the Audience field).',
		'',
		`Data: ${ready.dataDir} (kept between runs; --fresh starts over). The emulator starts empty each run.`,
		watch ? 'Watching nodes/ and credentials/: a change rebuilds, reinstalls and restarts n8n.' : 'Rebuild on change: npm run editor -- --watch',
		'Stop: Ctrl-C',
		'',
	].join('\n');
}

async function main(): Promise<void> {
	const started = Date.now();
	const options = parseArgs(process.argv.slice(2));
	const dataDir = editorDir();
	const userFolder = path.join(dataDir, 'n8n');
	const filesDir = path.join(dataDir, 'files');
	const fingerprintFile = path.join(dataDir, 'installed-package.sha256');

	let n8n: N8nInstance | undefined;
	let emulator: EmulatorHandle | undefined;
	let watchers: fs.FSWatcher[] = [];
	let stopping = false;
	const stopAll = async (code: number) => {
		if (stopping) return;
		stopping = true;
		for (const watcher of watchers) watcher.close();
		say('stopping n8n and the emulator');
		try {
			await n8n?.stop();
			await emulator?.close();
		} finally {
			process.exit(code);
		}
	};
	// Ctrl-C under npm arrives twice within milliseconds (the terminal's, and npm's forwarded copy): that is one
	// request to stop. A signal more than a second after the first forces the exit (the harness's exit hook kills n8n).
	let firstSignalAt = 0;
	onSignal((signal) => {
		if (!firstSignalAt) {
			firstSignalAt = Date.now();
			say(`${signal} received`);
			void stopAll(0);
		} else if (Date.now() - firstSignalAt > 1000) {
			say(`${signal} again: stopping at once`);
			process.exit(130);
		}
	});

	if (options.fresh) {
		say(`--fresh: removing ${dataDir}`);
		await fsp.rm(dataDir, { recursive: true, force: true });
	}
	await fsp.mkdir(filesDir, { recursive: true });
	await fsp.copyFile(path.join(EXAMPLES_DIR, 'customers.csv'), path.join(filesDir, 'customers.csv'));

	const n8nDir = await ensureN8nInstalled();
	const fingerprint = sourceFingerprint();
	const installed = path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME, 'package.json');
	const upToDate = fs.existsSync(installed) && fs.existsSync(fingerprintFile) && fs.readFileSync(fingerprintFile, 'utf8') === fingerprint;
	let packed: Awaited<ReturnType<typeof buildAndPack>> | undefined;
	if (upToDate) say('package unchanged since the last install: not rebuilt');
	else packed = await buildAndPack();

	emulator = await startEmulator({
		port: (await portIsFree(PREFERRED_EMULATOR_PORT)) ? PREFERRED_EMULATOR_PORT : 0,
		// as in `npm run demo`: audiences are ready at once, 90% of the people match
		matchRate: 0.9,
		processingDelayMs: 0,
	});
	const logFile = path.join(userFolder, 'n8n.log');
	if (fs.existsSync(logFile)) await fsp.rename(logFile, path.join(userFolder, 'n8n.previous.log'));
	n8n = await createN8n({
		n8nDir,
		tarball: packed?.tarball,
		userFolder,
		port: (await portIsFree(PREFERRED_N8N_PORT)) ? PREFERRED_N8N_PORT : undefined,
		env: { N8N_RESTRICT_FILE_ACCESS_TO: filesDir },
	});
	if (packed) {
		await fsp.writeFile(fingerprintFile, fingerprint);
		await packed.cleanup();
	}
	await n8n.start();
	const ready = await setUp(n8n, emulator, dataDir, filesDir);
	process.stdout.write(readyBlock(ready, (Date.now() - started) / 1000, options.watch));

	if (options.watch) watchers = watchSources(n8n, userFolder, fingerprintFile);
}

/** --watch: a change under nodes/ or credentials/ rebuilds, reinstalls and restarts n8n (one rebuild at a time). */
function watchSources(n8n: N8nInstance, userFolder: string, fingerprintFile: string): fs.FSWatcher[] {
	let timer: NodeJS.Timeout | undefined;
	let running = false;
	let again = false;
	const rebuild = async () => {
		if (running) {
			again = true;
			return;
		}
		running = true;
		const started = Date.now();
		try {
			const fingerprint = sourceFingerprint();
			if (fs.existsSync(fingerprintFile) && fs.readFileSync(fingerprintFile, 'utf8') === fingerprint) return;
			say('change detected: rebuilding');
			const packed = await buildAndPack();
			await n8n.stop();
			await installCommunityPackage(userFolder, packed.tarball);
			await fsp.writeFile(fingerprintFile, fingerprint);
			await packed.cleanup();
			await n8n.start();
			say(`n8n restarted with the rebuilt package in ${((Date.now() - started) / 1000).toFixed(1)} s: reload the editor (${n8n.url})`);
		} catch (error) {
			say(`rebuild failed, fix and save again:\n${String(error).slice(0, 4000)}`);
			if (!n8n.running) await n8n.start().catch((e) => say(`n8n did not start: ${String(e).slice(0, 2000)}`));
		} finally {
			running = false;
			if (again) {
				again = false;
				void rebuild();
			}
		}
	};
	const onChange = () => {
		clearTimeout(timer);
		timer = setTimeout(() => void rebuild(), 500);
	};
	return ['nodes', 'credentials'].map((dir) => fs.watch(path.join(REPO_ROOT, dir), { recursive: true }, onChange));
}

if (require.main === module) {
	main().catch((error) => {
		process.stderr.write(`[editor] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
		// the exit hooks of the harness stop whatever was started
		process.exit(1);
	});
}
