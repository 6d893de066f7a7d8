// TikTok's code table (nodes/shared/tiktok/errors.ts).
import { describeCode, isRetryableHttpStatus } from '../../nodes/shared/tiktok/errors';
import { isRetryable } from '../../nodes/shared/tiktok/transport';

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
