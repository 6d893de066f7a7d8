import { createHash } from 'node:crypto';
import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';
import type {
	IAdditionalCredentialOptions,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
	JsonObject,
} from 'n8n-workflow';
import type { z } from 'zod';

import {
	CHECK_FIELD,
	CHECKED,
	credentialCheckOf,
	effectiveToken,
	pendingAuthorizationCode,
	type CredentialCheck,
} from './credential';
import { describeCode, isRetryableHttpStatus } from './errors';
import { envelopeSchema } from './schemas';
import { baseUrlProblem, resolveBaseUrl, type TikTokEnvironment } from './version';

export const CREDENTIAL_TYPE = 'tikTokBusinessApi';

export type TransportContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

export interface RetryPolicy {
	maxRetries: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** Total time the retries of one call may wait, so a run never hangs on a TikTok outage. */
	budgetMs: number;
}

export interface TikTokRequest<S extends z.ZodTypeAny> {
	method: IHttpRequestMethods;
	/** Path under the API root, e.g. `dmp/custom_audience/list/`. */
	path: string;
	/** Query parameters; arrays and objects are JSON-encoded, as TikTok expects. */
	qs?: Record<string, unknown>;
	/** JSON body, or a function that builds a fresh multipart body for each attempt. */
	body?: IDataObject | (() => FormData);
	/** Shape of `data` on success; a malformed answer becomes a clear error. */
	schema: S;
	itemIndex?: number;
	/** Codes the caller handles itself: returned instead of thrown. */
	acceptCodes?: number[];
	/**
	 * False for calls that must not run twice (create): then only answers that prove TikTok did nothing (rate limits)
	 * are retried here; other transient failures are thrown so the caller can look before trying again.
	 */
	idempotent?: boolean;
}

export interface TikTokResponse<T> {
	code: number;
	message: string;
	requestId: string;
	data: T;
	/** True for TikTok's 20001 partial success: `message` holds TikTok's warning. */
	partial: boolean;
	/** Retries this call needed. */
	retries: number;
}

interface CallSettings {
	baseUrl: string;
	qps: number;
	retry: RetryPolicy;
	limiterKey: string;
	/**
	 * The credential as n8n should use it for the calls: its expirable field (CHECK_FIELD) set, so that n8n skips the
	 * credential's preAuthentication, or empty when an Authorization Code waits to be exchanged, so that n8n runs it
	 * (the exchange) and stores the token. Unset outside a node (nothing to name the credential by).
	 */
	credential?: IAdditionalCredentialOptions;
}

/** Per-process request slots, so every run against one app and token stays under its QPS. */
const nextSlotByKey = new Map<string, number>();

/** Forgets the request slots, as a restart does (tests simulate restarts with it). */
export function forgetRequestSlots(): void {
	nextSlotByKey.clear();
}

async function waitForSlot(key: string, qps: number): Promise<void> {
	if (!(qps > 0)) return;
	const now = Date.now();
	const slot = Math.max(now, nextSlotByKey.get(key) ?? 0);
	nextSlotByKey.set(key, slot + 1000 / qps);
	if (slot > now) await sleep(slot - now);
}

function positiveNumber(value: unknown, fallback: number): number {
	const n = Number(value);
	return Number.isFinite(n) && n >= 0 ? n : fallback;
}

async function callSettings(ctx: TransportContext): Promise<CallSettings> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const environment = (credentials.environment as TikTokEnvironment) ?? 'production';
	const problem = baseUrlProblem(environment, credentials.baseUrl as string | undefined);
	if (problem) {
		throw new NodeOperationError(ctx.getNode(), problem, {
			description: 'Open the TikTok Business API credential of this node and correct its Environment or Base URL. Nothing was sent to TikTok.',
		});
	}
	const baseUrl = resolveBaseUrl(environment, credentials.baseUrl as string | undefined);
	const token = effectiveToken(credentials);
	const saved = ctx.getNode().credentials?.[CREDENTIAL_TYPE];
	const check = pendingAuthorizationCode(credentials) !== undefined ? '' : CHECKED;
	const credential: IAdditionalCredentialOptions | undefined = saved
		? { credentialsDecrypted: { id: saved.id ?? '', name: saved.name, type: CREDENTIAL_TYPE, data: { ...credentials, [CHECK_FIELD]: check } } }
		: undefined;
	return {
		credential,
		baseUrl,
		qps: positiveNumber(credentials.requestsPerSecond, 10),
		retry: {
			maxRetries: Math.floor(positiveNumber(credentials.maxRetries, 5)),
			baseDelayMs: positiveNumber(credentials.retryBaseDelayMs, 1000),
			maxDelayMs: 30_000,
			budgetMs: 120_000,
		},
		// The token itself is never kept: only a short digest that tells tokens apart.
		limiterKey: `${baseUrl}#${createHash('sha256').update(token).digest('hex').slice(0, 12)}`,
	};
}

