import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { mappingProblem, type SchemaMapping } from '../shared/customerFile/mapping';
import { CALCULATE_TYPES, type CalculateType } from '../shared/customerFile/pipeline';
import type { SyncAction } from '../shared/customerFile/uploadPlan';
import type { PhoneFormat } from '../shared/identity/normalize';
import { advertiserOrDefault, NO_ADVERTISER_HINT } from '../shared/tiktok/advertisers';
import { advertiserLocator, customerFileAudienceLocator } from '../shared/ui/locators';

/**
 * The node's parameters and the one reader that turns them into a validated SyncConfig. Each parameter is declared
 * here once, with its default; the reader takes defaults and ranges from the declarations.
 */

const listMode = {
	displayName: 'List to Sync',
	name: 'listMode',
	type: 'options',
	noDataExpression: true,
	default: 'existing',
	options: [
		{ name: 'Existing Audience', value: 'existing', description: 'Update a customer-file audience you pick' },
		{
			name: 'Create New List',
			value: 'create',
			description: 'Use the audience with this exact name, or create it when there is none',
		},
	],
} satisfies INodeProperties;

const listName = {
	displayName: 'List Name',
	name: 'listName',
	type: 'string',
	required: true,
	default: '',
	placeholder: 'e.g. CRM buyers',
	description:
		'Exact name of the audience (1–128 characters). The one audience with this name is reused; it is created when none exists; several audiences with this name are an error that lists their IDs.',
	displayOptions: { show: { listMode: ['create'] } },
} satisfies INodeProperties;

const calculateType = {
	displayName: 'Calculate Type',
	name: 'calculateType',
	type: 'options',
	default: 'EMAIL_SHA256',
	description: 'Which identifiers the list holds. Must match the audience: TikTok fixes it at creation.',
	options: [
		{ name: 'Email', value: 'EMAIL_SHA256', description: 'One identifier: SHA-256 of the email (EMAIL_SHA256)' },
		{ name: 'Phone', value: 'PHONE_SHA256', description: 'One identifier: SHA-256 of the phone number (PHONE_SHA256)' },
		{
			name: 'Multiple Types',
			value: 'MULTIPLE_TYPES',
			description: 'Email and phone per person, so TikTok can match on either (MULTIPLE_TYPES)',
		},
	],
} satisfies INodeProperties;

const action = {
	displayName: 'Action',
	name: 'action',
	type: 'options',
	default: 'APPEND',
	description: 'What to do with the rows. Always sent explicitly: TikTok would otherwise replace the whole list.',
	options: [
		{ name: 'Add', value: 'APPEND', description: 'Add the rows to the audience (APPEND)', action: 'Add rows to a customer file list' },
		{ name: 'Remove', value: 'REMOVE', description: 'Remove the rows from the audience (REMOVE)', action: 'Remove rows from a customer file list' },
		{
			name: 'Replace All',
			value: 'REPLACE',
			description: 'Replace every member with these rows (REPLACE; at most once per 24 hours per audience)',
			action: 'Replace a customer file list',
		},
	],
} satisfies INodeProperties;

const inputSource = {
	displayName: 'Input Data',
	name: 'inputSource',
	type: 'options',
	default: 'items',
	options: [
		{ name: 'Items', value: 'items', description: 'One input item per user, with email and/or phone fields' },
		{
			name: 'Binary CSV File',
			value: 'binary',
			description: 'A CSV file in a binary property (Read/Write File, HTTP Request, a CustomerLabs export); read as a stream for large lists',
		},
	],
} satisfies INodeProperties;

const binaryPropertyName = {
	displayName: 'Input Binary Field',
	name: 'binaryPropertyName',
	type: 'string',
	default: 'data',
	required: true,
	description: 'Name of the binary property that holds the CSV file',
	displayOptions: { show: { inputSource: ['binary'] } },
} satisfies INodeProperties;

const emailField = {
	displayName: 'Email Field',
	name: 'emailField',
	type: 'string',
	default: 'email',
	description: "Item field or CSV column holding the email address. CustomerLabs' identify_by_email is recognized when this field is absent.",
	displayOptions: { show: { calculateType: ['EMAIL_SHA256', 'MULTIPLE_TYPES'] } },
} satisfies INodeProperties;

const phoneField = {
	displayName: 'Phone Field',
	name: 'phoneField',
	type: 'string',
	default: 'phone',
	description: "Item field or CSV column holding the phone number. CustomerLabs' identify_by_phone is recognized when this field is absent.",
	displayOptions: { show: { calculateType: ['PHONE_SHA256', 'MULTIPLE_TYPES'] } },
} satisfies INodeProperties;

// Options. Internal names stay as first released (saved workflows store them); what users read is American English.
const defaultCountryCode = {
	displayName: 'Default Country Calling Code',
	name: 'defaultCountryCode',
	type: 'string',
	default: '',
	placeholder: 'e.g. 1 or 44',
	description: 'Added to phone numbers written without one (no leading + or 00). Without it such numbers are rejected per row.',
} satisfies INodeProperties;

