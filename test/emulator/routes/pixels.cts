// GET /pixel/list/: the advertiser's pixels, with both pixel_id (used by rules) and pixel_code (used by events).
import { formatTikTokTime } from '../clock.cts';
import { paramError } from '../envelope.cts';
import { MAX_PAGE, paginate, requireAdvertiser, type Route } from '../router.cts';
import { isObject, optEnum, optInt, optString, queryJson, queryObject, reqId } from '../validate.cts';
import type { SeedPixel } from '../seed.cts';

function pixelObject(p: SeedPixel): Record<string, unknown> {
	return {
		pixel_id: p.pixel_id,
		pixel_code: p.pixel_code,
		pixel_name: p.pixel_name,
		pixel_category: 'ONLINE_STORE',
		pixel_setup_mode: 'DEVELOPER',
		create_time: formatTikTokTime(p.create_time * 1000),
		partner_name: '',
		advanced_matching_fields: { phone_number: true, email: true },
		enable_first_party_cookies: true,
		enable_expanded_data_sharing: false,
		events: [],
	};
}

export const pixelRoutes: Route[] = [
	{
		method: 'GET',
		path: '/pixel/list/',
		body: 'none',
		handler: (ctx) => {
			const q = queryObject(ctx.query);
			const advertiserId = requireAdvertiser(ctx, q.advertiser_id);
			const pixelId = q.pixel_id === undefined ? undefined : reqId(q.pixel_id, 'pixel_id');
			const code = optString(q.code, 'code');
			const name = optString(q.name, 'name');
			const orderBy = optEnum(q.order_by, 'order_by', ['EARLIEST_CREATE', 'LATEST_CREATE']) ?? 'EARLIEST_CREATE';
			const filtering = queryJson(ctx.query, 'filtering');
			if (filtering !== undefined && !isObject(filtering)) throw paramError('filtering: Not a valid mapping type.');
			const page = optInt(q.page, 'page', 1, MAX_PAGE) ?? 1;
			const pageSize = optInt(q.page_size, 'page_size', 1, 20) ?? 10;
			const pixels = ctx.emu.seed.pixels
				.filter((p) => p.advertiser_id === advertiserId)
				.filter((p) => pixelId === undefined || p.pixel_id === pixelId)
				.filter((p) => code === undefined || p.pixel_code === code)
				.filter((p) => name === undefined || p.pixel_name.toLowerCase().includes(name.toLowerCase()))
				.sort((a, b) => (a.create_time - b.create_time) * (orderBy === 'LATEST_CREATE' ? -1 : 1));
			const { items, page_info } = paginate(pixels, page, pageSize);
			return { pixels: items.map(pixelObject), page_info };
		},
	},
];
