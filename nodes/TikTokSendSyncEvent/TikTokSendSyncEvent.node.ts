import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { searchAdvertisers, searchAudiences, searchPixels } from '../shared/ui/listSearch';
import { SEND_EVENT_SUBTITLE } from '../shared/ui/subtitles';
import { sendSyncEventProperties } from './parameters';
import { executeSendSyncEvent } from './run';

export class TikTokSendSyncEvent implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TikTok Send Sync Event',
		name: 'tikTokSendSyncEvent',
		icon: { light: 'file:../../icons/tiktok.svg', dark: 'file:../../icons/tiktok.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: SEND_EVENT_SUBTITLE,
		description: 'Send pixel events for people (hashed) in batches to fill a TikTok website audience',
		defaults: { name: 'TikTok Send Sync Event' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tikTokBusinessApi', required: true }],
		properties: sendSyncEventProperties,
	};

	methods = { listSearch: { searchAdvertisers, searchPixels, searchAudiences } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeSendSyncEvent.call(this);
	}
}
