import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { isStandardEvent, ruleFilterValue } from '../shared/events/webEvents';
import { isDeletedName } from '../shared/sync/linkStore';
import { credentialDefaultAdvertiser } from '../shared/tiktok/advertisers';
import { pixelFinder } from '../shared/tiktok/pixels';
import { buildRuleSpec, describeRuleSpec, upsertWebsiteAudience, type RuleInput, type UpsertResult } from '../shared/tiktok/rules';
import { toNodeError } from '../shared/tiktok/transport';
import { readParameters } from './parameters';

/**
 * Event Sync, part 1, step by step: parameters → deleted name? → pixel → rule → upsert by name → result and event
 * recipe. A name this workflow deleted (TikTok Unlink/Delete Audience) is not created again.
 */

type FindPixel = ReturnType<typeof pixelFinder>;

function conflictError(ctx: IExecuteFunctions, name: string, result: Extract<UpsertResult, { status: 'conflict' }>, wanted: string, i: number) {
	const existing = result.candidates.map((c) => `audience ${c.audienceId}: ${c.match.kind === 'same' ? 'same' : c.match.why}`).join('; ');
	return new NodeOperationError(ctx.getNode(), `An audience named "${name}" already exists with a different rule`, {
		itemIndex: i,
		description: `Nothing was created. Requested: ${wanted}. Existing ${existing}. Use another audience name, or change the settings to match the existing audience, or delete it first.`,
	});
}

/** One item: validate, find the pixel, upsert by name, describe the result and the event recipe. */
async function createOne(ctx: IExecuteFunctions, i: number, findPixel: FindPixel, defaultAdvertiserId: string): Promise<IDataObject> {
	const p = readParameters(ctx, i, defaultAdvertiserId);
	const { advertiserId, name, event, description, lookbackDays, autoRefresh, retention } = p;
	if (await isDeletedName(ctx, advertiserId, name)) {
		return {
			status: 'skipped',
			reason: 'deleted_in_this_workflow',
			audienceName: name,
			advertiserId,
			message: `The audience "${name}" was deleted in this workflow (TikTok Unlink/Delete Audience): it is not created again. Use another audience name.`,
		};
	}
	const pixel = await findPixel(advertiserId, p.pixel, i);
	const include: RuleInput = { pixelId: pixel.pixel_id, event, lookbackDays, parameterFilters: p.filters };
	const exclude: RuleInput | undefined = p.exclusion ? { pixelId: pixel.pixel_id, ...p.exclusion } : undefined;
	const built = buildRuleSpec({ include, exclude });
	if (!built.ok) throw new NodeOperationError(ctx.getNode(), built.problem, { itemIndex: i });

	const result = await upsertWebsiteAudience(
		ctx,
		{ advertiserId, name, spec: built.spec, autoRefresh, retentionInDays: retention === 0 ? undefined : retention },
		i,
	);
	if (result.status === 'conflict') throw conflictError(ctx, name, result, describeRuleSpec(built.spec), i);

	const rule = describeRuleSpec(built.spec);
	// What Send Sync Event needs (its "From Recipe" setting); it also reads the snake_case keys of version 1.
	const recipe: IDataObject = {
		advertiserId,
		audienceId: result.audienceId,
		audienceName: name,
		eventSource: 'web',
		pixelId: pixel.pixel_id,
		pixelCode: pixel.pixel_code,
		event,
	};
	if (include.parameterFilters?.length) recipe.eventMustMatch = rule;
	const json: IDataObject = {
		status: result.status,
		audienceId: result.audienceId,
		audienceName: name,
		advertiserId,
		pixelId: pixel.pixel_id,
		pixelCode: pixel.pixel_code,
		pixelName: pixel.pixel_name,
		event,
		eventKind: isStandardEvent(event) ? 'standard' : 'custom',
		ruleFilterValue: ruleFilterValue(event),
		description,
		lookbackDays,
		retentionInDays: retention === 0 ? null : retention,
		autoRefresh,
		rule,
		ruleSpec: built.spec as unknown as IDataObject,
		recipe,
	};
	if (result.status === 'created') {
		json.requestId = result.requestId;
		if (result.recoveredFailures > 0) json.recoveredTransientFailures = result.recoveredFailures;
	} else if (result.sameNameCount > 1) {
		json.sameNameAudiences = result.sameNameCount;
	}

	return json;
}

export async function executeCreateWebsiteAudience(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	const findPixel = pixelFinder(this);
	const defaultAdvertiserId = await credentialDefaultAdvertiser(this);
	for (let i = 0; i < items.length; i++) {
		try {
			out.push({ json: await createOne(this, i, findPixel, defaultAdvertiserId), pairedItem: { item: i } });
		} catch (error) {
			if (!this.continueOnFail()) throw toNodeError(this, error, i);
			out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
		}
	}
	return [out];
}
