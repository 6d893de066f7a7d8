// List Sync pipeline throughput: normalize + validate + hash + dedupe + write (+ the files' MD5) of 1 M mixed rows on
// one thread, side by side with the SAME pipeline written with crypto-js (its SHA-256 for the values and its MD5 for
// the files' signatures, as a package hashing with crypto-js would), with only the SHA-256 swapped (the stricter
// comparison, also printed), and with a bare crypto.hash loop over the same number of values (the limit: what
// hashing alone costs).
// Run: npx tsx test/bench/listSync.bench.cts   (prints `name: value unit` lines; LIST_BENCH_ROWS, LIST_BENCH_ROUNDS)
import * as crypto from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import CryptoJS from 'crypto-js';

import { UploadFileWriter, type FileWriterOptions } from '../../nodes/shared/customerFile/fileWriter';
import { RowPipeline } from '../../nodes/shared/customerFile/pipeline';
import { sha256Hex } from '../../nodes/shared/identity/hash';

const ROWS = Number(process.env.LIST_BENCH_ROWS ?? 1_000_000);
const ROUNDS = Number(process.env.LIST_BENCH_ROUNDS ?? 7);

/** 70% valid emails (a third with capitals and spaces), 10% pre-hashed (half uppercase), 10% invalid or empty, 10% duplicates. */
function makeRows(n: number): string[] {
	const rows: string[] = new Array(n);
	for (let i = 0; i < n; i++) {
		const k = i % 10;
		if (k < 7) rows[i] = i % 3 === 0 ? `  User.${i}@Example${i % 50}.com ` : `user${i}.name@example${i % 50}.com`;
		else if (k === 7) {
			const digest = crypto.hash('sha256', `pre${i}@example.com`, 'hex');
			rows[i] = i % 20 === 7 ? digest.toUpperCase() : digest;
		} else if (k === 8) rows[i] = i % 2 ? `not-an-email-${i}` : '';
		else rows[i] = rows[i - 9];
	}
	return rows;
}

interface Result {
	seconds: number;
	cpuSeconds: number;
	stats: RowPipeline['stats'];
	files: number;
	md5s: string[];
}

type Md5Factory = NonNullable<FileWriterOptions['md5']>;

/**
 * The pipeline as the node runs it: rows in, upload files (with their MD5) out. Only the hash functions differ
 * between variants.
 */
function runPipeline(rows: string[], sha256: (v: string) => string, md5?: Md5Factory): Result {
	const md5s: string[] = [];
	// The node's default file limits (Max Rows per File 250,000, Max File Size 100 MB).
	const writer = new UploadFileWriter({ maxRows: 250_000, maxBytes: 100 << 20, onFile: (f) => md5s.push(f.md5), md5 });
	// As the node does for input items: it knows how many rows are coming.
	const pipeline = new RowPipeline({ calculateType: 'EMAIL_SHA256', phone: { format: 'digits' }, sink: writer, sha256, expectedRows: rows.length });
	const cpu = process.cpuUsage();
	const start = process.hrtime.bigint();
	for (let i = 0; i < rows.length; i++) pipeline.add(rows[i], undefined, i + 1);
	pipeline.flush();
	writer.end();
	const seconds = Number(process.hrtime.bigint() - start) / 1e9;
	const used = process.cpuUsage(cpu);
	return { seconds, cpuSeconds: (used.user + used.system) / 1e6, stats: pipeline.stats, files: md5s.length, md5s };
}

/** Hashing alone: one crypto.hash per row, as many values as the pipeline gets rows. */
function bareHashLoop(values: string[]): { seconds: number; cpuSeconds: number } {
	const cpu = process.cpuUsage();
	const start = process.hrtime.bigint();
	let sink = 0;
	for (let i = 0; i < values.length; i++) sink += crypto.hash('sha256', values[i], 'hex').length;
	const seconds = Number(process.hrtime.bigint() - start) / 1e9;
	const used = process.cpuUsage(cpu);
	if (sink === 0) throw new Error('unreachable');
	return { seconds, cpuSeconds: (used.user + used.system) / 1e6 };
}

