import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { eventNameProperties, fromVersion1_1, onlyVersion1, pixelEventsNotice } from '../shared/events/eventParameters';
import { CUSTOM_EVENT, eventOptions, resolveEventName } from '../shared/events/webEvents';
import { advertiserOrDefault, NO_ADVERTISER_HINT } from '../shared/tiktok/advertisers';
import { MAX_LOOKBACK_DAYS, MIN_LOOKBACK_DAYS, PARAMETER_OPERATORS, URL_OPERATORS, type ParameterFilter } from '../shared/tiktok/rules';
import { advertiserLocator, pixelLocator } from '../shared/ui/locators';

/** The node's parameters and the one reader that validates them; each default is declared once, here. */

/** Short operator names (long ones are cut off in the dropdown); the API value stays the stored value. */
const OPERATOR_NAMES: Record<string, { name: string; description?: string }> = {
	CONTAINS: { name: 'Contains' },
	DOES_NOT_CONTAIN: { name: 'Does Not Contain' },
	EQ: { name: 'Equals' },
	NOT_EQUAL: { name: 'Not Equal' },
	IS_GREATER_THAN: { name: 'Greater Than' },
	IS_GREATER_THAN_OR_EQUAL_TO: { name: 'At Least', description: 'Greater than or equal to' },
	IS_LESS_THAN: { name: 'Less Than' },
	IS_LESS_THAN_OR_EQUAL_TO: { name: 'At Most', description: 'Less than or equal to' },
};

const operatorOptions = (ops: readonly string[]) =>
	ops.map((op) => ({ ...(OPERATOR_NAMES[op] ?? { name: op }), value: op })).sort((a, b) => a.name.localeCompare(b.name));

const lookbackDays = {
	displayName: 'Lookback Window (Days)',
	name: 'lookbackDays',
	type: 'number',
	typeOptions: { minValue: MIN_LOOKBACK_DAYS, maxValue: MAX_LOOKBACK_DAYS, numberPrecision: 0 },
	default: 30,
	description: `People are in the audience when they sent the event within this many days, ${MIN_LOOKBACK_DAYS} to ${MAX_LOOKBACK_DAYS} (TikTok calls it retention_days)`,
} satisfies INodeProperties;

/** Audience expiry. Version 1 shows it among the main fields (0 = TikTok's default); from 1.1 it is in Options. */
const RETENTION_DESCRIPTION =
	"Days after creation when TikTok expires the audience, 1 to 365. Not set: TikTok's default, a year after the audience was last used or changed.";
const MAX_RETENTION_DAYS = 365;
const retentionInDays = {
	displayName: 'Audience Retention (Days)',
	name: 'retentionInDays',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: MAX_RETENTION_DAYS, numberPrecision: 0 },
	default: 0,
	description: "Days after creation when TikTok expires the audience, 1 to 365; 0 keeps TikTok's default (a year after the audience was last used or changed)",
	displayOptions: { show: onlyVersion1 },
} satisfies INodeProperties;
const retentionOption = {
	displayName: 'Audience Retention (Days)',
	name: 'retentionInDays',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: MAX_RETENTION_DAYS, numberPrecision: 0 },
	default: MAX_RETENTION_DAYS,
	description: RETENTION_DESCRIPTION,
} satisfies INodeProperties;

const autoRefresh = {
	displayName: 'Auto Refresh',
	name: 'autoRefresh',
	type: 'boolean',
	default: true,
	description:
		'Whether TikTok refreshes the audience daily so it always holds the people of the last lookback window. TikTok does not allow changing this after the audience is created.',
} satisfies INodeProperties;

const options = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [retentionOption],
	displayOptions: { show: fromVersion1_1 },
} satisfies INodeProperties;

const exclusionLookbackDays = {
	displayName: 'Lookback Window (Days)',
	name: 'lookbackDays',
	type: 'number',
	typeOptions: { minValue: MIN_LOOKBACK_DAYS, maxValue: MAX_LOOKBACK_DAYS, numberPrecision: 0 },
	default: 30,
	description: 'Leave out people who sent the excluded event within this many days',
} satisfies INodeProperties;

