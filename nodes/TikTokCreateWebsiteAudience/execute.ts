import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { resolveEventName, ruleFilterValue } from '../shared/events/webEvents';
import { recordInRegistry, registryEntry, type RegistryUpdate } from '../shared/sync/registry';
import { listAllPixels } from '../shared/tiktok/pixels';
import {
	buildRuleSpec,
	describeRuleSpec,
	upsertWebsiteAudience,
	type ParameterFilter,
	type RuleInput,
	type UpsertResult,
} from '../shared/tiktok/rules';
import type { Pixel } from '../shared/tiktok/schemas';

const MAX_NAME_LENGTH = 128;

function splitValues(raw: unknown): string[] {
	return String(raw ?? '')
		.split(/[\n,]/)
		.map((v) => v.trim())
		.filter((v) => v !== '');
}

function readFilters(ctx: IExecuteFunctions, i: number): ParameterFilter[] {
	const filters = ctx.getNodeParameter('filters', i, {}) as {
		url?: Array<{ operator: string; values: string }>;
		parameter?: Array<{ field: string; operator: string; values: string }>;
	};
	return [
		...(filters.url ?? []).map((f) => ({ field: 'URL', operator: f.operator, values: splitValues(f.values) })),
		...(filters.parameter ?? []).map((f) => ({ field: f.field, operator: f.operator, values: splitValues(f.values) })),
	];
}

async function pixelFor(ctx: IExecuteFunctions, cache: Map<string, Pixel[]>, advertiserId: string, idOrCode: string, i: number): Promise<Pixel> {
	let pixels = cache.get(advertiserId);
	if (!pixels) {
		pixels = await listAllPixels.call(ctx, advertiserId);
		cache.set(advertiserId, pixels);
	}
	const pixel = pixels.find((p) => p.pixel_id === idOrCode || p.pixel_code === idOrCode);
	if (!pixel) {
		throw new NodeOperationError(ctx.getNode(), `Pixel ${idOrCode} not found in advertiser ${advertiserId}`, {
			itemIndex: i,
			description: `Pick the pixel from the list, or enter a pixel ID or pixel code of this advertiser (it has ${pixels.length} pixel(s)).`,
		});
	}
	return pixel;
}

function conflictError(ctx: IExecuteFunctions, name: string, result: Extract<UpsertResult, { status: 'conflict' }>, wanted: string, i: number) {
	const existing = result.candidates.map((c) => `audience ${c.audienceId}: ${c.match.kind === 'same' ? 'same' : c.match.why}`).join('; ');
	return new NodeOperationError(ctx.getNode(), `An audience named "${name}" already exists with a different rule`, {
		itemIndex: i,
		description: `Nothing was created. Requested: ${wanted}. Existing ${existing}. Use another audience name, or change the settings to match the existing audience, or delete it first.`,
	});
}

