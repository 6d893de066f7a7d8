/**
 * TikTok's return codes: the one table that says what each code means, how to fix it, and whether a retry can help.
 * TikTok answers HTTP 200 for almost every error and puts the real outcome in `code`.
 */
export type CodeKind = 'ok' | 'partial' | 'auth' | 'permission' | 'parameter' | 'not_found' | 'rate_limit' | 'file' | 'transient' | 'other';

export interface TikTokCodeInfo {
	kind: CodeKind;
	/** What happened, in words a user understands. */
	meaning: string;
	/** How to fix it. */
	fix: string;
	retryable: boolean;
}

const REAUTH = 'Create a new long-term access token in the TikTok for Business developer portal (or re-authorize the app) and update the TikTok Business API credential.';

const TABLE: Record<number, TikTokCodeInfo> = {
	0: { kind: 'ok', meaning: 'Success', fix: '', retryable: false },
	20001: { kind: 'partial', meaning: 'Partial success: TikTok applied part of the request', fix: 'Check the warning TikTok returned; some rows were not applied.', retryable: false },
	40000: { kind: 'parameter', meaning: 'TikTok rejected the request parameters', fix: 'Check the parameter TikTok names in its message and correct it in the node.', retryable: false },
	40001: { kind: 'permission', meaning: 'The advertiser is not granted to this access token', fix: 'Pick an advertiser this token was authorized for, or re-authorize the app for this advertiser with the Audience Management scope.', retryable: false },
	40002: { kind: 'parameter', meaning: 'TikTok rejected a parameter', fix: 'Correct the parameter TikTok names in its message.', retryable: false },
	40003: { kind: 'permission', meaning: 'TikTok forbids this operation for this account', fix: 'Check the advertiser account status and the app permissions in TikTok Ads Manager.', retryable: false },
	40007: { kind: 'not_found', meaning: 'The object does not exist at TikTok', fix: 'Check the ID: the audience, pixel or advertiser may have been deleted.', retryable: false },
	40011: { kind: 'parameter', meaning: 'Too many IDs in one request', fix: 'Send at most 100 IDs per request.', retryable: false },
	40061: { kind: 'parameter', meaning: 'Too many events in one request', fix: 'Send at most 1,000 events per request.', retryable: false },
	40062: { kind: 'parameter', meaning: 'Personal data was sent unhashed', fix: 'Email, phone and external ID must be SHA-256 hashed before sending.', retryable: false },
	40100: { kind: 'rate_limit', meaning: 'TikTok rate limit reached (too many requests)', fix: 'Lower "Requests per Second" in the credential, or wait and run again.', retryable: true },
	40101: { kind: 'auth', meaning: 'The App ID and App Secret do not match', fix: 'Check App ID and App Secret in the credential.', retryable: false },
	40102: { kind: 'auth', meaning: 'The access token has expired', fix: REAUTH, retryable: false },
	40104: { kind: 'auth', meaning: 'No access token was sent', fix: 'Enter the access token in the TikTok Business API credential.', retryable: false },
	40105: { kind: 'auth', meaning: 'The access token is invalid or was revoked', fix: REAUTH, retryable: false },
	40110: {
		kind: 'auth',
		meaning: 'The authorization code is invalid, expired or already used',
		fix: 'Authorize the app again and paste the new Authorization Code in the TikTok Business API credential (a code works once, within an hour).',
		retryable: false,
	},
	40130: { kind: 'permission', meaning: 'The app or token lacks the permission scope for this call', fix: 'Enable the Audience Management (and Pixel/Events) scopes for the app and re-authorize the advertiser.', retryable: false },
	40132: { kind: 'rate_limit', meaning: 'TikTok request frequency limit reached', fix: 'Lower "Requests per Second" in the credential, or wait and run again.', retryable: true },
	40300: { kind: 'not_found', meaning: 'The advertiser does not exist', fix: 'Check the advertiser ID.', retryable: false },
	40400: { kind: 'not_found', meaning: 'TikTok does not know this API route', fix: 'Check the base URL in the credential (it must end with /open_api/v1.3 or be a host root).', retryable: false },
	40700: { kind: 'transient', meaning: 'TikTok internal validation service failed', fix: 'Run again later.', retryable: true },
	40900: { kind: 'file', meaning: 'The uploaded file does not match its MD5 signature', fix: 'The upload was corrupted in transit; run again.', retryable: false },
	40905: { kind: 'file', meaning: 'The uploaded customer file is unknown to TikTok', fix: 'Upload the file again; a file path can only be used by the advertiser that uploaded it.', retryable: false },
	40906: { kind: 'file', meaning: 'The customer file is empty', fix: 'Send at least one valid identifier.', retryable: false },
	40907: { kind: 'file', meaning: 'The customer file is too large', fix: 'Lower the "Max Rows per File" option.', retryable: false },
	40908: { kind: 'file', meaning: 'The customer file type is not accepted', fix: 'Customer files must be .csv or .txt.', retryable: false },
	40909: { kind: 'file', meaning: 'The customer file does not match the audience calculate type', fix: 'Use the same calculate type (Email, Phone or Multiple) as the audience was created with.', retryable: false },
	40910: { kind: 'file', meaning: 'The uploaded customer file has expired', fix: 'Run again: the file will be uploaded anew.', retryable: false },
	50000: { kind: 'transient', meaning: 'TikTok system error', fix: 'Run again later.', retryable: true },
	50001: { kind: 'transient', meaning: 'TikTok service temporarily unavailable', fix: 'Run again later.', retryable: true },
	50002: { kind: 'transient', meaning: 'TikTok service error or timeout', fix: 'Run again later.', retryable: true },
	60001: { kind: 'transient', meaning: 'TikTok is under maintenance', fix: 'Run again later.', retryable: true },
	61000: { kind: 'rate_limit', meaning: 'TikTok throttled this app', fix: 'Wait and run again with a lower request rate.', retryable: true },
};

export function describeCode(code: number): TikTokCodeInfo {
	const known = TABLE[code];
	if (known) return known;
	// 51xxx (internal RPC) and 52xxx (storage) are transient downstream failures at TikTok.
	if (code >= 51000 && code < 53000) {
		return { kind: 'transient', meaning: 'TikTok internal service error', fix: 'Run again later.', retryable: true };
	}
	return { kind: 'other', meaning: 'TikTok returned an unexpected code', fix: 'Check the message TikTok returned.', retryable: false };
}

/** HTTP statuses worth retrying: gateway and throttling answers, which come with non-JSON bodies. */
export function isRetryableHttpStatus(status: number): boolean {
	return status === 408 || status === 429 || status >= 500;
}
