import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { DEFAULT_DEDUP_WINDOW_HOURS } from '../shared/events/build';
import { MAX_EVENTS_PER_REQUEST } from '../shared/events/batch';
import { eventNameProperties, pixelEventsNotice } from '../shared/events/eventParameters';
import { resolveEventName } from '../shared/events/webEvents';
import { MAX_COOLDOWN_MINUTES } from '../shared/sync/instantSync';
import { advertiserOrDefault, NO_ADVERTISER_HINT } from '../shared/tiktok/advertisers';
import type { pixelFinder } from '../shared/tiktok/pixels';
import type { ParameterReader } from '../shared/ui/itemParameters';
import { advertiserLocator, pixelLocator, websiteAudienceLocator } from '../shared/ui/locators';

/** The node's parameters and their readers; defaults are declared once (here or as the shared constants they name). */

const manual = { show: { source: ['manual'] } };

const mappingNotice = {
	displayName:
		'Sends one event per input item: put this node after the one that outputs your people (one item per person), and map their email, phone or ID below',
	name: 'mappingNotice',
	type: 'notice',
	default: '',
} satisfies INodeProperties;

/** Instant Sync: a manual run ("Execute workflow" or "Execute step" in the editor). See instantSync.ts. */
const cooldownMinutes = {
	displayName: 'Instant Sync Cooldown (Minutes)',
	name: 'cooldownMinutes',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: MAX_COOLDOWN_MINUTES, numberPrecision: 0 },
	default: 30,
	description: `Minimum time between two manual runs that send the same event to the same pixel and audience, 0 to ${MAX_COOLDOWN_MINUTES} (0 turns it off). Scheduled, webhook and trigger runs are not limited.`,
} satisfies INodeProperties;

/** The Instant Sync cooldown of a run, in milliseconds (0: off). */
export function cooldownMsOf(options: Options): number {
	const minutes = Number(options.cooldownMinutes ?? cooldownMinutes.default);
	return Number.isFinite(minutes) ? Math.min(Math.max(0, minutes), MAX_COOLDOWN_MINUTES) * 60_000 : 0;
}

