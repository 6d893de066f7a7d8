// Inspection and control API under /__emulator/ (never under /open_api/). Plain JSON, not TikTok envelopes.
// It exposes fixtures, state, the request log (no tokens or bodies are ever recorded), faults, clock and config.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatTikTokTime } from './clock.cts';
import { membersOf, statusOf } from './audienceView.cts';
import { FAULT_KINDS, isFaultKind, type Faults } from './faults.cts';
import { SEED_TOKENS } from './seed.cts';
import { AUTH_CODE_TTL_MS, type Audience, type EmulatorContext } from './state.cts';
import { isObject } from './validate.cts';

export interface InspectionDeps {
	emu: EmulatorContext;
	faults: Faults;
	reset(): void;
}

class HttpError extends Error {
	readonly status: number;
	constructor(status: number, message: string) {
		super(message);
		this.status = status;
	}
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
	const chunks: Buffer[] = [];
	for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
	const text = Buffer.concat(chunks).toString('utf8').trim();
	if (text === '') return {};
	let v: unknown;
	try {
		v = JSON.parse(text);
	} catch {
		throw new HttpError(400, 'body must be JSON');
	}
	if (!isObject(v)) throw new HttpError(400, 'body must be a JSON object');
	return v;
}

export function inspectAudience(emu: EmulatorContext, aud: Audience, withMembers: boolean): Record<string, unknown> {
	const now = emu.clock.now();
	const s = statusOf(emu, aud, now);
	const members = [...membersOf(emu, aud, now)].sort();
	return {
		audience_id: aud.audienceId,
		advertiser_id: aud.advertiserId,
		name: aud.name,
		kind: aud.kind,
		calculate_type: aud.calculateType,
		audience_sub_type: aud.subType,
		pixel_ids: aud.pixelIds ?? [],
		rule_spec: aud.ruleSpec ?? null,
		is_auto_refresh: aud.isAutoRefresh,
		member_count: members.length,
		...(withMembers ? { members } : {}),
		cover_num: s.cover,
		is_valid: s.isValid,
		processing: !s.ready,
		ready_at: formatTikTokTime(aud.readyAt),
		create_time: formatTikTokTime(aud.createdAt),
		expired_time: formatTikTokTime(s.expiresAt),
		last_replace_time: aud.lastReplaceAt === undefined ? null : formatTikTokTime(aud.lastReplaceAt),
		history: aud.history.map((h) => ({
			action: h.action,
			action_detail: h.action_detail,
			editor: 'open_api',
			msg: h.msg,
			opt_time: formatTikTokTime(h.atMs),
		})),
	};
}

function configView(emu: EmulatorContext): Record<string, unknown> {
	const c = emu.config;
	return {
		seed: c.seed,
		qps: c.qps,
		faultRate: c.faultRate,
		faultCodes: c.faultKinds,
		matchRate: c.matchRate,
		processingDelayMs: c.processingDelayMs,
		slowMs: c.slowMs,
		uploadMinMs: c.uploadMinMs,
		uploadMaxMs: c.uploadMaxMs,
		replaceCooldownMs: c.replaceCooldownMs,
		fileTtlMs: c.fileTtlMs,
		maxFileBytes: c.maxFileBytes,
		eventMaxAgeMs: c.eventMaxAgeMs,
		eventMaxFutureMs: c.eventMaxFutureMs,
		dedupWindowMs: c.dedupWindowMs,
	};
}

const NUMERIC_CONFIG = [
	'qps',
	'faultRate',
	'matchRate',
	'processingDelayMs',
	'slowMs',
	'uploadMinMs',
	'uploadMaxMs',
	'replaceCooldownMs',
	'fileTtlMs',
	'maxFileBytes',
	'eventMaxAgeMs',
	'eventMaxFutureMs',
	'dedupWindowMs',
] as const;

function applyConfig(emu: EmulatorContext, body: Record<string, unknown>): void {
	for (const key of NUMERIC_CONFIG) {
		if (body[key] === undefined) continue;
		const v = body[key];
		if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new HttpError(400, `${key} must be a number >= 0`);
		if ((key === 'faultRate' || key === 'matchRate') && v > 1) throw new HttpError(400, `${key} must be <= 1`);
		emu.config[key] = v;
	}
	const kinds = body.faultCodes ?? body.faultKinds;
	if (kinds !== undefined) {
		if (!Array.isArray(kinds) || !kinds.every((k) => typeof k === 'string' && isFaultKind(k))) {
			throw new HttpError(400, `faultCodes must be a list of ${FAULT_KINDS.join(', ')}`);
		}
		emu.config.faultKinds = kinds as string[];
	}
}

