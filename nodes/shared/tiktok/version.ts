/** TikTok Business API version and hosts: the only place they are written down. */
export const API_VERSION = 'v1.3';

export const PRODUCTION_BASE_URL = `https://business-api.tiktok.com/open_api/${API_VERSION}`;
export const SANDBOX_BASE_URL = `https://sandbox-ads.tiktok.com/open_api/${API_VERSION}`;

export type TikTokEnvironment = 'production' | 'sandbox' | 'custom';

/**
 * A custom base URL may be given with or without the `/open_api/v1.3` suffix (for example the local emulator's
 * root URL); both resolve to the same API root.
 */
export function resolveBaseUrl(environment: TikTokEnvironment, customBaseUrl?: string): string {
	if (environment === 'sandbox') return SANDBOX_BASE_URL;
	if (environment === 'custom') {
		const trimmed = (customBaseUrl ?? '').trim().replace(/\/+$/, '');
		if (!trimmed) return PRODUCTION_BASE_URL;
		return /\/open_api\/v\d+(\.\d+)?$/.test(trimmed) ? trimmed : `${trimmed}/open_api/${API_VERSION}`;
	}
	return PRODUCTION_BASE_URL;
}