/** One item: validate, find the pixel, upsert by name, describe the result and the event recipe. */
async function createOne(ctx: IExecuteFunctions, i: number, pixelCache: Map<string, Pixel[]>): Promise<{ json: IDataObject; update?: RegistryUpdate }> {
	const node = ctx.getNode();
	const advertiserId = String(ctx.getNodeParameter('advertiserId', i, '', { extractValue: true }) ?? '').trim();
	if (!/^\d+$/.test(advertiserId)) throw new NodeOperationError(node, 'Choose an advertiser', { itemIndex: i, description: 'An advertiser ID has digits only.' });
	const pixelValue = String(ctx.getNodeParameter('pixel', i, '', { extractValue: true }) ?? '').trim();
	if (pixelValue === '') throw new NodeOperationError(node, 'Choose a pixel', { itemIndex: i });
	const name = String(ctx.getNodeParameter('audienceName', i, '') ?? '').trim();
	if (name === '' || name.length > MAX_NAME_LENGTH) {
		throw new NodeOperationError(node, `The audience name must be 1 to ${MAX_NAME_LENGTH} characters`, { itemIndex: i });
	}
	const event = resolveEventName(ctx.getNodeParameter('event', i) as string, ctx.getNodeParameter('eventCustom', i, '') as string);
	const description = String(ctx.getNodeParameter('description', i, '') ?? '');
	const lookbackDays = Number(ctx.getNodeParameter('lookbackDays', i, 30));
	const retention = Number(ctx.getNodeParameter('retentionInDays', i, 0));
	const autoRefresh = ctx.getNodeParameter('autoRefresh', i, true) as boolean;
	const exclusion = (ctx.getNodeParameter('exclusion', i, {}) as { rule?: { event: string; eventCustom?: string; lookbackDays: number } }).rule;
	if (!(retention === 0 || (Number.isInteger(retention) && retention >= 1 && retention <= 365))) {
		throw new NodeOperationError(node, 'Audience Retention must be 0 (TikTok default) or 1 to 365 days', { itemIndex: i });
	}

	const pixel = await pixelFor(ctx, pixelCache, advertiserId, pixelValue, i);
	const include: RuleInput = { pixelId: pixel.pixel_id, event, lookbackDays, parameterFilters: readFilters(ctx, i) };
	const exclude: RuleInput | undefined = exclusion
		? { pixelId: pixel.pixel_id, event: resolveEventName(exclusion.event, exclusion.eventCustom ?? ''), lookbackDays: Number(exclusion.lookbackDays) }
		: undefined;
	const built = buildRuleSpec({ include, exclude });
	if (!built.ok) throw new NodeOperationError(node, built.problem, { itemIndex: i });

	const result = await upsertWebsiteAudience(
		ctx,
		{ advertiserId, name, spec: built.spec, autoRefresh, retentionInDays: retention === 0 ? undefined : retention },
		i,
	);
	if (result.status === 'conflict') throw conflictError(ctx, name, result, describeRuleSpec(built.spec), i);

	const rule = describeRuleSpec(built.spec);
	const recipe: IDataObject = {
		advertiser_id: advertiserId,
		audience_id: result.audienceId,
		audience_name: name,
		event_source: 'web',
		pixel_id: pixel.pixel_id,
		pixel_code: pixel.pixel_code,
		event,
	};
	if (include.parameterFilters?.length) recipe.event_must_match = rule;
	const json: IDataObject = {
		status: result.status,
		audience_id: result.audienceId,
		audience_name: name,
		advertiser_id: advertiserId,
		pixel_id: pixel.pixel_id,
		pixel_code: pixel.pixel_code,
		pixel_name: pixel.pixel_name,
		event,
		rule_filter_value: ruleFilterValue(event),
		description,
		lookback_days: lookbackDays,
		retention_in_days: retention === 0 ? null : retention,
		is_auto_refresh: autoRefresh,
		rule,
		rule_spec: built.spec as unknown as IDataObject,
		recipe,
	};
	if (result.status === 'created') {
		json.request_id = result.requestId;
		if (result.recoveredFailures > 0) json.recovered_transient_failures = result.recoveredFailures;
	} else if (result.sameNameCount > 1) {
		json.same_name_audiences = result.sameNameCount;
	}

	// The sync log gets the creation, and an existing audience this workflow did not know yet.
	const known = registryEntry(ctx, result.audienceId) !== undefined;
	const update: RegistryUpdate | undefined =
		result.status === 'created' || !known
			? {
					audienceId: result.audienceId,
					name,
					advertiserId,
					kind: 'event',
					event: 'created',
					action: 'CREATE',
					at: new Date(Date.now()),
					detail: [
						result.status === 'created' ? 'Website audience created' : 'Existing website audience with the same rule reused',
						`pixel ${pixel.pixel_name || pixel.pixel_id} (${pixel.pixel_code})`,
						`event ${event}`,
						rule,
						description ? `description: ${description}` : '',
					]
						.filter(Boolean)
						.join('; '),
				}
			: undefined;
	return { json, update };
}

export async function executeCreateWebsiteAudience(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	const updates: RegistryUpdate[] = [];
	const pixelCache = new Map<string, Pixel[]>();
	for (let i = 0; i < items.length; i++) {
		try {
			const { json, update } = await createOne(this, i, pixelCache);
			out.push({ json, pairedItem: { item: i } });
			if (update) updates.push(update);
		} catch (error) {
			if (this.continueOnFail()) {
				out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
				continue;
			}
			throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
		}
	}
	recordInRegistry(this, updates);
	return [out];
}