export function createInspection(deps: InspectionDeps) {
	const { emu, faults } = deps;
	const json = (res: ServerResponse, status: number, value: unknown) => {
		const body = JSON.stringify(value);
		res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
		res.end(body);
	};

	const handle = async (req: IncomingMessage, url: URL): Promise<[number, unknown]> => {
		const method = (req.method ?? 'GET').toUpperCase();
		const path = url.pathname.replace(/\/+$/, '');
		const key = `${method} ${path}`;
		const state = emu.state;
		switch (key) {
			case 'GET /__emulator/seed':
				return [200, { ...emu.seed, tokens: SEED_TOKENS }];
			case 'GET /__emulator/audiences': {
				const withMembers = url.searchParams.get('members') !== 'false';
				return [200, { audiences: [...state.audiences.values()].map((a) => inspectAudience(emu, a, withMembers)) }];
			}
			case 'GET /__emulator/files':
				return [
					200,
					{
						files: [...state.files.values()].map((f) => ({
							file_path: f.filePath,
							advertiser_id: f.advertiserId,
							calculate_type: f.calculateType,
							bytes: f.bytes,
							rows: f.rows,
							md5: f.md5,
							upload_time: formatTikTokTime(f.uploadedAt),
						})),
					},
				];
			case 'GET /__emulator/events': {
				const only = url.searchParams.get('pixel_code');
				const pixels = emu.seed.pixels
					.filter((p) => only === null || p.pixel_code === only)
					.map((p) => {
						const e = state.events.get(p.pixel_code);
						return {
							pixel_id: p.pixel_id,
							pixel_code: p.pixel_code,
							advertiser_id: p.advertiser_id,
							events: e?.live ?? [],
							test_events: e?.test ?? [],
						};
					});
				return [200, { pixels }];
			}
			case 'GET /__emulator/requests':
				return [200, { requests: state.requestLog }];
			case 'GET /__emulator/faults':
				return [200, { counters: state.faultCounters, scripted: faults.pending(), random: { faultRate: emu.config.faultRate, faultCodes: emu.config.faultKinds } }];
			case 'POST /__emulator/faults': {
				const body = await readBody(req);
				const list = Array.isArray(body.scripts) ? body.scripts : [body];
				try {
					for (const s of list) faults.script(s as never);
				} catch (e) {
					throw new HttpError(400, (e as Error).message);
				}
				return [200, { scripted: faults.pending() }];
			}
			case 'DELETE /__emulator/faults':
				faults.clear();
				return [200, { scripted: [] }];
			case 'GET /__emulator/clock':
				return [200, { now: emu.clock.now(), iso: new Date(emu.clock.now()).toISOString(), frozen: emu.clock.frozen }];
			case 'POST /__emulator/clock': {
				const body = await readBody(req);
				if (typeof body.advanceMs === 'number' && Number.isFinite(body.advanceMs)) emu.clock.advance(body.advanceMs);
				else if (typeof body.set === 'number' && Number.isFinite(body.set)) emu.clock.set(body.set);
				else throw new HttpError(400, 'send {"advanceMs": number} or {"set": epoch ms}');
				return [200, { now: emu.clock.now(), iso: new Date(emu.clock.now()).toISOString(), frozen: emu.clock.frozen }];
			}
			case 'GET /__emulator/config':
				return [200, configView(emu)];
			case 'POST /__emulator/config':
				applyConfig(emu, await readBody(req));
				return [200, configView(emu)];
			case 'POST /__emulator/auth_codes': {
				// The advertiser authorizing the app: TikTok would redirect to the app's redirect URL with this auth_code.
				const body = await readBody(req);
				const ids = body.advertiser_ids ?? [emu.seed.grantedAdvertiserId];
				const known = emu.seed.advertisers.map((a) => a.advertiser_id);
				if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && known.includes(id))) {
					throw new HttpError(400, `advertiser_ids must be a non-empty list of ${known.join(', ')}`);
				}
				const now = emu.clock.now();
				const code = state.mintAuthCode(emu.seed.app.app_id, ids as string[], now);
				return [200, { auth_code: code, app_id: emu.seed.app.app_id, advertiser_ids: ids, expires_at: new Date(now + AUTH_CODE_TTL_MS).toISOString() }];
			}
			case 'GET /__emulator/auth_codes':
				return [
					200,
					{
						auth_codes: [...state.authCodes.entries()].map(([code, g]) => ({
							auth_code: code,
							advertiser_ids: g.advertiserIds,
							used: g.used,
							expires_at: new Date(g.issuedAt + AUTH_CODE_TTL_MS).toISOString(),
						})),
						issued_tokens: state.issuedTokens.size,
					},
				];
			case 'POST /__emulator/reset':
				deps.reset();
				return [200, { ok: true }];
			default: {
				const m = /^GET \/__emulator\/audiences\/([0-9]+)$/.exec(key);
				const aud = m ? state.audiences.get(m[1]) : undefined;
				if (aud) return [200, inspectAudience(emu, aud, url.searchParams.get('members') !== 'false')];
				throw new HttpError(404, `unknown inspection endpoint ${key}`);
			}
		}
	};

	return async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
		try {
			const [status, value] = await handle(req, url);
			json(res, status, value);
		} catch (e) {
			json(res, e instanceof HttpError ? e.status : 500, { error: (e as Error).message });
		}
	};
}
