import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { noteLinkState } from '../../shared/sync/lifecycle';
import { readLinkState, recordDelete } from '../../shared/sync/linkStore';
import { deleteAudiences } from '../../shared/tiktok/audiences';
import { confirmName, confirmNameProperty } from './confirmName';
import { mustExist, type Target } from './target';

/**
 * Delete: removes the audience from TikTok (`/dmp/custom_audience/delete/`) and records it in the link store, so no
 * sync of this workflow sends to it or creates a list of its name again. Confirmed by the audience's name.
 */
export const description: INodeProperties[] = confirmNameProperty('delete');

export async function execute(ctx: IExecuteFunctions, t: Target): Promise<IDataObject> {
	const { audience } = mustExist(ctx, t, (await readLinkState(ctx, t.advertiserId, t.audienceId)).deleted);
	confirmName(ctx, t, audience.name);
	// Recorded before the call: a sync that starts meanwhile must not send to an audience on its way out.
	await recordDelete(ctx, t.advertiserId, t.audienceId, audience.name);
	noteLinkState(t.workflowId, t.audienceId, 'deleted');
	const requestId = await deleteAudiences.call(ctx, t.advertiserId, [t.audienceId], t.itemIndex);
	return { operation: 'Delete', advertiserId: t.advertiserId, audienceId: t.audienceId, name: audience.name, deleted: true, requestId };
}
