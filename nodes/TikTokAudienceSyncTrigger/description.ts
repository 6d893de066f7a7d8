import type { INodeProperties } from 'n8n-workflow';

import { advertiserLocator, audienceLocator } from '../shared/ui/locators';

/** The audience picker plus a "By Name" mode: a List Sync audience that does not exist yet is created by name. */
const audienceByPickerIdOrName: INodeProperties = {
	...audienceLocator,
	description:
		'Audience to keep synced. By Name also works before the audience exists: the first sync (reason "initial") lets the sync node create it.',
	modes: [
		...(audienceLocator.modes ?? []),
		{
			displayName: 'By Name',
			name: 'name',
			type: 'string',
			placeholder: 'e.g. CRM buyers',
		},
	],
};

export const triggerProperties: INodeProperties[] = [
	{
		displayName:
			'Connect this trigger to the sync node (Upsert Customer File List or Send Sync Event). It emits one item when a sync is due; running it by hand ("Execute workflow") is Instant Sync.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Sync Kind',
		name: 'syncKind',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'List Sync',
				value: 'list',
				description: 'A customer-file audience refreshed from a list of people',
			},
			{
				name: 'Event Sync',
				value: 'event',
				description: 'A website audience kept full by events sent to its pixel',
			},
		],
		default: 'list',
	},
	advertiserLocator,
	audienceByPickerIdOrName,
	{
		displayName: 'Status',
		name: 'status',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Active', value: 'active', description: 'Emit a sync whenever one is due' },
			{ name: 'Paused', value: 'paused', description: 'Emit nothing, not even an instant sync' },
		],
		default: 'active',
	},
	{
		displayName: 'Refresh Every',
		name: 'refreshInterval',
		type: 'number',
		typeOptions: { minValue: 1, numberPrecision: 0 },
		default: 1,
		description: 'How long after the last sync the next one is due',
	},
	{
		displayName: 'Refresh Unit',
		name: 'refreshUnit',
		type: 'options',
		options: [
			{ name: 'Minutes', value: 'minutes', description: 'For frequent Event Sync refreshes and for trying the trigger out' },
			{ name: 'Hours', value: 'hours' },
			{ name: 'Days', value: 'days' },
		],
		default: 'days',
	},
	{
		displayName: 'Instant Sync Cooldown (Minutes)',
		name: 'instantSyncCooldown',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 0 },
		default: 30,
		description: 'Minimum time between the last sync and an instant sync (running this trigger by hand)',
	},
];
