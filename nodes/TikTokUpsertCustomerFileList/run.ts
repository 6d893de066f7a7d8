import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { DEFAULT_DEDUPE_LIMIT, type PipelineStats } from '../shared/customerFile/pipeline';
import { planCalls, type SyncAction } from '../shared/customerFile/uploadPlan';
import { REJECT_REASON_TEXT, type RejectReason } from '../shared/identity/normalize';
import { checkCooldown, checkFloor, checkReplaceAllowed, type GuardResult } from '../shared/sync/guards';
import { noteLinkState } from '../shared/sync/lifecycle';
import { isDeletedName, readLinkState } from '../shared/sync/linkStore';
import { credentialDefaultAdvertiser } from '../shared/tiktok/advertisers';
import { findAudiencesByName, getAudience } from '../shared/tiktok/audiences';
import { createCustomerFileAudience, updateCustomerFileAudience } from '../shared/tiktok/customerFiles';
import { lastReplaceAt } from '../shared/tiktok/history';
import type { Audience, AudienceHistoryEntry } from '../shared/tiktok/schemas';
import { toNodeError } from '../shared/tiktok/transport';
import { anyParameterDependsOnItem } from '../shared/ui/itemParameters';
import { jobKey, readParameters, type SyncConfig } from './parameters';
import { uploadRows } from './upload';

/**
 * List Sync, step by step: group items into syncs → for each: target → link state → guards → rows and uploads →
 * link state again → apply (create or update) → report. Nothing is written to workflow static data: TikTok's audience
 * history records every sync, and the link store (Unlink/Delete) is read twice, so a sync that an Unlink overtakes
 * while it uploads is not applied.
 */

/** A sync the node refused before changing anything (guards, ambiguous names, bad input). */
export class SyncRefusal extends NodeOperationError {
	nextAllowedAt?: Date;
}

type Refuse = (message: string, nextAllowedAt?: Date) => never;

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

interface Job {
	config: SyncConfig;
	items: number[];
}

/** Groups items into syncs and runs each: one summary item per sync. */
export async function executeUpsert(ctx: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = ctx.getInputData();
	const out: INodeExecutionData[] = [];
	const jobs = new Map<string, Job>();
	const defaultAdvertiserId = await credentialDefaultAdvertiser(ctx);
	// Items in, parameters the same for every item (no expression reads the item): one read, one sync. n8n would
	// otherwise evaluate every parameter for every item (about a millisecond per expression in n8n 2.x's sandbox).
	// A parameter problem falls through to the per-item reads below, so each item reports it as before.
	if (items.length > 1 && !anyParameterDependsOnItem(ctx)) {
		const config = (() => {
			try {
				return readParameters(ctx, 0, defaultAdvertiserId);
			} catch {
				return undefined;
			}
		})();
		if (config?.inputSource === 'items') jobs.set(jobKey(config, 0), { config, items: items.map((_, i) => i) });
	}
	for (let i = jobs.size > 0 ? items.length : 0; i < items.length; i++) {
		let config: SyncConfig;
		try {
			config = readParameters(ctx, i, defaultAdvertiserId);
		} catch (error) {
			if (!ctx.continueOnFail()) throw toNodeError(ctx, error, i);
			out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
			continue;
		}
		const key = jobKey(config, i);
		const job = jobs.get(key);
		if (job) job.items.push(i);
		else jobs.set(key, { config, items: [i] });
	}

	for (const job of jobs.values()) {
		const paired = job.items.map((item) => ({ item }));
		try {
			const summary = await runSync(ctx, job.config, job.items);
			out.push({ json: summary as unknown as IDataObject, pairedItem: paired });
		} catch (error) {
			if (!ctx.continueOnFail()) throw toNodeError(ctx, error, job.items[0]);
			const extra = error instanceof SyncRefusal && error.nextAllowedAt ? { nextAllowedAt: error.nextAllowedAt.toISOString() } : {};
			out.push({ json: { error: (error as Error).message, ...extra }, pairedItem: paired });
		}
	}
	return out;
}

interface Target {
	audience?: Audience;
	history: AudienceHistoryEntry[];
	audienceId: string | null;
	name: string;
	/** IDs of audiences that had the list name before this run (for create recovery). */
	existingIds: string[];
}

const CUSTOMER_FILE_TYPE = /customer\s*file/i;

