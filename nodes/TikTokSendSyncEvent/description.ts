import type { INodeProperties } from 'n8n-workflow';

import { DEFAULT_DEDUP_WINDOW_HOURS } from '../shared/events/build';
import { MAX_EVENTS_PER_REQUEST } from '../shared/events/batch';
import { CUSTOM_EVENT, eventOptions } from '../shared/events/webEvents';
import { advertiserLocator, audienceLocator, pixelLocator } from '../shared/ui/locators';

const manual = { show: { source: ['manual'] } };

export const sendSyncEventProperties: INodeProperties[] = [
	{
		displayName: 'Audience Settings From',
		name: 'source',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Recipe of a Create Website Audience Node',
				value: 'recipe',
				description: 'Pixel, event and audience come from the "recipe" that TikTok Create Website Audience outputs',
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
			'The "recipe" object of a TikTok Create Website Audience node (pixel_code, event, audience_id, advertiser_id). If you renamed that node, put its name in the expression.',
		displayOptions: { show: { source: ['recipe'] } },
	},
	{ ...advertiserLocator, displayOptions: manual },
	{
		...pixelLocator,
		description: 'Pixel that receives the events. By ID accepts the pixel code (as in the recipe) or the pixel ID.',
		displayOptions: manual,
	},
	{
		displayName: 'Event Name',
		name: 'event',
		type: 'options',
		options: eventOptions(),
		default: 'Purchase',
		description: "Event to send: the website audience's event, as in the recipe of Create Website Audience",
		displayOptions: manual,
	},
	{
		displayName: 'Custom Event Name',
		name: 'eventCustom',
		type: 'string',
		default: '',
		placeholder: 'e.g. AudienceSync',
		description: 'Your own event name (case-sensitive), exactly as in the audience rule',
		displayOptions: { show: { source: ['manual'], event: [CUSTOM_EVENT] } },
	},
	{
		...audienceLocator,
		required: false,
		description:
			'Website audience these events fill (optional). Used for the sync log, to skip audiences unlinked in this workflow, and in the default event ID.',
		displayOptions: manual,
	},
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		default: '={{ $json.email }}',
		placeholder: 'name@email.com',
		description: 'Email address, or a list of them. Trimmed, lower-cased and SHA-256 hashed before sending; SHA-256 hashes pass unchanged.',
	},
	{
		displayName: 'Phone',
		name: 'phone',
		type: 'string',
		default: '={{ $json.phone }}',
		description:
			'Phone number. Sent as a SHA-256 hash of E.164 with "+" (TikTok\'s Events API rule; Chinese +86 numbers without the country code). Numbers without a country code need "Default Country Code".',
	},
	{
		displayName: 'External ID',
		name: 'externalId',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.customer_id }}',
		description: 'Your ID for the person (for example a CRM ID), SHA-256 hashed before sending',
	},
	{
		displayName: 'Consent Field',
		name: 'consentField',
		type: 'string',
		default: '',
		placeholder: 'e.g. marketing_consent',
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
