import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { noteLinkState } from '../../shared/sync/lifecycle';
import { readLinkState, recordRelink } from '../../shared/sync/linkStore';
import { mustExist, type Target } from './target';

/** Relink: this workflow syncs an unlinked audience again. */
export const description: INodeProperties[] = [];

export async function execute(ctx: IExecuteFunctions, t: Target): Promise<IDataObject> {
	const state = await readLinkState(ctx, t.advertiserId, t.audienceId);
	const { audience } = mustExist(ctx, t, state.deleted);
	const base = { operation: 'Relink', advertiserId: t.advertiserId, audienceId: t.audienceId, name: audience.name };
	if (!state.unlinked) return { ...base, linked: true, alreadyLinked: true };
	// The audience exists on TikTok, so a "deleted" fact about it is not true (see Get Status): Relink clears it too.
	await recordRelink(ctx, t.advertiserId, t.audienceId, state.deleted);
	noteLinkState(t.workflowId, t.audienceId, 'linked');
	return { ...base, linked: true, alreadyLinked: false };
}
