// The TikTok Business API credential in n8n's engine against the emulator: an Authorization Code exchanged for the
// long-term token in the first call of a node run (the credential's preAuthentication, stored by n8n), a used or
// expired code refused in words, an empty Custom Base URL stopped before anything is sent, the connection check's
// sentences (what n8n runs before a credential test), and the Default Advertiser ID a node uses when its Advertiser
// is left empty.
import type { ICredentialDataDecryptedObject, IDataObject, INode } from 'n8n-workflow';

import { codeFingerprint } from '../../nodes/shared/tiktok/credential';
import { SEED, startEmulator, type EmulatorHandle } from '../emulator/index.cts';
import { createAudience, emailHashes } from '../emulator/testClient.cts';
import { byId, packageNode, runCredentialCheck, runWorkflow, simulateRestart } from '../support/engine.cts';

const ADV = SEED.grantedAdvertiserId;
const TOKEN_1 = 'e0a1a7e5c0de0000000000000000000000000001';
const TOKEN_2 = 'e0a1a7e5c0de0000000000000000000000000002';

let emu: EmulatorHandle;
beforeEach(async () => {
	simulateRestart();
	emu = await startEmulator({ qps: 0 });
});
afterEach(async () => {
	await emu.close();
});

/** A credential connected with an Authorization Code, as n8n stores it (hidden fields at their defaults). */
function codeCredential(code: string, extra: ICredentialDataDecryptedObject = {}): ICredentialDataDecryptedObject {
	return {
		accessToken: '',
		appId: SEED.app.app_id,
		appSecret: SEED.app.secret,
		authorizationCode: code,
		environment: 'custom',
		baseUrl: emu.url,
		advertiserId: '',
		requestsPerSecond: 1000,
		maxRetries: 0,
		retryBaseDelayMs: 5,
		accessTokenFromCode: '',
		exchangedCode: '',
		connectionCheck: '',
		...extra,
	};
}

const statusNode = (advertiser: IDataObject, audienceId: string): INode =>
	packageNode('Status', 'tikTokUnlinkDeleteAudience', { operation: 'getStatus', advertiserId: advertiser, audience: byId(audienceId) });
const EMPTY = { __rl: true, mode: 'list', value: '' };

const run = (node: INode, credential: ICredentialDataDecryptedObject) => runWorkflow({ nodes: [node], connections: {}, credentials: { tikTokBusinessApi: credential } });

/** [method, path, code] of the API calls since `from`. */
const callsSince = (from: number) => emu.state.requestLog.slice(from).map((r) => [r.method, r.path.replace('/open_api/v1.3/', ''), r.code]);

const AUTH_CODE_REFUSED =
	'TikTok did not accept the Authorization Code (40110: Auth code is invalid, expired or has already been used.). A code works once, within an hour of the authorization: open your app\'s authorization URL again, approve, and paste the new auth_code from the address TikTok redirects to.';
const OPEN_CREDENTIAL = 'Open the TikTok Business API credential of this node to correct it; its Test button runs the same check.';