/** Step 1: the audience to update (by ID, or by name: one match, none, or an ambiguous name refused). */
async function resolveTarget(ctx: IExecuteFunctions, config: SyncConfig, itemIndex: number, requestIds: string[], refuse: Refuse): Promise<Target> {
	const { advertiserId } = config;
	if (config.listMode === 'existing') {
		const found = await getAudience.call(ctx, advertiserId, config.audienceId, itemIndex);
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

/**
 * Step 2 (and again before step 5): an unlinked or deleted audience, or the name of a deleted list, is skipped: nothing
 * is sent. TikTok no longer knows a deleted audience's name; the link store does, so it is never created again by name.
 */
async function linkSkipReason(ctx: IExecuteFunctions, config: SyncConfig, audienceId: string | null, name: string): Promise<string | undefined> {
	const workflowId = String(ctx.getWorkflow().id ?? '');
	if (audienceId) {
		const link = await readLinkState(ctx, config.advertiserId, audienceId);
		if (!link.unlinked) return undefined;
		noteLinkState(workflowId, audienceId, link.deleted ? 'deleted' : 'unlinked');
		return `Audience ${audienceId} ("${name}") is ${link.deleted ? 'deleted' : 'unlinked'} in this workflow (TikTok Unlink/Delete Audience): nothing was sent.${link.deleted ? '' : ' Relink it to sync again.'}`;
	}
	if (await isDeletedName(ctx, config.advertiserId, config.listName)) {
		return `The list "${config.listName}" was deleted in this workflow (TikTok Unlink/Delete Audience): it is not created again and nothing was sent. Use another List Name.`;
	}
	return undefined;
}

function describeInvalid(stats: PipelineStats): string {
	const parts = Object.entries(stats.invalid).map(
		([reason, r]) => `${r?.count} ${REJECT_REASON_TEXT[reason as RejectReason]} (rows ${r?.rows.join(', ')}${(r?.count ?? 0) > (r?.rows.length ?? 0) ? ', …' : ''})`,
	);
	return parts.length > 0 ? parts.join('; ') : 'none';
}

export async function runSync(ctx: IExecuteFunctions, config: SyncConfig, itemIndexes: number[]): Promise<SyncSummary> {
	const itemIndex = itemIndexes[0];
	const requestIds: string[] = [];
	const refuse: Refuse = (message, nextAllowedAt) => {
		const error = new SyncRefusal(ctx.getNode(), message, { itemIndex });
		error.nextAllowedAt = nextAllowedAt;
		throw error;
	};

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
	if (audience) checkAudienceKind(audience, config, refuse);
	const skipReason = await linkSkipReason(ctx, config, target.audienceId, target.name);
	if (skipReason) return { ...summary, skipped: true, skipReason };
	if (creating && config.action === 'REMOVE') refuse(`No audience is named "${config.listName}", so there is nothing to remove from. Check List Name.`);

	// Step 3: guards read from TikTok's history. A dry run notes what a real run would refuse.
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

	// Step 4: rows → files → uploads.
	const uploaded = await uploadRows(ctx, config, itemIndexes, { creating, wouldRefuse, refuse, requestIds });
	if ('csvError' in uploaded) return refuse(`The CSV file cannot be read: ${uploaded.csvError.message}`);
	const { stats, filePaths } = uploaded;
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
		guard({
			ok: false,
			guard: 'floor',
			message: `No valid rows to send (${stats.rowsIn} rows in; invalid: ${describeInvalid(stats)}). Nothing was sent. Check Email Field / Phone Field and the values.`,
		});
	}
	if (audience && config.stopBelowFloor) guard(checkFloor(audience.cover_num, config.action, stats.rowsSent, audience.is_valid));
	if (config.dryRun) return { ...summary, wouldRefuse };

	// An Unlink or Delete may have come while the files uploaded: then they are never applied.
	const lateSkip = await linkSkipReason(ctx, config, target.audienceId, target.name);
	if (lateSkip) return { ...summary, filesUploaded: 0, skipped: true, skipReason: `${lateSkip} The files uploaded meanwhile were not applied.` };

	// Step 5: apply. Every file is uploaded already, so a REPLACE goes out as one call.
	const audienceId = await apply(ctx, config, target, filePaths, itemIndex, requestIds, () => (summary.created = true));
	summary.audienceId = audienceId;

	// Step 6: report the audience as TikTok sees it now.
	const after = await getAudience.call(ctx, config.advertiserId, audienceId, itemIndex);
	if (after) {
		requestIds.push(after.requestId);
		summary.audienceName = after.audience.name;
		summary.audienceSize = after.audience.cover_num;
		summary.audienceValid = after.audience.is_valid;
	}
	return summary;
}

/** Creates the list from the files, or updates it (one call per plan step); returns the audience ID. */
async function apply(
	ctx: IExecuteFunctions,
	config: SyncConfig,
	target: Target,
	filePaths: string[],
	itemIndex: number,
	requestIds: string[],
	markCreated: () => void,
): Promise<string> {
	let audienceId = target.audienceId;
	for (const call of planCalls(target.audience ? config.action : 'create', filePaths, config.maxRowsPerFile)) {
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
			markCreated();
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
	return audienceId as string;
}
