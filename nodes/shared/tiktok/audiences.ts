import { anyDataSchema, audienceGetSchema, audienceListSchema, type Audience, type AudienceHistoryEntry } from './schemas';
import { allPages, tiktokRequest, type TransportContext } from './transport';

/** TikTok caps custom_audience/list at 100 per page, and ID lists at 100. */
export const AUDIENCE_PAGE_SIZE = 100;

export async function listAudiencesPage(
	this: TransportContext,
	advertiserId: string,
	page: number,
): Promise<{ items: Audience[]; totalPage: number }> {
	const res = await tiktokRequest(this, {
		method: 'GET',
		path: 'dmp/custom_audience/list/',
		qs: { advertiser_id: advertiserId, page, page_size: AUDIENCE_PAGE_SIZE },
		schema: audienceListSchema,
	});
	return { items: res.data.list, totalPage: res.data.page_info.total_page };
}

export async function listAllAudiences(this: TransportContext, advertiserId: string): Promise<Audience[]> {
	return await allPages(async (page) => await listAudiencesPage.call(this, advertiserId, page));
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

/** get/'s data, also on the "not found" answers accepted below, whose data is empty. */
const audienceGetAnswerSchema = audienceGetSchema.extend({ list: audienceGetSchema.shape.list.default([]) });

/**
 * THE way to look up one audience by ID: the audience with its change history, or undefined when TikTok does not have
 * it (deleted, or never existed for this advertiser).
 *
 * TikTok's answer to get/ for an ID it does not have is undocumented: 40007 NOT_EXIST, or a 40002 parameter error
 * ("... does not exist", as the emulator answers), perhaps an empty list. So when get/ does not return the audience,
 * list/ decides, whose filter simply leaves unknown IDs out: absent means gone; present means get/ failed for another
 * reason, and get/ is asked once more without accepting errors, so a real error surfaces as the transport words it.
 * An existing audience costs one request; a gone one two.
 */
export async function getAudience(
	this: TransportContext,
	advertiserId: string,
	audienceId: string,
	itemIndex?: number,
): Promise<AudienceWithHistory | undefined> {
	const get = async (acceptCodes: number[]) =>
		await tiktokRequest(this, {
			method: 'GET',
			path: 'dmp/custom_audience/get/',
			qs: { advertiser_id: advertiserId, custom_audience_ids: [audienceId], history_size: 100 },
			schema: acceptCodes.length > 0 ? audienceGetAnswerSchema : audienceGetSchema,
			itemIndex,
			acceptCodes,
		});
	const found = (res: Awaited<ReturnType<typeof get>>): AudienceWithHistory | undefined => {
		const entry = res.data.list.find((e) => e.audience_details.audience_id === audienceId);
		return entry ? { audience: entry.audience_details, history: entry.audience_history, requestId: res.requestId } : undefined;
	};
	const first = found(await get([40002, 40007]));
	if (first) return first;
	const [listed] = await listAudiencesByIds.call(this, advertiserId, [audienceId], itemIndex);
	if (!listed) return undefined;
	return found(await get([]));
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
