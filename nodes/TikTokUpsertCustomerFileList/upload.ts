import type { IExecuteFunctions } from 'n8n-workflow';

import { CsvFormatError } from '../shared/customerFile/csvReader';
import { UploadFileWriter, type UploadFile } from '../shared/customerFile/fileWriter';
import { MULTIPLE_TYPES_HEADER, RowPipeline, type PipelineStats } from '../shared/customerFile/pipeline';
import { MAX_FILE_PATHS_PER_CALL, replaceTooLargeMessage } from '../shared/customerFile/uploadPlan';
import { uploadCustomerFile } from '../shared/tiktok/customerFiles';
import type { SyncConfig } from './parameters';
import { readCsvRows, readItemRows } from './rows';

/** The uploaded files and the pipeline's counts, or the reason the CSV could not be read (the caller refuses it). */
export type UploadResult = { stats: PipelineStats; filePaths: string[] } | { csvError: CsvFormatError };

/**
 * The "rows → files → uploads" step: input rows go through the pipeline (normalize, hash, dedupe) into upload files;
 * each completed file is uploaded before more input is read (one file in memory at a time). A dry run or a Replace
 * All past 50 files notes what a real run would refuse in `wouldRefuse` and uploads nothing more.
 */
export async function uploadRows(
	ctx: IExecuteFunctions,
	config: SyncConfig,
	itemIndexes: number[],
	options: { creating: boolean; wouldRefuse: string[]; refuse: (message: string) => never; requestIds: string[] },
): Promise<UploadResult> {
	const itemIndex = itemIndexes[0];
	const pending: UploadFile[] = [];
	const filePaths: string[] = [];
	const limitFiles = !options.creating && config.action === 'REPLACE';
	const writer = new UploadFileWriter({
		maxRows: config.maxRowsPerFile,
		maxBytes: config.maxFileBytes,
		header: config.calculateType === 'MULTIPLE_TYPES' ? MULTIPLE_TYPES_HEADER : undefined,
		onFile: (file) => pending.push(file),
		namePrefix: 'audience',
	});
	const pipeline = new RowPipeline({
		calculateType: config.calculateType,
		email: { canonicalizeGmail: config.canonicalizeGmail },
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
				if (!config.dryRun) options.refuse(replaceTooLargeMessage(files, config.maxRowsPerFile));
				if (files === MAX_FILE_PATHS_PER_CALL + 1) options.wouldRefuse.push(replaceTooLargeMessage(files, config.maxRowsPerFile));
				continue;
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
			options.requestIds.push(res.requestId);
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
	// A malformed CSV is the user's input problem: it is returned; anything else (TikTok errors) passes on.
	const csvError = await read().then(
		() => undefined,
		async (error: unknown) => (error instanceof CsvFormatError ? error : await Promise.reject(error)),
	);
	return csvError ? { csvError } : { stats: pipeline.stats, filePaths };
}
