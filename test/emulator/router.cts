// Route table types and helpers shared by every route module.
import type { IncomingMessage } from 'node:http';
import { ApiError, CODE, permissionMessage } from './envelope.cts';
import type { SeedToken } from './seed.cts';
import type { EmulatorContext } from './state.cts';
import { reqId, type Obj } from './validate.cts';

export interface RequestCtx {
	emu: EmulatorContext;
	method: string;
	/** Path relative to /open_api/v1.3, canonical with the trailing slash, e.g. `/dmp/custom_audience/create/`. */
	apiPath: string;
	query: URLSearchParams;
	/** Parsed JSON body for `json` routes, `{}` otherwise. */
	body: Obj;
	req: IncomingMessage;
	token: SeedToken;
}

export interface Route {
	method: 'GET' | 'POST';
	path: string;
	/** json: the server parses a JSON body; raw: the handler reads the request stream itself. */
	body: 'none' | 'json' | 'raw';
	/** `none`: the route takes no Access-Token (TikTok's token exchange); `ctx.token` is then a placeholder. */
	auth?: 'token' | 'none';
	handler(ctx: RequestCtx): unknown;
}

/** Validates an advertiser id and checks the token was granted it (unknown advertisers look the same: 40001). */
export function requireAdvertiser(ctx: RequestCtx, value: unknown, name = 'advertiser_id'): string {
	const id = reqId(value, name);
	assertGranted(ctx, id);
	return id;
}

export function assertGranted(ctx: RequestCtx, advertiserId: string): void {
	const exists = ctx.emu.seed.advertisers.some((a) => a.advertiser_id === advertiserId);
	if (!exists || !ctx.token.advertiser_ids.includes(advertiserId)) {
		throw new ApiError(CODE.PERMISSION_ERROR, permissionMessage(ctx.apiPath, ctx.method));
	}
}

export interface PageInfo {
	page: number;
	page_size: number;
	total_number: number;
	total_page: number;
}

export function paginate<T>(items: T[], page: number, pageSize: number): { items: T[]; page_info: PageInfo } {
	const start = (page - 1) * pageSize;
	return {
		items: items.slice(start, start + pageSize),
		page_info: {
			page,
			page_size: pageSize,
			total_number: items.length,
			total_page: Math.ceil(items.length / pageSize),
		},
	};
}

export const MAX_PAGE = 2_147_483_647;
