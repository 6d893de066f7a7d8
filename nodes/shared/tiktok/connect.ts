import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import {
	CHECK_FIELD,
	codeFingerprint,
	CredentialCheckError,
	effectiveToken,
	EXCHANGED_CODE_FIELD,
	pendingAuthorizationCode,
	TOKEN_FROM_CODE_FIELD,
} from './credential';
import { describeCode } from './errors';
import { classifyBody, describeNetworkFailure, networkReason, type Outcome } from './transport';
import { baseUrlProblem, resolveBaseUrl, type TikTokEnvironment } from './version';

/**
 * The credential's preAuthentication (n8n runs it before every credential test, and for a node call when the
 * transport asks for it, see CHECK_FIELD):
 * 1. the Base URL must be usable; 2. a new Authorization Code is exchanged for the long-term token, which n8n then
 * stores in the credential's hidden fields; 3. otherwise, the token is checked with GET /user/info/, so the
 * credential test can say in words why it fails (unreachable host, not TikTok, wrong environment, bad token).
 * n8n's own test failures are raw codes such as ECONNREFUSED or ERR_INVALID_URL.
 * https://docs.n8n.io/integrations/creating-nodes/build/reference/credentials-files/
 */

interface Exchanged {
	token: string;
	advertiserIds: string[];
}

/**
 * Codes this process exchanged, by fingerprint: a code works once, and the editor can save a credential form it
 * loaded before the exchange (which empties the hidden fields again); the next check then restores the token
 * instead of sending the used code to TikTok a second time.
 */
const exchangedCodes = new Map<string, Exchanged>();
const REMEMBERED_CODES = 20;

/** Forgets the exchanged codes, as a restart does (tests simulate restarts with it). */
export function forgetExchangedCodes(): void {
	exchangedCodes.clear();
}

const text = (value: unknown): string => String(value ?? '').trim();

/** A URL for messages: without any user:password part. */
const shown = (url: string): string => url.replace(/\/\/[^/@]*@/, '//');

