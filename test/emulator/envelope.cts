// TikTok's response envelope and the error codes the emulator returns. Every API error is HTTP 200 with
// {code, message, request_id, data}; only simulated gateway faults use other HTTP statuses.

export const CODE = {
	OK: 0,
	INVALID_PARAMS: 40000,
	PERMISSION_ERROR: 40001,
	PARAM_ERROR: 40002,
	NOT_IMPL: 40008,
	INVALID_BATCH_SIZE: 40061,
	PII_NOT_HASHED: 40062,
	REQUEST_TOO_FREQUENT: 40100,
	INVALID_PARTNER: 40101,
	ACCESS_TOKEN_EXPIRE: 40102,
	EMPTY_ACCESS_TOKEN: 40104,
	INVALID_ACCESS_TOKEN: 40105,
	AUTH_CODE_ERROR: 40110,
	ROUTE_NOT_FOUND: 40400,
	SIGNATURE_ERROR: 40900,
	FILE_NOT_EXIST: 40905,
	FILE_EMPTY: 40906,
	FILE_TOO_LARGE: 40907,
	FILE_TYPE_ERROR: 40908,
	FILE_CALCULATE_TYPE_ERROR: 40909,
	FILE_EXPIRED: 40910,
	SYS_ERROR: 50000,
	SYS_TIMEOUT: 50002,
	DMP_ERROR: 51003,
} as const;

/** Messages for codes whose text does not depend on the request. Only 40100's and 50000's wording is seen in real
 * responses; the rest are the emulator's choice (README, "UNCONFIRMED choices"). */
export const MESSAGE = {
	ok: 'OK',
	emptyToken: 'Access token is null, please check it.',
	invalidToken: 'Access token is incorrect or has been revoked.',
	expiredToken: 'Access token has expired, please re-authorize.',
	authCodeError: 'Auth code is invalid, expired or has already been used.',
	partnerMismatch: 'The app_id and secret do not match.',
	routeNotFound: 'Route not found.',
	sysError: 'System error.',
	sysTimeout: 'Service timeout, please try again later.',
	dmpError: 'DMP service error, please try again later.',
	replaceInProgress:
		'This replace operation is rejected as there is an existing unfinished replace operation for this audience. ' +
		'Please wait until the current operation completes on this audience before re trying. ' +
		'Recommend no more than one replace operation per day.',
	audienceTooSmall: 'The audience size after this operation would be less than 1000, which is not allowed.',
} as const;

export function rateLimitMessage(appId: string): string {
	return `Due to too many requests, requests from App [${appId}] are temporarily restricted.`;
}

export function permissionMessage(apiPath: string, method: string): string {
	return `advertiser does not grant you ${apiPath}:${method} permission`;
}

/** Thrown by handlers; the server turns it into an HTTP 200 envelope. */
export class ApiError extends Error {
	readonly code: number;
	readonly data: Record<string, unknown>;
	constructor(code: number, message: string, data: Record<string, unknown> = {}) {
		super(message);
		this.code = code;
		this.data = data;
	}
}

export const paramError = (message: string): ApiError => new ApiError(CODE.PARAM_ERROR, message);

export interface Envelope {
	code: number;
	message: string;
	request_id: string;
	data: unknown;
}

/** Request ids look like TikTok's: a UTC timestamp followed by uppercase hex, unique per request. */
export function createRequestIdFactory(instanceTag: string): (nowMs: number) => string {
	let counter = 0;
	return (nowMs: number) => {
		counter += 1;
		const stamp = new Date(nowMs).toISOString().replace(/[-:T]/g, '').slice(0, 14);
		return `${stamp}${instanceTag}${counter.toString(16).toUpperCase().padStart(6, '0')}`;
	};
}
