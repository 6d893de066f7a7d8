import type { IExecuteFunctions } from 'n8n-workflow';

import { CsvFormatError } from '../shared/customerFile/csvReader';
import { UploadFileWriter, type UploadFile } from '../shared/customerFile/fileWriter';
import { mappingFor } from '../shared/customerFile/mapping';
import { MULTIPLE_TYPES_HEADER, RowPipeline, type PipelineStats, type RowSink } from '../shared/customerFile/pipeline';
import { MAX_FILE_PATHS_PER_CALL, replaceTooLargeMessage } from '../shared/customerFile/uploadPlan';
import { uploadCustomerFile } from '../shared/tiktok/customerFiles';
import type { SyncConfig } from './parameters';
import { readCsvRows, readItemRows, type RowCallback } from './rows';

/** The uploaded files and the pipeline's counts, or the reason the CSV could not be read (the caller refuses it). */
export type UploadResult = { stats: PipelineStats; filePaths: string[] } | { csvError: CsvFormatError };

export interface UploadOptions {
	creating: boolean;
	wouldRefuse: string[];
	refuse: (message: string) => never;
	requestIds: string[];
}

/**
 * One set of upload files (the rows of one update action): a file writer whose completed files are uploaded by
 * `drain()` before more input is read, so one file is in memory at a time. A dry run uploads nothing; a Replace All
 * past 50 files is refused (a replace is never split across calls).
 */
export class Uploader {
	readonly filePaths: string[] = [];
	readonly writer: UploadFileWriter;
	private readonly pending: UploadFile[] = [];
	private files = 0;
	private readonly ctx: IExecuteFunctions;
	private readonly config: SyncConfig;
	private readonly itemIndex: number;
	private readonly options: UploadOptions & { limitFiles: boolean; namePrefix: string };

	constructor(ctx: IExecuteFunctions, config: SyncConfig, itemIndex: number, options: UploadOptions & { limitFiles: boolean; namePrefix: string }) {
		this.ctx = ctx;
		this.config = config;
		this.itemIndex = itemIndex;
		this.options = options;
		this.writer = new UploadFileWriter({
			maxRows: config.maxRowsPerFile,
			maxBytes: config.maxFileBytes,
			header: config.calculateType === 'MULTIPLE_TYPES' ? MULTIPLE_TYPES_HEADER : undefined,
			onFile: (file) => this.pending.push(file),
			namePrefix: options.namePrefix,
		});
	}

	async drain(): Promise<void> {
		const { config, options } = this;
		while (this.pending.length > 0) {
			const file = this.pending.shift() as UploadFile;
			this.files++;
			if (options.limitFiles && this.files > MAX_FILE_PATHS_PER_CALL) {
				if (!config.dryRun) options.refuse(replaceTooLargeMessage(this.files, config.maxRowsPerFile));
				if (this.files === MAX_FILE_PATHS_PER_CALL + 1) options.wouldRefuse.push(replaceTooLargeMessage(this.files, config.maxRowsPerFile));
				continue;
			}
			if (config.dryRun) continue;
			const res = await uploadCustomerFile.call(this.ctx, {
				advertiserId: config.advertiserId,
				calculateType: config.calculateType,
				file: file.blob,
				fileName: file.fileName,
				md5: file.md5,
				itemIndex: this.itemIndex,
			});
			this.filePaths.push(res.filePath);
			options.requestIds.push(res.requestId);
		}
	}

	/** Completes the last file and uploads what is left. */
	async finish(): Promise<void> {
		this.writer.end();
		await this.drain();
	}
}

/** The row pipeline (normalize, hash, dedupe) of this sync's settings, writing to `sink`. */
export function rowPipeline(config: SyncConfig, sink: RowSink, options: { expectedRows?: number; dedupe?: boolean } = {}): RowPipeline {
	return new RowPipeline({
		calculateType: config.calculateType,
		email: { canonicalizeGmail: config.canonicalizeGmail },
		phone: { format: config.phoneFormat, defaultCountryCode: config.defaultCountryCode || undefined },
		requireHashed: config.requireHashed,
		sink,
		expectedRows: options.expectedRows,
		dedupe: options.dedupe,
	});
}

/**
 * Reads every input row into `onRow` (input items, or the binary CSV as a stream), calling `drain` between chunks.
 * A malformed CSV is the user's input problem: it is returned; anything else (TikTok errors) passes on.
 */
export async function readRows(
	ctx: IExecuteFunctions,
	config: SyncConfig,
	itemIndexes: number[],
	onRow: RowCallback,
	drain: () => Promise<void>,
): Promise<CsvFormatError | undefined> {
	const mapping = mappingFor(config.calculateType, config.mapping);
	const read = async (): Promise<void> => {
		if (config.inputSource === 'binary') await readCsvRows(ctx, itemIndexes[0], config.binaryPropertyName, mapping, onRow, drain);
		else await readItemRows(ctx, itemIndexes, mapping, onRow, drain);
	};
	return await read().then(
		() => undefined,
		async (error: unknown) => (error instanceof CsvFormatError ? error : await Promise.reject(error)),
	);
}

/** The "rows → files → uploads" step of Add, Remove and Replace All: one pipeline into one set of files. */
export async function uploadRows(ctx: IExecuteFunctions, config: SyncConfig, itemIndexes: number[], options: UploadOptions): Promise<UploadResult> {
	const uploader = new Uploader(ctx, config, itemIndexes[0], {
		...options,
		limitFiles: !options.creating && config.action === 'REPLACE',
		namePrefix: 'audience',
	});
	const pipeline = rowPipeline(config, uploader.writer, { expectedRows: config.inputSource === 'binary' ? undefined : itemIndexes.length });
	const csvError = await readRows(ctx, config, itemIndexes, (email, phone, row) => pipeline.add(email, phone, row), async () => await uploader.drain());
	if (csvError) return { csvError };
	pipeline.flush();
	await uploader.finish();
	return { stats: pipeline.stats, filePaths: uploader.filePaths };
}
