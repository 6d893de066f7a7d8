import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { recordInRegistry } from '../../shared/sync/registry';
import { getAudience } from '../../shared/tiktok/audiences';
import { confirmName, confirmNameProperty } from './confirmName';
import { mustExist, requireProductionRun, updateFor, type Target } from './target';

/** Unlink: this workflow stops syncing the audience; it stays on TikTok. Confirmed by the audience's name. */
export const description: INodeProperties[] = confirmNameProperty('unlink');

export async function execute(ctx: IExecuteFunctions, t: Target): Promise<IDataObject> {
	requireProductionRun(ctx, t, 'Unlink');
	t.found = await getAudience.call(ctx, t.advertiserId, t.audienceId, t.itemIndex);
	const { audience } = mustExist(ctx, t);
	const base = { operation: 'unlink', advertiserId: t.advertiserId, audienceId: t.audienceId, name: audience.name };
	confirmName(ctx, t, audience.name);
	if (t.entry?.linked === false) return { ...base, unlinked: true, alreadyUnlinked: true };
	recordInRegistry(ctx, [
		{ ...updateFor(t, audience.name), event: 'unlinked', detail: 'Unlinked: this workflow no longer syncs it; it stays on TikTok', linked: false },
	]);
	return { ...base, unlinked: true, alreadyUnlinked: false };
}
