import { createHash } from 'node:crypto';
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import type { Outcome } from './transport';

/**
 * The credential's fields for connecting with an authorization code (credentials/TikTokBusinessApi.credentials.ts).
 * TikTok's OAuth flow: the advertiser authorizes the app, TikTok redirects with a one-time `auth_code`, and the app
 * exchanges it for a long-term access token (POST /oauth2/access_token/ with app_id, secret and auth_code):
 * https://business-api.tiktok.com/portal/docs?id=1738373164380162
 */
export const AUTH_CODE_FIELD = 'authorizationCode';
/** Hidden, password: the long-term token the exchange returned. */
export const TOKEN_FROM_CODE_FIELD = 'accessTokenFromCode';
/** Hidden: the fingerprint of the code that was exchanged (never the code). */
export const EXCHANGED_CODE_FIELD = 'exchangedCode';
/**
 * Hidden, n8n's `expirable` field, always stored empty. n8n runs a credential's `preAuthentication` only when that
 * field is empty (n8n 1.123 and 2.41, CredentialsHelper.preAuthentication), so it runs before every credential test.
 * For node calls the transport passes the credential with the field set (CHECKED), unless a code waits to be
 * exchanged: nodes pay for no check.
 */
export const CHECK_FIELD = 'connectionCheck';
export const CHECKED = 'checked';

const text = (value: unknown): string => String(value ?? '').trim();

/** The token requests carry: the Access Token typed in, else the one the authorization code was exchanged for. */
export function effectiveToken(credentials: ICredentialDataDecryptedObject): string {
	return text(credentials.accessToken) || text(credentials[TOKEN_FROM_CODE_FIELD]);
}

/** A code's fingerprint (never the code): tells whether this very code was exchanged already. */
export function codeFingerprint(appId: string, code: string): string {
	return createHash('sha256').update(`${appId}\n${code}`).digest('hex').slice(0, 32);
}

/**
 * The authorization code still to exchange, if any. A typed Access Token wins: with one, no code is exchanged. A
 * code is exchanged once (TikTok's codes are single-use); its fingerprint then matches `exchangedCode`.
 */
export function pendingAuthorizationCode(credentials: ICredentialDataDecryptedObject): string | undefined {
	if (text(credentials.accessToken)) return undefined;
	const code = text(credentials[AUTH_CODE_FIELD]);
	if (!code) return undefined;
	const exchanged = text(credentials[TOKEN_FROM_CODE_FIELD]) !== '' && text(credentials[EXCHANGED_CODE_FIELD]) === codeFingerprint(text(credentials.appId), code);
	return exchanged ? undefined : code;
}

/** What the credential check (its preAuthentication) found wrong, in words, with TikTok's answer kept for the transport. */
export interface CredentialCheck {
	/** One or two sentences: what happened and how to fix it (n8n's credential test shows only this). */
	message: string;
	/** TikTok's (or the network's) answer; none when the credential itself is incomplete. */
	outcome?: Outcome;
	/** API path that answered, e.g. `oauth2/access_token/` ('' when nothing was sent). */
	path: string;
	retryable: boolean;
}

/** Thrown by the credential's preAuthentication; n8n wraps it (as `cause`), the transport finds it again. */
export class CredentialCheckError extends Error {
	readonly tiktokCheck: CredentialCheck;
	constructor(check: CredentialCheck) {
		super(check.message);
		this.name = 'CredentialCheckError';
		this.tiktokCheck = check;
	}
}

/** The credential check an error carries, looking through n8n's wrappers (`cause`). */
export function credentialCheckOf(error: unknown): CredentialCheck | undefined {
	const seen = new Set<unknown>();
	let current = error as { tiktokCheck?: CredentialCheck; cause?: unknown } | undefined;
	while (current && typeof current === 'object' && !seen.has(current)) {
		seen.add(current);
		if (current.tiktokCheck) return current.tiktokCheck;
		current = current.cause as typeof current;
	}
	return undefined;
}
