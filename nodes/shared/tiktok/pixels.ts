import { pixelListSchema, type Pixel } from './schemas';
import { tiktokRequest, type TransportContext } from './transport';

/** TikTok caps pixel/list at 20 per page. */
export const PIXEL_PAGE_SIZE = 20;

export async function listPixelsPage(
	this: TransportContext,
	advertiserId: string,
	page: number,
): Promise<{ pixels: Pixel[]; totalPage: number }> {
	const res = await tiktokRequest(this, {
		method: 'GET',
		path: 'pixel/list/',
		qs: { advertiser_id: advertiserId, page, page_size: PIXEL_PAGE_SIZE },
		schema: pixelListSchema,
	});
	return { pixels: res.data.pixels, totalPage: res.data.page_info.total_page };
}

export async function listAllPixels(this: TransportContext, advertiserId: string): Promise<Pixel[]> {
	const all: Pixel[] = [];
	for (let page = 1; ; page++) {
		const { pixels, totalPage } = await listPixelsPage.call(this, advertiserId, page);
		all.push(...pixels);
		if (page >= totalPage || pixels.length === 0) return all;
	}
}

/** Finds a pixel by its ID or its code: rules take `pixel_id`, events take `pixel_code`, users know either. */
export async function findPixel(this: TransportContext, advertiserId: string, idOrCode: string): Promise<Pixel | undefined> {
	const pixels = await listAllPixels.call(this, advertiserId);
	return pixels.find((p) => p.pixel_id === idOrCode || p.pixel_code === idOrCode);
}
