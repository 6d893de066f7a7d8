import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

import { persistsStaticData, registryEntry, type RegistryEntry, type SyncKind } from '../../shared/sync/registry';
import type { AudienceWithHistory } from '../../shared/tiktok/audiences';

/** What every operation works on: one audience of one advertiser, as TikTok and this workflow's registry know it. */
export interface Target {
	itemIndex: number;
	advertiserId: string;
	audienceId: string;
	found?: AudienceWithHistory;
	entry?: RegistryEntry;
}

export function readTarget(ctx: IExecuteFunctions, itemIndex: number): Target {
	const advertiserId = String(ctx.getNodeParameter('advertiserId', itemIndex, '', { extractValue: true }) ?? '').trim();
	const audienceId = String(ctx.getNodeParameter('audience', itemIndex, '', { extractValue: true }) ?? '').trim();
	if (!advertiserId || !audienceId) {
		throw new NodeOperationError(ctx.getNode(), 'Advertiser and audience are required', {
			description: 'Pick the advertiser and the audience (from the list or by ID).',
			itemIndex,
		});
	}
	return { itemIndex, advertiserId, audienceId, entry: registryEntry(ctx, audienceId) };
}

export function kindOf(t: Target): SyncKind {
	if (t.entry) return t.entry.kind;
	const type = t.found?.audience.audience_type ?? t.found?.audience.type ?? '';
	return /website|pixel/i.test(type) ? 'event' : 'list';
}

export function mustExist(ctx: IExecuteFunctions, t: Target): AudienceWithHistory {
	if (t.found) return t.found;
	const when = t.entry?.deleted ? ` It was deleted with this node (${t.entry.log.filter((l) => l.event === 'deleted').pop()?.at ?? 'time unknown'}).` : '';
	throw new NodeOperationError(ctx.getNode(), `Audience ${t.audienceId} does not exist on TikTok`, {
		description: `Check the audience ID and the advertiser (${t.advertiserId}).${when} Nothing was changed.`,
		itemIndex: t.itemIndex,
	});
}

/** Unlink and Relink exist only in the registry, which n8n does not save for manual runs: refuse rather than pretend. */
export function requireProductionRun(ctx: IExecuteFunctions, t: Target, operation: string): void {
	if (persistsStaticData(ctx)) return;
	throw new NodeOperationError(ctx.getNode(), `${operation} cannot run from "Execute workflow"`, {
		description:
			`n8n does not save workflow static data in manual runs, so the ${operation.toLowerCase()} would not stick. ` +
			'Add a Webhook or Form Trigger to this workflow, connect it to this node, activate the workflow and call it. Nothing was changed.',
		itemIndex: t.itemIndex,
	});
}

/** The registry change an operation records for its audience (the event and detail are the operation's). */
export function updateFor(t: Target, name: string) {
	return { audienceId: t.audienceId, name, advertiserId: t.advertiserId, kind: kindOf(t), at: new Date(Date.now()) };
}
