import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

import type { PipelineStats } from '../shared/customerFile/pipeline';
import { MAX_FILE_PATHS_PER_CALL, type SyncAction } from '../shared/customerFile/uploadPlan';
import { checkFloorAfter, checkReplaceAllowed, MIN_AUDIENCE_SIZE, type GuardResult } from '../shared/sync/guards';
import { MirrorSink, SnapshotError, SnapshotIndex, SnapshotWriter } from '../shared/sync/snapshot';
import { lastWholeListAt } from '../shared/tiktok/history';
import type { Audience, AudienceHistoryEntry } from '../shared/tiktok/schemas';
import type { SyncConfig } from './parameters';
import { binaryStoredOutside, previousSnapshot, snapshotFileName, snapshotOutput } from './snapshotIo';
import { readRows, rowPipeline, Uploader, type UploadOptions } from './upload';

/**
 * Mirror: the input is the whole current segment; only who joined (APPEND) and who left (REMOVE) since the last
 * successful sync are sent, found by comparing with the previous snapshot of hashes (nodes/shared/sync/snapshot.ts).
 *
 * - No previous snapshot: a first sync sends the whole list (Replace All when TikTok allows one now, else Add).
 * - Drift correction due (the last replace at least "Drift Correction Every" days ago): the whole list as Replace All.
 * - Else the difference. REMOVE only ever carries entries of the previous snapshot not in the current list.
 * The new snapshot (every row of the current list) is written while the list is read and stored as the output's
 * binary; it is output only when the sync was applied, so a failed sync leaves the workflow's stored snapshot as it
 * was, and rerunning converges (APPEND and REMOVE are set operations at TikTok).
 */
export interface MirrorReport {
	/** No usable previous snapshot: the whole list was sent. */
	firstSync: boolean;
	/** What was sent: the difference (CHANGES), or the whole list (REPLACE, APPEND, CREATE). */
	sentAs: 'CHANGES' | 'REPLACE' | 'APPEND' | 'CREATE';
	/** Why the whole list was sent: first_sync, new_list, drift_correction. */
	reason?: 'first_sync' | 'new_list' | 'drift_correction';
	/** People in the list and not in the previous snapshot; people in the previous snapshot and not in the list. */
	joined: number;
	left: number;
	/** Entries in the new snapshot (the list's distinct rows) and in the previous one. */
	members: number;
	previousMembers: number | null;
	/** The binary field of the output holding the new snapshot (absent for a dry run or a skipped sync). */
	snapshotField?: string;
}

export interface MirrorTarget {
	audience?: Audience;
	history: AudienceHistoryEntry[];
	audienceId: string | null;
}

export interface MirrorSteps {
	options: UploadOptions;
	guard: (result: GuardResult) => void;
	refuse: (message: string) => never;
	/** Wait for a replace window, late link check, apply the updates, report; returns the audience ID or a skip. */
	finish: (updates: Array<{ action: 'create' | SyncAction; filePaths: string[] }>, waitUntil: Date | undefined) => Promise<{ audienceId: string | null; skipped: boolean }>;
}

export interface MirrorResult {
	stats: PipelineStats;
	report: MirrorReport;
	filesUploaded: number;
	binary?: IBinaryData;
	skipped: boolean;
}

function driftDue(config: SyncConfig, history: AudienceHistoryEntry[], now: number): boolean {
	if (config.driftCorrectionMs === undefined) return false;
	// Counted from the last whole list TikTok received: a replace, or the create.
	const last = lastWholeListAt(history);
	return last === undefined || now - last >= config.driftCorrectionMs;
}

