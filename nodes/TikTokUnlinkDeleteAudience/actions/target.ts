import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

import type { SyncKind } from '../../shared/sync/lifecycle';
import { advertiserOrDefault, NO_ADVERTISER_HINT } from '../../shared/tiktok/advertisers';
import { getAudience, type AudienceWithHistory } from '../../shared/tiktok/audiences';

/** What every operation works on: one audience of one advertiser, as TikTok knows it. */
export interface Target {
	itemIndex: number;
	advertiserId: string;
	audienceId: string;
	workflowId: string;
	found?: AudienceWithHistory;
}

/** `defaultAdvertiserId`: the credential's Default Advertiser ID, used when Advertiser is left empty. */
export async function readTarget(ctx: IExecuteFunctions, itemIndex: number, defaultAdvertiserId: string): Promise<Target> {
	const advertiserId = advertiserOrDefault(ctx.getNodeParameter('advertiserId', itemIndex, '', { extractValue: true }), defaultAdvertiserId);
	const audienceId = String(ctx.getNodeParameter('audience', itemIndex, '', { extractValue: true }) ?? '').trim();
	if (!advertiserId) {
		throw new NodeOperationError(ctx.getNode(), 'No advertiser is selected', { description: NO_ADVERTISER_HINT, itemIndex });
	}
	if (!audienceId) {
		throw new NodeOperationError(ctx.getNode(), 'Advertiser and audience are required', {
			description: 'Pick the advertiser and the audience (from the list or by ID).',
			itemIndex,
		});
	}
	const found = await getAudience.call(ctx, advertiserId, audienceId, itemIndex);
	return { itemIndex, advertiserId, audienceId, workflowId: String(ctx.getWorkflow().id ?? ''), found };
}

export function kindOf(t: Target): SyncKind {
	const type = t.found?.audience.audience_type ?? t.found?.audience.type ?? '';
	return /website|pixel/i.test(type) ? 'event' : 'list';
}

export function mustExist(ctx: IExecuteFunctions, t: Target, deletedHere = false): AudienceWithHistory {
	if (t.found) return t.found;
	throw new NodeOperationError(ctx.getNode(), `Audience ${t.audienceId} does not exist on TikTok`, {
		description: `Check the audience ID and the advertiser (${t.advertiserId}).${deletedHere ? ' It was deleted with this workflow.' : ''} Nothing was changed.`,
		itemIndex: t.itemIndex,
	});
}
