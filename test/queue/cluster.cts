// A real n8n 2.x queue-mode cluster for tests, started on free loopback ports and stopped by process group:
// Postgres 15 (Debian's initdb/postgres, run as an unprivileged user, throwaway data directory), Redis (Debian's
// redis-server, no persistence), n8n main (`n8n start`) and workers (`n8n worker --concurrency=N`), each with this
// package installed from its packed tarball, plus the TikTok emulator in this process.
//
// Recipe (n8n's queue-mode docs, https://docs.n8n.io/hosting/scaling/queue-mode/): every process shares
// EXECUTIONS_MODE=queue, the Bull Redis, the Postgres database and one encryption key; each worker needs its own
// task-runner broker port and health-check port (else every worker takes 5678 and their runners clash on 5679).
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { startEmulator, type EmulatorHandle, type EmulatorOptions } from '../emulator/index.cts';
import { emulatorCredentialData } from '../e2e/stack.cts';
import {
	cleanupStack,
	CREDENTIAL_TYPE,
	REPO_ROOT,
	createCredential,
	createN8n,
	freePorts,
	log,
	login,
	prepare,
	run,
	spawnGroup,
	waitFor,
	type N8nInstance,
	type Session,
	type Spawned,
} from '../e2e/n8nServer.cts';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
/** The unprivileged account Postgres runs as when the tests run as root (initdb refuses root). */
const PG_OS_USER = 'tiktok-queue-pg';
const PG_DATABASE = 'n8n';

function onPath(binary: string): boolean {
	return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && fs.existsSync(path.join(dir, binary)));
}

/** Installs Debian's redis-server / postgresql-15 with apt-get when missing (scripts/install-queue-deps.sh). */
export async function ensureQueueDependencies(): Promise<void> {
	if (onPath('redis-server') && fs.existsSync(path.join(PG_BIN, 'initdb')) && fs.existsSync(path.join(PG_BIN, 'psql'))) return;
	log('installing redis-server / postgresql-15 with apt-get (scripts/install-queue-deps.sh)');
	await run('bash', [path.join(REPO_ROOT, 'scripts', 'install-queue-deps.sh')], { timeoutMs: 15 * 60_000 });
}

// ---------------------------------------------------------------------------------------------------------------
// Postgres 15

export interface Postgres {
	port: number;
	dir: string;
	/** Runs SQL with psql against the n8n database; returns the unaligned rows (fields separated by \t). */
	query(sql: string): Promise<string[][]>;
	stop(): Promise<void>;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a Postgres binary as the unprivileged account when we are root, else as ourselves. */
function asPgUser(binary: string, args: string[]): [string, string[]] {
	return isRoot() ? ['runuser', ['-u', PG_OS_USER, '--', binary, ...args]] : [binary, args];
}

export async function startPostgres(): Promise<Postgres> {
	if (isRoot()) {
		const known = await run('id', ['-u', PG_OS_USER], { check: false });
		if (known.code !== 0) {
			await run('useradd', ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', PG_OS_USER]);
		}
	}
	const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tiktok-queue-pg-'));
	await fsp.chmod(dir, 0o755);
	if (isRoot()) await run('chown', [PG_OS_USER, dir]);
	const data = path.join(dir, 'data');
	const [initdb, initArgs] = asPgUser(path.join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
	await run(initdb, initArgs, { env: { ...process.env, LANG: 'C.UTF-8' } });
	const [port] = await freePorts(1);
	// In the foreground inside our own process group (not pg_ctl's daemon), so stopping the group stops it all.
	// fsync off: a throwaway database, durability is not what these tests measure.
	const [postgres, pgArgs] = asPgUser(path.join(PG_BIN, 'postgres'), [
		'-D', data, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
	]);
	const server = spawnGroup(postgres, pgArgs, { env: { ...process.env, LANG: 'C.UTF-8' }, logFile: path.join(dir, 'postgres.log'), removeDirIfOrphaned: dir });
	const psql = (db: string, sql: string) =>
		run(path.join(PG_BIN, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', db, '-v', 'ON_ERROR_STOP=1', '-At', '-F', '\t', '-c', sql], { check: true });
	await waitFor('postgres to accept connections', async () => (await psql('postgres', 'SELECT 1')).stdout.trim() === '1', { timeoutMs: 60_000, intervalMs: 300 });
	// CREATE DATABASE cannot run inside the single transaction of a multi-statement -c
	await psql('postgres', `CREATE DATABASE ${PG_DATABASE}`);
	return {
		port,
		dir,
		async query(sql) {
			const { stdout } = await psql(PG_DATABASE, sql);
			return stdout.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
		},
		async stop() {
			await server.stop(15_000);
			await fsp.rm(dir, { recursive: true, force: true });
		},
	};
}

// ---------------------------------------------------------------------------------------------------------------
// Redis

async function redisPing(port: number): Promise<boolean> {
	return new Promise((resolve) => {
		const socket = net.connect(port, '127.0.0.1');
		let reply = '';
		socket.setTimeout(2000, () => socket.destroy());
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk) => {
			reply += chunk.toString();
			if (reply.includes('\r\n')) socket.end();
		});
		socket.on('close', () => resolve(reply.startsWith('+PONG')));
		socket.on('error', () => resolve(false));
	});
}

export async function startRedis(): Promise<{ port: number; stop(): Promise<void> }> {
	const [port] = await freePorts(1);
	const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'tiktok-queue-redis-'));
	const server: Spawned = spawnGroup(
		'redis-server',
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir],
		{ env: process.env, logFile: path.join(dir, 'redis.log'), removeDirIfOrphaned: dir },
	);
	await waitFor('redis to answer PING', async () => redisPing(port), { timeoutMs: 30_000, intervalMs: 200 });
	return {
		port,
		async stop() {
			await server.stop(5000);
			await fsp.rm(dir, { recursive: true, force: true });
		},
	};
}