const cryptoJsSha256 = (v: string) => CryptoJS.SHA256(v).toString(CryptoJS.enc.Hex);
const cryptoJsMd5: Md5Factory = () => {
	const md5 = CryptoJS.algo.MD5.create();
	return {
		update: (bytes) => md5.update(CryptoJS.lib.WordArray.create(bytes as unknown as number[], bytes.length)),
		hex: () => md5.finalize().toString(CryptoJS.enc.Hex),
	};
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function main(): void {
	// Through JSON, as n8n hands item values to the node (flat strings, not the rope strings template literals make).
	const rows = JSON.parse(JSON.stringify(makeRows(ROWS))) as string[];
	const normalized = JSON.parse(JSON.stringify(rows.map((_, i) => `user${i}.name@example${i % 50}.com`))) as string[];
	// Warm-up so every variant runs optimised code.
	runPipeline(rows.slice(0, 100_000), sha256Hex);
	runPipeline(rows.slice(0, 20_000), cryptoJsSha256, cryptoJsMd5);
	runPipeline(rows.slice(0, 20_000), cryptoJsSha256);
	bareHashLoop(normalized.slice(0, 100_000));

	// Variants alternate round by round and medians are compared, so a busy machine slows all of them alike.
	const node: Result[] = [];
	const cryptoJs: Result[] = [];
	const cryptoJsSha: Result[] = [];
	const limit: Array<{ seconds: number; cpuSeconds: number }> = [];
	const loadBefore = loadavg()[0];
	for (let r = 0; r < ROUNDS; r++) {
		node.push(runPipeline(rows, sha256Hex));
		limit.push(bareHashLoop(normalized));
		cryptoJs.push(runPipeline(rows, cryptoJsSha256, cryptoJsMd5));
		cryptoJsSha.push(runPipeline(rows, cryptoJsSha256));
	}
	const loadAfter = loadavg()[0];
	if (process.env.LIST_BENCH_DEBUG) console.log([node, cryptoJs, cryptoJsSha].map((v) => v.map((r) => r.seconds.toFixed(3)).join(' ')).join(' | '));
	// Same pipeline, same output: the files' MD5s prove both variants wrote identical bytes.
	for (const other of [cryptoJs[0], cryptoJsSha[0]]) {
		if (JSON.stringify(node[0].md5s) !== JSON.stringify(other.md5s)) throw new Error('crypto-js and node:crypto pipelines wrote different files');
	}

	const nodeSeconds = median(node.map((r) => r.seconds));
	const cryptoJsSeconds = median(cryptoJs.map((r) => r.seconds));
	const cryptoJsShaSeconds = median(cryptoJsSha.map((r) => r.seconds));
	const limitSeconds = median(limit.map((r) => r.seconds));
	const nodeCpu = median(node.map((r) => r.cpuSeconds));
	const check = node[0];
	console.log(`list_rows_per_s: ${Math.round(ROWS / nodeSeconds)} rows/s`);
	console.log(`list_cryptojs_rows_per_s: ${Math.round(ROWS / cryptoJsSeconds)} rows/s`);
	console.log(`list_hash_limit_rows_per_s: ${Math.round(ROWS / limitSeconds)} rows/s`);
	console.log(`list_cryptojs_sha256_only_rows_per_s: ${Math.round(ROWS / cryptoJsShaSeconds)} rows/s`);
	console.log(`list_vs_cryptojs: ${(cryptoJsSeconds / nodeSeconds).toFixed(2)} x`);
	console.log(`list_vs_cryptojs_sha256_only: ${(cryptoJsShaSeconds / nodeSeconds).toFixed(2)} x`);
	console.log(`list_vs_hash_limit: ${(limitSeconds / nodeSeconds).toFixed(2)} x`);
	// Process CPU (all threads: V8's GC helpers too) per wall second of the pipeline: near 1 means one thread did the work.
	console.log(`list_cpu_per_wall: ${(nodeCpu / nodeSeconds).toFixed(2)}`);
	console.log(`list_rounds: ${ROUNDS} (medians; node:crypto, bare hash, crypto-js and crypto-js SHA-256 only alternating)`);
	console.log(`list_load_avg_1m: ${loadBefore.toFixed(2)} -> ${loadAfter.toFixed(2)} (${availableParallelism()} cores)`);
	console.log(`list_rows_sent: ${check.stats.rowsSent} rows`);
	console.log(`list_duplicates: ${check.stats.duplicates} rows`);
	console.log(`list_invalid: ${check.stats.invalidTotal} rows`);
	console.log(`list_pre_hashed: ${check.stats.preHashed} rows`);
	console.log(`list_files: ${check.files} files`);
}

main();
