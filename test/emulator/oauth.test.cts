// Contract: POST /oauth2/access_token/ (auth_code → long-term token) and the inspection call that mints auth codes.
import { startEmulator, type EmulatorHandle } from './index.cts';
import { SEED } from './seed.cts';
import { call, expectError, expectOk, fetchJson, get } from './testClient.cts';

let emu: EmulatorHandle;
beforeAll(async () => {
	emu = await startEmulator({ seed: 1, freezeClock: true, now: Date.UTC(2025, 0, 1) });
});
afterEach(() => emu.reset());
afterAll(() => emu.close());

const exchange = (body: unknown, token: string | null = null) => call(emu, 'POST', '/oauth2/access_token/', { body, token });
const app = { app_id: SEED.app.app_id, secret: SEED.app.secret };

test('an auth code is exchanged once for a long-term token that works like any other', async () => {
	const code = emu.authCode();
	expect(code).toBe('c0de000000000000000000000000000000000001');
	const data = expectOk(await exchange({ ...app, auth_code: code }));
	expect(data).toEqual({ access_token: 'e0a1a7e5c0de0000000000000000000000000001', advertiser_ids: [SEED.grantedAdvertiserId], scope: [4, 5] });
	const info = expectOk(await get(emu, '/user/info/', {}, data.access_token));
	expect(info).toEqual({ core_user_id: '7300000000000000001', display_name: 'Emulator User', email: 'em***@example.com', avatar_url: null, create_time: 1704067200 });
	expectOk(await get(emu, '/advertiser/info/', { advertiser_ids: [SEED.grantedAdvertiserId], fields: ['advertiser_id'] }, data.access_token));
	expectError(
		await get(emu, '/advertiser/info/', { advertiser_ids: [SEED.otherAdvertiserId] }, data.access_token),
		40001,
		'advertiser does not grant you /advertiser/info/:GET permission',
	);
	// Single-use: the same code again is TikTok's 40110.
	expectError(await exchange({ ...app, auth_code: code }), 40110, 'Auth code is invalid, expired or has already been used.');
	expect(await fetchJson(`${emu.url}/__emulator/auth_codes`)).toEqual({
		auth_codes: [{ auth_code: code, advertiser_ids: [SEED.grantedAdvertiserId], used: true, expires_at: '2025-01-01T01:00:00.000Z' }],
		issued_tokens: 1,
	});
});

test('the token covers the advertisers that authorized; return_advertiser_ids false leaves the list out', async () => {
	const both: any = await (
		await fetch(`${emu.url}/__emulator/auth_codes`, { method: 'POST', body: JSON.stringify({ advertiser_ids: [SEED.grantedAdvertiserId, SEED.otherAdvertiserId] }) })
	).json();
	expect(both).toEqual({
		auth_code: 'c0de000000000000000000000000000000000001',
		app_id: SEED.app.app_id,
		advertiser_ids: [SEED.grantedAdvertiserId, SEED.otherAdvertiserId],
		expires_at: '2025-01-01T01:00:00.000Z',
	});
	expect(expectOk(await exchange({ ...app, auth_code: both.auth_code }))).toEqual({
		access_token: 'e0a1a7e5c0de0000000000000000000000000001',
		advertiser_ids: [SEED.grantedAdvertiserId, SEED.otherAdvertiserId],
		scope: [4, 5],
	});
	const quiet = emu.authCode([SEED.otherAdvertiserId]);
	expect(expectOk(await exchange({ ...app, auth_code: quiet, return_advertiser_ids: false }))).toEqual({
		access_token: 'e0a1a7e5c0de0000000000000000000000000002',
		scope: [4, 5],
	});
	const bad = await fetch(`${emu.url}/__emulator/auth_codes`, { method: 'POST', body: JSON.stringify({ advertiser_ids: ['1'] }) });
	expect(bad.status).toBe(400);
	expect(await bad.json()).toEqual({ error: 'advertiser_ids must be a non-empty list of 7100000000000000001, 7100000000000000002' });
});

test('wrong secret is 40101, an unknown or expired code 40110, missing fields 40002; no Access-Token is needed', async () => {
	const code = emu.authCode();
	expectError(await exchange({ ...app, secret: 'wrong', auth_code: code }), 40101, 'The app_id and secret do not match.');
	expectError(await exchange({ ...app, app_id: '7000000000000000009', auth_code: code }), 40101, 'The app_id and secret do not match.');
	expectError(await exchange({ ...app, auth_code: 'c0de00000000000000000000000000000000ffff' }), 40110, 'Auth code is invalid, expired or has already been used.');
	expectError(await exchange({ secret: app.secret, auth_code: code }), 40002, 'app_id: Missing data for required field.');
	expectError(await exchange({ app_id: app.app_id, auth_code: code }), 40002, 'secret: Missing data for required field.');
	expectError(await exchange({ ...app }), 40002, 'auth_code: Missing data for required field.');
	expectError(await exchange({ ...app, auth_code: code, return_advertiser_ids: 'no' }), 40002, 'return_advertiser_ids: Not a valid boolean.');
	// The code was not used up by the failed attempts; an hour later it has expired.
	emu.clock.advance(3_600_001);
	expectError(await exchange({ ...app, auth_code: code }), 40110, 'Auth code is invalid, expired or has already been used.');
	const fresh = emu.authCode();
	emu.clock.advance(3_600_000);
	// A token header, even a wrong one, changes nothing: the exchange does not read it.
	expect(expectOk(await exchange({ ...app, auth_code: fresh }, 'not-a-token')).access_token).toBe('e0a1a7e5c0de0000000000000000000000000001');
	// Only GET and POST of the listed routes exist: GET of the exchange is an unknown route.
	expectError(await get(emu, '/oauth2/access_token/', {}), 40400, 'Route not found.');
});

test('reset forgets codes and the tokens they gave', async () => {
	const code = emu.authCode();
	const token = expectOk(await exchange({ ...app, auth_code: code })).access_token as string;
	emu.reset();
	expectError(await get(emu, '/user/info/', {}, token), 40105, 'Access token is incorrect or has been revoked.');
	expect(emu.authCode()).toBe('c0de000000000000000000000000000000000001');
	// The log restarted at the reset too: it holds only the refused call, and never a token or a body.
	const { requests } = await fetchJson(`${emu.url}/__emulator/requests`);
	expect(requests.map((r: { method: string; path: string; code: number }) => [r.method, r.path, r.code])).toEqual([['GET', '/open_api/v1.3/user/info/', 40105]]);
	expect(JSON.stringify(requests)).not.toContain(token);
});
