import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { mappingProblem, type SchemaMapping } from '../shared/customerFile/mapping';
import { CALCULATE_TYPES, type CalculateType } from '../shared/customerFile/pipeline';
import type { SyncAction } from '../shared/customerFile/uploadPlan';
import type { PhoneFormat } from '../shared/identity/normalise';

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
	canonicaliseGmail: boolean;
	requireHashed: boolean;
	dryRun: boolean;
	cooldownMs: number;
	stopBelowFloor: boolean;
	retentionInDays?: number;
	maxRowsPerFile: number;
	maxFileBytes: number;
}

const ACTIONS: SyncAction[] = ['APPEND', 'REMOVE', 'REPLACE'];

export function readConfig(ctx: IExecuteFunctions, i: number): SyncConfig {
	const fail = (message: string): never => {
		throw new NodeOperationError(ctx.getNode(), message, { itemIndex: i });
	};
	const advertiserId = String(ctx.getNodeParameter('advertiserId', i, '', { extractValue: true }) ?? '').trim();
	if (!/^\d+$/.test(advertiserId)) fail('Choose an Advertiser: the advertiser ID must be digits only.');
	const listMode = ctx.getNodeParameter('listMode', i) as 'existing' | 'create';
	let audienceId = '';
	let listName = '';
	if (listMode === 'existing') {
		audienceId = String(ctx.getNodeParameter('audience', i, '', { extractValue: true }) ?? '').trim();
		if (!/^\d+$/.test(audienceId)) fail('Choose an Audience, or set List to Sync to "Create New List": the audience ID must be digits only.');
	} else {
		listName = String(ctx.getNodeParameter('listName', i, '') ?? '').trim();
		if (listName.length < 1 || listName.length > 128) fail('List Name must be 1 to 128 characters long.');
	}
	const calculateType = ctx.getNodeParameter('calculateType', i) as CalculateType;
	if (!CALCULATE_TYPES.includes(calculateType)) fail(`Calculate Type must be one of ${CALCULATE_TYPES.join(', ')}.`);
	const action = ctx.getNodeParameter('action', i) as SyncAction;
	if (!ACTIONS.includes(action)) fail('Action must be Add, Remove or Replace All.');
	const inputSource = ctx.getNodeParameter('inputSource', i) as 'items' | 'binary';
	const binaryPropertyName = inputSource === 'binary' ? String(ctx.getNodeParameter('binaryPropertyName', i, 'data')).trim() : '';
	const mapping: SchemaMapping = {
		email: String(ctx.getNodeParameter('emailField', i, '') ?? '').trim(),
		phone: String(ctx.getNodeParameter('phoneField', i, '') ?? '').trim(),
	};
	const problem = mappingProblem(calculateType, mapping);
	if (problem) fail(problem);

	const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
	const retention = options.retentionInDays === undefined ? undefined : Number(options.retentionInDays);
	if (retention !== undefined && !(Number.isInteger(retention) && retention >= 1 && retention <= 365)) {
		fail('Retention (Days) must be a whole number from 1 to 365.');
	}
	const maxRowsPerFile = Number(options.maxRowsPerFile ?? 250_000);
	if (!(Number.isInteger(maxRowsPerFile) && maxRowsPerFile >= 1)) fail('Max Rows per File must be a whole number of at least 1.');
	const maxFileMb = Number(options.maxFileMb ?? 100);
	if (!(maxFileMb >= 1 && maxFileMb <= 900)) fail('Max File Size (MB) must be between 1 and 900 (TikTok accepts files under 1 GB).');
	const cooldownMinutes = Number(options.cooldownMinutes ?? 30);
	if (!(cooldownMinutes >= 0)) fail('Instant Sync Cooldown (Minutes) must be 0 or more.');
	const defaultCountryCode = String(options.defaultCountryCode ?? '').trim().replace(/^\+/, '');
	if (defaultCountryCode !== '' && !/^\d{1,4}$/.test(defaultCountryCode)) {
		fail('Default Country Calling Code must be 1 to 4 digits, e.g. 1 or 44.');
	}
	return {
		advertiserId,
		listMode,
		audienceId,
		listName,
		calculateType,
		action,
		inputSource,
		binaryPropertyName,
		mapping,
		defaultCountryCode,
		phoneFormat: options.phoneFormat === 'e164' ? 'e164' : 'digits',
		canonicaliseGmail: options.canonicaliseGmail === true,
		requireHashed: options.hashedInput === 'all',
		dryRun: options.dryRun === true,
		cooldownMs: cooldownMinutes * 60_000,
		stopBelowFloor: options.stopBelowFloor !== false,
		retentionInDays: retention,
		maxRowsPerFile,
		maxFileBytes: Math.floor(maxFileMb * 1024 * 1024),
	};
}

/** Items with the same settings form one sync (one list upload); a binary CSV is a sync of its own. */
export function jobKey(config: SyncConfig, i: number): string {
	if (config.inputSource === 'binary') return `binary#${i}`;
	return JSON.stringify({ ...config, binaryPropertyName: undefined });
}
