import { NodeOperationError, sleep } from 'n8n-workflow';
import type { IBinaryData, IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

import { mappingFor, mappingProblem } from '../shared/customerFile/mapping';
import { CALCULATE_TYPES, DEFAULT_DEDUPE_LIMIT, type CalculateType, type PipelineStats } from '../shared/customerFile/pipeline';
import { planCalls, type SyncAction } from '../shared/customerFile/uploadPlan';
import { REJECT_REASON_TEXT, type RejectReason } from '../shared/identity/normalize';
import { checkCooldown, checkFloor, checkFloorAfter, checkReplaceAllowed, type GuardResult } from '../shared/sync/guards';
import { noteLinkState } from '../shared/sync/lifecycle';
import { isDeletedName, readLinkState } from '../shared/sync/linkStore';
import { credentialDefaultAdvertiser } from '../shared/tiktok/advertisers';
import { findAudiencesByName, getAudience } from '../shared/tiktok/audiences';
import { createCustomerFileAudience, updateCustomerFileAudience } from '../shared/tiktok/customerFiles';
import { lastReplaceAt } from '../shared/tiktok/history';
import type { Audience, AudienceHistoryEntry } from '../shared/tiktok/schemas';
import { toNodeError } from '../shared/tiktok/transport';
import { anyParameterDependsOnItem } from '../shared/ui/itemParameters';
import { MAX_CHANGES_PER_RUN, uploadChanges } from './changes';
import { runMirror, type MirrorReport } from './mirror';
import { jobKey, readParameters, type ListAction, type SyncConfig } from './parameters';
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
	/** CREATE for a new list, else the action. */
	action: 'CREATE' | ListAction;
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
	/** From Each Row: people added and removed, and people with both kinds of rows in this run (the later won). */
	appended?: number;
	removed?: number;
	overridden?: number;
	/** Replace All: when it waited for TikTok's 24-hour window (ISO time the window opened). */
	waitedForWindowUntil?: string;
	/** Mirror: what the comparison with the previous snapshot found and sent. */
	mirror?: MirrorReport;
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

	if (jobs.size > 1 && [...jobs.values()].some((job) => job.config.action === 'MIRROR')) {
		throw new NodeOperationError(
			ctx.getNode(),
			'Mirror compares one whole list with one snapshot: every item must have the same settings (here the items give different audiences or settings). Use one Mirror node per audience.',
		);
	}
	for (const job of jobs.values()) {
		const paired = job.items.map((item) => ({ item }));
		try {
			const { summary, binary } = await runSync(ctx, job.config, job.items);
			out.push({ json: summary as unknown as IDataObject, ...(binary ? { binary: { [job.config.snapshotBinaryField]: binary } } : {}), pairedItem: paired });
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

function checkAudienceKind(audience: Audience, refuse: Refuse): void {
	const type = audience.audience_type ?? audience.type ?? '';
	if (type !== '' && !CUSTOMER_FILE_TYPE.test(type)) {
		refuse(`Audience ${audience.audience_id} ("${audience.name}") is a ${type}, not a customer-file audience: only customer-file audiences take uploaded lists.`);
	}
}

/**
 * An existing audience's calculate type is TikTok's (fixed at creation), never the parameter: the list is read and
 * hashed for that type, and the mapping is checked for it.
 */
function withAudienceType(config: SyncConfig, audience: Audience | undefined, refuse: Refuse): SyncConfig {
	const type = audience?.calculate_type;
	const effective = type && (CALCULATE_TYPES as string[]).includes(type) ? { ...config, calculateType: type as CalculateType } : config;
	if (audience) {
		const problem = mappingProblem(effective.calculateType, mappingFor(effective.calculateType, effective.mapping));
		if (problem) refuse(`Audience ${audience.audience_id} ("${audience.name}") holds ${TYPE_WORDS[effective.calculateType]}: ${problem}`);
	}
	return effective;
}

const TYPE_WORDS: Record<CalculateType, string> = {
	EMAIL_SHA256: 'emails',
	PHONE_SHA256: 'phone numbers',
	MULTIPLE_TYPES: 'emails and phone numbers',
};

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

type Updates = Array<{ action: 'create' | SyncAction; filePaths: string[] }>;

export async function runSync(ctx: IExecuteFunctions, parameters: SyncConfig, itemIndexes: number[]): Promise<{ summary: SyncSummary; binary?: IBinaryData }> {
	const itemIndex = itemIndexes[0];
	const requestIds: string[] = [];
	const refuse: Refuse = (message, nextAllowedAt) => {
		const error = new SyncRefusal(ctx.getNode(), message, { itemIndex });
		error.nextAllowedAt = nextAllowedAt;
		throw error;
	};

	const target = await resolveTarget(ctx, parameters, itemIndex, requestIds, refuse);
	const { audience } = target;
	const creating = audience === undefined;
	if (audience) checkAudienceKind(audience, refuse);
	const config = withAudienceType(parameters, audience, refuse);
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
	const skipReason = await linkSkipReason(ctx, config, target.audienceId, target.name);
	if (skipReason) return { summary: { ...summary, skipped: true, skipReason } };
	if (creating && config.action === 'REMOVE') refuse(`No audience is named "${config.listName}", so there is nothing to remove from. Check List Name.`);

	// Step 3: guards read from TikTok's history. A dry run notes what a real run would refuse.
	const wouldRefuse: string[] = [];
	const guard = (result: GuardResult): void => {
		if (result.ok) return;
		if (config.dryRun) wouldRefuse.push(result.message);
		else refuse(result.message, result.nextAllowedAt);
	};
	const now = Date.now();
	let waitUntil: Date | undefined;
	if (audience) {
		if (config.action === 'REPLACE') waitUntil = replaceWindow(config, checkReplaceAllowed(target.history, now), now, guard);
		// The cooldown is for instant syncs (a run started by hand), as CustomerLabs' Instant Sync: scheduled, webhook
		// and trigger runs follow their refresh interval. One run's own updates (an APPEND and a REMOVE) are one sync.
		if (ctx.getMode() === 'manual') guard(checkCooldown(target.history, now, config.cooldownMs));
	}

	// Steps 5–6, once the files are uploaded: wait for a replace window, check the link again, apply, report.
	const finish = async (updates: Updates, wait: Date | undefined): Promise<{ audienceId: string | null; skipped: boolean }> => {
		if (wait) {
			await waitFor(wait);
			const fresh = await getAudience.call(ctx, config.advertiserId, target.audienceId as string, itemIndex);
			if (fresh) {
				requestIds.push(fresh.requestId);
				target.history = fresh.history;
				guard(checkReplaceAllowed(fresh.history, Date.now()));
			}
			summary.waitedForWindowUntil = wait.toISOString();
		}
		// An Unlink or Delete may have come while the files uploaded: then they are never applied.
		const lateSkip = await linkSkipReason(ctx, config, target.audienceId, target.name);
		if (lateSkip) {
			Object.assign(summary, { filesUploaded: 0, skipped: true, skipReason: `${lateSkip} The files uploaded meanwhile were not applied.` });
			return { audienceId: target.audienceId, skipped: true };
		}
		// Every file is uploaded already, so a REPLACE goes out as one call.
		const audienceId = await apply(ctx, config, target, updates, itemIndex, requestIds, () => (summary.created = true));
		summary.audienceId = audienceId;
		const after = await getAudience.call(ctx, config.advertiserId, audienceId, itemIndex);
		if (after) {
			requestIds.push(after.requestId);
			summary.audienceName = after.audience.name;
			summary.audienceSize = after.audience.cover_num;
			summary.audienceValid = after.audience.is_valid;
		}
		return { audienceId, skipped: false };
	};

	// Step 4: rows → files → uploads (one set of files per update action).
	const uploadOptions = { creating, wouldRefuse, refuse, requestIds };
	if (config.action === 'MIRROR') {
		const mirrored = await runMirror(ctx, config, target, itemIndexes, { options: uploadOptions, guard, refuse, finish });
		reportStats(summary, mirrored.stats);
		if (!summary.skipped) summary.filesUploaded = mirrored.filesUploaded;
		summary.mirror = mirrored.report;
		if (config.dryRun) return { summary: { ...summary, wouldRefuse } };
		return { summary, binary: mirrored.binary };
	}
	let updates: Updates;
	let stats: PipelineStats;
	if (config.action === 'CHANGES') {
		const changes = await uploadChanges(ctx, config, itemIndexes, uploadOptions);
		if ('csvError' in changes) return refuse(`The CSV file cannot be read: ${changes.csvError.message}`);
		if ('tooMany' in changes) {
			return refuse(
				`From Each Row takes up to ${MAX_CHANGES_PER_RUN.toLocaleString('en-US')} people per run (this run has ${changes.tooMany.toLocaleString('en-US')} or more). Nothing was sent. Split the input, or send the whole list with Action "Mirror".`,
			);
		}
		stats = changes.stats;
		Object.assign(summary, { appended: changes.appended, removed: changes.removed, overridden: changes.overridden });
		updates = creating
			? [{ action: 'create', filePaths: changes.add }]
			: [
					{ action: 'APPEND', filePaths: changes.add },
					{ action: 'REMOVE', filePaths: changes.remove },
				];
		summary.filesUploaded = changes.add.length + changes.remove.length;
		if (creating && changes.appended === 0 && !config.dryRun) {
			refuse(`No audience is named "${config.listName}" and no row adds anyone, so there is nothing to create or remove. Check List Name and Change Field.`);
		}
		if (audience && config.stopBelowFloor) guard(checkFloorAfter(audience.cover_num, changes.appended, changes.removed, audience.is_valid));
	} else {
		const uploaded = await uploadRows(ctx, config, itemIndexes, uploadOptions);
		if ('csvError' in uploaded) return refuse(`The CSV file cannot be read: ${uploaded.csvError.message}`);
		stats = uploaded.stats;
		updates = [{ action: creating ? 'create' : (config.action as SyncAction), filePaths: uploaded.filePaths }];
		summary.filesUploaded = uploaded.filePaths.length;
		if (audience && config.stopBelowFloor) guard(checkFloor(audience.cover_num, config.action as SyncAction, stats.rowsSent, audience.is_valid));
	}
	reportStats(summary, stats);
	if (stats.rowsSent === 0) {
		guard({
			ok: false,
			guard: 'floor',
			message: `No valid rows to send (${stats.rowsIn} rows in; invalid: ${describeInvalid(stats)}). Nothing was sent. Check ${config.action === 'CHANGES' ? 'Change Field, ' : ''}Email Field / Phone Field and the values.`,
		});
	}
	if (config.dryRun) return { summary: { ...summary, wouldRefuse } };
	await finish(updates, waitUntil);
	return { summary };
}

function reportStats(summary: SyncSummary, stats: PipelineStats): void {
	Object.assign(summary, {
		rowsIn: stats.rowsIn,
		rowsSent: stats.rowsSent,
		invalidTotal: stats.invalidTotal,
		invalid: stats.invalid,
		droppedValues: stats.droppedValues,
		duplicates: stats.duplicates,
		preHashed: stats.preHashed,
	});
	if (stats.dedupeLimited) {
		summary.duplicatesNote = `More than ${DEFAULT_DEDUPE_LIMIT.toLocaleString('en-US')} distinct values: to keep memory bounded, later duplicates were collapsed within each upload file only. TikTok keeps audience members unique, so the audience is the same.`;
	}
}

/**
 * Replace All under TikTok's 24-hour rule: allowed now (nothing to wait for); opening within "Wait for Replace Window"
 * (the upload goes first, then the node waits: a daily schedule whose previous replace was recorded after its upload
 * is a little short of 24 hours every day); else refused with the next allowed time.
 */
function replaceWindow(config: SyncConfig, result: GuardResult, now: number, guard: (result: GuardResult) => void): Date | undefined {
	if (result.ok) return undefined;
	if (!config.dryRun && result.nextAllowedAt && +result.nextAllowedAt - now <= config.replaceWaitMs) return result.nextAllowedAt;
	guard(result);
	return undefined;
}

/** Waits until `until` (plus a second: TikTok's history is in whole seconds), in short sleeps that follow the clock. */
async function waitFor(until: Date): Promise<void> {
	const target = +until + 1000;
	for (let left = target - Date.now(); left > 0; left = target - Date.now()) await sleep(Math.min(left, 1000));
}

/** Creates the list from the files, or updates it (one call per plan step, in order); returns the audience ID. */
async function apply(
	ctx: IExecuteFunctions,
	config: SyncConfig,
	target: Target,
	updates: Array<{ action: 'create' | SyncAction; filePaths: string[] }>,
	itemIndex: number,
	requestIds: string[],
	markCreated: () => void,
): Promise<string> {
	let audienceId = target.audienceId;
	for (const update of updates) {
		for (const call of planCalls(update.action, update.filePaths, config.maxRowsPerFile)) {
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
	}
	return audienceId as string;
}