export const sendSyncEventProperties: INodeProperties[] = [
	pixelEventsNotice,
	mappingNotice,
	{
		displayName: 'Audience Settings From',
		name: 'source',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'From Recipe',
				value: 'recipe',
				description: 'Pixel, event and audience come from the "recipe" that a TikTok Create Website Audience node outputs',
			},
			{ name: 'Set Here', value: 'manual', description: 'Choose advertiser, pixel, event and audience in this node' },
		],
		default: 'manual',
	},
	{
		displayName: 'Recipe',
		name: 'recipe',
		type: 'json',
		default: "={{ $('TikTok Create Website Audience').first().json.recipe }}",
		description:
			'The "recipe" object of a TikTok Create Website Audience node (pixel code, event, audience ID, advertiser ID). If you renamed that node, put its name in the expression.',
		displayOptions: { show: { source: ['recipe'] } },
	},
	{ ...advertiserLocator, displayOptions: manual },
	{
		...pixelLocator,
		description: 'Pixel that receives the events. By ID accepts the pixel code (as in the recipe) or the pixel ID.',
		displayOptions: manual,
	},
	...eventNameProperties('event', "Event to send: the website audience's event, as in Create Website Audience", manual.show),
	{
		...websiteAudienceLocator,
		required: false,
		description:
			'Website audience these events fill (optional). Checked against the event, used to skip audiences unlinked or deleted in this workflow, and in the default event ID.',
		displayOptions: manual,
	},
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		default: '={{ $json.email }}',
		placeholder: 'name@email.com',
		description: 'Email address, or a list of them. Trimmed, lower-cased and SHA-256 hashed before sending; SHA-256 hashes pass unchanged.',
		hint: "An expression giving each person's email, e.g. drag the email field of the input here",
	},
	{
		displayName: 'Phone',
		name: 'phone',
		type: 'string',
		default: '={{ $json.phone }}',
		description:
			'Phone number. Sent as a SHA-256 hash of E.164 with "+" (TikTok\'s Events API rule; Chinese +86 numbers without the country code). Numbers without a country code need "Default Country Code".',
		hint: "An expression giving each person's phone number, e.g. drag the phone field of the input here",
	},
	{
		displayName: 'External ID',
		name: 'externalId',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.customer_id }}',
		description: 'Your ID for the person (for example a CRM ID), SHA-256 hashed before sending',
		hint: "Optional: an expression giving each person's ID in your system",
	},
	{
		displayName: 'Consent Field',
		name: 'consentField',
		type: 'string',
		default: '',
		placeholder: 'e.g. marketing_consent',
		requiresDataPath: 'single',
		hint: 'The name of the field (not its value): drag the field here',
		description:
			'Name of an input field that says whether the person agreed to ad tracking (true, yes, 1, granted). Items without consent are skipped and counted. Empty: every item is sent.',
	},
	{
		displayName: 'Event Time',
		name: 'eventTime',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.purchased_at }}',
		description: 'When the event happened: ISO date, or Unix seconds or milliseconds. Empty: now.',
	},
	{
		displayName: 'Event ID',
		name: 'eventId',
		type: 'string',
		default: '',
		description:
			'ID TikTok deduplicates on. Empty: a hash of audience, pixel, event, person and the dedup window the event time falls in, so a resend within the window adds nothing.',
	},
	{
		displayName: 'User Data',
		name: 'userData',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		description: 'More ways for TikTok to match the person; sent as given (not hashed)',
		options: [
			{ displayName: 'IP Address', name: 'ip', type: 'string', default: '' },
			{ displayName: 'Locale', name: 'locale', type: 'string', default: '', placeholder: 'e.g. en-US' },
			{ displayName: 'TikTok Click ID (Ttclid)', name: 'ttclid', type: 'string', default: '' },
			{ displayName: 'TikTok Cookie ID (Ttp)', name: 'ttp', type: 'string', default: '', description: 'Value of the _ttp cookie' },
			{ displayName: 'User Agent', name: 'userAgent', type: 'string', default: '' },
		],
	},
	{
		displayName: 'Event Properties',
		name: 'eventProperties',
		type: 'collection',
		placeholder: 'Add Property',
		default: {},
		options: [
			{ displayName: 'Content Type', name: 'contentType', type: 'string', default: '', placeholder: 'e.g. product' },
			{
				displayName: 'Contents',
				name: 'contents',
				type: 'json',
				default: '[]',
				description: 'List of products, e.g. [{"content_id": "sku-1", "quantity": 1, "price": 9.5}]',
			},
			{ displayName: 'Currency', name: 'currency', type: 'string', default: '', placeholder: 'e.g. USD' },
			{ displayName: 'Page Referrer', name: 'referrer', type: 'string', default: '' },
			{
				displayName: 'Page URL',
				name: 'pageUrl',
				type: 'string',
				default: '',
				description: "URL the event happened on; needed when the audience's rule has a URL filter",
			},
			{ displayName: 'Value', name: 'value', type: 'number', default: 0, description: 'Order value' },
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: MAX_EVENTS_PER_REQUEST },
				default: MAX_EVENTS_PER_REQUEST,
				description: `Events per request, at most ${MAX_EVENTS_PER_REQUEST} (TikTok's limit)`,
			},
			{
				displayName: 'Dedup Window (Hours)',
				name: 'dedupWindowHours',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: DEFAULT_DEDUP_WINDOW_HOURS,
				description: 'Length of the time window in the default event ID: one event per person and audience per window reaches TikTok',
			},
			cooldownMinutes,
			{
				displayName: 'Default Country Code',
				name: 'defaultCountryCode',
				type: 'string',
				default: '',
				placeholder: 'e.g. 1',
				description: 'Country calling code for phone numbers written without one',
			},
			{
				displayName: 'Limited Data Use',
				name: 'limitedDataUse',
				type: 'boolean',
				default: false,
				description: "Whether to flag the events for TikTok's limited data use (for example for US state privacy laws)",
			},
			{
				displayName: 'Test Event Code',
				name: 'testEventCode',
				type: 'string',
				default: '',
				description: "Sends the events to TikTok's Test Events tool instead: they do not enter audiences",
			},
		],
	},
];

