import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import { credentialDefaultAdvertiser } from '../../shared/tiktok/advertisers';
import { toNodeError } from '../../shared/tiktok/transport';
import { advertiserLocator, audienceLocator } from '../../shared/ui/locators';
import * as deleteAudience from './delete.operation';
import * as getStatus from './getStatus.operation';
import * as relink from './relink.operation';
import { readTarget, type Target } from './target';
import * as unlink from './unlink.operation';

/** The node's operations (n8n's v2 node layout: one module per operation, each with its own fields and execute). */
const operations: Record<string, { description: INodeProperties[]; execute: (ctx: IExecuteFunctions, t: Target) => Promise<IDataObject> }> = {
	getStatus,
	unlink,
	relink,
	delete: deleteAudience,
};

export const lifecycleProperties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Get Status',
				value: 'getStatus',
				action: 'Get the status and logs of an audience',
				description: 'Size, validity, expiry, link state, last sync, next due time and the logs',
			},
			{
				name: 'Unlink',
				value: 'unlink',
				action: 'Unlink an audience',
				description: 'Stop refreshing the audience from this workflow; it stays on TikTok',
			},
			{
				name: 'Relink',
				value: 'relink',
				action: 'Relink an audience',
				description: 'Let this workflow refresh an unlinked audience again',
			},
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete an audience',
				description: 'Remove the audience from TikTok',
			},
		],
		default: 'getStatus',
	},
	{
		displayName:
			"Unlink, Relink and Delete apply to this workflow's sync nodes in every n8n process (queue-mode workers included), also when run from the editor. Keep this node in the workflow that syncs the audience.",
		name: 'linkNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['unlink', 'relink', 'delete'] } },
	},
	advertiserLocator,
	audienceLocator,
	...Object.values(operations).flatMap((op) => op.description),
];

/** One result per item; an item's error stops the run, or becomes its result with Continue On Fail. */
export async function route(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const out: INodeExecutionData[] = [];
	const defaultAdvertiserId = await credentialDefaultAdvertiser(ctx);
	for (let i = 0; i < items.length; i++) {
		try {
			const operation = operations[ctx.getNodeParameter('operation', i) as string];
			out.push({ json: await operation.execute(ctx, await readTarget(ctx, i, defaultAdvertiserId)), pairedItem: { item: i } });
		} catch (error) {
			if (!ctx.continueOnFail()) throw toNodeError(ctx, error, i);
			out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
		}
	}
	return [out];
}