const dryRun = {
	displayName: 'Dry Run',
	name: 'dryRun',
	type: 'boolean',
	default: false,
	description: 'Whether to only validate the rows and the guards and report the counts, sending nothing to TikTok',
} satisfies INodeProperties;

const canonicalizeGmail = {
	displayName: 'Gmail-Style Email Canonicalization',
	name: 'canonicaliseGmail',
	type: 'boolean',
	default: false,
	description: 'Whether to drop dots and +tags from the local part of gmail.com and googlemail.com addresses before hashing',
} satisfies INodeProperties;

const cooldownMinutes = {
	displayName: 'Instant Sync Cooldown (Minutes)',
	name: 'cooldownMinutes',
	type: 'number',
	typeOptions: { minValue: 0 },
	default: 30,
	description:
		"Refuse to change the audience when it was changed through the API less than this long ago (read from TikTok's audience history). 0 turns the check off.",
} satisfies INodeProperties;

const maxFileMb = {
	displayName: 'Max File Size (MB)',
	name: 'maxFileMb',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 900 },
	default: 100,
	description: 'Upload files are split at this size (TikTok accepts files under 1 GB). One file is held in memory at a time.',
} satisfies INodeProperties;

const maxRowsPerFile = {
	displayName: 'Max Rows per File',
	name: 'maxRowsPerFile',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 250000,
	description:
		'Upload files are split at this many rows (250,000 hashes ≈ 16 MB). One file is held in memory at a time. Replace All sends at most 50 files, so it takes up to 50 × this many rows.',
} satisfies INodeProperties;

const phoneFormat = {
	displayName: 'Phone Hash Format',
	name: 'phoneFormat',
	type: 'options',
	default: 'digits',
	description: 'How phone numbers are written before hashing',
	options: [
		{ name: 'Digits With Country Code', value: 'digits', description: "TikTok's current customer-file rule: (657)777-0000 becomes 16577770000" },
		{ name: 'E.164 With +', value: 'e164', description: "TikTok's Events API rule: +16577770000 (China, 86, without the prefix)" },
	],
} satisfies INodeProperties;

const retentionInDays = {
	displayName: 'Retention (Days)',
	name: 'retentionInDays',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 365 },
	default: 365,
	description: 'For a new list only: the audience expires this many days after creation (1–365)',
} satisfies INodeProperties;

const stopBelowFloor = {
	displayName: 'Stop Below 1,000 Members',
	name: 'stopBelowFloor',
	type: 'boolean',
	default: true,
	description:
		"Whether to refuse an update that could leave the audience under TikTok's 1,000-member floor (estimated from its matched size), instead of letting TikTok reject it",
} satisfies INodeProperties;

const hashedInput = {
	displayName: 'Values Already Hashed',
	name: 'hashedInput',
	type: 'options',
	default: 'auto',
	options: [
		{
			name: 'Auto-Detect',
			value: 'auto',
			description: 'Values that are SHA-256 hex (exactly 64 hex characters, either case) are sent as they are, lowercased; others are normalized and hashed',
		},
		{ name: 'All Values', value: 'all', description: 'Every value must be SHA-256 hex; anything else is rejected, never hashed here' },
	],
	description: 'Whether the input carries SHA-256 hashes already. A value is never hashed twice.',
} satisfies INodeProperties;

export const upsertProperties: INodeProperties[] = [
	advertiserLocator,
	listMode,
	{ ...customerFileAudienceLocator, displayOptions: { show: { listMode: ['existing'] } } },
	listName,
	calculateType,
	action,
	inputSource,
	binaryPropertyName,
	emailField,
	phoneField,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			defaultCountryCode,
			dryRun,
			canonicalizeGmail,
			cooldownMinutes,
			maxFileMb,
			maxRowsPerFile,
			phoneFormat,
			retentionInDays,
			stopBelowFloor,
			hashedInput,
		],
	},
];

/** One item's parameters, validated before any network call. */
export interface SyncConfig {
	advertiserId: string;
	listMode: 'existing' | 'create';
	audienceId: string;
	listName: string;
	calculateType: CalculateType;
	action: SyncAction;
	inputSource: 'items' | 'binary';
	binaryPropertyName: string;
	mapping: SchemaMapping;
	defaultCountryCode: string;
	phoneFormat: PhoneFormat;
	canonicalizeGmail: boolean;
	requireHashed: boolean;
	dryRun: boolean;
	cooldownMs: number;
	stopBelowFloor: boolean;
	retentionInDays?: number;
	maxRowsPerFile: number;
	maxFileBytes: number;
}

const ACTIONS: readonly string[] = action.options.map((o) => o.value);

