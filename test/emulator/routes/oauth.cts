// POST /oauth2/access_token/: the app exchanges an advertiser's one-time auth_code for a long-term access token.
// JSON body {app_id, secret, auth_code[, return_advertiser_ids]}, no Access-Token header (reference §2.2,
// https://business-api.tiktok.com/portal/docs?id=1738373164380162).
import { ApiError, CODE, MESSAGE, paramError } from '../envelope.cts';
import type { Route } from '../router.cts';
import { AUTH_CODE_TTL_MS } from '../state.cts';
import { reqId, reqString } from '../validate.cts';

/** Scope IDs the emulator grants (TikTok returns int64 scope IDs whose meaning the reference does not list). */
export const EMULATOR_SCOPES = [4, 5];

export const oauthRoutes: Route[] = [
	{
		method: 'POST',
		path: '/oauth2/access_token/',
		body: 'json',
		auth: 'none',
		handler: (ctx) => {
			const appId = reqId(ctx.body.app_id, 'app_id');
			const secret = reqString(ctx.body.secret, 'secret');
			const code = reqString(ctx.body.auth_code, 'auth_code');
			const returnIds = ctx.body.return_advertiser_ids;
			if (returnIds !== undefined && typeof returnIds !== 'boolean') throw paramError('return_advertiser_ids: Not a valid boolean.');
			const app = ctx.emu.seed.app;
			if (appId !== app.app_id || secret !== app.secret) throw new ApiError(CODE.INVALID_PARTNER, MESSAGE.partnerMismatch);
			const grant = ctx.emu.state.authCodes.get(code);
			const expired = grant !== undefined && ctx.emu.clock.now() > grant.issuedAt + AUTH_CODE_TTL_MS;
			if (!grant || grant.used || expired || grant.appId !== appId) throw new ApiError(CODE.AUTH_CODE_ERROR, MESSAGE.authCodeError);
			grant.used = true;
			const token = ctx.emu.state.issueToken(grant.advertiserIds);
			return {
				access_token: token.access_token,
				...(returnIds === false ? {} : { advertiser_ids: [...token.advertiser_ids] }),
				scope: [...EMULATOR_SCOPES],
			};
		},
	},
];
