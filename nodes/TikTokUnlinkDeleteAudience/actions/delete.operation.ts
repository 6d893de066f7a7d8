import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { recordInRegistry } from '../../shared/sync/registry';
import { deleteAudiences, getAudience } from '../../shared/tiktok/audiences';
import { confirmName, confirmNameProperty } from './confirmName';
import { mustExist, updateFor, type Target } from './target';

/** Delete: removes the audience from TikTok (`/dmp/custom_audience/delete/`). Confirmed by the audience's name. */
export const description: INodeProperties[] = confirmNameProperty('delete');

export async function execute(ctx: IExecuteFunctions, t: Target): Promise<IDataObject> {
	t.found = await getAudience.call(ctx, t.advertiserId, t.audienceId, t.itemIndex);
	const { audience } = mustExist(ctx, t);
	confirmName(ctx, t, audience.name);
	const requestId = await deleteAudiences.call(ctx, t.advertiserId, [t.audienceId], t.itemIndex);
	// Recorded at once, not at the end of the run: the deletion happened even if a later item fails.
	const recorded = recordInRegistry(ctx, [
		{ ...updateFor(t, audience.name), event: 'deleted', detail: `Deleted from TikTok (request_id ${requestId})`, linked: false, deleted: true },
	]);
	return {
		operation: 'delete',
		advertiserId: t.advertiserId,
		audienceId: t.audienceId,
		name: audience.name,
		deleted: true,
		requestId,
		recordedInLog: recorded,
		...(recorded ? {} : { note: 'Manual run: n8n does not save the registry log of manual runs, so this deletion is not in the log.' }),
	};
}
