// Pure foundation pieces: base URL resolution, the TikTok code table, backoff, query encoding, the registry model.
import { describeCode, isRetryableHttpStatus } from '../../nodes/shared/tiktok/errors';
import { backoffDelay, encodeQuery, isRetryable } from '../../nodes/shared/tiktok/transport';
import { PRODUCTION_BASE_URL, SANDBOX_BASE_URL, resolveBaseUrl } from '../../nodes/shared/tiktok/version';
import { applyUpdate, LOG_LIMIT, type Registry } from '../../nodes/shared/sync/registry';

describe('resolveBaseUrl', () => {
	test.each([
		['production', undefined, 'https://business-api.tiktok.com/open_api/v1.3'],
		['sandbox', undefined, 'https://sandbox-ads.tiktok.com/open_api/v1.3'],
		['custom', 'http://127.0.0.1:4010', 'http://127.0.0.1:4010/open_api/v1.3'],
		['custom', 'http://127.0.0.1:4010/', 'http://127.0.0.1:4010/open_api/v1.3'],
		['custom', 'http://127.0.0.1:4010/open_api/v1.3/', 'http://127.0.0.1:4010/open_api/v1.3'],
		['custom', 'https://proxy.example.com/tiktok/open_api/v1.3', 'https://proxy.example.com/tiktok/open_api/v1.3'],
		['custom', '  ', 'https://business-api.tiktok.com/open_api/v1.3'],
	] as const)('%s %s → %s', (env, custom, expected) => {
		expect(resolveBaseUrl(env, custom)).toBe(expected);
	});
	test('constants', () => {
		expect(PRODUCTION_BASE_URL).toBe('https://business-api.tiktok.com/open_api/v1.3');
		expect(SANDBOX_BASE_URL).toBe('https://sandbox-ads.tiktok.com/open_api/v1.3');
	});
});

describe('TikTok code table', () => {
	test.each([
		[0, 'ok', false],
		[20001, 'partial', false],
		[40001, 'permission', false],
		[40002, 'parameter', false],
		[40100, 'rate_limit', true],
		[40102, 'auth', false],
		[40104, 'auth', false],
		[40105, 'auth', false],
		[40132, 'rate_limit', true],
		[50000, 'transient', true],
		[50002, 'transient', true],
		[51003, 'transient', true],
		[52202, 'transient', true],
		[40909, 'file', false],
		[49999, 'other', false],
	] as const)('%i is %s (retryable %s)', (code, kind, retryable) => {
		expect(describeCode(code).kind).toBe(kind);
		expect(describeCode(code).retryable).toBe(retryable);
	});
	test('HTTP statuses', () => {
		expect([200, 400, 404, 408, 429, 500, 502, 503, 504].map(isRetryableHttpStatus)).toEqual([false, false, false, true, true, true, true, true, true]);
	});
	test('non-idempotent calls retry only when TikTok certainly did nothing', () => {
		const env = (code: number) => ({ kind: 'envelope' as const, code, message: '', requestId: '', data: {} });
		expect(isRetryable(env(40100), false)).toBe(true);
		expect(isRetryable(env(50002), false)).toBe(false);
		expect(isRetryable(env(50002), true)).toBe(true);
		expect(isRetryable({ kind: 'http', status: 429 }, false)).toBe(true);
		expect(isRetryable({ kind: 'http', status: 504 }, false)).toBe(false);
		expect(isRetryable({ kind: 'network', reason: 'ECONNRESET' }, false)).toBe(false);
		expect(isRetryable({ kind: 'malformed', status: 200, reason: '' }, true)).toBe(false);
	});
});

test('backoff doubles, stays within [ceiling/2, ceiling] and is capped', () => {
	const policy = { maxRetries: 5, baseDelayMs: 1000, maxDelayMs: 30_000, budgetMs: 120_000 };
	expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, policy, () => 0))).toEqual([500, 1000, 2000, 4000, 8000, 15000, 15000]);
	expect([0, 1, 2, 5].map((a) => backoffDelay(a, policy, () => 1))).toEqual([1000, 2000, 4000, 30000]);
});

test('query parameters: arrays and objects JSON-encoded, empty ones dropped', () => {
	expect(encodeQuery({ advertiser_id: '1', custom_audience_ids: ['2', '3'], filtering: { a: false }, page: 2, x: undefined, y: null })).toEqual({
		advertiser_id: '1',
		custom_audience_ids: '["2","3"]',
		filtering: '{"a":false}',
		page: '2',
	});
});

describe('registry model', () => {
	const empty: Registry = { version: 1, audiences: {} };
	const base = { audienceId: '42', name: 'Buyers', advertiserId: '7', kind: 'list' as const };

	test('create, sync with REPLACE, unlink', () => {
		let r = applyUpdate(empty, { ...base, event: 'created', action: 'CREATE', detail: 'created with 1200 rows', at: new Date('2026-01-01T00:00:00Z') });
		r = applyUpdate(r, { ...base, event: 'synced', action: 'REPLACE', detail: 'replaced', at: new Date('2026-01-02T00:00:00Z') });
		r = applyUpdate(r, { ...base, event: 'unlinked', linked: false, detail: 'unlinked by user', at: new Date('2026-01-03T00:00:00Z') });
		expect(r).toEqual({
			version: 1,
			audiences: {
				'42': {
					audienceId: '42',
					name: 'Buyers',
					advertiserId: '7',
					kind: 'list',
					linked: false,
					createdAt: '2026-01-01T00:00:00.000Z',
					lastSyncAt: '2026-01-02T00:00:00.000Z',
					lastAction: 'REPLACE',
					lastReplaceAt: '2026-01-02T00:00:00.000Z',
					deleted: undefined,
					log: [
						{ at: '2026-01-01T00:00:00.000Z', event: 'created', detail: 'created with 1200 rows' },
						{ at: '2026-01-02T00:00:00.000Z', event: 'synced', detail: 'replaced' },
						{ at: '2026-01-03T00:00:00.000Z', event: 'unlinked', detail: 'unlinked by user' },
					],
				},
			},
		});
		expect(empty.audiences).toEqual({});
	});

	test('the log keeps the newest entries only', () => {
		let r = empty;
		for (let i = 0; i < LOG_LIMIT + 7; i++) {
			r = applyUpdate(r, { ...base, event: 'synced', action: 'APPEND', detail: `sync ${i}`, at: new Date(Date.UTC(2026, 0, 1, 0, i)) });
		}
		const log = r.audiences['42'].log;
		expect(log).toHaveLength(LOG_LIMIT);
		expect(log[0].detail).toBe('sync 7');
		expect(log[LOG_LIMIT - 1].detail).toBe(`sync ${LOG_LIMIT + 6}`);
	});
});