async function send(helper: IHttpRequestHelper, options: IHttpRequestOptions): Promise<Outcome> {
	try {
		const response = (await helper.helpers.httpRequest({
			...options,
			json: true,
			encoding: 'text',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as { statusCode: number; body: unknown };
		return classifyBody(response.statusCode, response.body);
	} catch (error) {
		return { kind: 'network', reason: networkReason(error) };
	}
}

function fail(outcome: Outcome | undefined, path: string, message: string, retryable = false): never {
	throw new CredentialCheckError({ message, outcome, path, retryable });
}

/** Failures every call shares: the host is unreachable, or what answered is not TikTok's API. */
function failTransport(outcome: Exclude<Outcome, { kind: 'envelope' }>, path: string, baseUrl: string, environment: TikTokEnvironment, doing: string): never {
	const where = environment === 'custom' ? 'Check the Base URL (and that the emulator or proxy there is running).' : "Check this machine's network and proxy settings.";
	if (outcome.kind === 'network') {
		// In words only: n8n replaces a message that contains a code such as ECONNREFUSED with its own generic one.
		fail(outcome, path, `Could not reach ${shown(baseUrl)} to ${doing}: ${describeNetworkFailure(outcome.reason)}. ${where}`, true);
	}
	if (outcome.kind === 'http' && (outcome.status === 429 || outcome.status >= 500)) {
		fail(outcome, path, `TikTok's gateway answered HTTP ${outcome.status} when trying to ${doing}: it is usually temporary, try again in a minute.`, true);
	}
	const what = outcome.kind === 'http' ? `HTTP ${outcome.status}` : outcome.reason;
	fail(
		outcome,
		path,
		`${shown(baseUrl)} answered, but not like TikTok's Business API (${what}). Check Environment and Base URL: the Base URL is the API root, e.g. https://business-api.tiktok.com/open_api/v1.3, or the emulator's http://127.0.0.1:4010.`,
	);
}

/** POST /oauth2/access_token/ {app_id, secret, auth_code}: no Access-Token header; data {access_token, advertiser_ids, scope}. */
async function exchangeCode(helper: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject, baseUrl: string, environment: TikTokEnvironment, code: string): Promise<Exchanged> {
	const appId = text(credentials.appId);
	const secret = text(credentials.appSecret);
	const path = 'oauth2/access_token/';
	if (!appId || !secret) {
		fail(
			undefined,
			path,
			"An Authorization Code is exchanged with your app's App ID and App Secret: fill both (they are on the app's page in the TikTok for Business developer portal), or paste a long-term Access Token instead.",
		);
	}
	const outcome = await send(helper, { method: 'POST', url: `${baseUrl}/${path}`, body: { app_id: appId, secret, auth_code: code } });
	if (outcome.kind !== 'envelope') failTransport(outcome, path, baseUrl, environment, 'exchange the Authorization Code');
	const said = `${outcome.code}: ${outcome.message}`;
	if (outcome.code === 40101) {
		fail(outcome, path, `TikTok did not exchange the Authorization Code: the App ID and App Secret do not match (${said}). Copy both again from your app's page in the TikTok for Business developer portal.`);
	}
	if (outcome.code === 40110) {
		fail(
			outcome,
			path,
			`TikTok did not accept the Authorization Code (${said}). A code works once, within an hour of the authorization: open your app's authorization URL again, approve, and paste the new auth_code from the address TikTok redirects to.`,
		);
	}
	if (outcome.code !== 0) fail(outcome, path, `TikTok did not exchange the Authorization Code (${said}). ${describeCode(outcome.code).fix}`);
	const data = (outcome.data ?? {}) as { access_token?: unknown; advertiser_ids?: unknown };
	const token = typeof data.access_token === 'string' ? data.access_token.trim() : '';
	if (!token) failTransport({ kind: 'malformed', status: 200, reason: 'the answer has no access_token' }, path, baseUrl, environment, 'exchange the Authorization Code');
	const advertiserIds = Array.isArray(data.advertiser_ids) ? data.advertiser_ids.map(String) : [];
	return { token, advertiserIds };
}

/** GET /user/info/ with the token: reachable, TikTok, and the token accepted. Rate limits and outages do not fail it. */
async function checkToken(helper: IHttpRequestHelper, token: string, baseUrl: string, environment: TikTokEnvironment): Promise<void> {
	const path = 'user/info/';
	const outcome = await send(helper, { method: 'GET', url: `${baseUrl}/${path}`, headers: { 'Access-Token': token } });
	if (outcome.kind !== 'envelope') failTransport(outcome, path, baseUrl, environment, 'check the access token');
	const info = describeCode(outcome.code);
	const said = `${outcome.code}: ${outcome.message}`;
	const otherEnvironment =
		environment === 'production'
			? 'If the token comes from a Sandbox app, set Environment to Sandbox.'
			: environment === 'sandbox'
				? 'Sandbox accepts only tokens of a Sandbox app: for a production token, set Environment to Production.'
				: 'Check that the token belongs to the server at the Base URL.';
	const refusals: Record<number, string> = {
		40104: `TikTok received no access token (${said}). Paste the long-term Access Token, or fill App ID, App Secret and an Authorization Code.`,
		40105: `TikTok rejected the access token as invalid or revoked (${said}). ${otherEnvironment} Otherwise create a new long-term token in the developer portal, or authorize again and paste the new Authorization Code.`,
		40102: `The access token has expired (${said}). Authorize the app again and paste the new token or Authorization Code.`,
		40400: `TikTok does not know the route ${path} (${said}): the Base URL points at a wrong path or API version. It must be the API root ending in /open_api/v1.3, or a host root.`,
	};
	if (outcome.code === 0) return;
	if (refusals[outcome.code]) fail(outcome, path, refusals[outcome.code]);
	// TikTok answered: the host and the API are right. Throttling or an outage is no verdict on the credential.
	if (info.kind === 'rate_limit' || info.kind === 'transient') return;
	fail(outcome, path, `TikTok refused the access token check (${said}). ${info.fix}`);
}

/** The credential's preAuthentication: what n8n stores in the credential (hidden fields), or nothing. */
export async function connect(helper: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
	const environment = (text(credentials.environment) || 'production') as TikTokEnvironment;
	const problem = baseUrlProblem(environment, credentials.baseUrl as string | undefined);
	if (problem) fail(undefined, '', problem);
	const baseUrl = resolveBaseUrl(environment, credentials.baseUrl as string | undefined);

	const code = pendingAuthorizationCode(credentials);
	if (code !== undefined) {
		const fingerprint = codeFingerprint(text(credentials.appId), code);
		const exchanged = exchangedCodes.get(fingerprint) ?? (await exchangeCode(helper, credentials, baseUrl, environment, code));
		exchangedCodes.delete(fingerprint);
		exchangedCodes.set(fingerprint, exchanged);
		if (exchangedCodes.size > REMEMBERED_CODES) exchangedCodes.delete(exchangedCodes.keys().next().value as string);
		// n8n stores what this returns when it names the expirable field; that field itself stays empty.
		const stored: IDataObject = { [CHECK_FIELD]: '', [EXCHANGED_CODE_FIELD]: fingerprint, [TOKEN_FROM_CODE_FIELD]: exchanged.token };
		// One advertiser authorized and no default yet: it becomes the Default Advertiser ID the nodes fall back on.
		if (!text(credentials.advertiserId) && exchanged.advertiserIds.length === 1) stored.advertiserId = exchanged.advertiserIds[0];
		return stored;
	}

	await checkToken(helper, effectiveToken(credentials), baseUrl, environment);
	return {};
}
