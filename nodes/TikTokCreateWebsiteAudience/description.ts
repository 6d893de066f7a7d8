import type { INodeProperties } from 'n8n-workflow';

import { CUSTOM_EVENT, eventOptions } from '../shared/events/webEvents';
import { PARAMETER_OPERATORS, URL_OPERATORS } from '../shared/tiktok/rules';
import { advertiserLocator, pixelLocator } from '../shared/ui/locators';

const title = (s: string) =>
	s
		.toLowerCase()
		.split('_')
		.map((w) => w.charAt(0).toUpperCase() + w.slice(1))
		.join(' ');

const operatorOptions = (ops: readonly string[]) => ops.map((op) => ({ name: title(op), value: op })).sort((a, b) => a.name.localeCompare(b.name));

const eventChoice = (name: string, show?: INodeProperties['displayOptions']): INodeProperties[] => [
	{
		displayName: 'Event Name',
		name,
		type: 'options',
		options: eventOptions(),
		default: 'Purchase',
		description: 'Website event people must have sent to the pixel. Send Sync Event sends this event to fill the audience.',
		displayOptions: show,
	},
	{
		displayName: 'Custom Event Name',
		name: `${name}Custom`,
		type: 'string',
		default: '',
		placeholder: 'e.g. AudienceSync',
		description: 'Name of your own event (case-sensitive); Send Sync Event must send exactly this name',
		displayOptions: { show: { ...(show?.show ?? {}), [name]: [CUSTOM_EVENT] } },
	},
];

export const createWebsiteAudienceProperties: INodeProperties[] = [
	advertiserLocator,
	{ ...pixelLocator, description: 'Pixel whose events fill the audience. The audience rule uses its pixel ID; events use its pixel code.' },
	{
		displayName: 'Audience Name',
		name: 'audienceName',
		type: 'string',
		required: true,
		default: '',
		placeholder: 'e.g. VIP customers (n8n)',
		description:
			'Name of the website audience (up to 128 characters). Running again with the same name and rule returns the existing audience; the same name with another rule is an error.',
	},
	...eventChoice('event'),
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		typeOptions: { rows: 2 },
		default: '',
		description: 'Your note about the audience. TikTok has no description field: it is kept in the output and in the sync log.',
	},
	{
		displayName: 'Lookback Window (Days)',
		name: 'lookbackDays',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 365 },
		default: 30,
		description:
			'People are in the audience when they sent the event within this many days (TikTok calls it retention_days). TikTok does not document the allowed range for website audiences; 1 to 180 is safe.',
	},
	{
		displayName: 'Audience Retention (Days)',
		name: 'retentionInDays',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 365 },
		default: 0,
		description:
			"Days after which TikTok expires the audience, 1 to 365. 0 keeps TikTok's default: the audience expires a year after it was last used or changed.",
	},
	{
		displayName: 'Auto Refresh',
		name: 'autoRefresh',
		type: 'boolean',
		default: true,
		description:
			'Whether TikTok refreshes the audience daily so it always holds the people of the last lookback window. TikTok does not allow changing this after the audience is created.',
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'fixedCollection',
		placeholder: 'Add Filter',
		default: {},
		typeOptions: { multipleValues: true },
		description: 'Only count events whose page URL or parameters match (all filters must hold)',
		options: [
			{
				displayName: 'URL Filter',
				name: 'url',
				values: [
					{
						displayName: 'Operator',
						name: 'operator',
						type: 'options',
						options: operatorOptions(URL_OPERATORS),
						default: 'CONTAINS',
					},
					{
						displayName: 'Values',
						name: 'values',
						type: 'string',
						default: '',
						placeholder: 'e.g. /checkout, /cart',
						description: 'Up to 10 values, separated by commas or new lines; any of them may match',
					},
				],
			},
			{
				displayName: 'Parameter Filter',
				name: 'parameter',
				values: [
					{
						displayName: 'Parameter',
						name: 'field',
						type: 'options',
						options: [
							{ name: 'Content Category', value: 'CONTENT_CATEGORY' },
							{ name: 'Content ID', value: 'CONTENT_ID' },
							{ name: 'Content Type', value: 'CONTENT_TYPE' },
							{ name: 'Price', value: 'PRICE' },
							{ name: 'Value', value: 'VALUE' },
						],
						default: 'VALUE',
					},
					{
						displayName: 'Operator',
						name: 'operator',
						type: 'options',
						options: operatorOptions(PARAMETER_OPERATORS),
						default: 'EQ',
					},
					{
						displayName: 'Values',
						name: 'values',
						type: 'string',
						default: '',
						placeholder: 'e.g. 100',
						description: 'Up to 10 values, separated by commas or new lines; any of them may match',
					},
				],
			},
		],
	},
	{
		displayName: 'Exclusion Rule',
		name: 'exclusion',
		type: 'fixedCollection',
		placeholder: 'Add Exclusion Rule',
		default: {},
		description: 'Leave out people who sent another event (for example buyers) within its own lookback window',
		options: [
			{
				displayName: 'Exclude People Who Sent',
				name: 'rule',
				values: [
					...eventChoice('event'),
					{
						displayName: 'Lookback Window (Days)',
						name: 'lookbackDays',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 365 },
						default: 30,
					},
				],
			},
		],
	},
];
