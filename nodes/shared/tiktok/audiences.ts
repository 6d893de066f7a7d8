import { anyDataSchema, audienceGetSchema, audienceListSchema, type Audience, type AudienceHistoryEntry } from './schemas';
import { tiktokRequest, type TransportContext } from './transport';

/** TikTok caps custom_audience/list at 100 per page, and ID lists at 100. */
export const AUDIENCE_PAGE_SIZE = 100;

export async function listAudiencesPage(
	this: TransportContext,
	advertiserId: string,
	page: number,
): Promise<{ audiences: Audience[]; totalPage: number }> {
	const res = await tiktokRequest(this, {
		method: 'GET',
		path: 'dmp/custom_audience/list/',
		qs: { advertiser_id: advertiserId, page, page_size: AUDIENCE_PAGE_SIZE },
		schema: audienceListSchema,
	});
	return { audiences: res.data.list, totalPage: res.data.page_info.total_page };
}

export async function listAllAudiences(this: TransportContext, advertiserId: string): Promise<Audience[]> {
	const all: Audience[] = [];
	for (let page = 1; ; page++) {
		const { audiences, totalPage } = await listAudiencesPage.call(this, advertiserId, page);
		all.push(...audiences);
		if (page >= totalPage || audiences.length === 0) return all;
	}
}

/** Every audience with exactly this name (TikTok allows duplicate names). */
export async function findAudiencesByName(this: TransportContext, advertiserId: string, name: string): Promise<Audience[]> {
	return (await listAllAudiences.call(this, advertiserId)).filter((a) => a.name === name);
}

export interface AudienceWithHistory {
	audience: Audience;
	history: AudienceHistoryEntry[];
	requestId: string;
}

/** One audience with its change history, or undefined when TikTok no longer has it. */
export async function getAudience(
	this: TransportContext,
	advertiserId: string,
	audienceId: string,
	itemIndex?: number,
): Promise<AudienceWithHistory | undefined> {
	const res = await tiktokRequest(this, {
		method: 'GET',
		path: 'dmp/custom_audience/get/',
		qs: { advertiser_id: advertiserId, custom_audience_ids: [audienceId], history_size: 100 },
		schema: audienceGetSchema,
		itemIndex,
		// TikTok answers "does not exist" for deleted audiences: callers treat that as "gone", not as a failure.
		acceptCodes: [40007],
	});
	if (res.code === 40007) return undefined;
	const entry = res.data.list.find((e) => e.audience_details.audience_id === audienceId);
	return entry ? { audience: entry.audience_details, history: entry.audience_history, requestId: res.requestId } : undefined;
}

export async function deleteAudiences(
	this: TransportContext,
	advertiserId: string,
	audienceIds: string[],
	itemIndex?: number,
): Promise<string> {
	const res = await tiktokRequest(this, {
		method: 'POST',
		path: 'dmp/custom_audience/delete/',
		body: { advertiser_id: advertiserId, custom_audience_ids: audienceIds },
		schema: anyDataSchema,
		itemIndex,
	});
	return res.requestId;
}

/** TikTok writes times as "YYYY-MM-DD HH:MM:SS" in UTC. */
export function parseTikTokTime(value: string | null | undefined): number | undefined {
	if (!value) return undefined;
	const ms = Date.parse(`${value.replace(' ', 'T')}Z`);
	return Number.isFinite(ms) ? ms : undefined;
}

/** The audiences among `audienceIds` (1–100) that TikTok still has; unknown IDs are simply absent. */
export async function listAudiencesByIds(
	this: TransportContext,
	advertiserId: string,
	audienceIds: string[],
	itemIndex?: number,
): Promise<Audience[]> {
	const res = await tiktokRequest(this, {
		method: 'GET',
		path: 'dmp/custom_audience/list/',
		qs: { advertiser_id: advertiserId, custom_audience_ids: audienceIds, page: 1, page_size: AUDIENCE_PAGE_SIZE },
		schema: audienceListSchema,
		itemIndex,
	});
	return res.data.list.filter((a) => audienceIds.includes(a.audience_id));
}

/**
 * One audience with its history, or undefined when TikTok no longer has it. Existence is checked with list/ first,
 * because TikTok's answer to get/ for a deleted ID is not documented (40007 or a 40002 parameter error).
 */
export async function lookupAudience(
	this: TransportContext,
	advertiserId: string,
	audienceId: string,
	itemIndex?: number,
): Promise<AudienceWithHistory | undefined> {
	const [listed] = await listAudiencesByIds.call(this, advertiserId, [audienceId], itemIndex);
	if (!listed) return undefined;
	return await getAudience.call(this, advertiserId, audienceId, itemIndex);
}
