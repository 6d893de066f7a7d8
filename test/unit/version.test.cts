// API version and base URLs (nodes/shared/tiktok/version.ts).
import { PRODUCTION_BASE_URL, SANDBOX_BASE_URL, resolveBaseUrl } from '../../nodes/shared/tiktok/version';

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
