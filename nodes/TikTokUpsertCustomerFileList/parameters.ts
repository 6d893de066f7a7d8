import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { mappingFor, mappingProblem, type SchemaMapping } from '../shared/customerFile/mapping';
import { CALCULATE_TYPES, type CalculateType } from '../shared/customerFile/pipeline';
import type { SyncAction } from '../shared/customerFile/uploadPlan';
import type { PhoneFormat } from '../shared/identity/normalize';
import { advertiserOrDefault, NO_ADVERTISER_HINT } from '../shared/tiktok/advertisers';
import { dependsOnItem } from '../shared/ui/itemParameters';
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
	description:
		'Which identifiers the new list holds. TikTok fixes it at creation; for an existing audience it is read from TikTok.',
	displayOptions: { show: { listMode: ['create'] } },
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
	noDataExpression: true,
	default: 'APPEND',
	description: 'What to do with the rows. Always sent explicitly: TikTok would otherwise replace the whole list.',
	options: [
		{ name: 'Add', value: 'APPEND', description: 'Add the rows to the audience (APPEND)', action: 'Add rows to a customer file list' },
		{
			name: 'From Each Row',
			value: 'CHANGES',
			description: 'Each row says whether to add or remove the person (e.g. CustomerLabs segment entered/exited webhooks)',
			action: 'Add or remove each row of a customer file list',
		},
		{
			name: 'Mirror',
			value: 'MIRROR',
			description:
				'The rows are the whole current segment: only who joined and who left since the last sync are sent, found with a snapshot of hashes kept by your workflow',
			action: 'Mirror a segment into a customer file list',
		},
		{ name: 'Remove', value: 'REMOVE', description: 'Remove the rows from the audience (REMOVE)', action: 'Remove rows from a customer file list' },
		{
			name: 'Replace All',
			value: 'REPLACE',
			description:
				'Replace every member with these rows. TikTok allows about one replace a day per audience and refuses one while an earlier replace is unfinished: to refresh daily, use Mirror.',
			action: 'Replace a customer file list',
		},
	],
} satisfies INodeProperties;

const mirrorNotice = {
	displayName:
		'Mirror keeps the audience equal to the input list. Connect the previous snapshot (a file your workflow saved from this node\'s "snapshot" output, e.g. with Read/Write Files from Disk) to the second input; without one, the first sync sends the whole list. Save the new snapshot only after a successful run (the output carries it).',
	name: 'mirrorNotice',
	type: 'notice',
	default: '',
	displayOptions: { show: { action: ['MIRROR'] } },
} satisfies INodeProperties;

const changeField = {
	displayName: 'Change Field',
	name: 'changeField',
	type: 'string',
	default: 'action',
	requiresDataPath: 'single',
	placeholder: 'e.g. action',
	description:
		'Item field or CSV column saying what to do with the row: add (add, added, entered, joined, true, yes, 1) or remove (remove, removed, exited, left, false, no, 0). Any other value rejects the row with a reason.',
	hint: 'Drag the field here from the input, or write an expression that gives add or remove for each item',
	displayOptions: { show: { action: ['CHANGES'] } },
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

// Field names, as n8n's Split Out and Aggregate take them: dragging a field from the input inserts its name. An
// expression that reads the item (e.g. {{ $json.email }}) is taken as the value itself, as Send Sync Event takes it.
const emailField = {
	displayName: 'Email Field',
	name: 'emailField',
	type: 'string',
	default: 'email',
	requiresDataPath: 'single',
	description:
		"Item field or CSV column holding the email address; used when the list holds emails. CustomerLabs' identify_by_email is recognized when this field is absent.",
	hint: 'Drag the email field here from the input (its name is inserted), or write an expression that gives the email for each item',
} satisfies INodeProperties;

const phoneField = {
	displayName: 'Phone Field',
	name: 'phoneField',
	type: 'string',
	default: 'phone',
	requiresDataPath: 'single',
	description:
		"Item field or CSV column holding the phone number; used when the list holds phone numbers. CustomerLabs' identify_by_phone is recognized when this field is absent.",
	hint: 'Drag the phone field here from the input, or write an expression that gives the phone number for each item',
} satisfies INodeProperties;

const processingNotice = {
	displayName:
		'TikTok matches an uploaded list in 24 to 48 hours, and an audience needs at least 1,000 matched people before ads can use it',
	name: 'processingNotice',
	type: 'notice',
	default: '',
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
		"For instant syncs (a manual run in the editor): refuse when the audience was changed through the API less than this long ago (read from TikTok's audience history). Scheduled, webhook and trigger runs follow their own schedule. 0 turns the check off.",
} satisfies INodeProperties;

const replaceWaitMinutes = {
	displayName: 'Wait for Replace Window (Minutes)',
	name: 'replaceWaitMinutes',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 60 },
	default: 10,
	description:
		"Replace All and Mirror's drift correction: when TikTok's 24-hour replace window opens within this many minutes, upload first, wait for it and then replace, instead of refusing. 0 refuses at once.",
} satisfies INodeProperties;

const driftCorrectionDays = {
	displayName: 'Drift Correction Every (Days)',
	name: 'driftCorrectionDays',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 365 },
	default: 7,
	description:
		'Mirror only: send the whole list as a Replace All when the audience was last replaced this many days ago or more (and TikTok allows a replace), to repair any drift. Not added: never.',
} satisfies INodeProperties;

