import { NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions } from 'n8n-workflow';

import { CsvFormatError } from '../shared/customerFile/csvReader';
import { UploadFileWriter, type UploadFile } from '../shared/customerFile/fileWriter';
import { DEFAULT_DEDUPE_LIMIT, MULTIPLE_TYPES_HEADER, RowPipeline, type PipelineStats } from '../shared/customerFile/pipeline';
import { MAX_FILE_PATHS_PER_CALL, planCalls, replaceTooLargeMessage, type SyncAction } from '../shared/customerFile/uploadPlan';
import { REJECT_REASON_TEXT, type RejectReason } from '../shared/identity/normalise';
import { checkCooldown, checkFloor, checkReplaceAllowed, lastReplaceAt, type GuardResult } from '../shared/sync/guards';
import type { RegistryEntry, RegistryUpdate } from '../shared/sync/registry';
import { findAudiencesByName, getAudience, lookupAudience } from '../shared/tiktok/audiences';
import { createCustomerFileAudience, updateCustomerFileAudience, uploadCustomerFile } from '../shared/tiktok/customerFiles';
import type { Audience, AudienceHistoryEntry } from '../shared/tiktok/schemas';
import type { SyncConfig } from './config';
import { readCsvRows, readItemRows } from './rows';

/** A sync the node refused before changing anything (guards, ambiguous names, bad input). */
export class SyncRefusal extends NodeOperationError {
	nextAllowedAt?: Date;
}

type Refuse = (message: string, nextAllowedAt?: Date) => never;

function refuser(ctx: IExecuteFunctions, itemIndex: number): Refuse {
	return (message, nextAllowedAt) => {
		const error = new SyncRefusal(ctx.getNode(), message, { itemIndex });
		error.nextAllowedAt = nextAllowedAt;
		throw error;
	};
}

export interface SyncSummary {
	audienceId: string | null;
	audienceName: string;
	advertiserId: string;
	calculateType: string;
	/** CREATE for a new list, else the update action sent. */
	action: 'CREATE' | SyncAction;
	created: boolean;
	dryRun: boolean;
	skipped: boolean;
	skipReason?: string;
	source: 'items' | 'binary';
	rowsIn: number;
	rowsSent: number;
	invalidTotal: number;
	invalid: PipelineStats['invalid'];
	droppedValues: PipelineStats['droppedValues'];
	duplicates: number;
	/** Present when the list was too large to deduplicate across all files (see DEFAULT_DEDUPE_LIMIT). */
	duplicatesNote?: string;
	preHashed: number;
	filesUploaded: number;
	requestIds: string[];
	audienceSize: number | null;
	audienceValid: boolean | null;
	/** Dry runs: what a real run would refuse. */
	wouldRefuse?: string[];
}

const CUSTOMER_FILE_TYPE = /customer\s*file/i;

function describeInvalid(stats: PipelineStats): string {
	const parts = Object.entries(stats.invalid).map(([reason, r]) => `${r?.count} ${REJECT_REASON_TEXT[reason as RejectReason]} (rows ${r?.rows.join(', ')}${(r?.count ?? 0) > (r?.rows.length ?? 0) ? ', …' : ''})`);
	return parts.length > 0 ? parts.join('; ') : 'none';
}

interface Target {
	audience?: Audience;
	history: AudienceHistoryEntry[];
	audienceId: string | null;
	name: string;
	/** IDs of audiences that had the list name before this run (for create recovery). */
	existingIds: string[];
}

async function resolveTarget(
	ctx: IExecuteFunctions,
	config: SyncConfig,
	itemIndex: number,
	requestIds: string[],
	refuse: Refuse,
): Promise<Target> {
	const { advertiserId } = config;
	if (config.listMode === 'existing') {
		const found = await lookupAudience.call(ctx, advertiserId, config.audienceId, itemIndex);
		if (!found) {
			refuse(`Audience ${config.audienceId} does not exist for advertiser ${advertiserId} (it may have been deleted). Pick another audience, or use List to Sync "Create New List".`);
		}
		requestIds.push(found.requestId);
		return { audience: found.audience, history: found.history, audienceId: found.audience.audience_id, name: found.audience.name, existingIds: [] };
	}
	const same = await findAudiencesByName.call(ctx, advertiserId, config.listName);
	const ids = same.map((a) => a.audience_id);
	if (same.length > 1) {
		refuse(
			`${same.length} audiences are named "${config.listName}" (IDs ${ids.join(', ')}). TikTok allows duplicate names and this node never creates another: choose one with List to Sync "Existing Audience", or rename or delete the others in TikTok Ads Manager.`,
		);
	}
	if (same.length === 0) return { history: [], audienceId: null, name: config.listName, existingIds: [] };
	const found = await getAudience.call(ctx, advertiserId, ids[0], itemIndex);
	if (!found) return { history: [], audienceId: null, name: config.listName, existingIds: ids };
	requestIds.push(found.requestId);
	return { audience: found.audience, history: found.history, audienceId: ids[0], name: found.audience.name, existingIds: ids };
}