export function encodeQuery(qs: Record<string, unknown> = {}): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [key, value] of Object.entries(qs)) {
		if (value === undefined || value === null) continue;
		out[key] = typeof value === 'object' ? JSON.stringify(value) : String(value);
	}
	return out;
}

/** Exponential backoff with full jitter, capped. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
	const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
	return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export type Outcome =
	| { kind: 'envelope'; code: number; message: string; requestId: string; data: unknown }
	| { kind: 'http'; status: number }
	| { kind: 'malformed'; status: number; reason: string }
	| { kind: 'network'; reason: string };

export function classifyBody(status: number, raw: unknown): Outcome {
	if (status !== 200 && isRetryableHttpStatus(status)) return { kind: 'http', status };
	let parsed: unknown = raw;
	if (typeof raw === 'string') {
		try {
			parsed = JSON.parse(raw);
		} catch {
			return status === 200
				? { kind: 'malformed', status, reason: 'the answer is not JSON' }
				: { kind: 'http', status };
		}
	}
	const envelope = envelopeSchema.safeParse(parsed);
	if (!envelope.success) {
		return status === 200
			? { kind: 'malformed', status, reason: 'the answer has no numeric "code" field' }
			: { kind: 'http', status };
	}
	const { code, message, request_id, data } = envelope.data;
	return { kind: 'envelope', code, message, requestId: request_id, data };
}

/** Network failures carry a code such as ECONNRESET; only that code, never the request config, is kept. */
export function networkReason(error: unknown): string {
	const seen = new Set<unknown>();
	let current = error as { code?: unknown; cause?: unknown } | undefined;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		if (typeof current.code === 'string' && /^E[A-Z_]+$/.test(current.code)) return current.code;
		current = current.cause as typeof current;
	}
	return 'network error';
}

const NETWORK_WORDS: Record<string, string> = {
	ECONNRESET: 'the connection was reset',
	ECONNREFUSED: 'the connection was refused',
	ETIMEDOUT: 'the connection timed out',
	ECONNABORTED: 'the request timed out',
	ENOTFOUND: 'the host name was not found',
	EAI_AGAIN: 'the host name could not be resolved',
};

/** A network failure code (ECONNREFUSED, ...) in words. */
export function describeNetworkFailure(reason: string): string {
	return NETWORK_WORDS[reason] ?? 'the connection failed';
}

/** Whether another attempt can help; `idempotent: false` limits that to answers where TikTok did nothing. */
export function isRetryable(outcome: Outcome, idempotent = true): boolean {
	switch (outcome.kind) {
		case 'envelope': {
			const info = describeCode(outcome.code);
			return info.retryable && (idempotent || info.kind === 'rate_limit');
		}
		case 'http':
			return idempotent || outcome.status === 429;
		case 'network':
			return idempotent;
		case 'malformed':
			return false;
	}
}

/** How many HTTP requests a call that threw had sent (1 when the error did not come from the transport). */
export function attemptsOf(error: unknown): number {
	const n = (error as { tiktokAttempts?: unknown } | undefined)?.tiktokAttempts;
	return typeof n === 'number' && n > 0 ? n : 1;
}

/** Whether a thrown transport error was a transient failure, after which a non-idempotent call may be checked and retried. */
export function isTransientError(error: unknown): boolean {
	return error instanceof NodeApiError && (error as NodeApiError & { tiktokTransient?: boolean }).tiktokTransient === true;
}

