import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { LATEST_VERSION, NODE_VERSIONS } from '../shared/events/eventParameters';
import { searchAdvertisers, searchPixels, searchWebsiteAudiences } from '../shared/ui/listSearch';
import { SEND_EVENT_SUBTITLE } from '../shared/ui/subtitles';
import { sendSyncEventProperties } from './parameters';
import { executeSendSyncEvent } from './run';

export class TikTokSendSyncEvent implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TikTok Send Sync Event',
		name: 'tikTokSendSyncEvent',
		icon: { light: 'file:../../icons/tiktok.svg', dark: 'file:../../icons/tiktok.dark.svg' },
		group: ['output'],
		version: NODE_VERSIONS,
		defaultVersion: LATEST_VERSION,
		subtitle: SEND_EVENT_SUBTITLE,
		description: 'Send pixel events for people (hashed) in batches to fill a TikTok website audience',
		defaults: { name: 'TikTok Send Sync Event' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		// Results: one item per input item (its result); Summary: one item per run.
		outputs: [NodeConnectionTypes.Main, NodeConnectionTypes.Main],
		outputNames: ['Results', 'Summary'],
		credentials: [{ name: 'tikTokBusinessApi', required: true }],
		properties: sendSyncEventProperties,
	};

	methods = { listSearch: { searchAdvertisers, searchPixels, searchWebsiteAudiences } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeSendSyncEvent.call(this);
	}
}
