// HTTP front door: routing under /open_api/v1.3/, the gateway layer (faults, token checks, QPS limit), the TikTok
// envelope, and the request log. Inspection requests (/__emulator/) are handed to inspection.cts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
	ApiError,
	CODE,
	createRequestIdFactory,
	MESSAGE,
	paramError,
	rateLimitMessage,
	type Envelope,
} from './envelope.cts';
import { type FaultDecision, type Faults, type RateLimiter } from './faults.cts';
import type { Route, RequestCtx } from './router.cts';
import type { SeedToken } from './seed.cts';
import type { EmulatorContext } from './state.cts';
import { isObject } from './validate.cts';
import { advertiserRoutes } from './routes/advertisers.cts';
import { audienceRoutes } from './routes/audiences.cts';
import { customerFileRoutes } from './routes/customerFiles.cts';
import { eventRoutes } from './routes/events.cts';
import { oauthRoutes } from './routes/oauth.cts';
import { pixelRoutes } from './routes/pixels.cts';
import { ruleRoutes } from './routes/rules.cts';
import { userRoutes } from './routes/user.cts';

const API_PREFIX = '/open_api/v1.3';
const MAX_JSON_BYTES = 32 * 1024 * 1024;

const ROUTES = new Map<string, Route>();
for (const r of [
	...userRoutes,
	...oauthRoutes,
	...advertiserRoutes,
	...pixelRoutes,
	...customerFileRoutes,
	...audienceRoutes,
	...ruleRoutes,
	...eventRoutes,
]) {
	ROUTES.set(`${r.method} ${r.path}`, r);
}

const GATEWAY_PAGES: Record<string, [number, string]> = {
	http429: [429, 'Too Many Requests'],
	http500: [500, 'Internal Server Error'],
	http503: [503, 'Service Temporarily Unavailable'],
	http504: [504, 'Gateway Time-out'],
};

export interface ServerDeps {
	emu: EmulatorContext;
	faults: Faults;
	limiter: RateLimiter;
	inspection(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req as AsyncIterable<Buffer>) {
		size += chunk.length;
		if (size <= MAX_JSON_BYTES) chunks.push(chunk);
	}
	if (size > MAX_JSON_BYTES) throw paramError('request body: Too large.');
	const text = Buffer.concat(chunks).toString('utf8').trim();
	if (text === '') return {};
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		throw paramError('request body: Not a valid JSON.');
	}
	if (!isObject(parsed)) throw paramError('request body: Not a valid JSON object.');
	return parsed;
}

/** What a route without an Access-Token (the token exchange) sees as its token: no grants. */
const NO_TOKEN: SeedToken = { access_token: '', expired: false, advertiser_ids: [], core_user_id: '', display_name: '', email: '' };

/** The Access-Token header's token: 40104 when absent, 40105 when unknown, 40102 when expired. */
function authenticate(emu: EmulatorContext, req: IncomingMessage): SeedToken {
	const header = req.headers['access-token'];
	const raw = Array.isArray(header) ? header[0] : header;
	if (raw === undefined || raw.trim() === '') throw new ApiError(CODE.EMPTY_ACCESS_TOKEN, MESSAGE.emptyToken);
	const token = emu.tokens.get(raw.trim()) ?? emu.state.issuedTokens.get(raw.trim());
	if (!token) throw new ApiError(CODE.INVALID_ACCESS_TOKEN, MESSAGE.invalidToken);
	if (token.expired) throw new ApiError(CODE.ACCESS_TOKEN_EXPIRE, MESSAGE.expiredToken);
	return token;
}

/** Token checks, rate limit, body parsing and the handler. Returns the `data` object or throws ApiError. */
async function dispatch(deps: ServerDeps, route: Route, req: IncomingMessage, apiPath: string, url: URL) {
	const { emu, limiter } = deps;
	const token = route.auth === 'none' ? NO_TOKEN : authenticate(emu, req);
	// The rate limit counts per token; the exchange has none and counts per app (its app_id is in the body).
	if (!limiter.allow(token.access_token || `app:${emu.seed.app.app_id}`)) {
		throw new ApiError(CODE.REQUEST_TOO_FREQUENT, rateLimitMessage(emu.seed.app.app_id));
	}
	const ctx: RequestCtx = {
		emu,
		method: route.method,
		apiPath,
		query: url.searchParams,
		body: route.body === 'json' ? await readJson(req) : {},
		req,
		token,
	};
	return (await route.handler(ctx)) ?? {};
}

