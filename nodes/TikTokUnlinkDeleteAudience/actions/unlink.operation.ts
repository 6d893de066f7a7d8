import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { noteLinkState } from '../../shared/sync/lifecycle';
import { readLinkState, recordUnlink } from '../../shared/sync/linkStore';
import { confirmName, confirmNameProperty } from './confirmName';
import { mustExist, type Target } from './target';

/**
 * Unlink: this workflow's sync nodes skip the audience from now on, in every n8n process; it stays on TikTok.
 * Confirmed by the audience's name. Works in manual runs too: the link store is not static data.
 */
export const description: INodeProperties[] = confirmNameProperty('unlink');

export async function execute(ctx: IExecuteFunctions, t: Target): Promise<IDataObject> {
	const { audience } = mustExist(ctx, t, (await readLinkState(ctx, t.advertiserId, t.audienceId)).deleted);
	confirmName(ctx, t, audience.name);
	const changed = await recordUnlink(ctx, t.advertiserId, t.audienceId);
	noteLinkState(t.workflowId, t.audienceId, 'unlinked');
	return { operation: 'Unlink', advertiserId: t.advertiserId, audienceId: t.audienceId, name: audience.name, unlinked: true, alreadyUnlinked: !changed };
}
