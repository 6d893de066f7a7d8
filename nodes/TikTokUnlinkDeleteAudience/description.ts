import type { INodeProperties } from 'n8n-workflow';

import { advertiserLocator, audienceLocator } from '../shared/ui/locators';

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
			'Unlink and Relink are kept in this workflow\'s sync registry, which n8n saves only for production runs: run them from this workflow\'s Webhook, Form or Schedule trigger, not with "Execute workflow". The sync nodes of this workflow then skip an unlinked audience.',
		name: 'registryNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['unlink', 'relink'] } },
	},
	advertiserLocator,
	audienceLocator,
	{
		displayName: 'Confirm Audience Name',
		name: 'confirmName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. CRM buyers',
		description: 'Type the audience\'s current name on TikTok exactly. If it does not match, nothing is changed.',
		displayOptions: { show: { operation: ['unlink', 'delete'] } },
	},
];
