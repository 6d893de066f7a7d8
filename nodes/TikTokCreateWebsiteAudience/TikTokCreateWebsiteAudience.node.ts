import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { LATEST_VERSION, NODE_VERSIONS } from '../shared/events/eventParameters';
import { searchAdvertisers, searchPixels } from '../shared/ui/listSearch';
import { WEBSITE_AUDIENCE_SUBTITLE } from '../shared/ui/subtitles';
import { createWebsiteAudienceProperties } from './parameters';
import { executeCreateWebsiteAudience } from './run';

export class TikTokCreateWebsiteAudience implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TikTok Create Website Audience',
		name: 'tikTokCreateWebsiteAudience',
		icon: { light: 'file:../../icons/tiktok.svg', dark: 'file:../../icons/tiktok.dark.svg' },
		group: ['output'],
		version: NODE_VERSIONS,
		defaultVersion: LATEST_VERSION,
		subtitle: WEBSITE_AUDIENCE_SUBTITLE,
		description: 'Create (or reuse by name) a TikTok website audience filled by pixel events, and get the event recipe for Send Sync Event',
		defaults: { name: 'TikTok Create Website Audience' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tikTokBusinessApi', required: true }],
		properties: createWebsiteAudienceProperties,
	};

	methods = { listSearch: { searchAdvertisers, searchPixels } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeCreateWebsiteAudience.call(this);
	}
}
