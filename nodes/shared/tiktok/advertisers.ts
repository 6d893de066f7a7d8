import { advertiserGetSchema, advertiserInfoSchema } from './schemas';
import { CREDENTIAL_TYPE, tiktokRequest, type TransportContext } from './transport';

export interface AdvertiserOption {
	id: string;
	name: string;
}

/** The credential's Default Advertiser ID ('' when it has none). Read once per run, where credentials are read anyway. */
export async function credentialDefaultAdvertiser(ctx: TransportContext): Promise<string> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	return String(credentials.advertiserId ?? '').trim();
}

/**
 * The advertiser a node works on: its Advertiser parameter, or, when that is left empty, the credential's Default
 * Advertiser ID. Every node's parameter reader goes through here.
 */
export function advertiserOrDefault(fromNode: unknown, credentialDefault: string): string {
	return String(fromNode ?? '').trim() || credentialDefault.trim();
}

/** What a node says when neither its Advertiser nor the credential names one. */
export const NO_ADVERTISER_HINT = 'Pick one in Advertiser, or set the Default Advertiser ID in the TikTok Business API credential.';

/**
 * Advertisers this token may manage: `/oauth2/advertiser/get/` when the credential has the app's ID and secret,
 * otherwise the credential's default advertiser, named through `/advertiser/info/`.
 */
export async function listAdvertisers(this: TransportContext): Promise<AdvertiserOption[]> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE);
	const appId = String(credentials.appId ?? '').trim();
	const secret = String(credentials.appSecret ?? '').trim();
	if (appId && secret) {
		const res = await tiktokRequest(this, {
			method: 'GET',
			path: 'oauth2/advertiser/get/',
			qs: { app_id: appId, secret },
			schema: advertiserGetSchema,
		});
		return res.data.list.map((a) => ({ id: a.advertiser_id, name: a.advertiser_name }));
	}
	const defaultId = String(credentials.advertiserId ?? '').trim();
	if (!defaultId) return [];
	const res = await tiktokRequest(this, {
		method: 'GET',
		path: 'advertiser/info/',
		qs: { advertiser_ids: [defaultId] },
		schema: advertiserInfoSchema,
	});
	return res.data.list.map((a) => ({ id: a.advertiser_id, name: a.name }));
}