export async function runMirror(ctx: IExecuteFunctions, config: SyncConfig, target: MirrorTarget, itemIndexes: number[], steps: MirrorSteps): Promise<MirrorResult> {
	const itemIndex = itemIndexes[0];
	const now = Date.now();
	const { audience, history } = target;
	const previous = previousSnapshot(ctx, config.snapshotBinaryField);
	const replaceNow = audience ? checkReplaceAllowed(history, now) : { ok: true as const };
	const replaceSoon = !replaceNow.ok && replaceNow.nextAllowedAt !== undefined && +replaceNow.nextAllowedAt - now <= config.replaceWaitMs;
	let reason: MirrorReport['reason'];
	if (!audience) reason = 'new_list';
	else if (!previous) reason = 'first_sync';
	// Drift correction needs the replace window (now or within the wait) and a list TikTok takes in one replace call.
	else if (driftDue(config, history, now) && (replaceNow.ok || replaceSoon) && (previous.bytes ?? 0) / 33 < MAX_FILE_PATHS_PER_CALL * config.maxRowsPerFile * 0.9) {
		reason = 'drift_correction';
	}

	let index: SnapshotIndex | undefined;
	if (!reason && previous) {
		const expected = { advertiserId: config.advertiserId, audienceId: target.audienceId as string, calculateType: config.calculateType };
		const built = await SnapshotIndex.build(async () => await previous.open(), expected).catch(async (error: unknown) =>
			error instanceof SnapshotError ? error : await Promise.reject(error),
		);
		if (built instanceof SnapshotError) steps.refuse(`${built.message} Nothing was sent.`);
		else index = built;
	}

	const adds = new Uploader(ctx, config, itemIndex, { ...steps.options, limitFiles: false, namePrefix: 'audience-add' });
	const removes = new Uploader(ctx, config, itemIndex, { ...steps.options, limitFiles: false, namePrefix: 'audience-remove' });
	const writer = new SnapshotWriter({ advertiserId: config.advertiserId, calculateType: config.calculateType });
	const sink = new MirrorSink({ calculateType: config.calculateType, writer, index, inner: adds.writer });
	// The sink deduplicates (with the index it holds anyway, and a set of joiners): no dedupe set in the pipeline.
	const pipeline = rowPipeline(config, sink, { dedupe: false });
	// A dry run writes the snapshot nowhere.
	const out = config.dryRun ? undefined : snapshotOutput(ctx, snapshotFileName(config.advertiserId, target.audienceId ?? 'new'), binaryStoredOutside(ctx, config, previous));
	const handOver = async (): Promise<void> => {
		const chunks = writer.takeChunks();
		await out?.push(chunks);
	};
	// The snapshot ends as soon as its audience is known (now, or after the create): the store does not wait on TikTok.
	const endSnapshot = async (audienceId: string): Promise<void> => {
		writer.end(audienceId);
		await out?.end(writer.takeChunks());
	};

	const produce = async (): Promise<Omit<MirrorResult, 'binary'>> => {
		const csvError = await readRows(
			ctx,
			config,
			itemIndexes,
			(email, phone, row) => pipeline.add(email, phone, row),
			async () => {
				await adds.drain();
				await handOver();
			},
		);
		if (csvError) steps.refuse(`The CSV file cannot be read: ${csvError.message}`);
		pipeline.flush();
		await adds.finish();
		await handOver();
		if (target.audienceId) await endSnapshot(target.audienceId);
		const counted = pipeline.stats;
		const stats = { ...counted, rowsSent: counted.rowsSent - sink.repeated, duplicates: sink.repeated };
		// An empty list would remove everyone: a broken export must not empty the audience.
		if (stats.rowsSent === 0) {
			steps.refuse(`The list has no valid rows (${stats.rowsIn} rows in), so Mirror would remove everyone. Nothing was sent. Check the input and Email Field / Phone Field.`);
		}
		const left = index ? await index.writeLeavers(await (previous as NonNullable<typeof previous>).open(), removes.writer, { afterChunk: async () => await removes.drain() }) : 0;
		await removes.finish();
		const joined = sink.joined;
		const report: MirrorReport = {
			firstSync: reason === 'first_sync' || reason === 'new_list',
			sentAs: 'CHANGES',
			reason,
			joined,
			left,
			members: writer.entries.emails + writer.entries.phones + writer.entries.pairs,
			previousMembers: index ? index.size : null,
		};
		let updates: Array<{ action: 'create' | SyncAction; filePaths: string[] }>;
		let waitUntil: Date | undefined;
		if (!audience) {
			report.sentAs = 'CREATE';
			updates = [{ action: 'create', filePaths: adds.filePaths }];
		} else if (reason) {
			// The whole list: Replace All when TikTok allows it (now, or within the wait) and it fits one call with at
			// least 1,000 rows; else a first sync adds (a drift correction was only chosen when it could replace).
			const canReplace = (replaceNow.ok || replaceSoon) && adds.filePaths.length <= MAX_FILE_PATHS_PER_CALL && stats.rowsSent >= MIN_AUDIENCE_SIZE;
			report.sentAs = canReplace ? 'REPLACE' : 'APPEND';
			if (canReplace && !replaceNow.ok) waitUntil = replaceNow.nextAllowedAt;
			updates = [{ action: report.sentAs as SyncAction, filePaths: adds.filePaths }];
			if (reason === 'drift_correction' && !canReplace) steps.refuse('Drift correction needs a Replace All of at least 1,000 rows in at most 50 files. Nothing was applied.');
		} else {
			steps.guard(checkFloorAfter(audience.cover_num, joined, left, audience.is_valid));
			updates = [
				{ action: 'APPEND', filePaths: adds.filePaths },
				{ action: 'REMOVE', filePaths: removes.filePaths },
			];
		}
		const filesUploaded = adds.filePaths.length + removes.filePaths.length;
		if (config.dryRun) return { stats, report, filesUploaded, skipped: false };
		const done = await steps.finish(updates, waitUntil);
		if (!target.audienceId) await endSnapshot(done.audienceId ?? '');
		return { stats, report, filesUploaded, skipped: done.skipped };
	};

	if (!out) return await produce();
	const result = await produce().catch((error: unknown) => {
		out.fail(error);
		throw error;
	});
	const binary = await out.stored();
	if (result.skipped) return result;
	result.report.snapshotField = config.snapshotBinaryField;
	return { ...result, binary };
}