describe('Authorization Code → long-term token', () => {
	test('exchanged once, in the first call of a node run; n8n stores the token, the default advertiser and the code fingerprint; nothing shows the token', async () => {
		const id = await createAudience(emu, emailHashes(10), 'CRM buyers');
		const code = emu.authCode();
		const credential = codeCredential(code);
		let from = emu.state.requestLog.length;
		const first = await run(statusNode(byId(ADV), id), credential);
		expect(first.error()).toBeUndefined();
		expect(first.output('Status')).toEqual([expect.objectContaining({ operation: 'Get Status', exists: true, advertiserId: ADV, audienceId: id, name: 'CRM buyers' })]);
		expect(callsSince(from)).toEqual([
			['POST', 'oauth2/access_token/', 0],
			['GET', 'dmp/custom_audience/get/', 0],
		]);
		// What n8n stored in the credential: the hidden fields, and the one advertiser that authorized as the default.
		expect(credential).toEqual(
			codeCredential(code, { accessTokenFromCode: TOKEN_1, exchangedCode: codeFingerprint(SEED.app.app_id, code), advertiserId: ADV }),
		);
		expect(codeFingerprint(SEED.app.app_id, code)).toBe('28e8d9a5b7a1932673b741e615670942');
		const everything = JSON.stringify(first.run.data);
		expect(everything).not.toContain(TOKEN_1);
		expect(everything).not.toContain(code);
		expect(everything).not.toContain(SEED.app.secret);

		// Later runs, in this process or after a restart, use the stored token: the code is never sent again.
		for (const restart of [false, true]) {
			if (restart) simulateRestart();
			from = emu.state.requestLog.length;
			const again = await run(statusNode(EMPTY, id), credential);
			expect(again.output('Status')).toEqual([expect.objectContaining({ advertiserId: ADV, audienceId: id })]);
			expect(callsSince(from)).toEqual([['GET', 'dmp/custom_audience/get/', 0]]);
		}
		expect(await (await fetch(`${emu.url}/__emulator/auth_codes`)).json()).toEqual({
			auth_codes: [{ auth_code: code, advertiser_ids: [ADV], used: true, expires_at: expect.any(String) }],
			issued_tokens: 1,
		});
	});

	test('a new code replaces the token; a form saved before the exchange is healed in this process; a used or expired code is refused in words', async () => {
		const id = await createAudience(emu, emailHashes(10), 'CRM buyers');
		const credential = codeCredential(emu.authCode(), { advertiserId: ADV });
		await run(statusNode(EMPTY, id), credential);
		expect(credential.accessTokenFromCode).toBe(TOKEN_1);

		// The advertiser authorizes again: the new code is exchanged at the next call (the transport asks n8n for it).
		const second = emu.authCode();
		credential.authorizationCode = second;
		let from = emu.state.requestLog.length;
		expect((await run(statusNode(EMPTY, id), credential)).error()).toBeUndefined();
		expect(callsSince(from)).toEqual([
			['POST', 'oauth2/access_token/', 0],
			['GET', 'dmp/custom_audience/get/', 0],
		]);
		expect([credential.accessTokenFromCode, credential.exchangedCode]).toEqual([TOKEN_2, codeFingerprint(SEED.app.app_id, second)]);

		// The editor saves a form it loaded before the exchange: the hidden fields are back at their defaults. This
		// process remembers the exchange, so the used code is not sent again.
		Object.assign(credential, { accessTokenFromCode: '', exchangedCode: '' });
		from = emu.state.requestLog.length;
		expect((await run(statusNode(EMPTY, id), credential)).error()).toBeUndefined();
		expect(callsSince(from)).toEqual([['GET', 'dmp/custom_audience/get/', 0]]);
		expect(credential.accessTokenFromCode).toBe(TOKEN_2);

		// After a restart the same happens with TikTok: the used code is refused, with what to do; nothing else is sent.
		simulateRestart();
		Object.assign(credential, { accessTokenFromCode: '', exchangedCode: '' });
		from = emu.state.requestLog.length;
		const used = await run(statusNode(EMPTY, id), credential);
		expect(used.error()).toEqual({ message: AUTH_CODE_REFUSED, description: OPEN_CREDENTIAL, node: 'Status' });
		expect(callsSince(from)).toEqual([['POST', 'oauth2/access_token/', 40110]]);
		expect(JSON.stringify(used.run.data)).not.toContain(second);

		// A code older than an hour: the same answer.
		const late = emu.authCode();
		emu.clock.advance(3_600_001);
		credential.authorizationCode = late;
		expect((await run(statusNode(EMPTY, id), credential)).error()?.message).toBe(AUTH_CODE_REFUSED);
		expect(credential.accessTokenFromCode).toBe('');
	});

	test('App ID and App Secret: missing → nothing is sent; wrong → 40101, and the code stays usable', async () => {
		const id = await createAudience(emu, emailHashes(10), 'CRM buyers');
		const code = emu.authCode();
		const credential = codeCredential(code, { appSecret: '' });
		let from = emu.state.requestLog.length;
		expect((await run(statusNode(byId(ADV), id), credential)).error()).toEqual({
			message:
				"An Authorization Code is exchanged with your app's App ID and App Secret: fill both (they are on the app's page in the TikTok for Business developer portal), or paste a long-term Access Token instead.",
			description: OPEN_CREDENTIAL,
			node: 'Status',
		});
		expect(callsSince(from)).toEqual([]);

		credential.appSecret = 'e0a5ec7e7000000000000000000000000000bad0';
		const wrong = await run(statusNode(byId(ADV), id), credential);
		expect(wrong.error()).toEqual({
			message:
				"TikTok did not exchange the Authorization Code: the App ID and App Secret do not match (40101: The app_id and secret do not match.). Copy both again from your app's page in the TikTok for Business developer portal.",
			description: OPEN_CREDENTIAL,
			node: 'Status',
		});
		expect(JSON.stringify(wrong.run.data)).not.toContain('e0a5ec7e7000000000000000000000000000bad0');

		credential.appSecret = SEED.app.secret;
		from = emu.state.requestLog.length;
		expect((await run(statusNode(byId(ADV), id), credential)).error()).toBeUndefined();
		expect(callsSince(from)).toEqual([
			['POST', 'oauth2/access_token/', 0],
			['GET', 'dmp/custom_audience/get/', 0],
		]);
	});

	test('a typed Access Token wins: with one, a code is never exchanged', async () => {
		const id = await createAudience(emu, emailHashes(10), 'CRM buyers');
		const credential = codeCredential(emu.authCode(), { accessToken: SEED.validToken });
		const from = emu.state.requestLog.length;
		expect((await run(statusNode(byId(ADV), id), credential)).error()).toBeUndefined();
		expect(callsSince(from)).toEqual([['GET', 'dmp/custom_audience/get/', 0]]);
		expect(credential.accessTokenFromCode).toBe('');
	});
});

