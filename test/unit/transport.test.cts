// The transport's pure parts (nodes/shared/tiktok/transport.ts): backoff and query encoding. The transport against a
// server, in n8n's engine, is test/engine/transport.test.cts.
import { backoffDelay, encodeQuery } from '../../nodes/shared/tiktok/transport';

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
