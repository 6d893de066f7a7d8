// The pickers' list searches against the emulator, through the nodes' own transport: advertisers, pixels (name and
// code), audiences (all types, searchable by name), customer-file audiences only (what List Sync can update) and
// website audiences only (what Send Sync Event fills).
import type { ICredentialDataDecryptedObject, IHttpRequestOptions, ILoadOptionsFunctions, INode } from 'n8n-workflow';

import * as pkg from '../../index';
import { searchAdvertisers, searchAudiences, searchCustomerFileAudiences, searchPixels, searchWebsiteAudiences } from '../../nodes/shared/ui/listSearch';
import { SEED, startEmulator, type EmulatorHandle } from '../emulator/index.cts';
import { createAudience, emailHashes, expectOk, post } from '../emulator/testClient.cts';

let emu: EmulatorHandle;
beforeAll(async () => {
	emu = await startEmulator({ qps: 0 });
});
afterAll(async () => {
	await emu.close();
});

/** The parts of n8n's load-options context the searches use; HTTP goes out with the credential's header, as n8n does. */
function loadOptionsContext(credentials: ICredentialDataDecryptedObject, advertiserId = SEED.grantedAdvertiserId): ILoadOptionsFunctions {
	return {
		getNode: () => ({ name: 'Picker', type: 'test', typeVersion: 1, parameters: {} }) as unknown as INode,
		getCredentials: async () => credentials,
		getCurrentNodeParameter: () => advertiserId,
		helpers: {
			httpRequestWithAuthentication: async (_type: string, o: IHttpRequestOptions) => {
				const url = new URL(o.url);
				for (const [k, v] of Object.entries((o.qs ?? {}) as Record<string, string>)) url.searchParams.set(k, v);
				const res = await fetch(url, { method: o.method, headers: { 'Access-Token': String(credentials.accessToken) } });
				return { statusCode: res.status, body: await res.text() };
			},
		},
	} as unknown as ILoadOptionsFunctions;
}

const creds = (extra: ICredentialDataDecryptedObject = {}) => ({
	accessToken: SEED.validToken,
	environment: 'custom',
	baseUrl: emu.url,
	requestsPerSecond: 0,
	...extra,
});

test('index.ts exports the credential and all five nodes', () => {
	expect(Object.keys(pkg).sort()).toEqual([
		'TikTokAudienceSyncTrigger',
		'TikTokBusinessApi',
		'TikTokCreateWebsiteAudience',
		'TikTokSendSyncEvent',
		'TikTokUnlinkDeleteAudience',
		'TikTokUpsertCustomerFileList',
	]);
});

test('advertisers: every authorized one with the app id and secret, else the default advertiser, which is marked', async () => {
	const withApp = loadOptionsContext(creds({ appId: SEED.app.app_id, appSecret: SEED.app.secret }));
	expect((await searchAdvertisers.call(withApp)).results).toEqual([{ name: `Emulator Shop (granted) (${SEED.grantedAdvertiserId})`, value: SEED.grantedAdvertiserId }]);
	const withDefault = loadOptionsContext(creds({ advertiserId: SEED.grantedAdvertiserId }));
	expect((await searchAdvertisers.call(withDefault)).results).toEqual([
		{ name: `Emulator Shop (granted) (${SEED.grantedAdvertiserId}) (default)`, value: SEED.grantedAdvertiserId },
	]);
	expect((await searchAdvertisers.call(loadOptionsContext(creds()))).results).toEqual([]);
});

test("advertisers: the credential's Default Advertiser comes first, marked, and a filter still applies", async () => {
	// A token two advertisers authorized (the emulator lists them in grant order: granted, then other).
	const code = emu.authCode([SEED.grantedAdvertiserId, SEED.otherAdvertiserId]);
	const exchanged = expectOk(await post(emu, '/oauth2/access_token/', { app_id: SEED.app.app_id, secret: SEED.app.secret, auth_code: code }, null));
	const app = { accessToken: exchanged.access_token, appId: SEED.app.app_id, appSecret: SEED.app.secret };
	const both = (await searchAdvertisers.call(loadOptionsContext(creds(app)))).results;
	expect(both).toEqual([
		{ name: `Emulator Shop (granted) (${SEED.grantedAdvertiserId})`, value: SEED.grantedAdvertiserId },
		{ name: `Other Business (not granted) (${SEED.otherAdvertiserId})`, value: SEED.otherAdvertiserId },
	]);
	const ctx = loadOptionsContext(creds({ ...app, advertiserId: SEED.otherAdvertiserId }));
	expect((await searchAdvertisers.call(ctx)).results).toEqual([
		{ name: `Other Business (not granted) (${SEED.otherAdvertiserId}) (default)`, value: SEED.otherAdvertiserId },
		{ name: `Emulator Shop (granted) (${SEED.grantedAdvertiserId})`, value: SEED.grantedAdvertiserId },
	]);
	expect((await searchAdvertisers.call(ctx, 'default')).results.map((r) => r.value)).toEqual([SEED.otherAdvertiserId]);
	expect((await searchAdvertisers.call(ctx, 'shop')).results.map((r) => r.value)).toEqual([SEED.grantedAdvertiserId]);
});

test('pixels show name and code, filter by either, and give the pixel id', async () => {
	const ctx = loadOptionsContext(creds());
	expect((await searchPixels.call(ctx)).results).toEqual([
		{ name: 'Main website (CEMU0PIXEL0MAIN00001)', value: '7200000000000000011' },
		{ name: 'Shop checkout (CEMU0PIXEL0SHOP00002)', value: '7200000000000000012' },
	]);
	expect((await searchPixels.call(ctx, 'shop0')).results.map((r) => r.value)).toEqual(['7200000000000000012']);
});

test('audiences: all types by name; the customer-file picker leaves website audiences out', async () => {
	const listId = await createAudience(emu, emailHashes(10), 'CRM buyers');
	const { custom_audience_id: websiteId } = expectOk(
		await post(emu, '/dmp/custom_audience/rule/create/', {
			advertiser_id: SEED.grantedAdvertiserId,
			custom_audience_name: 'Checkout visitors',
			audience_type: 'PIXEL',
			rule_spec: {
				inclusion_rule_set: {
					operator: 'OR',
					rules: [{ event_source_ids: ['7200000000000000011'], retention_days: 30, filter_set: { operator: 'OR', filters: [{ field: 'EVENT', operator: 'EQ', value: 'COMPLETE PAYMENT' }] } }],
				},
			},
		}),
	);
	const ctx = loadOptionsContext(creds());
	// The emulator lists the newest audience first.
	expect((await searchAudiences.call(ctx)).results).toEqual([
		{ name: `Checkout visitors (Website Audience, ${websiteId})`, value: websiteId },
		{ name: `CRM buyers (Customer File Audience, ${listId})`, value: listId },
	]);
	expect((await searchAudiences.call(ctx, 'checkout')).results.map((r) => r.value)).toEqual([websiteId]);
	expect((await searchCustomerFileAudiences.call(ctx)).results).toEqual([{ name: `CRM buyers (Customer File Audience, ${listId})`, value: listId }]);
	// Send Sync Event's picker: only website audiences, the ones events fill.
	expect((await searchWebsiteAudiences.call(ctx)).results).toEqual([{ name: `Checkout visitors (Website Audience, ${websiteId})`, value: websiteId }]);
});