/** `defaultAdvertiserId`: the credential's Default Advertiser ID, used when Advertiser is left empty. */
export function readParameters(ctx: IExecuteFunctions, i: number, defaultAdvertiserId: string): SyncConfig {
	const fail = (message: string): never => {
		throw new NodeOperationError(ctx.getNode(), message, { itemIndex: i });
	};
	const advertiserId = advertiserOrDefault(ctx.getNodeParameter(advertiserLocator.name, i, '', { extractValue: true }), defaultAdvertiserId);
	if (advertiserId === '') fail(`Choose an Advertiser. ${NO_ADVERTISER_HINT}`);
	if (!/^\d+$/.test(advertiserId)) fail('Choose an Advertiser: the advertiser ID must be digits only.');
	const mode = ctx.getNodeParameter(listMode.name, i, listMode.default) as SyncConfig['listMode'];
	let audienceId = '';
	let name = '';
	if (mode === 'existing') {
		audienceId = String(ctx.getNodeParameter(customerFileAudienceLocator.name, i, '', { extractValue: true }) ?? '').trim();
		if (!/^\d+$/.test(audienceId)) fail('Choose an Audience, or set List to Sync to "Create New List": the audience ID must be digits only.');
	} else {
		name = String(ctx.getNodeParameter(listName.name, i, listName.default) ?? '').trim();
		if (name.length < 1 || name.length > 128) fail('List Name must be 1 to 128 characters long.');
	}
	const type = ctx.getNodeParameter(calculateType.name, i, calculateType.default) as CalculateType;
	if (!CALCULATE_TYPES.includes(type)) fail(`Calculate Type must be one of ${CALCULATE_TYPES.join(', ')}.`);
	const syncAction = ctx.getNodeParameter(action.name, i, action.default) as SyncAction;
	if (!ACTIONS.includes(syncAction)) fail('Action must be Add, Remove or Replace All.');
	const source = ctx.getNodeParameter(inputSource.name, i, inputSource.default) as SyncConfig['inputSource'];
	const binaryName = source === 'binary' ? String(ctx.getNodeParameter(binaryPropertyName.name, i, binaryPropertyName.default)).trim() : '';
	const mapping: SchemaMapping = {
		email: String(ctx.getNodeParameter(emailField.name, i, '') ?? '').trim(),
		phone: String(ctx.getNodeParameter(phoneField.name, i, '') ?? '').trim(),
	};
	const problem = mappingProblem(type, mapping);
	if (problem) fail(problem);

	const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
	const retention = options[retentionInDays.name] === undefined ? undefined : Number(options[retentionInDays.name]);
	const retentionRange = retentionInDays.typeOptions;
	if (retention !== undefined && !(Number.isInteger(retention) && retention >= retentionRange.minValue && retention <= retentionRange.maxValue)) {
		fail('Retention (Days) must be a whole number from 1 to 365.');
	}
	const rowsPerFile = Number(options[maxRowsPerFile.name] ?? maxRowsPerFile.default);
	if (!(Number.isInteger(rowsPerFile) && rowsPerFile >= maxRowsPerFile.typeOptions.minValue)) fail('Max Rows per File must be a whole number of at least 1.');
	const fileMb = Number(options[maxFileMb.name] ?? maxFileMb.default);
	if (!(fileMb >= maxFileMb.typeOptions.minValue && fileMb <= maxFileMb.typeOptions.maxValue)) {
		fail('Max File Size (MB) must be between 1 and 900 (TikTok accepts files under 1 GB).');
	}
	const cooldown = Number(options[cooldownMinutes.name] ?? cooldownMinutes.default);
	if (!(cooldown >= cooldownMinutes.typeOptions.minValue)) fail('Instant Sync Cooldown (Minutes) must be 0 or more.');
	const countryCode = String(options[defaultCountryCode.name] ?? defaultCountryCode.default).trim().replace(/^\+/, '');
	if (countryCode !== '' && !/^\d{1,4}$/.test(countryCode)) fail('Default Country Calling Code must be 1 to 4 digits, e.g. 1 or 44.');
	return {
		advertiserId,
		listMode: mode,
		audienceId,
		listName: name,
		calculateType: type,
		action: syncAction,
		inputSource: source,
		binaryPropertyName: binaryName,
		mapping,
		defaultCountryCode: countryCode,
		phoneFormat: (options[phoneFormat.name] ?? phoneFormat.default) === 'e164' ? 'e164' : 'digits',
		canonicalizeGmail: (options[canonicalizeGmail.name] ?? canonicalizeGmail.default) === true,
		requireHashed: (options[hashedInput.name] ?? hashedInput.default) === 'all',
		dryRun: (options[dryRun.name] ?? dryRun.default) === true,
		cooldownMs: cooldown * 60_000,
		stopBelowFloor: (options[stopBelowFloor.name] ?? stopBelowFloor.default) !== false,
		retentionInDays: retention,
		maxRowsPerFile: rowsPerFile,
		maxFileBytes: Math.floor(fileMb * 1024 * 1024),
	};
}

/** Items with the same settings form one sync (one list upload); a binary CSV is a sync of its own. */
export function jobKey(config: SyncConfig, i: number): string {
	if (config.inputSource === 'binary') return `binary#${i}`;
	return JSON.stringify({ ...config, binaryPropertyName: undefined });
}