function faultEnvelope(kind: string, appId: string): [number, string] | null {
	if (kind === '50000') return [CODE.SYS_ERROR, MESSAGE.sysError];
	if (kind === '50002') return [CODE.SYS_TIMEOUT, MESSAGE.sysTimeout];
	if (kind === '51003') return [CODE.DMP_ERROR, MESSAGE.dmpError];
	if (kind === '40100') return [CODE.REQUEST_TOO_FREQUENT, rateLimitMessage(appId)];
	return null;
}

export function createRequestListener(deps: ServerDeps) {
	const { emu } = deps;
	const newRequestId = createRequestIdFactory(
		Math.floor(emu.rng() * 0xffff)
			.toString(16)
			.toUpperCase()
			.padStart(4, '0'),
	);

	const log = (method: string, path: string, status: number, code: number | null, requestId: string | null, fault?: string) =>
		emu.state.log({ time: new Date(emu.clock.now()).toISOString(), method, path, status, code, request_id: requestId, ...(fault ? { fault } : {}) });

	return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const method = (req.method ?? 'GET').toUpperCase();
		if (url.pathname === '/__emulator' || url.pathname.startsWith('/__emulator/')) {
			await deps.inspection(req, res, url);
			return;
		}
		const requestId = newRequestId(emu.clock.now());
		const send = (env: Envelope) => {
			const body = JSON.stringify(env);
			res.writeHead(200, {
				'Content-Type': 'application/json',
				'Content-Length': Buffer.byteLength(body),
				'X-Tt-Logid': env.request_id,
			});
			res.end(body);
		};

		let apiPath: string | null = null;
		if (url.pathname.startsWith(`${API_PREFIX}/`)) {
			apiPath = url.pathname.slice(API_PREFIX.length);
			if (!apiPath.endsWith('/')) apiPath += '/';
		}
		const route = apiPath === null ? undefined : ROUTES.get(`${method} ${apiPath}`);
		if (!route || apiPath === null) {
			log(method, url.pathname, 200, CODE.ROUTE_NOT_FOUND, requestId);
			send({ code: CODE.ROUTE_NOT_FOUND, message: MESSAGE.routeNotFound, request_id: requestId, data: {} });
			return;
		}

		const fault: FaultDecision | null = deps.faults.decide(apiPath, method);
		if (fault) emu.state.countFault(fault.kind);
		if (fault?.kind === 'slow') await sleep(fault.delayMs ?? emu.config.slowMs);

		const sendFault = (f: FaultDecision): boolean => {
			if (f.kind === 'reset') {
				log(method, url.pathname, 0, null, null, f.kind);
				req.socket.destroy();
				return true;
			}
			const page = GATEWAY_PAGES[f.kind];
			if (page) {
				log(method, url.pathname, page[0], null, null, f.kind);
				const html = `<html>\r\n<head><title>${page[0]} ${page[1]}</title></head>\r\n<body>\r\n<center><h1>${page[0]} ${page[1]}</h1></center>\r\n</body>\r\n</html>\r\n`;
				res.writeHead(page[0], { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(html) });
				res.end(html);
				return true;
			}
			const env = faultEnvelope(f.kind, emu.seed.app.app_id);
			if (env) {
				log(method, url.pathname, 200, env[0], requestId, f.kind);
				send({ code: env[0], message: env[1], request_id: requestId, data: {} });
				return true;
			}
			return false; // slow: served normally
		};

		if (fault && !fault.afterHandling && sendFault(fault)) return;

		let env: Envelope;
		try {
			const data = await dispatch(deps, route, req, apiPath, url);
			env = { code: CODE.OK, message: MESSAGE.ok, request_id: requestId, data };
		} catch (e) {
			if (e instanceof ApiError) {
				env = { code: e.code, message: e.message, request_id: requestId, data: e.data };
			} else {
				// An emulator bug must still look like TikTok to the client; the cause goes to stderr without any body.
				process.stderr.write(`emulator: internal error on ${method} ${url.pathname}: ${(e as Error)?.stack ?? e}\n`);
				env = { code: CODE.SYS_ERROR, message: MESSAGE.sysError, request_id: requestId, data: {} };
			}
		}
		if (fault && fault.afterHandling && sendFault(fault)) return;
		log(method, url.pathname, 200, env.code, requestId);
		send(env);
	};
}
