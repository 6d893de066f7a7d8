// Fault injection: random (seeded, so reproducible for the same request sequence) and scripted ("fail the next 3
// calls to update with 50002"). Also the per-token QPS limiter, which answers like TikTok (HTTP 200, code 40100).
import type { Rng } from './rng.cts';

/** 50000/50002/51003/40100: TikTok envelopes on HTTP 200. http*: gateway errors with a non-JSON body.
 * reset: the connection is destroyed. slow: the response is delayed by delayMs (config slowMs), then served. */
export const FAULT_KINDS = [
	'50000',
	'50002',
	'51003',
	'40100',
	'http429',
	'http500',
	'http503',
	'http504',
	'reset',
	'slow',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];
/** Random faults pick from these unless told otherwise (40100 comes from the QPS limiter instead). */
export const DEFAULT_RANDOM_KINDS: FaultKind[] = FAULT_KINDS.filter((k) => k !== '40100');

export interface FaultScriptInput {
	/** API path, e.g. `dmp/custom_audience/update/` (leading slash, `/open_api/v1.3` and trailing slash optional),
	 * or `*` for every endpoint. */
	path: string;
	kind: string;
	/** How many matching calls fail (default 1). */
	times?: number;
	/** Only calls with this HTTP method (default any). */
	method?: string;
	/** For `slow`: delay in ms (default config slowMs). */
	delayMs?: number;
	/** Run the real handler first, then answer with the fault (the change happened but the client sees a failure). */
	afterHandling?: boolean;
}

export interface FaultScript {
	id: number;
	path: string;
	kind: FaultKind;
	remaining: number;
	method?: string;
	delayMs?: number;
	afterHandling: boolean;
}

export interface FaultDecision {
	kind: FaultKind;
	source: 'script' | 'random';
	delayMs?: number;
	afterHandling: boolean;
}

export function isFaultKind(kind: string): kind is FaultKind {
	return (FAULT_KINDS as readonly string[]).includes(kind);
}

/** `/open_api/v1.3/dmp/x/`, `dmp/x`, `/dmp/x/` → `/dmp/x/`. */
export function normalizeApiPath(path: string): string {
	let p = path.trim().replace(/^\/?open_api\/v1\.3/, '');
	if (!p.startsWith('/')) p = `/${p}`;
	if (!p.endsWith('/')) p = `${p}/`;
	return p;
}

export class Faults {
	private scripts: FaultScript[] = [];
	private nextId = 1;
	private rng: Rng;
	private readonly settings: () => { faultRate: number; faultKinds: string[] };

	constructor(rng: Rng, settings: () => { faultRate: number; faultKinds: string[] }) {
		this.rng = rng;
		this.settings = settings;
	}

	script(input: FaultScriptInput): FaultScript {
		if (typeof input?.path !== 'string' || input.path.trim() === '') throw new TypeError('fault script needs a path');
		if (!isFaultKind(String(input.kind))) {
			throw new TypeError(`fault kind must be one of ${FAULT_KINDS.join(', ')}`);
		}
		const times = input.times ?? 1;
		if (!Number.isInteger(times) || times < 1) throw new TypeError('times must be a positive integer');
		const s: FaultScript = {
			id: this.nextId++,
			path: input.path.trim() === '*' ? '*' : normalizeApiPath(input.path),
			kind: input.kind as FaultKind,
			remaining: times,
			method: input.method?.toUpperCase(),
			delayMs: input.delayMs,
			afterHandling: input.afterHandling === true,
		};
		this.scripts.push(s);
		return s;
	}

	pending(): FaultScript[] {
		return this.scripts.map((s) => ({ ...s }));
	}

	clear(): void {
		this.scripts = [];
	}

	reseed(rng: Rng): void {
		this.rng = rng;
		this.scripts = [];
	}

	/** Scripted faults win (first matching script, in the order added); otherwise a seeded random draw. */
	decide(apiPath: string, method: string): FaultDecision | null {
		const s = this.scripts.find((x) => (x.path === '*' || x.path === apiPath) && (!x.method || x.method === method));
		if (s) {
			s.remaining -= 1;
			if (s.remaining === 0) this.scripts.splice(this.scripts.indexOf(s), 1);
			return { kind: s.kind, source: 'script', delayMs: s.delayMs, afterHandling: s.afterHandling };
		}
		const { faultRate, faultKinds } = this.settings();
		if (faultRate <= 0 || faultKinds.length === 0) return null;
		if (this.rng() >= faultRate) return null;
		const kind = faultKinds[Math.floor(this.rng() * faultKinds.length)];
		return isFaultKind(kind) ? { kind, source: 'random', afterHandling: false } : null;
	}
}

/** Sliding one-second window per access token, in real (not emulator) time: QPS is about real request rate. */
export class RateLimiter {
	private readonly hits = new Map<string, number[]>();
	private readonly qps: () => number;

	constructor(qps: () => number) {
		this.qps = qps;
	}

	allow(token: string): boolean {
		const limit = this.qps();
		if (limit <= 0) return true;
		const now = performance.now();
		let h = this.hits.get(token);
		if (!h) {
			h = [];
			this.hits.set(token, h);
		}
		while (h.length > 0 && now - h[0] >= 1000) h.shift();
		if (h.length >= limit) return false;
		h.push(now);
		return true;
	}

	clear(): void {
		this.hits.clear();
	}
}