const snapshotBinaryField = {
	displayName: 'Snapshot Binary Field',
	name: 'snapshotBinaryField',
	type: 'string',
	default: 'snapshot',
	description:
		'Mirror only: the binary field holding the previous snapshot on the second input, and of the new snapshot on the output',
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
	mirrorNotice,
	inputSource,
	binaryPropertyName,
	emailField,
	phoneField,
	changeField,
	processingNotice,
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
			driftCorrectionDays,
			maxFileMb,
			maxRowsPerFile,
			phoneFormat,
			retentionInDays,
			stopBelowFloor,
			hashedInput,
			snapshotBinaryField,
			replaceWaitMinutes,
		],
	},
];

/** One item's parameters, validated before any network call. */
export interface SyncConfig {
	advertiserId: string;
	listMode: 'existing' | 'create';
	audienceId: string;
	listName: string;
	/** For an existing audience, the parameter until the run reads TikTok's type (see `withAudienceType`). */
	calculateType: CalculateType;
	action: ListAction;
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
	/** Replace All: how long to wait for TikTok's 24-hour window instead of refusing (0: refuse at once). */
	replaceWaitMs: number;
	/** Mirror: a Replace All when the last one is at least this old; undefined: never. */
	driftCorrectionMs?: number;
	/** Mirror: the binary field of the previous snapshot (second input) and of the new one (output). */
	snapshotBinaryField: string;
}

/** Add, Remove and Replace All send one update; From Each Row sends an APPEND and a REMOVE; Mirror, the difference. */
export type ListAction = SyncAction | 'CHANGES' | 'MIRROR';

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
	const syncAction = ctx.getNodeParameter(action.name, i, action.default) as ListAction;
	if (!ACTIONS.includes(syncAction)) fail('Action must be Add, Remove, Replace All, From Each Row or Mirror.');
	const source = ctx.getNodeParameter(inputSource.name, i, inputSource.default) as SyncConfig['inputSource'];
	const binaryName = source === 'binary' ? String(ctx.getNodeParameter(binaryPropertyName.name, i, binaryPropertyName.default)).trim() : '';
	const mapping = readMapping(ctx, i, source, syncAction === 'CHANGES', fail);
	if (mode === 'create') {
		const problem = mappingProblem(type, mappingFor(type, mapping));
		if (problem) fail(problem);
	} else if (mapping.email === '' && mapping.phone === '') {
		fail('Set "Email Field" or "Phone Field": the item field or CSV column that holds the identifier.');
	}

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
	const wait = Number(options[replaceWaitMinutes.name] ?? replaceWaitMinutes.default);
	if (!(wait >= replaceWaitMinutes.typeOptions.minValue && wait <= replaceWaitMinutes.typeOptions.maxValue)) {
		fail('Wait for Replace Window (Minutes) must be between 0 and 60.');
	}
	const drift = options[driftCorrectionDays.name] === undefined ? undefined : Number(options[driftCorrectionDays.name]);
	if (drift !== undefined && !(drift >= driftCorrectionDays.typeOptions.minValue && drift <= driftCorrectionDays.typeOptions.maxValue)) {
		fail('Drift Correction Every (Days) must be between 1 and 365.');
	}
	const snapshotField = String(options[snapshotBinaryField.name] ?? snapshotBinaryField.default).trim();
	if (syncAction === 'MIRROR' && snapshotField === '') fail('Snapshot Binary Field must name a binary field, e.g. snapshot.');
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
		replaceWaitMs: wait * 60_000,
		driftCorrectionMs: drift === undefined ? undefined : drift * 86_400_000,
		snapshotBinaryField: snapshotField,
	};
}

/**
 * The identifier (and change) fields. A parameter holding an expression that reads the item (`{{ $json.email }}`)
 * gives the value itself, item by item (`byValue`); the mapping then keeps the expression text, the same for every
 * item, so the items still form one sync. A plain name (what dragging a field inserts) names the field or column.
 */
function readMapping(ctx: IExecuteFunctions, i: number, source: SyncConfig['inputSource'], changes: boolean, fail: (message: string) => never): SchemaMapping {
	const raw = ctx.getNode().parameters;
	const mapping: SchemaMapping = { email: '', phone: '', byValue: {} };
	const fields = [
		['email', emailField],
		['phone', phoneField],
		...(changes ? ([['change', changeField]] as const) : []),
	] as const;
	for (const [key, property] of fields) {
		const value = raw[property.name] ?? property.default;
		if (typeof value === 'string' && value.startsWith('=') && dependsOnItem(value)) {
			if (source === 'binary') {
				fail(`With a CSV file, "${property.displayName}" is the name of a column (e.g. ${property.default}), not an expression.`);
			}
			mapping[key] = value;
			(mapping.byValue as Record<string, boolean>)[key] = true;
		} else {
			mapping[key] = String(ctx.getNodeParameter(property.name, i, property.default) ?? '').trim();
		}
	}
	if (changes && mapping.change === '') fail('Set "Change Field": the item field or CSV column that says add or remove.');
	return mapping;
}

/** Parameter names of the mapped fields, for reading a value per item (see `readMapping`). */
export const MAPPED_PARAMETERS = { email: emailField.name, phone: phoneField.name, change: changeField.name } as const;

/** Items with the same settings form one sync (one list upload); a binary CSV, or a Mirror, is a sync of its own. */
export function jobKey(config: SyncConfig, i: number): string {
	if (config.inputSource === 'binary') return `binary#${i}`;
	return JSON.stringify({ ...config, binaryPropertyName: undefined });
}
