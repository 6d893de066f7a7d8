// Advertiser discovery: /oauth2/advertiser/get/ (needs the app id and secret) and /advertiser/info/.
import { ApiError, CODE, MESSAGE, paramError } from '../envelope.cts';
import { assertGranted, type Route } from '../router.cts';
import { idList, queryJson, reqId, reqString } from '../validate.cts';

const INFO_FIELDS = [
	'advertiser_id',
	'name',
	'company',
	'currency',
	'timezone',
	'display_timezone',
	'country',
	'status',
	'role',
	'create_time',
	'balance',
	'language',
] as const;

export const advertiserRoutes: Route[] = [
	{
		method: 'GET',
		path: '/oauth2/advertiser/get/',
		body: 'none',
		handler: (ctx) => {
			const appId = reqId(ctx.query.get('app_id'), 'app_id');
			const secret = reqString(ctx.query.get('secret'), 'secret');
			const app = ctx.emu.seed.app;
			if (appId !== app.app_id || secret !== app.secret) {
				throw new ApiError(CODE.INVALID_PARTNER, MESSAGE.partnerMismatch);
			}
			const list = ctx.token.advertiser_ids.map((id) => {
				const adv = ctx.emu.seed.advertisers.find((a) => a.advertiser_id === id);
				return { advertiser_id: id, advertiser_name: adv?.advertiser_name ?? '' };
			});
			return { list };
		},
	},
	{
		method: 'GET',
		path: '/advertiser/info/',
		body: 'none',
		handler: (ctx) => {
			const ids = idList(queryJson(ctx.query, 'advertiser_ids'), 'advertiser_ids', 1, 100);
			const rawFields = queryJson(ctx.query, 'fields');
			let fields: readonly string[] = INFO_FIELDS;
			if (rawFields !== undefined) {
				if (!Array.isArray(rawFields) || rawFields.length === 0) throw paramError('fields: Not a valid list.');
				for (const f of rawFields) {
					if (typeof f !== 'string' || !(INFO_FIELDS as readonly string[]).includes(f)) {
						throw paramError(`fields: Must be one of: ${INFO_FIELDS.join(', ')}.`);
					}
				}
				fields = rawFields as string[];
			}
			for (const id of ids) assertGranted(ctx, id);
			const list = ids.map((id) => {
				const a = ctx.emu.seed.advertisers.find((x) => x.advertiser_id === id)!;
				const full: Record<string, unknown> = {
					advertiser_id: a.advertiser_id,
					name: a.advertiser_name,
					company: a.company,
					currency: a.currency,
					timezone: a.timezone,
					display_timezone: a.timezone,
					country: a.country,
					status: 'STATUS_ENABLE',
					role: 'ROLE_ADVERTISER',
					create_time: a.create_time,
					balance: 0,
					language: 'en',
				};
				return Object.fromEntries(fields.map((f) => [f, full[f]]));
			});
			return { list };
		},
	},
];