function errorFor(ctx: TransportContext, req: TikTokRequest<z.ZodTypeAny>, outcome: Outcome, retries: number): NodeApiError {
	const attempts = retries > 0 ? ` after ${retries + 1} attempts` : '';
	const where = `${req.method} /${req.path}`;
	if (outcome.kind === 'envelope') {
		const info = describeCode(outcome.code);
		const detail: JsonObject = { code: outcome.code, message: outcome.message, request_id: outcome.requestId, path: req.path };
		return new NodeApiError(ctx.getNode(), detail, {
			message: `TikTok ${outcome.code}: ${info.meaning}${attempts}`,
			description: `${info.fix} TikTok said: "${outcome.message}" (request_id ${outcome.requestId || 'none'}, ${where}).`,
			httpCode: '200',
			itemIndex: req.itemIndex,
		});
	}
	if (outcome.kind === 'http') {
		return new NodeApiError(ctx.getNode(), { http_status: outcome.status, path: req.path } as JsonObject, {
			message: `TikTok answered HTTP ${outcome.status}${attempts}`,
			description: `TikTok's gateway did not process ${where}. It is usually temporary: run again later.`,
			httpCode: String(outcome.status),
			itemIndex: req.itemIndex,
		});
	}
	if (outcome.kind === 'malformed') {
		return new NodeApiError(ctx.getNode(), { http_status: outcome.status, path: req.path } as JsonObject, {
			message: `TikTok sent an answer the node cannot read: ${outcome.reason}`,
			description: `The answer to ${where} did not have the expected shape. Check the credential's base URL points at TikTok's Business API.`,
			httpCode: String(outcome.status),
			itemIndex: req.itemIndex,
		});
	}
	// n8n rewrites messages that contain raw error codes such as ECONNRESET, so the code goes in the description.
	return new NodeApiError(ctx.getNode(), { network_error: outcome.reason, path: req.path } as JsonObject, {
		message: `Could not reach TikTok: ${describeNetworkFailure(outcome.reason)}${attempts}`,
		description: `The connection for ${where} failed (${outcome.reason}). Check the network, proxy and the credential's base URL.`,
		itemIndex: req.itemIndex,
	});
}

/** A failure the credential's own check (its preAuthentication: code exchange, token check) reported, in its words. */
function credentialError(ctx: TransportContext, req: TikTokRequest<z.ZodTypeAny>, check: CredentialCheck): NodeApiError | NodeOperationError {
	const description = 'Open the TikTok Business API credential of this node to correct it; its Test button runs the same check.';
	if (!check.outcome) return new NodeOperationError(ctx.getNode(), check.message, { description, itemIndex: req.itemIndex });
	const detail: JsonObject = { path: check.path };
	if (check.outcome.kind === 'envelope') Object.assign(detail, { code: check.outcome.code, message: check.outcome.message, request_id: check.outcome.requestId });
	return new NodeApiError(ctx.getNode(), detail, { message: check.message, description, itemIndex: req.itemIndex });
}

/**
 * The only door to TikTok: authenticates through n8n's credential, keeps under the QPS, retries what can be retried
 * within a time budget, unwraps TikTok's envelope and validates `data`. Errors never carry the access token.
 */
export async function tiktokRequest<S extends z.ZodTypeAny>(
	ctx: TransportContext,
	req: TikTokRequest<S>,
): Promise<TikTokResponse<z.infer<S>>> {
	const settings = await callSettings(ctx);
	const started = Date.now();
	for (let attempt = 0; ; attempt++) {
		await waitForSlot(settings.limiterKey, settings.qps);
		const options: IHttpRequestOptions = {
			method: req.method,
			url: `${settings.baseUrl}/${req.path}`,
			qs: encodeQuery(req.qs),
			json: true,
			encoding: 'text',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		};
		if (req.body !== undefined) options.body = typeof req.body === 'function' ? req.body() : req.body;
		// TikTok never redirects; following redirects would make axios keep a copy of a whole upload in memory.
		if (typeof req.body === 'function') options.disableFollowRedirect = true;

		let outcome: Outcome;
		let check: CredentialCheck | undefined;
		try {
			const response = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, CREDENTIAL_TYPE, options, settings.credential)) as {
				statusCode: number;
				body: unknown;
			};
			outcome = classifyBody(response.statusCode, response.body);
		} catch (error) {
			check = credentialCheckOf(error);
			outcome = check?.outcome ?? { kind: 'network', reason: networkReason(error) };
		}

		if (outcome.kind === 'envelope') {
			const { code } = outcome;
			if (code === 0 || code === 20001 || req.acceptCodes?.includes(code)) {
				const parsed = req.schema.safeParse(outcome.data ?? {});
				if (!parsed.success) {
					throw errorFor(ctx, req, { kind: 'malformed', status: 200, reason: describeZodIssue(parsed.error) }, attempt);
				}
				return {
					code,
					message: outcome.message,
					requestId: outcome.requestId,
					data: parsed.data,
					partial: code === 20001,
					retries: attempt,
				};
			}
		}

		const delay = backoffDelay(attempt, settings.retry);
		const withinBudget = Date.now() - started + delay <= settings.retry.budgetMs;
		const retryable = check ? check.retryable : isRetryable(outcome, req.idempotent ?? true);
		if (!retryable || attempt >= settings.retry.maxRetries || !withinBudget) {
			const error = check ? credentialError(ctx, req, check) : errorFor(ctx, req, outcome, attempt);
			Object.assign(error, { tiktokTransient: check ? check.retryable : isRetryable(outcome, true), tiktokAttempts: attempt + 1 });
			throw error;
		}
		await sleep(delay);
	}
}