const exclusionEvent = {
	displayName: 'Event Name',
	name: 'event',
	type: 'options',
	options: eventOptions(),
	default: 'Purchase',
	description: 'Event whose senders are left out. Use another event than the rule above.',
} satisfies INodeProperties;

/**
 * The exclusion rule's event: its defaults (Purchase, 30 days) are unchanged since version 1, so saved rules keep
 * their meaning; an exclusion that leaves nobody (the rule's own event over a window as long) is refused when the node
 * runs (buildRuleSpec).
 */
const exclusion = {
	displayName: 'Exclusion Rule',
	name: 'exclusion',
	type: 'fixedCollection',
	placeholder: 'Add Exclusion Rule',
	default: {},
	description:
		'Leave out people who sent another event (for example buyers) within its own lookback window. Excluding the event of the rule above over the same window would leave nobody: the node refuses it.',
	options: [
		{
			displayName: 'Exclude People Who Sent',
			name: 'rule',
			values: [
				exclusionEvent,
				{
					displayName: 'Custom Event Name',
					name: 'eventCustom',
					type: 'string',
					default: '',
					placeholder: 'e.g. AlreadyCustomer',
					description: 'Name of your own event (case-sensitive)',
					displayOptions: { show: { event: [CUSTOM_EVENT] } },
				},
				exclusionLookbackDays,
			],
		},
	],
} satisfies INodeProperties;

export const createWebsiteAudienceProperties: INodeProperties[] = [
	pixelEventsNotice,
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
	...eventNameProperties('event', 'Event people must have sent to the pixel. Send Sync Event sends this event to fill the audience.'),
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
	exclusion,
	options,
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

/** Audience Retention: a main field in version 1 (0 = TikTok's default), an option from 1.1 (not set = the default). */
function readRetention(ctx: IExecuteFunctions, i: number): number {
	if (ctx.getNode().typeVersion < 1.1) return Number(ctx.getNodeParameter(retentionInDays.name, i, retentionInDays.default));
	const value = (ctx.getNodeParameter(options.name, i, {}) as { retentionInDays?: unknown }).retentionInDays;
	return value === undefined || value === null || value === '' ? 0 : Number(value);
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
	const event = resolveEventName(ctx.getNodeParameter('event', i) as string, ctx.getNodeParameter('eventCustom', i, '') as string);
	if (event === '') throw new NodeOperationError(node, 'Enter a custom event name', { itemIndex: i, description: 'Custom Event Name is empty. Send Sync Event must send exactly this name.' });
	const retention = readRetention(ctx, i);
	if (!(retention === 0 || (Number.isInteger(retention) && retention >= 1 && retention <= MAX_RETENTION_DAYS))) {
		throw new NodeOperationError(node, `Audience Retention must be 1 to ${MAX_RETENTION_DAYS} days`, { itemIndex: i });
	}
	const filters = ctx.getNodeParameter('filters', i, {}) as {
		url?: Array<{ operator: string; values: string }>;
		parameter?: Array<{ field: string; operator: string; values: string }>;
	};
	const excluded = (ctx.getNodeParameter(exclusion.name, i, {}) as { rule?: { event?: string; eventCustom?: string; lookbackDays?: number } }).rule;
	return {
		advertiserId,
		pixel,
		name,
		event,
		description: String(ctx.getNodeParameter('description', i, '') ?? ''),
		lookbackDays: Number(ctx.getNodeParameter(lookbackDays.name, i, lookbackDays.default)),
		retention,
		autoRefresh: ctx.getNodeParameter(autoRefresh.name, i, autoRefresh.default) as boolean,
		filters: [
			...(filters.url ?? []).map((f) => ({ field: 'URL', operator: f.operator, values: splitValues(f.values) })),
			...(filters.parameter ?? []).map((f) => ({ field: f.field, operator: f.operator, values: splitValues(f.values) })),
		],
		exclusion: excluded
			? {
					event: resolveEventName(excluded.event ?? exclusionEvent.default, excluded.eventCustom ?? ''),
					lookbackDays: Number(excluded.lookbackDays ?? exclusionLookbackDays.default),
				}
			: undefined,
	};
}
