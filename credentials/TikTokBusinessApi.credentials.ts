import type {
	IAuthenticateGeneric,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	Icon,
	INodeProperties,
} from 'n8n-workflow';

import { connect } from '../nodes/shared/tiktok/connect';
import { AUTH_CODE_FIELD, CHECK_FIELD, EXCHANGED_CODE_FIELD, TOKEN_FROM_CODE_FIELD } from '../nodes/shared/tiktok/credential';

// How a TikTok for Business app gets an advertiser's long-term token (authorization code flow):
// https://business-api.tiktok.com/portal/docs?id=1738373164380162 (obtain a long-term access token)
const HOW_TO_CONNECT = [
	'<b>Connect in four steps</b>',
	'<ol>',
	'<li>In the <a href="https://business-api.tiktok.com/portal" target="_blank">TikTok for Business developer portal</a>, create an app (My Apps) with the <b>Audience Management</b> scope (and <b>Pixel / Events</b> for Event Sync). Its page shows the App ID, the Secret and the authorization URL.</li>',
	'<li>The advertiser opens the authorization URL and approves. TikTok redirects to the app\'s redirect URL with <code>auth_code=…</code> in the address.</li>',
	'<li>Either paste that code in <b>Authorization Code</b> with the App ID and App Secret (the credential exchanges it for the long-term token when you save), or paste a long-term <b>Access Token</b> (My Apps can generate one for the advertisers who authorized the app).</li>',
	'<li>Save: the test checks the connection and says what to fix.</li>',
	'</ol>',
	'<a href="https://business-api.tiktok.com/portal/docs?id=1738373164380162" target="_blank">TikTok: obtain a long-term access token</a>',
].join('');

export class TikTokBusinessApi implements ICredentialType {
	name = 'tikTokBusinessApi';

	displayName = 'TikTok Business API';

	icon: Icon = { light: 'file:../icons/tiktok.svg', dark: 'file:../icons/tiktok.dark.svg' };

	documentationUrl = 'https://github.com/tiktok-audience-sync/n8n-nodes-tiktok-audience-sync#credentials';

	// Stored field names are kept as they are (accessToken, environment, baseUrl, advertiserId, appId, appSecret, ...):
	// saved credentials keep working. The order here is only the form's order.
	properties: INodeProperties[] = [
		{
			displayName: HOW_TO_CONNECT,
			name: 'howToConnect',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Long-term access token of your TikTok for Business app, authorized by the advertiser with the Audience Management scope (and Pixel/Events for Event Sync). Leave empty to connect with an Authorization Code below.',
		},
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			placeholder: 'e.g. 7000000000000000001',
			description: "Your app's App ID (developer portal, My Apps). Needed for an Authorization Code; also lists every advertiser the token may manage.",
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: "Your app's Secret (developer portal, My Apps)",
		},
		{
			displayName: 'Authorization Code',
			name: AUTH_CODE_FIELD,
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'The auth_code TikTok adds to your redirect URL after the advertiser authorizes the app. With App ID and App Secret, it is exchanged once for the long-term token when the credential is saved or first used. A code works once, within an hour: for a new authorization, paste its new code.',
		},
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Production', value: 'production', description: 'https://business-api.tiktok.com/open_api/v1.3' },
				{ name: 'Sandbox', value: 'sandbox', description: 'https://sandbox-ads.tiktok.com/open_api/v1.3 (tokens of a Sandbox app only)' },
				{ name: 'Custom Base URL', value: 'custom', description: 'A proxy, or the local TikTok emulator for offline development' },
			],
			default: 'production',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. http://127.0.0.1:4010/open_api/v1.3',
			description: 'Root of the Business API; the /open_api/v1.3 suffix is added when missing',
			displayOptions: { show: { environment: ['custom'] } },
		},
		{
			displayName: 'Default Advertiser ID',
			name: 'advertiserId',
			type: 'string',
			default: '',
			placeholder: 'e.g. 7012345678901234567',
			description:
				'The advertiser a node uses when its Advertiser is left empty; listed first (marked default) in the advertiser lists. Filled in by the code exchange when one advertiser authorized the app. Set it for Sandbox, which cannot list advertisers.',
		},
		{
			displayName: 'Requests per Second',
			name: 'requestsPerSecond',
			type: 'number',
			typeOptions: { minValue: 0.1 },
			default: 10,
			description: "Upper bound on requests this credential sends; TikTok's basic tier allows 10 per second per app",
		},
		{
			displayName: 'Max Retries',
			name: 'maxRetries',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 10 },
			default: 5,
			description: 'How often a rate-limited or temporarily failing call is retried, with exponential backoff',
		},
		{
			displayName: 'Retry Base Delay (Ms)',
			name: 'retryBaseDelayMs',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 1000,
			description: 'First backoff delay; each retry doubles it (with jitter), within a 2-minute budget per call',
		},
		// Filled by the code exchange (preAuthentication below), never typed: the token TikTok returned and the
		// fingerprint of the code it came from. The third is n8n's "expirable" field, always stored empty so that n8n
		// runs preAuthentication before every credential test (nodes/shared/tiktok/credential.ts, CHECK_FIELD).
		// https://docs.n8n.io/integrations/creating-nodes/build/reference/credentials-files/
		{
			displayName: 'Access Token From Code',
			name: TOKEN_FROM_CODE_FIELD,
			type: 'hidden',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Exchanged Code',
			name: EXCHANGED_CODE_FIELD,
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Connection Check',
			name: CHECK_FIELD,
			type: 'hidden',
			typeOptions: { expirable: true },
			default: '',
		},
	];

	/** Exchanges a new Authorization Code, and checks the connection before every credential test (see connect.ts). */
	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<IDataObject> {
		return await connect(this, credentials);
	}

	// A typed Access Token wins; otherwise the token the Authorization Code was exchanged for.
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'Access-Token': '={{$credentials.accessToken || $credentials.accessTokenFromCode}}' } },
	};

	// preAuthentication has checked the Base URL and the token by the time this runs (its messages are what the
	// Test button shows; the rules stay for n8n versions that would not run it). TikTok answers HTTP 200 with the failure in `code`; each rule words one code.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{$credentials.environment === "sandbox" ? "https://sandbox-ads.tiktok.com/open_api/v1.3" : $credentials.environment === "custom" ? ($credentials.baseUrl.trim().replace(/\\/+$/, "").match(/\\/open_api\\/v\\d+(\\.\\d+)?$/) ? $credentials.baseUrl.trim().replace(/\\/+$/, "") : $credentials.baseUrl.trim().replace(/\\/+$/, "") + "/open_api/v1.3") : "https://business-api.tiktok.com/open_api/v1.3"}}',
			url: '/user/info/',
			method: 'GET',
		},
		rules: [
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40104, message: 'TikTok received no access token (40104): paste the Access Token, or fill App ID, App Secret and an Authorization Code.' } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40105, message: 'TikTok rejected the access token as invalid or revoked (40105): check Environment (Sandbox tokens work only in Sandbox), or create a new long-term token.' } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40102, message: 'The access token has expired (40102): authorize the app again and paste the new token or Authorization Code.' } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40001, message: 'The token lacks permission for this call (40001): re-authorize the app with the needed scopes.' } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40100, message: 'TikTok rate limit reached (40100): wait a minute and test again.' } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40400, message: 'TikTok does not know this route (40400): check the Base URL.' } },
		],
	};
}