describe('Environment and Base URL', () => {
	test('Custom Base URL selected but empty (or not a web address): the node stops with the sentence, nothing is sent', async () => {
		const base = { accessToken: SEED.validToken, environment: 'custom', advertiserId: ADV, requestsPerSecond: 1000, maxRetries: 0 };
		for (const [baseUrl, message] of [
			[
				'',
				'Environment is "Custom Base URL" but the Base URL is empty: enter the root of the API (e.g. http://127.0.0.1:4010 for the local TikTok emulator), or choose Production or Sandbox.',
			],
			[
				'127.0.0.1:4010',
				'The Base URL "127.0.0.1:4010" is not a web address: it must start with http:// or https://, e.g. http://127.0.0.1:4010 or https://proxy.example.com/open_api/v1.3.',
			],
		]) {
			const r = await run(statusNode(EMPTY, '6900000000000000001'), { ...base, baseUrl });
			expect(r.error()).toEqual({
				message,
				description: 'Open the TikTok Business API credential of this node and correct its Environment or Base URL. Nothing was sent to TikTok.',
				node: 'Status',
			});
		}
		expect(emu.state.requestLog).toEqual([]);
	});

	test('the connection check n8n runs before a credential test says what is wrong, in a sentence', async () => {
		const closed = await startEmulator();
		const closedUrl = closed.url;
		await closed.close();
		const token = { accessToken: SEED.validToken, environment: 'custom', baseUrl: emu.url, connectionCheck: '' };
		const cases: Array<[ICredentialDataDecryptedObject, string]> = [
			[
				{ accessToken: 'not-a-valid-token' },
				'TikTok rejected the access token as invalid or revoked (40105: Access token is incorrect or has been revoked.). Check that the token belongs to the server at the Base URL. Otherwise create a new long-term token in the developer portal, or authorize again and paste the new Authorization Code.',
			],
			[
				{ accessToken: SEED.expiredToken },
				'The access token has expired (40102: Access token has expired, please re-authorize.). Authorize the app again and paste the new token or Authorization Code.',
			],
			[
				{ accessToken: '' },
				'TikTok received no access token (40104: Access token is null, please check it.). Paste the long-term Access Token, or fill App ID, App Secret and an Authorization Code.',
			],
			[
				{ baseUrl: `${emu.url}/open_api/v1.2` },
				'TikTok does not know the route user/info/ (40400: Route not found.): the Base URL points at a wrong path or API version. It must be the API root ending in /open_api/v1.3, or a host root.',
			],
			[
				{ baseUrl: `${emu.url}/__emulator` },
				`${emu.url}/__emulator/open_api/v1.3 answered, but not like TikTok's Business API (HTTP 404). Check Environment and Base URL: the Base URL is the API root, e.g. https://business-api.tiktok.com/open_api/v1.3, or the emulator's http://127.0.0.1:4010.`,
			],
			[
				{ baseUrl: closedUrl },
				`Could not reach ${closedUrl}/open_api/v1.3 to check the access token: the connection was refused. Check the Base URL (and that the emulator or proxy there is running).`,
			],
			[
				{ baseUrl: '' },
				'Environment is "Custom Base URL" but the Base URL is empty: enter the root of the API (e.g. http://127.0.0.1:4010 for the local TikTok emulator), or choose Production or Sandbox.',
			],
			[
				{ accessToken: '', appId: SEED.app.app_id, appSecret: SEED.app.secret, authorizationCode: 'c0de00000000000000000000000000000000ffff' },
				AUTH_CODE_REFUSED,
			],
		];
		for (const [extra, message] of cases) expect(await runCredentialCheck({ ...token, ...extra })).toEqual({ message });
		// A good token passes: nothing to store. A code is exchanged: n8n stores the token, the fingerprint and the default
		// advertiser, and keeps the expirable field empty (so the next test checks again).
		let from = emu.state.requestLog.length;
		expect(await runCredentialCheck(token)).toEqual({ stored: {} });
		expect(callsSince(from)).toEqual([['GET', 'user/info/', 0]]);
		const code = emu.authCode();
		from = emu.state.requestLog.length;
		expect(await runCredentialCheck(codeCredential(code))).toEqual({
			stored: { connectionCheck: '', exchangedCode: codeFingerprint(SEED.app.app_id, code), accessTokenFromCode: TOKEN_1, advertiserId: ADV },
		});
		expect(callsSince(from)).toEqual([['POST', 'oauth2/access_token/', 0]]);
	});

	test('node calls skip the check: with the expirable field stored empty, a node run sends only its own calls', async () => {
		const id = await createAudience(emu, emailHashes(10), 'CRM buyers');
		const credential = { accessToken: SEED.validToken, environment: 'custom', baseUrl: emu.url, requestsPerSecond: 1000, maxRetries: 0, connectionCheck: '' };
		const from = emu.state.requestLog.length;
		expect((await run(statusNode(byId(ADV), id), credential)).error()).toBeUndefined();
		expect(callsSince(from)).toEqual([['GET', 'dmp/custom_audience/get/', 0]]);
		expect(credential.connectionCheck).toBe('');
	});
});