/** Where the events go: one pixel, one event name, optionally the audience they fill. */
export interface Target {
	advertiserId: string;
	pixelCode: string;
	event: string;
	audienceId: string;
	audienceName: string;
	/** From a Create Website Audience recipe: the event and the audience's rule are in step by construction. */
	fromRecipe: boolean;
}

export interface Options {
	batchSize?: number;
	cooldownMinutes?: number;
	dedupWindowHours?: number;
	defaultCountryCode?: string;
	limitedDataUse?: boolean;
	testEventCode?: string;
}

function readRecipe(ctx: IExecuteFunctions, get: ParameterReader, i: number): Target {
	let recipe = get('recipe', i, {}) as unknown;
	if (typeof recipe === 'string') {
		try {
			recipe = recipe.trim() === '' ? {} : JSON.parse(recipe);
		} catch {
			recipe = undefined;
		}
	}
	const r = (typeof recipe === 'object' && recipe !== null ? recipe : {}) as IDataObject;
	// Version 1.1 recipes use camelCase keys; version 1 recipes (and hand-written ones) snake_case.
	const key = (camel: string, snake: string) => String(r[camel] ?? r[snake] ?? '').trim();
	const pixelCode = key('pixelCode', 'pixel_code');
	const event = key('event', 'event');
	if (pixelCode === '' || event === '') {
		throw new NodeOperationError(ctx.getNode(), 'The recipe has no pixel code or event', {
			itemIndex: i,
			description:
				"Map the \"recipe\" object a TikTok Create Website Audience node outputs, e.g. {{ $('TikTok Create Website Audience').first().json.recipe }}, or choose \"Set Here\".",
		});
	}
	return {
		advertiserId: key('advertiserId', 'advertiser_id'),
		pixelCode,
		event,
		audienceId: key('audienceId', 'audience_id'),
		audienceName: key('audienceName', 'audience_name'),
		fromRecipe: true,
	};
}

/**
 * Where an item's events go: from the recipe of a Create Website Audience node, or set in this node (Advertiser left
 * empty: `defaultAdvertiserId`, the credential's Default Advertiser ID).
 */
export async function readTarget(
	ctx: IExecuteFunctions,
	get: ParameterReader,
	i: number,
	findPixel: ReturnType<typeof pixelFinder>,
	defaultAdvertiserId: string,
): Promise<Target> {
	if (get('source', i, 'manual') === 'recipe') return readRecipe(ctx, get, i);
	const node = ctx.getNode();
	const advertiserId = advertiserOrDefault(get('advertiserId', i, '', { extractValue: true }), defaultAdvertiserId);
	const pixel = String(get('pixel', i, '', { extractValue: true }) ?? '').trim();
	const event = resolveEventName(get('event', i, '') as string, get('eventCustom', i, '') as string);
	const audienceId = String(get('audience', i, '', { extractValue: true }) ?? '').trim();
	if (pixel === '') throw new NodeOperationError(node, 'Choose a pixel', { itemIndex: i });
	if (event === '') throw new NodeOperationError(node, 'Enter a custom event name', { itemIndex: i, description: 'Custom Event Name is empty: use the event name of the audience\'s rule.' });
	let pixelCode = pixel;
	// Pixel IDs are digits, pixel codes are not: a picked pixel (its ID) is turned into the code events need.
	if (/^\d+$/.test(pixel)) {
		if (!/^\d+$/.test(advertiserId)) throw new NodeOperationError(node, 'Choose an advertiser to look the pixel up in', { itemIndex: i, description: NO_ADVERTISER_HINT });
		pixelCode = (await findPixel(advertiserId, pixel, i)).pixel_code;
	}
	return { advertiserId, pixelCode, event, audienceId, audienceName: '', fromRecipe: false };
}

