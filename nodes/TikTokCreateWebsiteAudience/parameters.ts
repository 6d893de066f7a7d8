import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { CUSTOM_EVENT, eventOptions, resolveEventName } from '../shared/events/webEvents';
import { advertiserOrDefault, NO_ADVERTISER_HINT } from '../shared/tiktok/advertisers';
import { PARAMETER_OPERATORS, URL_OPERATORS, type ParameterFilter } from '../shared/tiktok/rules';
import { advertiserLocator, pixelLocator } from '../shared/ui/locators';

/** The node's parameters and the one reader that validates them; each default is declared once, here. */

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

const lookbackDays = {
	displayName: 'Lookback Window (Days)',
	name: 'lookbackDays',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 365 },
	default: 30,
	description:
		'People are in the audience when they sent the event within this many days (TikTok calls it retention_days). TikTok does not document the allowed range for website audiences; 1 to 180 is safe.',
} satisfies INodeProperties;

const retentionInDays = {
	displayName: 'Audience Retention (Days)',
	name: 'retentionInDays',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 365 },
	default: 0,
	description: "Days after which TikTok expires the audience, 1 to 365. 0 keeps TikTok's default: the audience expires a year after it was last used or changed.",
} satisfies INodeProperties;

const autoRefresh = {
	displayName: 'Auto Refresh',
	name: 'autoRefresh',
	type: 'boolean',
	default: true,
	description:
		'Whether TikTok refreshes the audience daily so it always holds the people of the last lookback window. TikTok does not allow changing this after the audience is created.',
} satisfies INodeProperties;

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
		description: 'Your note about the audience. TikTok has no description field: it is kept in the output.',
	},
	lookbackDays,
	retentionInDays,
	autoRefresh,
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

const MAX_NAME_LENGTH = 128;

/** One item's settings, validated before any request. */
export interface CreateParameters {
	advertiserId: string;
	/** Pixel ID or pixel code, as entered. */
	pixel: string;
	name: string;
	event: string;
	description: string;
	lookbackDays: number;
	/** 0: TikTok's default retention. */
	retention: number;
	autoRefresh: boolean;
	filters: ParameterFilter[];
	exclusion?: { event: string; lookbackDays: number };
}

function splitValues(raw: unknown): string[] {
	return String(raw ?? '')
		.split(/[\n,]/)
		.map((v) => v.trim())
		.filter((v) => v !== '');
}

/** `defaultAdvertiserId`: the credential's Default Advertiser ID, used when Advertiser is left empty. */
export function readParameters(ctx: IExecuteFunctions, i: number, defaultAdvertiserId: string): CreateParameters {
	const node = ctx.getNode();
	const advertiserId = advertiserOrDefault(ctx.getNodeParameter('advertiserId', i, '', { extractValue: true }), defaultAdvertiserId);
	if (!/^\d+$/.test(advertiserId)) throw new NodeOperationError(node, 'Choose an advertiser', { itemIndex: i, description: `${NO_ADVERTISER_HINT} An advertiser ID has digits only.` });
	const pixel = String(ctx.getNodeParameter('pixel', i, '', { extractValue: true }) ?? '').trim();
	if (pixel === '') throw new NodeOperationError(node, 'Choose a pixel', { itemIndex: i });
	const name = String(ctx.getNodeParameter('audienceName', i, '') ?? '').trim();
	if (name === '' || name.length > MAX_NAME_LENGTH) {
		throw new NodeOperationError(node, `The audience name must be 1 to ${MAX_NAME_LENGTH} characters`, { itemIndex: i });
	}
	const retention = Number(ctx.getNodeParameter(retentionInDays.name, i, retentionInDays.default));
	if (!(retention === 0 || (Number.isInteger(retention) && retention >= 1 && retention <= retentionInDays.typeOptions.maxValue))) {
		throw new NodeOperationError(node, 'Audience Retention must be 0 (TikTok default) or 1 to 365 days', { itemIndex: i });
	}
	const filters = ctx.getNodeParameter('filters', i, {}) as {
		url?: Array<{ operator: string; values: string }>;
		parameter?: Array<{ field: string; operator: string; values: string }>;
	};
	const exclusion = (ctx.getNodeParameter('exclusion', i, {}) as { rule?: { event: string; eventCustom?: string; lookbackDays: number } }).rule;
	return {
		advertiserId,
		pixel,
		name,
		event: resolveEventName(ctx.getNodeParameter('event', i) as string, ctx.getNodeParameter('eventCustom', i, '') as string),
		description: String(ctx.getNodeParameter('description', i, '') ?? ''),
		lookbackDays: Number(ctx.getNodeParameter(lookbackDays.name, i, lookbackDays.default)),
		retention,
		autoRefresh: ctx.getNodeParameter(autoRefresh.name, i, autoRefresh.default) as boolean,
		filters: [
			...(filters.url ?? []).map((f) => ({ field: 'URL', operator: f.operator, values: splitValues(f.values) })),
			...(filters.parameter ?? []).map((f) => ({ field: f.field, operator: f.operator, values: splitValues(f.values) })),
		],
		exclusion: exclusion ? { event: resolveEventName(exclusion.event, exclusion.eventCustom ?? ''), lookbackDays: Number(exclusion.lookbackDays) } : undefined,
	};
}