describe('Default Advertiser ID', () => {
	test("a node whose Advertiser is empty uses the credential's; its own Advertiser wins; with neither, it says where to set one", async () => {
		const id = await createAudience(emu, emailHashes(10), 'CRM buyers');
		const credential = { accessToken: SEED.validToken, environment: 'custom', baseUrl: emu.url, requestsPerSecond: 1000, maxRetries: 0 };
		const withDefault = await run(statusNode(EMPTY, id), { ...credential, advertiserId: ADV });
		expect(withDefault.output('Status')).toEqual([expect.objectContaining({ advertiserId: ADV, audienceId: id, exists: true })]);
		// The node's own advertiser (one this token may not manage) is the one sent.
		const own = await run(statusNode(byId(SEED.otherAdvertiserId), id), { ...credential, advertiserId: ADV });
		expect(own.error()?.message).toBe('TikTok 40001: The advertiser is not granted to this access token');
		const neither = await run(statusNode(EMPTY, id), credential);
		expect(neither.error()).toEqual({
			message: 'No advertiser is selected',
			description: 'Pick one in Advertiser, or set the Default Advertiser ID in the TikTok Business API credential.',
			node: 'Status',
		});
	});

	test('every node reads it: Create Website Audience, Send Sync Event and List Sync fall back on it, and name it when missing', async () => {
		const credential = { accessToken: SEED.validToken, environment: 'custom', baseUrl: emu.url, requestsPerSecond: 1000, maxRetries: 0 };
		const create = (extra: IDataObject) =>
			packageNode('Create', 'tikTokCreateWebsiteAudience', { advertiserId: EMPTY, pixel: byId(SEED.pixels[0].pixel_id), audienceName: 'Visitors', event: 'ViewContent', lookbackDays: 30, ...extra });
		const created = await run(create({}), { ...credential, advertiserId: ADV });
		expect(created.output('Create')).toEqual([expect.objectContaining({ status: 'created', advertiserId: ADV, pixelId: SEED.pixels[0].pixel_id })]);
		expect((await run(create({}), credential)).error()).toEqual({
			message: 'Choose an advertiser',
			description: 'Pick one in Advertiser, or set the Default Advertiser ID in the TikTok Business API credential. An advertiser ID has digits only.',
			node: 'Create',
		});
		const send = packageNode('Send', 'tikTokSendSyncEvent', { source: 'manual', advertiserId: EMPTY, pixel: byId(SEED.pixels[0].pixel_id), event: 'ViewContent' });
		expect((await run(send, credential)).error()).toEqual({
			message: 'Choose an advertiser to look the pixel up in',
			description: 'Pick one in Advertiser, or set the Default Advertiser ID in the TikTok Business API credential.',
			node: 'Send',
		});
		const list = packageNode('List', 'tikTokUpsertCustomerFileList', { advertiserId: EMPTY, listMode: 'create', listName: 'CRM', calculateType: 'EMAIL_SHA256', action: 'APPEND', inputSource: 'items' });
		expect((await run(list, credential)).error()?.message).toBe('Choose an Advertiser. Pick one in Advertiser, or set the Default Advertiser ID in the TikTok Business API credential.');
	});
});
