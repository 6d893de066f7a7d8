import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { recordInRegistry } from '../../shared/sync/registry';
import { getAudience } from '../../shared/tiktok/audiences';
import { mustExist, requireProductionRun, updateFor, type Target } from './target';

/** Relink: this workflow syncs an unlinked audience again. */
export const description: INodeProperties[] = [];

export async function execute(ctx: IExecuteFunctions, t: Target): Promise<IDataObject> {
	requireProductionRun(ctx, t, 'Relink');
	t.found = await getAudience.call(ctx, t.advertiserId, t.audienceId, t.itemIndex);
	const { audience } = mustExist(ctx, t);
	const base = { operation: 'relink', advertiserId: t.advertiserId, audienceId: t.audienceId, name: audience.name };
	if (t.entry?.linked !== false) return { ...base, linked: true, alreadyLinked: true };
	recordInRegistry(ctx, [{ ...updateFor(t, audience.name), event: 'relinked', detail: 'Relinked: this workflow syncs it again', linked: true }]);
	return { ...base, linked: true, alreadyLinked: false };
}
