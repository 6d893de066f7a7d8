// Contract: fault injection (scripted and seeded random), the clock, config, reset and the inspection API.
import { request } from 'node:http';
import { startEmulator, type EmulatorHandle } from './index.cts';
import { SEED } from './seed.cts';
import { createAudience, emailHashes, expectError, expectOk, get, post } from './testClient.cts';

let emu: EmulatorHandle;
beforeAll(async () => {
	emu = await startEmulator({ seed: 5, freezeClock: true, now: Date.UTC(2025, 0, 1) });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const ADV = SEED.grantedAdvertiserId;
const control = async (method: string, path: string, body?: unknown) => {
	const res = await fetch(`${emu.url}/__emulator/${path}`, {
		method,
		headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	return { status: res.status, json: (await res.json()) as any };
};

describe('scripted faults', () => {
	test('fail the next 3 calls to update with 50002 (over HTTP), then succeed', async () => {
		const id = await createAudience(emu, emailHashes(1000));
		const s = await control('POST', 'faults', { path: 'dmp/custom_audience/update/', times: 3, kind: '50002' });
		expect(s.status).toBe(200);
		expect(s.json.scripted).toEqual([
			{ id: 1, path: '/dmp/custom_audience/update/', kind: '50002', remaining: 3, afterHandling: false },
		]);
		const rename = () => post(emu, '/dmp/custom_audience/update/', { advertiser_id: ADV, custom_audience_id: id, custom_audience_name: 'n' });
		for (let i = 0; i < 3; i++) expectError(await rename(), 50002, 'Service timeout, please try again later.');
		expectOk(await rename());
		expect((await control('GET', 'faults')).json).toEqual({
			counters: { '50002': 3 },
			scripted: [],
			random: { faultRate: 0, faultCodes: ['50000', '50002', '51003', 'http429', 'http500', 'http503', 'http504', 'reset', 'slow'] },
		});
	});

	test('JSON fault codes 50000, 51003 and 40100 come as HTTP 200 envelopes', async () => {
		emu.faults.script({ path: '/user/info', kind: '50000' });
		emu.faults.script({ path: '/user/info', kind: '51003' });
		emu.faults.script({ path: '/user/info', kind: '40100' });
		expectError(await get(emu, '/user/info/'), 50000, 'System error.');
		expectError(await get(emu, '/user/info/'), 51003, 'DMP service error, please try again later.');
		expectError(await get(emu, '/user/info/'), 40100, 'Due to too many requests, requests from App [7000000000000000001] are temporarily restricted.');
	});

	test('gateway faults are real HTTP statuses with a non-JSON body', async () => {
		for (const [kind, status] of [['http429', 429], ['http500', 500], ['http503', 503], ['http504', 504]] as const) {
			emu.faults.script({ path: '*', kind });
			const r = await get(emu, '/user/info/');
			expect(r.status).toBe(status);
			expect(r.body).toBeNull();
			expect(r.text).toContain(`<h1>${status} `);
		}
	});

	test('connection reset and slow responses', async () => {
		emu.faults.script({ path: '/user/info/', kind: 'reset' });
		await expect(fetch(`${emu.baseUrl}/user/info/`, { headers: { 'Access-Token': SEED.validToken } })).rejects.toThrow();
		emu.faults.script({ path: '/user/info/', kind: 'slow', delayMs: 300 });
		const t = performance.now();
		expectOk(await get(emu, '/user/info/'));
		expect(performance.now() - t).toBeGreaterThanOrEqual(290);
	});

	test('afterHandling: the change happens but the client sees the failure', async () => {
		emu.faults.script({ path: '/dmp/custom_audience/delete/', kind: '50002', afterHandling: true, method: 'POST' });
		const id = await createAudience(emu, emailHashes(5));
		expectError(await post(emu, '/dmp/custom_audience/delete/', { advertiser_id: ADV, custom_audience_ids: [id] }), 50002, 'Service timeout, please try again later.');
		expect(emu.state.audiences.has(id)).toBe(false);
	});

	test('bad scripts are refused with HTTP 400', async () => {
		expect((await control('POST', 'faults', { path: 'x', kind: 'boom' })).status).toBe(400);
		expect((await control('POST', 'faults', { kind: '50000' })).status).toBe(400);
	});
});

describe('random faults are reproducible under a seed', () => {
	async function run(seed: number): Promise<string[]> {
		const e = await startEmulator({ seed, faultRate: 0.3, faultCodes: ['50000', '50002', '51003', 'http503'] });
		try {
			const out: string[] = [];
			for (let i = 0; i < 40; i++) {
				const res = await fetch(`${e.baseUrl}/user/info/`, { headers: { 'Access-Token': SEED.validToken } });
				const text = await res.text();
				out.push(res.status === 200 ? String(JSON.parse(text).code) : `http${res.status}`);
			}
			return out;
		} finally {
			await e.close();
		}
	}
	test('same seed → same sequence; another seed → another', async () => {
		const a = await run(11);
		const b = await run(11);
		const c = await run(12);
		expect(a).toEqual(b);
		expect(a).not.toEqual(c);
		expect(a.filter((x) => x !== '0').length).toBeGreaterThan(3);
		expect(new Set(a)).toEqual(new Set(['0', '50000', '50002', '51003', 'http503']));
	});
});

describe('clock, config, seed, reset', () => {
	test('clock moves over HTTP', async () => {
		expect((await control('GET', 'clock')).json).toEqual({ now: Date.UTC(2025, 0, 1), iso: '2025-01-01T00:00:00.000Z', frozen: true });
		expect((await control('POST', 'clock', { advanceMs: 86_400_000 })).json.iso).toBe('2025-01-02T00:00:00.000Z');
		expect((await control('POST', 'clock', { set: Date.UTC(2030, 0, 1) })).json.iso).toBe('2030-01-01T00:00:00.000Z');
		expect((await control('POST', 'clock', {})).status).toBe(400);
	});

	test('config changes over HTTP', async () => {
		const r = await control('POST', 'config', { matchRate: 1, processingDelayMs: 0 });
		expect(r.json).toMatchObject({ matchRate: 1, processingDelayMs: 0, qps: 1000, seed: 5 });
		const id = await createAudience(emu, emailHashes(1000));
		const d = expectOk(await get(emu, '/dmp/custom_audience/get/', { advertiser_id: ADV, custom_audience_ids: [id] }));
		expect(d.list[0].audience_details).toMatchObject({ cover_num: 1000, is_valid: true });
		expect((await control('POST', 'config', { matchRate: 2 })).status).toBe(400);
		await control('POST', 'config', { matchRate: 0.7, processingDelayMs: 60_000 });
	});

	test('GET /__emulator/seed returns the fixtures', async () => {
		const seed = (await control('GET', 'seed')).json;
		expect(seed).toMatchObject({
			app: { app_id: '7000000000000000001', secret: SEED.app.secret },
			validToken: SEED.validToken,
			expiredToken: SEED.expiredToken,
			grantedAdvertiserId: '7100000000000000001',
			otherAdvertiserId: '7100000000000000002',
		});
		expect(seed.pixels.filter((p: any) => p.advertiser_id === ADV).map((p: any) => Object.keys(p).sort())).toEqual([
			['advertiser_id', 'create_time', 'pixel_code', 'pixel_id', 'pixel_name'],
			['advertiser_id', 'create_time', 'pixel_code', 'pixel_id', 'pixel_name'],
		]);
		expect(seed.tokens.map((t: any) => [t.access_token, t.expired])).toEqual([
			[SEED.validToken, false],
			[SEED.expiredToken, true],
			[SEED.otherToken, false],
		]);
	});

	test('audiences inspection and reset', async () => {
		const id = await createAudience(emu, emailHashes(3));
		const all = (await control('GET', 'audiences')).json.audiences;
		expect(all).toHaveLength(1);
		expect(all[0]).toMatchObject({ audience_id: id, kind: 'CUSTOMER_FILE', calculate_type: 'EMAIL_SHA256', member_count: 3, members: [...emailHashes(3)].sort() });
		expect((await control('GET', 'audiences?members=false')).json.audiences[0].members).toBeUndefined();
		expect((await control('GET', 'audiences/999')).status).toBe(404);
		expect((await control('POST', 'reset')).json).toEqual({ ok: true });
		expect((await control('GET', 'audiences')).json.audiences).toEqual([]);
		expect((await control('GET', 'requests')).json.requests).toEqual([]);
	});

	test('inspection paths are not under /open_api/ and /open_api/__emulator is just an unknown route', async () => {
		expectError(await get(emu, '/__emulator/seed'), 40400, 'Route not found.');
	});
});

test('a request with the token in a weird place still never shows up in the log', async () => {
	await new Promise<void>((resolve, reject) => {
		const req = request(`${emu.baseUrl}/user/info/?access_token=${SEED.validToken}`, { headers: { 'Access-Token': SEED.validToken } }, (res) => {
			res.resume();
			res.on('end', () => resolve());
		});
		req.on('error', reject);
		req.end();
	});
	const log = JSON.stringify((await control('GET', 'requests')).json);
	expect(log).toContain('/open_api/v1.3/user/info/');
	expect(log).not.toContain(SEED.validToken);
});
