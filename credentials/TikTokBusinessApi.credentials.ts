import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class TikTokBusinessApi implements ICredentialType {
	name = 'tikTokBusinessApi';

	displayName = 'TikTok Business API';

	icon: Icon = { light: 'file:../icons/tiktok.svg', dark: 'file:../icons/tiktok.dark.svg' };

	documentationUrl = 'https://github.com/tiktok-audience-sync/n8n-nodes-tiktok-audience-sync#credentials';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			required: true,
			default: '',
			description:
				'Long-term access token of your TikTok for Business app, authorized for the advertiser with the Audience Management scope (and Pixel/Events for Event Sync)',
		},
		{
			displayName: 'Environment',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Production', value: 'production', description: 'https://business-api.tiktok.com/open_api/v1.3' },
				{ name: 'Sandbox', value: 'sandbox', description: 'https://sandbox-ads.tiktok.com/open_api/v1.3' },
				{ name: 'Custom Base URL', value: 'custom', description: 'A proxy, or the local TikTok emulator for offline development' },
			],
			default: 'production',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: '',
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
			description: 'Advertiser offered in the advertiser lists when App ID and App Secret are not set (Sandbox has no advertiser listing)',
		},
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			description: 'Optional: with the App Secret, lists every advertiser the token is authorized for',
		},
		{
			displayName: 'App Secret',
			name: 'appSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
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
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: { headers: { 'Access-Token': '={{$credentials.accessToken}}' } },
	};

	// TikTok answers HTTP 200 with the failure in `code`; each rule fails the test on one auth code.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{$credentials.environment === "sandbox" ? "https://sandbox-ads.tiktok.com/open_api/v1.3" : $credentials.environment === "custom" ? ($credentials.baseUrl.replace(/\\/+$/, "").match(/\\/open_api\\/v\\d+(\\.\\d+)?$/) ? $credentials.baseUrl.replace(/\\/+$/, "") : $credentials.baseUrl.replace(/\\/+$/, "") + "/open_api/v1.3") : "https://business-api.tiktok.com/open_api/v1.3"}}',
			url: '/user/info/',
			method: 'GET',
		},
		rules: [
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40104, message: 'TikTok received no access token (40104): enter the Access Token.' } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40105, message: 'TikTok rejected the access token as invalid or revoked (40105): create a new long-term token and paste it here.' } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40102, message: 'The access token has expired (40102): re-authorize the app and paste the new token.' } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40001, message: 'The token lacks permission for this call (40001): re-authorize the app with the needed scopes.' } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40100, message: 'TikTok rate limit reached (40100): wait a minute and test again.' } },
			{ type: 'responseSuccessBody', properties: { key: 'code', value: 40400, message: 'TikTok does not know this route (40400): check the Base URL.' } },
		],
	};
}
