// Contract: envelope, routing, Access-Token checks, advertiser permission, rate limit, the request log.
import { startEmulator, type EmulatorHandle } from './index.cts';
import { SEED } from './seed.cts';
import { call, expectError, expectOk, get, post } from './testClient.cts';
import { fetchJson } from './testClient.cts';

let emu: EmulatorHandle;
beforeAll(async () => {
	emu = await startEmulator({ seed: 1, now: Date.UTC(2025, 0, 15, 12), freezeClock: true });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

describe('envelope and routing', () => {
	test('success is HTTP 200, code 0, message OK, a unique TikTok-like request_id', async () => {
		const a = await get(emu, '/user/info/');
		const b = await get(emu, '/user/info/');
		expect(a.status).toBe(200);
		expect(a.body).toEqual({
			code: 0,
			message: 'OK',
			request_id: expect.stringMatching(/^20250115120000[0-9A-F]{10}$/),
			data: {
				core_user_id: '7300000000000000001',
				display_name: 'Emulator User',
				email: 'em***@example.com',
				avatar_url: null,
				create_time: 1704067200,
			},
		});
		expect(b.body.request_id).not.toBe(a.body.request_id);
	});

	test('paths work with and without the trailing slash', async () => {
		expectOk(await get(emu, '/user/info'));
		expectOk(await get(emu, '/pixel/list', { advertiser_id: SEED.grantedAdvertiserId }));
	});

	test('unknown paths, other versions and wrong methods are 40400 route not found', async () => {
		expectError(await get(emu, '/no/such/endpoint/'), 40400, 'Route not found.');
		expectError(await post(emu, '/user/info/', {}), 40400, 'Route not found.');
		const res = await fetch(`${emu.url}/open_api/v1.2/user/info/`, { headers: { 'Access-Token': SEED.validToken } });
		expect((await res.json()) as any).toEqual({ code: 40400, message: 'Route not found.', request_id: expect.any(String), data: {} });
	});
});

describe('Access-Token', () => {
	test('missing → 40104', async () => {
		expectError(await get(emu, '/user/info/', undefined, null), 40104, 'Access token is null, please check it.');
		expectError(await get(emu, '/user/info/', undefined, '  '), 40104, 'Access token is null, please check it.');
	});
	test('unknown → 40105', async () => {
		expectError(await get(emu, '/user/info/', undefined, 'nope'), 40105, 'Access token is incorrect or has been revoked.');
	});
	test('expired → 40102', async () => {
		expectError(
			await get(emu, '/user/info/', undefined, SEED.expiredToken),
			40102,
			'Access token has expired, please re-authorize.',
		);
	});
	test('Authorization: Bearer is not the TikTok header', async () => {
		const res = await fetch(`${emu.baseUrl}/user/info/`, { headers: { Authorization: `Bearer ${SEED.validToken}` } });
		expect(((await res.json()) as any).code).toBe(40104);
	});
});

describe('advertiser permission', () => {
	test('an advertiser not granted to the token → 40001 naming path and method', async () => {
		expectError(
			await get(emu, '/pixel/list/', { advertiser_id: SEED.otherAdvertiserId }),
			40001,
			'advertiser does not grant you /pixel/list/:GET permission',
		);
		expectError(
			await post(emu, '/dmp/custom_audience/create/', {
				advertiser_id: SEED.otherAdvertiserId,
				custom_audience_name: 'x',
				calculate_type: 'EMAIL_SHA256',
				file_paths: ['0123456789abcdef'],
			}),
			40001,
			'advertiser does not grant you /dmp/custom_audience/create/:POST permission',
		);
	});
	test('an advertiser id that does not exist looks the same', async () => {
		expectError(
			await get(emu, '/dmp/custom_audience/list', { advertiser_id: '7999999999999999999' }),
			40001,
			'advertiser does not grant you /dmp/custom_audience/list/:GET permission',
		);
	});
	test('advertiser_id must be a numeric string', async () => {
		expectError(await get(emu, '/pixel/list/', {}), 40002, 'advertiser_id: Missing data for required field.');
		expectError(await get(emu, '/pixel/list/', { advertiser_id: 'abc' }), 40002, 'advertiser_id: Not a valid id.');
		expectError(
			await post(emu, '/dmp/custom_audience/delete/', { advertiser_id: 7100000000000000001, custom_audience_ids: ['1'] }),
			40002,
			'advertiser_id: Not a valid string.',
		);
	});
	test('malformed JSON bodies are 40002', async () => {
		expectError(
			await call(emu, 'POST', '/dmp/custom_audience/delete/', { rawBody: '{"advertiser_id":' }),
			40002,
			'request body: Not a valid JSON.',
		);
		expectError(
			await call(emu, 'POST', '/dmp/custom_audience/delete/', { rawBody: '[1,2]' }),
			40002,
			'request body: Not a valid JSON object.',
		);
	});
});

describe('rate limit', () => {
	test('more than qps requests per second per token → HTTP 200, 40100 with TikTok message', async () => {
		emu.config.qps = 3;
		try {
			const results = await Promise.all(Array.from({ length: 6 }, () => get(emu, '/user/info/')));
			const codes = results.map((r) => r.body.code).sort();
			expect(codes).toEqual([0, 0, 0, 40100, 40100, 40100]);
			const limited = results.find((r) => r.body.code === 40100)!;
			expectError(limited, 40100, 'Due to too many requests, requests from App [7000000000000000001] are temporarily restricted.');
			// Another token has its own budget.
			expectOk(await get(emu, '/user/info/', undefined, SEED.otherToken));
		} finally {
			emu.config.qps = 1000;
		}
	});
});

describe('request log', () => {
	test('records method, path, status, code and request_id; never a token, query or body', async () => {
		const ok = await get(emu, '/user/info/');
		await get(emu, '/oauth2/advertiser/get/', { app_id: SEED.app.app_id, secret: SEED.app.secret });
		await get(emu, '/user/info/', undefined, 'nope');
		const log = (await fetchJson(`${emu.url}/__emulator/requests`)).requests;
		expect(log).toEqual([
			{ time: '2025-01-15T12:00:00.000Z', method: 'GET', path: '/open_api/v1.3/user/info/', status: 200, code: 0, request_id: ok.body.request_id },
			{ time: '2025-01-15T12:00:00.000Z', method: 'GET', path: '/open_api/v1.3/oauth2/advertiser/get/', status: 200, code: 0, request_id: expect.any(String) },
			{ time: '2025-01-15T12:00:00.000Z', method: 'GET', path: '/open_api/v1.3/user/info/', status: 200, code: 40105, request_id: expect.any(String) },
		]);
		const text = JSON.stringify(log);
		expect(text).not.toContain(SEED.validToken);
		expect(text).not.toContain(SEED.app.secret);
		expect(text).not.toContain('nope');
	});
});
