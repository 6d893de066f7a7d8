import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';

import { credentialDefaultAdvertiser, listAdvertisers, type AdvertiserOption } from '../tiktok/advertisers';
import { listAudiencesPage } from '../tiktok/audiences';
import { listPixelsPage } from '../tiktok/pixels';

function matches(filter: string | undefined, ...texts: string[]): boolean {
	if (!filter) return true;
	const needle = filter.toLowerCase();
	return texts.some((t) => t.toLowerCase().includes(needle));
}

function selectedAdvertiser(ctx: ILoadOptionsFunctions): string {
	const value = ctx.getCurrentNodeParameter('advertiserId', { extractValue: true }) as string | undefined;
	return String(value ?? '').trim();
}

/** Pagination tokens are strings in n8n-workflow 2.x. */
function nextToken(page: number, totalPage: number): string | undefined {
	return page < totalPage ? String(page + 1) : undefined;
}

/**
 * The advertiser picker's entries: the credential's Default Advertiser first, marked "(default)" (also when the token's
 * list does not name it: then the mark says so), then the others in TikTok's order.
 */
export function advertiserEntries(advertisers: AdvertiserOption[], defaultId: string): INodeListSearchItems[] {
	const label = (a: AdvertiserOption) => (a.name ? `${a.name} (${a.id})` : a.id);
	const listed = advertisers.find((a) => a.id === defaultId);
	const first: INodeListSearchItems[] = [];
	if (defaultId && listed) first.push({ name: `${label(listed)} (default)`, value: listed.id });
	else if (defaultId) first.push({ name: `${defaultId} (default, not among the advertisers this token may manage)`, value: defaultId });
	return [...first, ...advertisers.filter((a) => a.id !== defaultId).map((a) => ({ name: label(a), value: a.id }))];
}

export async function searchAdvertisers(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const [advertisers, defaultId] = await Promise.all([listAdvertisers.call(this), credentialDefaultAdvertiser(this)]);
	return { results: advertiserEntries(advertisers, defaultId).filter((entry) => matches(filter, entry.name, String(entry.value))) };
}

export async function searchPixels(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const advertiserId = selectedAdvertiser(this);
	if (!advertiserId) return { results: [] };
	const page = Number(paginationToken ?? '1') || 1;
	const { items: pixels, totalPage } = await listPixelsPage.call(this, advertiserId, page);
	return {
		results: pixels
			.filter((p) => matches(filter, p.pixel_name, p.pixel_code, p.pixel_id))
			.map((p) => ({ name: `${p.pixel_name || 'Pixel'} (${p.pixel_code})`, value: p.pixel_id })),
		paginationToken: nextToken(page, totalPage),
	};
}

/** Audiences of the chosen advertiser, one TikTok page per call, optionally only those whose type passes `keep`. */
async function audiencePage(
	ctx: ILoadOptionsFunctions,
	filter: string | undefined,
	paginationToken: string | undefined,
	keep: (audienceType: string) => boolean,
): Promise<INodeListSearchResult> {
	const advertiserId = selectedAdvertiser(ctx);
	if (!advertiserId) return { results: [] };
	const page = Number(paginationToken ?? '1') || 1;
	const { items: audiences, totalPage } = await listAudiencesPage.call(ctx, advertiserId, page);
	return {
		results: audiences
			.filter((a) => keep(a.audience_type ?? a.type ?? '') && matches(filter, a.name, a.audience_id))
			.map((a) => ({ name: `${a.name} (${a.audience_type ?? a.type ?? 'Audience'}, ${a.audience_id})`, value: a.audience_id })),
		paginationToken: nextToken(page, totalPage),
	};
}

export async function searchAudiences(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await audiencePage(this, filter, paginationToken, () => true);
}

/** Only customer-file audiences: the ones List Sync can update. */
export async function searchCustomerFileAudiences(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await audiencePage(this, filter, paginationToken, (type) => /customer file/i.test(type));
}

/** Only website (pixel rule) audiences: the ones Event Sync's events fill. */
export async function searchWebsiteAudiences(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	return await audiencePage(this, filter, paginationToken, (type) => /website|pixel/i.test(type));
}
