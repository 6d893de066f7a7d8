import { NodeConnectionTypes } from 'n8n-workflow';
import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';

import { searchAdvertisers, searchAudiences } from '../shared/ui/listSearch';
import { TRIGGER_SUBTITLE } from '../shared/ui/subtitles';
import { triggerHints, triggerProperties } from './parameters';
import { pollAudienceSync } from './run';

export class TikTokAudienceSyncTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TikTok Audience Sync Trigger',
		name: 'tikTokAudienceSyncTrigger',
		icon: { light: 'file:../../icons/tiktok.svg', dark: 'file:../../icons/tiktok.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: TRIGGER_SUBTITLE,
		description: 'Starts a sync when an audience is due for its refresh; run it by hand for an Instant Sync',
		defaults: { name: 'TikTok Audience Sync Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tikTokBusinessApi', required: true }],
		properties: triggerProperties,
		hints: triggerHints,
	};

	methods = { listSearch: { searchAdvertisers, searchAudiences } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollAudienceSync.call(this);
	}
}