// ---------------------------------------------------------------------------------------------------------------
// The cluster

export interface Cluster {
	emulator: EmulatorHandle;
	postgres: Postgres;
	redisPort: number;
	main: N8nInstance;
	workers: N8nInstance[];
	session: Session;
	credential: { id: string; name: string };
	/** Which worker (index) logged "Worker started execution <id>"; undefined when none did (yet). */
	workerOf(executionId: string): number | undefined;
	/** Executions worker `index` logged as started and not (yet) as finished, in its log from offset `since` on. */
	runningOn(index: number, since?: number): string[];
	/** kill -9 of a worker's whole process group (n8n and its task runner), no shutdown of any kind. */
	killWorker(index: number): Promise<void>;
	/** Starts a fresh worker process in that slot (same user folder and ports). */
	startWorker(index: number): Promise<void>;
	stop(): Promise<void>;
}

export interface ClusterOptions {
	workers?: number;
	concurrency?: number;
	emulator?: EmulatorOptions;
	/** Extra environment for every n8n process. */
	env?: Record<string, string>;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
	const cleanups = cleanupStack();
	const stopAll = cleanups.stopAll;
	try {
		await ensureQueueDependencies();
		const [{ n8nDir, tarball }, postgres, redis] = await Promise.all([prepare(), startPostgres(), startRedis()]);
		cleanups.push(() => postgres.stop(), () => redis.stop());
		log(`postgres on ${postgres.port}, redis on ${redis.port}`);
		const emulator = await startEmulator(options.emulator);
		cleanups.push(() => emulator.close());

		const env: Record<string, string> = {
			EXECUTIONS_MODE: 'queue',
			QUEUE_BULL_REDIS_HOST: '127.0.0.1',
			QUEUE_BULL_REDIS_PORT: String(redis.port),
			DB_TYPE: 'postgresdb',
			DB_POSTGRESDB_HOST: '127.0.0.1',
			DB_POSTGRESDB_PORT: String(postgres.port),
			DB_POSTGRESDB_DATABASE: PG_DATABASE,
			DB_POSTGRESDB_USER: 'postgres',
			// trust authentication on loopback: the password is not checked
			DB_POSTGRESDB_PASSWORD: 'unused',
			OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'false',
			...options.env,
		};
		const main = await createN8n({ n8nDir, tarball, env });
		cleanups.push(() => main.dispose());
		// the main first: it runs the migrations the workers expect
		await main.start();
		const workers = await Promise.all(
			Array.from({ length: options.workers ?? 2 }, () => createN8n({ n8nDir, tarball, env, worker: { concurrency: options.concurrency ?? 2 } })),
		);
		for (const w of workers) cleanups.push(() => w.dispose());
		await Promise.all(workers.map((w) => w.start()));
		const session = await login(main.url);
		const credentialName = 'TikTok (emulator)';
		const credentialId = await createCredential(session, { name: credentialName, type: CREDENTIAL_TYPE, data: emulatorCredentialData(emulator) });

		return {
			emulator,
			postgres,
			redisPort: redis.port,
			main,
			workers,
			session,
			credential: { id: credentialId, name: credentialName },
			workerOf(executionId) {
				const pattern = new RegExp(`Worker started execution ${executionId}\\b`);
				const found = workers.findIndex((w) => pattern.test(w.logs()));
				return found === -1 ? undefined : found;
			},
			runningOn(index, since = 0) {
				const logs = workers[index].logs().slice(since);
				const finished = new Set([...logs.matchAll(/Worker finished execution (\d+)/g)].map((m) => m[1]));
				return [...logs.matchAll(/Worker started execution (\d+)/g)].map((m) => m[1]).filter((id) => !finished.has(id));
			},
			async killWorker(index) {
				const pid = workers[index].pid();
				if (pid === undefined) throw new Error(`worker ${index} is not running`);
				process.kill(-pid, 'SIGKILL');
				await workers[index].stop(); // reaps the dead group and forgets it
			},
			async startWorker(index) {
				await workers[index].start();
			},
			stop: stopAll,
		};
	} catch (error) {
		await stopAll();
		throw error;
	}
}
