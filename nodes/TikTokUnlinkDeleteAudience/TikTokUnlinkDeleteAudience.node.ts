import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { searchAdvertisers, searchAudiences } from '../shared/ui/listSearch';
import { LIFECYCLE_SUBTITLE } from '../shared/ui/subtitles';
import { lifecycleHints, lifecycleProperties, route } from './actions/router';

export class TikTokUnlinkDeleteAudience implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TikTok Unlink/Delete Audience',
		name: 'tikTokUnlinkDeleteAudience',
		icon: { light: 'file:../../icons/tiktok.svg', dark: 'file:../../icons/tiktok.dark.svg' },
		group: ['output'],
		// A version list with a default: n8n then adds no "Custom API Call" to Operation (load-nodes-and-credentials.ts
		// injectCustomApiCallOptions only touches a description whose `defaultVersion === version`; Slack v2 gets none
		// the same way). Stored workflows keep typeVersion 1. Should n8n add it anyway, lifecycleHints explain it.
		version: [1],
		defaultVersion: 1,
		subtitle: LIFECYCLE_SUBTITLE,
		description: 'Get the status and logs of a synced audience, unlink it (stop refreshing) or delete it from TikTok',
		defaults: { name: 'TikTok Unlink/Delete Audience' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tikTokBusinessApi', required: true }],
		properties: lifecycleProperties,
		hints: lifecycleHints,
	};

	methods = { listSearch: { searchAdvertisers, searchAudiences } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await route(this);
	}
}
