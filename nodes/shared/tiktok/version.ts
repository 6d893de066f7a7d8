/** TikTok Business API version and hosts: the only place they are written down. */
export const API_VERSION = 'v1.3';

export const PRODUCTION_BASE_URL = `https://business-api.tiktok.com/open_api/${API_VERSION}`;
export const SANDBOX_BASE_URL = `https://sandbox-ads.tiktok.com/open_api/${API_VERSION}`;

export type TikTokEnvironment = 'production' | 'sandbox' | 'custom';

/**
 * Why a Custom Base URL cannot be used, in words, or undefined when it can (and for Production and Sandbox). An
 * empty Base URL used to fall back to Production silently, and n8n's credential test failed with a raw
 * ERR_INVALID_URL.
 */
export function baseUrlProblem(environment: TikTokEnvironment, customBaseUrl?: string): string | undefined {
	if (environment !== 'custom') return undefined;
	const trimmed = (customBaseUrl ?? '').trim();
	if (trimmed === '') {
		return 'Environment is "Custom Base URL" but the Base URL is empty: enter the root of the API (e.g. http://127.0.0.1:4010 for the local TikTok emulator), or choose Production or Sandbox.';
	}
	if (!/^https?:\/\/[^\s/?#]+/i.test(trimmed)) {
		return `The Base URL "${trimmed}" is not a web address: it must start with http:// or https://, e.g. http://127.0.0.1:4010 or https://proxy.example.com/open_api/v1.3.`;
	}
	return undefined;
}

/**
 * A custom base URL may be given with or without the `/open_api/v1.3` suffix (for example the local emulator's
 * root URL); both resolve to the same API root. A custom URL that `baseUrlProblem` refuses resolves to '' (never to
 * Production): callers check `baseUrlProblem` first.
 */
export function resolveBaseUrl(environment: TikTokEnvironment, customBaseUrl?: string): string {
	if (environment === 'sandbox') return SANDBOX_BASE_URL;
	if (environment === 'custom') {
		if (baseUrlProblem(environment, customBaseUrl)) return '';
		const trimmed = (customBaseUrl ?? '').trim().replace(/\/+$/, '');
		return /\/open_api\/v\d+(\.\d+)?$/.test(trimmed) ? trimmed : `${trimmed}/open_api/${API_VERSION}`;
	}
	return PRODUCTION_BASE_URL;
}
