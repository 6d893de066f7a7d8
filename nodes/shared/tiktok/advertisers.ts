import { advertiserGetSchema, advertiserInfoSchema } from './schemas';
import { CREDENTIAL_TYPE, tiktokRequest, type TransportContext } from './transport';

export interface AdvertiserOption {
	id: string;
	name: string;
}

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