function describeZodIssue(error: z.ZodError): string {
	const issue = error.issues[0];
	return issue ? `field "${issue.path.join('.') || '(root)'}" ${issue.message.toLowerCase()}` : 'unexpected shape';
}

/** Every page of a paged list endpoint (`page` from 1, TikTok's `page_info.total_page`), in order. */
export async function allPages<T>(fetchPage: (page: number) => Promise<{ items: T[]; totalPage: number }>): Promise<T[]> {
	const all: T[] = [];
	for (let page = 1; ; page++) {
		const { items, totalPage } = await fetchPage(page);
		all.push(...items);
		if (page >= totalPage || items.length === 0) return all;
	}
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A promise's outcome as a value, so a failure can be inspected without a catch block that rethrows. */
async function settle<T>(promise: Promise<T>): Promise<Settled<T>> {
	return await promise.then(
		(value): Settled<T> => ({ ok: true, value }),
		(error: unknown): Settled<T> => ({ ok: false, error }),
	);
}

/** What a look after a failed non-idempotent call found: its result after all, nothing (send again), or a reason to stop. */
export type CheckResult<R> = { done: R } | 'retry' | 'give_up';

/**
 * A non-idempotent call (create, REPLACE) under faults: after a transient failure, `check` looks whether the call went
 * through anyway (then its result stands); if not, the call is sent again, up to the credential's Max Retries with the
 * transport's backoff, within the transport's time budget. Only then does the last failure stand. `attempt` counts
 * the failed sends before this one (so it is also the number of recovered failures).
 */
export async function sendCheckingFirst<T, R>(
	ctx: TransportContext,
	send: () => Promise<T>,
	ok: (value: T, attempt: number) => R,
	check: (failedSends: number) => Promise<CheckResult<R>>,
): Promise<R> {
	const policy = (await callSettings(ctx)).retry;
	const started = Date.now();
	for (let attempt = 0; ; attempt++) {
		const sent = await settle(send());
		if (sent.ok) return ok(sent.value, attempt);
		if (!isTransientError(sent.error)) return await Promise.reject(sent.error);
		const found = await check(attempt + 1);
		if (found !== 'retry' && found !== 'give_up') return found.done;
		const delay = backoffDelay(attempt, policy);
		if (found === 'give_up' || attempt >= policy.maxRetries || Date.now() - started + delay > policy.budgetMs) return await Promise.reject(sent.error);
		await sleep(delay);
	}
}

/**
 * The one way a node turns what it caught into n8n's error for an item: TikTok errors (NodeApiError, worded by
 * `errorFor` above) and the nodes' own refusals (NodeOperationError) keep their message and description and get the
 * item index; anything else is wrapped. https://docs.n8n.io/integrations/creating-nodes/build/reference/node-errors/
 */
export function toNodeError(ctx: Pick<IExecuteFunctions, 'getNode'>, error: unknown, itemIndex: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (error.context.itemIndex === undefined) error.context.itemIndex = itemIndex;
		return error;
	}
	return new NodeOperationError(ctx.getNode(), error as Error, { itemIndex });
}
