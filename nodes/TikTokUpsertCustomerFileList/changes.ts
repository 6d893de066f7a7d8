import type { IExecuteFunctions } from 'n8n-workflow';

import type { PipelineStats, ReasonCount, RowPipeline, RowSink } from '../shared/customerFile/pipeline';
import type { CsvFormatError } from '../shared/customerFile/csvReader';
import type { SyncConfig } from './parameters';
import { readRows, rowPipeline, Uploader, type UploadOptions } from './upload';

/**
 * From Each Row: every row says add or remove (CustomerLabs' segment entered / exited webhooks are the model). The
 * rows are normalized and hashed as in any list; then, per person (the same hashed identifiers), the later row wins,
 * and the people are written into two sets of files: one APPEND and one REMOVE update for the whole run. Only hashes
 * are held meanwhile, one per distinct person, so a run holds at most MAX_CHANGES_PER_RUN of them; a whole list
 * belongs in Mirror.
 */
export const MAX_CHANGES_PER_RUN = 1_000_000;

const ADD = 1;
const REMOVE = 0;

/** Words that mean add or remove, compared lowercased and trimmed (documented in Change Field's description). */
const CHANGE_WORDS: Record<string, number> = {
	add: ADD,
	added: ADD,
	append: ADD,
	enter: ADD,
	entered: ADD,
	join: ADD,
	joined: ADD,
	true: ADD,
	yes: ADD,
	'1': ADD,
	remove: REMOVE,
	removed: REMOVE,
	delete: REMOVE,
	exit: REMOVE,
	exited: REMOVE,
	leave: REMOVE,
	left: REMOVE,
	false: REMOVE,
	no: REMOVE,
	'0': REMOVE,
};

export function parseChange(value: string | undefined): number | undefined {
	return value === undefined ? undefined : CHANGE_WORDS[value.trim().toLowerCase()];
}

export interface ChangesResult {
	stats: PipelineStats;
	/** People added and removed by this run (after the later row won). */
	appended: number;
	removed: number;
	/** People with rows of both kinds in this run: the later row won. */
	overridden: number;
	add: string[];
	remove: string[];
}

function mergeReasons(into: Partial<Record<string, ReasonCount>>, from: Partial<Record<string, ReasonCount>>, sample = 5): void {
	for (const [reason, r] of Object.entries(from)) {
		if (!r) continue;
		const entry = (into[reason] ??= { count: 0, rows: [] });
		entry.count += r.count;
		entry.rows = [...entry.rows, ...r.rows].sort((a, b) => a - b).slice(0, sample);
	}
}

export async function uploadChanges(
	ctx: IExecuteFunctions,
	config: SyncConfig,
	itemIndexes: number[],
	options: UploadOptions,
): Promise<ChangesResult | { csvError: CsvFormatError } | { tooMany: number }> {
	const latest = new Map<string, number>();
	let repeats = 0;
	let overridden = 0;
	const record = (line: string, op: number): void => {
		const before = latest.get(line);
		if (before === op) repeats++;
		else if (before !== undefined) {
			overridden++;
			latest.set(line, op);
		} else latest.set(line, op);
	};
	const sinkFor = (op: number): RowSink => ({ writeRow: (line) => record(line, op), writePair: (e, p) => record(`${e},${p}`, op) });
	// One pipeline per kind, each writing every row (repeats included); switching kind flushes the other's batch,
	// so rows reach `record` in input order and the later row wins.
	const pipelines: [RowPipeline, RowPipeline] = [rowPipeline(config, sinkFor(REMOVE), { dedupe: false }), rowPipeline(config, sinkFor(ADD), { dedupe: false })];
	const unknown: ReasonCount = { count: 0, rows: [] };
	let last = -1;
	let rowsIn = 0;
	const csvError = await readRows(
		ctx,
		config,
		itemIndexes,
		(email, phone, row, change) => {
			rowsIn++;
			const op = parseChange(change);
			if (op === undefined) {
				unknown.count++;
				if (unknown.rows.length < 5) unknown.rows.push(row);
				return;
			}
			if (op !== last && last !== -1) pipelines[last].flush();
			last = op;
			pipelines[op].add(email, phone, row);
		},
		async () => {
			if (latest.size > MAX_CHANGES_PER_RUN) throw new TooManyChanges(latest.size);
		},
	).catch((error: unknown) => (error instanceof TooManyChanges ? error : Promise.reject(error)));
	if (csvError instanceof TooManyChanges) return { tooMany: csvError.people };
	if (csvError) return { csvError };
	pipelines[REMOVE].flush();
	pipelines[ADD].flush();
	if (latest.size > MAX_CHANGES_PER_RUN) return { tooMany: latest.size };

	const uploaders = [REMOVE, ADD].map(
		(op) => new Uploader(ctx, config, itemIndexes[0], { ...options, limitFiles: false, namePrefix: op === ADD ? 'audience-add' : 'audience-remove' }),
	);
	const counts = [0, 0];
	let written = 0;
	for (const [line, op] of latest) {
		// A new list has nobody to remove: only its additions are sent.
		if (op === REMOVE && options.creating) continue;
		uploaders[op].writer.writeRow(line);
		counts[op]++;
		if (++written % 1024 === 0) await uploaders[op].drain();
	}
	latest.clear();
	for (const uploader of uploaders) await uploader.finish();

	const [r, a] = [pipelines[REMOVE].stats, pipelines[ADD].stats];
	const invalid: PipelineStats['invalid'] = {};
	mergeReasons(invalid, r.invalid);
	mergeReasons(invalid, a.invalid);
	if (unknown.count > 0) invalid.unknown_change = unknown;
	const droppedValues: PipelineStats['droppedValues'] = {};
	mergeReasons(droppedValues, r.droppedValues);
	mergeReasons(droppedValues, a.droppedValues);
	const stats: PipelineStats = {
		rowsIn,
		rowsSent: counts[ADD] + counts[REMOVE],
		invalid,
		invalidTotal: r.invalidTotal + a.invalidTotal + unknown.count,
		droppedValues,
		duplicates: repeats,
		preHashed: r.preHashed + a.preHashed,
		dedupeLimited: false,
	};
	return { stats, appended: counts[ADD], removed: counts[REMOVE], overridden, add: uploaders[ADD].filePaths, remove: uploaders[REMOVE].filePaths };
}

class TooManyChanges extends Error {
	readonly people: number;

	constructor(people: number) {
		super('too many changes');
		this.people = people;
	}
}
