import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { searchAdvertisers, searchCustomerFileAudiences } from '../shared/ui/listSearch';
import { LIST_SYNC_SUBTITLE } from '../shared/ui/subtitles';
import { upsertProperties } from './parameters';
import { executeUpsert } from './run';

export class TikTokUpsertCustomerFileList implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TikTok Upsert Customer File List',
		name: 'tikTokUpsertCustomerFileList',
		icon: { light: 'file:../../icons/tiktok.svg', dark: 'file:../../icons/tiktok.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: LIST_SYNC_SUBTITLE,
		description: 'Sync hashed emails and phone numbers to a TikTok customer-file audience (List Sync)',
		defaults: { name: 'TikTok Upsert Customer File List' },
		usableAsTool: true,
		// Mirror takes the previous snapshot on a second input (n8n evaluates this expression, as its Merge node does).
		inputs: `={{ $parameter["action"] === "MIRROR" ? [{ "type": "${NodeConnectionTypes.Main}", "displayName": "List" }, { "type": "${NodeConnectionTypes.Main}", "displayName": "Previous Snapshot" }] : ["${NodeConnectionTypes.Main}"] }}`,
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tikTokBusinessApi', required: true }],
		properties: upsertProperties,
	};

	methods = { listSearch: { searchAdvertisers, searchCustomerFileAudiences } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await executeUpsert(this)];
	}
}
