import { NodeOperationError } from 'n8n-workflow';

import { pixelListSchema, type Pixel } from './schemas';
import { allPages, tiktokRequest, type TransportContext } from './transport';

/** TikTok caps pixel/list at 20 per page. */
export const PIXEL_PAGE_SIZE = 20;

export async function listPixelsPage(
	this: TransportContext,
	advertiserId: string,
	page: number,
): Promise<{ items: Pixel[]; totalPage: number }> {
	const res = await tiktokRequest(this, {
		method: 'GET',
		path: 'pixel/list/',
		qs: { advertiser_id: advertiserId, page, page_size: PIXEL_PAGE_SIZE },
		schema: pixelListSchema,
	});
	return { items: res.data.pixels, totalPage: res.data.page_info.total_page };
}

export async function listAllPixels(this: TransportContext, advertiserId: string): Promise<Pixel[]> {
	return await allPages(async (page) => await listPixelsPage.call(this, advertiserId, page));
}

/**
 * Finds pixels by ID or code for one run: rules take `pixel_id`, events take `pixel_code`, users know either. Each
 * advertiser's pixels are listed once per run, however many items ask. An unknown pixel is the item's error.
 */
export function pixelFinder(ctx: TransportContext): (advertiserId: string, idOrCode: string, itemIndex: number) => Promise<Pixel> {
	const byAdvertiser = new Map<string, Promise<Pixel[]>>();
	return async (advertiserId, idOrCode, itemIndex) => {
		let listed = byAdvertiser.get(advertiserId);
		if (!listed) {
			listed = listAllPixels.call(ctx, advertiserId);
			byAdvertiser.set(advertiserId, listed);
		}
		const pixels = await listed;
		const pixel = pixels.find((p) => p.pixel_id === idOrCode || p.pixel_code === idOrCode);
		if (pixel) return pixel;
		throw new NodeOperationError(ctx.getNode(), `Pixel ${idOrCode} not found in advertiser ${advertiserId}`, {
			itemIndex,
			description: `Pick the pixel from the list, or enter a pixel ID or pixel code of this advertiser (it has ${pixels.length} pixel(s)).`,
		});
	};
}