function checkAudienceKind(audience: Audience, config: SyncConfig, refuse: Refuse): void {
	const type = audience.audience_type ?? audience.type ?? '';
	if (type !== '' && !CUSTOMER_FILE_TYPE.test(type)) {
		refuse(`Audience ${audience.audience_id} ("${audience.name}") is a ${type}, not a customer-file audience: only customer-file audiences take uploaded lists.`);
	}
	if (audience.calculate_type && audience.calculate_type !== config.calculateType) {
		refuse(
			`Audience ${audience.audience_id} ("${audience.name}") was created with calculate type ${audience.calculate_type}; Calculate Type is ${config.calculateType}. TikTok fixes the type at creation: set Calculate Type to match, or sync to another list.`,
		);
	}
}

export async function runSync(
	ctx: IExecuteFunctions,
	config: SyncConfig,
	itemIndexes: number[],
	registry: { byId(audienceId: string): RegistryEntry | undefined; byName(advertiserId: string, name: string): RegistryEntry | undefined },
): Promise<{ summary: SyncSummary; registry?: RegistryUpdate }> {
	const itemIndex = itemIndexes[0];
	const requestIds: string[] = [];
	const refuse = refuser(ctx, itemIndex);
	const target = await resolveTarget(ctx, config, itemIndex, requestIds, refuse);
	const { audience } = target;
	const creating = audience === undefined;
	const summary: SyncSummary = {
		audienceId: target.audienceId,
		audienceName: target.name,
		advertiserId: config.advertiserId,
		calculateType: config.calculateType,
		action: creating ? 'CREATE' : config.action,
		created: false,
		dryRun: config.dryRun,
		skipped: false,
		source: config.inputSource,
		rowsIn: 0,
		rowsSent: 0,
		invalidTotal: 0,
		invalid: {},
		droppedValues: {},
		duplicates: 0,
		preHashed: 0,
		filesUploaded: 0,
		requestIds,
		audienceSize: audience ? audience.cover_num : null,
		audienceValid: audience ? audience.is_valid : null,
	};

	if (audience) {
		checkAudienceKind(audience, config, refuse);
		if (registry.byId(audience.audience_id)?.linked === false) {
			summary.skipped = true;
			summary.skipReason = `Audience ${audience.audience_id} is unlinked from this workflow's sync (TikTok Unlink/Delete Audience): nothing was sent. Link it again to sync.`;
			return { summary };
		}
	} else {
		// TikTok no longer knows a deleted audience's name; the registry does: never recreate what was deleted or unlinked.
		const known = registry.byName(config.advertiserId, config.listName);
		if (known && (known.deleted === true || known.linked === false)) {
			summary.skipped = true;
			summary.skipReason = `The list "${config.listName}" (audience ${known.audienceId}) was ${known.deleted ? 'deleted' : 'unlinked'} from this workflow's sync (TikTok Unlink/Delete Audience): it is not created again. Link it again, or use another List Name.`;
			return { summary };
		}
		if (config.action === 'REMOVE') refuse(`No audience is named "${config.listName}", so there is nothing to remove from. Check List Name.`);
	}

	const wouldRefuse: string[] = [];
	const guard = (result: GuardResult): void => {
		if (result.ok) return;
		if (config.dryRun) wouldRefuse.push(result.message);
		else refuse(result.message, result.nextAllowedAt);
	};
	const now = Date.now();
	if (audience) {
		if (config.action === 'REPLACE') guard(checkReplaceAllowed(target.history, now));
		guard(checkCooldown(target.history, now, config.cooldownMs));
	}

	// Rows → pipeline → upload files; each completed file is uploaded before more input is read.
	const pending: UploadFile[] = [];
	const filePaths: string[] = [];
	const limitFiles = !creating && config.action === 'REPLACE';
	const writer = new UploadFileWriter({
		maxRows: config.maxRowsPerFile,
		maxBytes: config.maxFileBytes,
		header: config.calculateType === 'MULTIPLE_TYPES' ? MULTIPLE_TYPES_HEADER : undefined,
		onFile: (file) => pending.push(file),
		namePrefix: 'audience',
	});
	const pipeline = new RowPipeline({
		calculateType: config.calculateType,
		email: { canonicaliseGmail: config.canonicaliseGmail },
		phone: { format: config.phoneFormat, defaultCountryCode: config.defaultCountryCode || undefined },
		requireHashed: config.requireHashed,
		sink: writer,
		expectedRows: config.inputSource === 'binary' ? undefined : itemIndexes.length,
	});
	let files = 0;
	const drain = async (): Promise<void> => {
		while (pending.length > 0) {
			const file = pending.shift() as UploadFile;
			files++;
			if (limitFiles && files > MAX_FILE_PATHS_PER_CALL) {
				if (config.dryRun) {
					if (files === MAX_FILE_PATHS_PER_CALL + 1) wouldRefuse.push(replaceTooLargeMessage(files, config.maxRowsPerFile));
					continue;
				}
				refuse(replaceTooLargeMessage(files, config.maxRowsPerFile));
			}
			if (config.dryRun) continue;
			const res = await uploadCustomerFile.call(ctx, {
				advertiserId: config.advertiserId,
				calculateType: config.calculateType,
				file: file.blob,
				fileName: file.fileName,
				md5: file.md5,
				itemIndex,
			});
			filePaths.push(res.filePath);
			requestIds.push(res.requestId);
		}
	};
	const onRow = (email: string | undefined, phone: string | undefined, row: number) => pipeline.add(email, phone, row);
	const read = async (): Promise<void> => {
		if (config.inputSource === 'binary') await readCsvRows(ctx, itemIndex, config.binaryPropertyName, config.mapping, onRow, drain);
		else await readItemRows(ctx, itemIndexes, config.mapping, onRow, drain);
		pipeline.flush();
		writer.end();
		await drain();
	};
	// A malformed CSV is the user's input problem: it becomes a refusal; anything else (TikTok errors) passes on.
	const csvError = await read().then(
		() => undefined,
		async (error: unknown) => (error instanceof CsvFormatError ? error : await Promise.reject(error)),
	);
	if (csvError) refuse(`The CSV file cannot be read: ${csvError.message}`);

	const stats = pipeline.stats;
	Object.assign(summary, {
		rowsIn: stats.rowsIn,
		rowsSent: stats.rowsSent,
		invalidTotal: stats.invalidTotal,
		invalid: stats.invalid,
		droppedValues: stats.droppedValues,
		duplicates: stats.duplicates,
		preHashed: stats.preHashed,
		filesUploaded: filePaths.length,
	});
	if (stats.dedupeLimited) {
		summary.duplicatesNote = `More than ${DEFAULT_DEDUPE_LIMIT.toLocaleString('en-US')} distinct values: to keep memory bounded, later duplicates were collapsed within each upload file only. TikTok keeps audience members unique, so the audience is the same.`;
	}
	if (stats.rowsSent === 0) {
		const message = `No valid rows to send (${stats.rowsIn} rows in; invalid: ${describeInvalid(stats)}). Nothing was sent. Check Email Field / Phone Field and the values.`;
		if (config.dryRun) wouldRefuse.push(message);
		else refuse(message);
	}
	if (audience && config.stopBelowFloor) guard(checkFloor(audience.cover_num, config.action, stats.rowsSent, audience.is_valid));

	if (config.dryRun) {
		summary.wouldRefuse = wouldRefuse;
		return { summary };
	}

	// Apply: every file is uploaded already, so a REPLACE goes out as one call.
	let audienceId = target.audienceId;
	for (const call of planCalls(creating ? 'create' : config.action, filePaths, config.maxRowsPerFile)) {
		if (call.kind === 'create') {
			const res = await createCustomerFileAudience.call(
				ctx,
				{
					advertiserId: config.advertiserId,
					name: config.listName,
					calculateType: config.calculateType,
					filePaths: call.filePaths,
					retentionInDays: config.retentionInDays,
					itemIndex,
				},
				target.existingIds,
			);
			audienceId = res.audienceId;
			summary.created = true;
			if (res.requestId) requestIds.push(res.requestId);
		} else {
			const res = await updateCustomerFileAudience.call(
				ctx,
				{ advertiserId: config.advertiserId, audienceId: audienceId as string, action: call.action as SyncAction, filePaths: call.filePaths, itemIndex },
				lastReplaceAt(target.history),
			);
			if (res.requestId) requestIds.push(res.requestId);
		}
	}
	summary.audienceId = audienceId;

	const after = await getAudience.call(ctx, config.advertiserId, audienceId as string, itemIndex);
	if (after) {
		requestIds.push(after.requestId);
		summary.audienceName = after.audience.name;
		summary.audienceSize = after.audience.cover_num;
		summary.audienceValid = after.audience.is_valid;
	}
	const files_ = filePaths.length;
	return {
		summary,
		registry: {
			audienceId: audienceId as string,
			name: summary.audienceName,
			advertiserId: config.advertiserId,
			kind: 'list',
			event: summary.created ? 'created' : 'synced',
			action: summary.created ? 'CREATE' : config.action,
			detail: `${summary.action} ${stats.rowsSent} rows in ${files_} file${files_ === 1 ? '' : 's'} (${stats.invalidTotal} invalid, ${stats.duplicates} duplicates)`,
			at: new Date(),
		},
	};
}
