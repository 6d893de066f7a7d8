// List Sync pipeline throughput: normalise + validate + hash + dedupe + write of 1 M mixed rows on one thread,
// side by side with the same pipeline hashing with crypto-js and with a bare crypto.hash loop (the limit).
// Run: npx tsx test/bench/listSync.bench.cts   (prints `name: value unit` lines)
import * as crypto from 'node:crypto';
import CryptoJS from 'crypto-js';

import { UploadFileWriter } from '../../nodes/shared/customerFile/fileWriter';
import { RowPipeline } from '../../nodes/shared/customerFile/pipeline';

const ROWS = Number(process.env.LIST_BENCH_ROWS ?? 1_000_000);

/** 1 M rows: 70% valid emails (mixed case, spaces), 10% pre-hashed, 10% invalid, 10% duplicates. */
function makeRows(n: number): string[] {
	const rows: string[] = new Array(n);
	for (let i = 0; i < n; i++) {
		const k = i % 10;
		if (k < 7) rows[i] = i % 3 === 0 ? `  User.${i}@Example${i % 50}.com ` : `user${i}.name@example${i % 50}.com`;
		else if (k === 7) rows[i] = crypto.hash('sha256', `pre${i}@example.com`, 'hex');
		else if (k === 8) rows[i] = i % 2 ? `not-an-email-${i}` : '';
		else rows[i] = rows[i - 9];
	}
	return rows;
}

function runPipeline(rows: string[], sha256?: (v: string) => string) {
	let files = 0;
	const writer = new UploadFileWriter({ maxRows: 500_000, maxBytes: 100 << 20, onFile: () => files++ });
	const pipeline = new RowPipeline({ calculateType: 'EMAIL_SHA256', phone: { format: 'digits' }, sink: writer, sha256 });
	const start = process.hrtime.bigint();
	for (let i = 0; i < rows.length; i++) pipeline.add(rows[i], undefined, i + 1);
	writer.end();
	const seconds = Number(process.hrtime.bigint() - start) / 1e9;
	return { seconds, stats: pipeline.stats, files };
}

function bareHashLoop(values: string[]): number {
	const start = process.hrtime.bigint();
	let sink = 0;
	for (let i = 0; i < values.length; i++) sink += crypto.hash('sha256', values[i], 'hex').length;
	const seconds = Number(process.hrtime.bigint() - start) / 1e9;
	if (sink === 0) throw new Error('unreachable');
	return seconds;
}

const cryptoJsSha256 = (v: string) => CryptoJS.SHA256(v).toString(CryptoJS.enc.Hex);

function main(): void {
	const rows = makeRows(ROWS);
	const normalised = rows.map((r, i) => `user${i}.name@example${i % 50}.com`);
	// Warm-up so every variant runs optimised code.
	runPipeline(rows.slice(0, 100_000));
	runPipeline(rows.slice(0, 20_000), cryptoJsSha256);
	bareHashLoop(normalised.slice(0, 100_000));

	// Variants alternate round by round and medians are compared, so a busy machine slows all of them alike.
	const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
	const nodeRuns: number[] = [];
	const limitRuns: number[] = [];
	const cryptoJsRuns: number[] = [];
	const rounds = Number(process.env.LIST_BENCH_ROUNDS ?? 5);
	for (let r = 0; r < rounds; r++) {
		nodeRuns.push(runPipeline(rows).seconds);
		limitRuns.push(bareHashLoop(normalised));
		if (r < 3) cryptoJsRuns.push(runPipeline(rows, cryptoJsSha256).seconds);
	}
	const nodeSeconds = median(nodeRuns);
	const limitSeconds = median(limitRuns);
	const cryptoJsSeconds = median(cryptoJsRuns);
	const check = runPipeline(rows);

	const rate = ROWS / nodeSeconds;
	console.log(`list_rows_per_s: ${Math.round(rate)} rows/s`);
	console.log(`list_cryptojs_rows_per_s: ${Math.round(ROWS / cryptoJsSeconds)} rows/s`);
	console.log(`list_hash_limit_rows_per_s: ${Math.round(ROWS / limitSeconds)} rows/s`);
	console.log(`list_vs_cryptojs: ${(cryptoJsSeconds / nodeSeconds).toFixed(2)} x`);
	console.log(`list_vs_hash_limit: ${(limitSeconds / nodeSeconds).toFixed(2)} x`);
	console.log(`list_rows_sent: ${check.stats.rowsSent} rows`);
	console.log(`list_duplicates: ${check.stats.duplicates} rows`);
	console.log(`list_invalid: ${check.stats.invalidTotal} rows`);
	console.log(`list_pre_hashed: ${check.stats.preHashed} rows`);
}

main();
