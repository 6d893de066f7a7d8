// Programmatic entry point: startEmulator(options) → { url, baseUrl, close(), state, clock, faults, seed, ... }.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClock, DAY_MS, type EmulatorClock } from './clock.cts';
import { DEFAULT_RANDOM_KINDS, Faults, isFaultKind, RateLimiter, type FaultScript, type FaultScriptInput } from './faults.cts';
import { createInspection } from './inspection.cts';
import { createRng } from './rng.cts';
import { SEED, SEED_TOKENS, type Seed } from './seed.cts';
import { createRequestListener } from './server.cts';
import { State, type EmulatorConfig, type EmulatorContext } from './state.cts';

export { SEED, SEED_TOKENS } from './seed.cts';
export { FAULT_KINDS } from './faults.cts';

export interface EmulatorOptions {
	/** 0 (default) = any free port. The emulator always binds 127.0.0.1. */
	port?: number;
	seed?: number | string;
	/** Per-token QPS; default 1000; 0 = no limit. */
	qps?: number;
	/** Probability 0..1 of a random fault per /open_api/ request (default 0). */
	faultRate?: number;
	/** Kinds random faults pick from (default: all but 40100). See FAULT_KINDS. */
	faultCodes?: string[];
	/** cover_num = floor(members × matchRate); default 0.7. */
	matchRate?: number;
	/** is_valid stays false this long after create/update; default 60 000 ms. */
	processingDelayMs?: number;
	/** Initial clock time in epoch ms (default: real now). */
	now?: number;
	/** Clock moves only via advance/set (default false: it also follows real time). */
	freezeClock?: boolean;
	/** Delay of the `slow` fault; default 3000 ms. */
	slowMs?: number;
	/** Emulator time an upload takes: the clock advances by a seeded draw in this range (default 0 and 0). */
	uploadMinMs?: number;
	uploadMaxMs?: number;
	/** Second REPLACE on an audience within this window fails; default 24 h. */
	replaceCooldownMs?: number;
	/** Unused file_paths expire (40910) after this; default 7 days. */
	fileTtlMs?: number;
	/** Uploads above this fail with 40907; default 1 GiB. */
	maxFileBytes?: number;
}

export interface EmulatorHandle {
	/** e.g. http://127.0.0.1:PORT */
	url: string;
	/** url + '/open_api/v1.3' */
	baseUrl: string;
	port: number;
	close(): Promise<void>;
	/** Back to the seeded state: audiences, files, events, log, counters, scripts, clock and RNG. */
	reset(): void;
	state: State;
	clock: EmulatorClock;
	config: EmulatorConfig;
	faults: {
		script(input: FaultScriptInput): FaultScript;
		pending(): FaultScript[];
		clear(): void;
		counters(): Record<string, number>;
	};
	seed: Seed;
	/**
	 * An advertiser authorizing the app: a fresh one-time auth_code for these advertisers (default: the granted one),
	 * as TikTok hands it to the app's redirect URL. Same as POST /__emulator/auth_codes.
	 */
	authCode(advertiserIds?: string[]): string;
}

function number(v: number | undefined, fallback: number, name: string, max = Infinity): number {
	if (v === undefined) return fallback;
	if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > max) throw new RangeError(`${name} out of range`);
	return v;
}

export function buildConfig(o: EmulatorOptions): EmulatorConfig {
	if ((o.uploadMaxMs ?? Infinity) < (o.uploadMinMs ?? 0)) throw new RangeError('uploadMaxMs must be >= uploadMinMs');
	const kinds = o.faultCodes ?? DEFAULT_RANDOM_KINDS;
	for (const k of kinds) if (!isFaultKind(k)) throw new RangeError(`unknown fault kind ${k}`);
	return {
		seed: o.seed ?? 1,
		qps: number(o.qps, 1000, 'qps'),
		faultRate: number(o.faultRate, 0, 'faultRate', 1),
		faultKinds: [...kinds],
		matchRate: number(o.matchRate, 0.7, 'matchRate', 1),
		processingDelayMs: number(o.processingDelayMs, 60_000, 'processingDelayMs'),
		slowMs: number(o.slowMs, 3000, 'slowMs'),
		uploadMinMs: number(o.uploadMinMs, 0, 'uploadMinMs'),
		uploadMaxMs: number(o.uploadMaxMs, o.uploadMinMs ?? 0, 'uploadMaxMs'),
		replaceCooldownMs: number(o.replaceCooldownMs, DAY_MS, 'replaceCooldownMs'),
		fileTtlMs: number(o.fileTtlMs, 7 * DAY_MS, 'fileTtlMs'),
		maxFileBytes: number(o.maxFileBytes, 1024 * 1024 * 1024, 'maxFileBytes'),
		eventMaxAgeMs: 7 * DAY_MS,
		eventMaxFutureMs: 10 * 60_000,
		dedupWindowMs: 2 * DAY_MS,
	};
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<EmulatorHandle> {
	const config = buildConfig(options);
	const initialNow = options.now ?? Date.now();
	const clock = createClock(initialNow, options.freezeClock === true);
	const spoolDir = mkdtempSync(join(tmpdir(), 'tiktok-emulator-'));
	const state = new State();
	const emu: EmulatorContext = {
		state,
		clock,
		config,
		seed: SEED,
		tokens: new Map(SEED_TOKENS.map((t) => [t.access_token, t])),
		rng: createRng(`${config.seed}:ids`),
		spoolDir,
	};
	const faults = new Faults(createRng(`${config.seed}:faults`), () => config);
	const limiter = new RateLimiter(() => config.qps);
	const reset = () => {
		state.clear();
		faults.reseed(createRng(`${config.seed}:faults`));
		limiter.clear();
		clock.set(options.now ?? Date.now());
	};
	const inspection = createInspection({ emu, faults, reset });
	const server: Server = createServer(createRequestListener({ emu, faults, limiter, inspection }));
	server.keepAliveTimeout = 5000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
	});
	const port = (server.address() as AddressInfo).port;
	const url = `http://127.0.0.1:${port}`;
	let closed: Promise<void> | null = null;
	return {
		url,
		baseUrl: `${url}/open_api/v1.3`,
		port,
		state,
		clock,
		config,
		seed: SEED,
		reset,
		authCode: (advertiserIds = [SEED.grantedAdvertiserId]) => state.mintAuthCode(SEED.app.app_id, advertiserIds, clock.now()),
		faults: {
			script: (input) => faults.script(input),
			pending: () => faults.pending(),
			clear: () => faults.clear(),
			counters: () => ({ ...state.faultCounters }),
		},
		close() {
			closed ??= new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			}).then(() => {
				state.clear();
				rmSync(spoolDir, { recursive: true, force: true });
			});
			return closed;
		},
	};
}
