import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties, NodeHint } from 'n8n-workflow';

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

/**
 * n8n appends "Custom API Call" (value `__CUSTOM_API_CALL__`) to the `operation` options of every node whose credential
 * defines `authenticate`, i.e. also works in the HTTP Request node (n8n packages/cli load-nodes-and-credentials.ts,
 * `injectCustomApiCallOptions`; no opt-out). Keeping the stored name `operation` and the credential's
 * `authenticate`, it cannot be removed: the panel explains it (n8n's own notice plus this hint) and a run says so.
 * https://docs.n8n.io/integrations/custom-operations/
 */
export const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

const CUSTOM_API_CALL_EXPLAINED =
	'"Custom API Call" is added by n8n to every node whose credential also works in the HTTP Request node. This node has no custom call: choose Get Status, Unlink, Relink or Delete, or call another TikTok endpoint with an HTTP Request node and the TikTok Business API credential.';

export const lifecycleHints: NodeHint[] = [
	{
		message: CUSTOM_API_CALL_EXPLAINED,
		type: 'warning',
		location: 'ndv',
		whenToDisplay: 'always',
		displayCondition: `={{ $parameter["operation"] === "${CUSTOM_API_CALL}" }}`,
	},
];

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
				description: 'Size, link state, last sync, next due time and the log',
			},
			{
				name: 'Unlink',
				value: 'unlink',
				action: 'Unlink an audience',
				description: 'Stop refreshing it from this workflow; it stays on TikTok',
			},
			{
				name: 'Relink',
				value: 'relink',
				action: 'Relink an audience',
				description: 'Refresh an unlinked audience again',
			},
			{
				name: 'Delete',
				value: 'delete',
				action: 'Delete an audience',
				description: 'Remove the audience from TikTok; cannot be undone',
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

function operationOf(ctx: IExecuteFunctions, itemIndex: number) {
	const value = ctx.getNodeParameter('operation', itemIndex) as string;
	const operation = Object.prototype.hasOwnProperty.call(operations, value) ? operations[value] : undefined;
	if (operation) return operation;
	throw new NodeOperationError(ctx.getNode(), value === CUSTOM_API_CALL ? 'Custom API Call is not an operation of this node' : `Unknown operation "${value}"`, {
		description: CUSTOM_API_CALL_EXPLAINED,
		itemIndex,
	});
}

/** One result per item; an item's error stops the run, or becomes its result with Continue On Fail. */
export async function route(ctx: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const out: INodeExecutionData[] = [];
	const defaultAdvertiserId = await credentialDefaultAdvertiser(ctx);
	for (let i = 0; i < items.length; i++) {
		try {
			const operation = operationOf(ctx, i);
			out.push({ json: await operation.execute(ctx, await readTarget(ctx, i, defaultAdvertiserId)), pairedItem: { item: i } });
		} catch (error) {
			if (!ctx.continueOnFail()) throw toNodeError(ctx, error, i);
			out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
		}
	}
	return [out];
}
