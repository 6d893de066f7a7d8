// API version and base URLs (nodes/shared/tiktok/version.ts).
import { PRODUCTION_BASE_URL, SANDBOX_BASE_URL, baseUrlProblem, resolveBaseUrl } from '../../nodes/shared/tiktok/version';

describe('resolveBaseUrl', () => {
	test.each([
		['production', undefined, 'https://business-api.tiktok.com/open_api/v1.3'],
		['sandbox', undefined, 'https://sandbox-ads.tiktok.com/open_api/v1.3'],
		['production', '  ', 'https://business-api.tiktok.com/open_api/v1.3'],
		['custom', 'http://127.0.0.1:4010', 'http://127.0.0.1:4010/open_api/v1.3'],
		['custom', 'http://127.0.0.1:4010/', 'http://127.0.0.1:4010/open_api/v1.3'],
		['custom', ' http://127.0.0.1:4010/open_api/v1.3/ ', 'http://127.0.0.1:4010/open_api/v1.3'],
		['custom', 'https://proxy.example.com/tiktok/open_api/v1.3', 'https://proxy.example.com/tiktok/open_api/v1.3'],
		// An unusable custom URL never falls back to Production (it used to, silently).
		['custom', '  ', ''],
		['custom', undefined, ''],
		['custom', '127.0.0.1:4010', ''],
	] as const)('%s %s → %s', (env, custom, expected) => {
		expect(resolveBaseUrl(env, custom)).toBe(expected);
	});
	test('constants', () => {
		expect(PRODUCTION_BASE_URL).toBe('https://business-api.tiktok.com/open_api/v1.3');
		expect(SANDBOX_BASE_URL).toBe('https://sandbox-ads.tiktok.com/open_api/v1.3');
	});
});

describe('baseUrlProblem', () => {
	const EMPTY =
		'Environment is "Custom Base URL" but the Base URL is empty: enter the root of the API (e.g. http://127.0.0.1:4010 for the local TikTok emulator), or choose Production or Sandbox.';
	test.each([
		['custom', '', EMPTY],
		['custom', ' \t', EMPTY],
		['custom', undefined, EMPTY],
		[
			'custom',
			'127.0.0.1:4010',
			'The Base URL "127.0.0.1:4010" is not a web address: it must start with http:// or https://, e.g. http://127.0.0.1:4010 or https://proxy.example.com/open_api/v1.3.',
		],
		['custom', 'http://127.0.0.1:4010', undefined],
		['custom', 'HTTPS://proxy.example.com', undefined],
		['production', '', undefined],
		['sandbox', 'not a url', undefined],
	] as const)('%s %s', (env, custom, expected) => {
		expect(baseUrlProblem(env, custom)).toBe(expected);
	});
});
