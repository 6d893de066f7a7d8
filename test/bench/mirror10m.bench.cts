// Mirror at 10 M rows: the current list (a 10 M-row CSV, list_10m's row generator) against the previous snapshot
// (9.4 M members: the list's members with 1 % churn each way), under list_10m's V8 limits (a 256 MB container).
// Measures the measured process's peak RSS, rows/s end to end (index the previous snapshot, read the list through the
// row pipeline into the new snapshot and the APPEND file, the leavers' pass into the REMOVE file), and the upload
// bytes against a Replace All of the same list. Every count is checked exactly.
//
// This drives the modules the node runs (nodes/shared/sync/snapshot.ts, RowPipeline, CsvReader, UploadFileWriter)
// directly, in a child process that runs plain JavaScript. The CSV and the previous snapshot are files on disk, read
// as streams of 64 KiB chunks as n8n's filesystem binary mode serves them; the new snapshot is written to disk chunk
// by chunk as it is produced. Upload files are counted, not sent.
// Run: npx tsx test/bench/mirror10m.bench.cts   (MIRROR_10M_ROWS=… to change the size, MIRROR_10M_TRACE=1 for memory,
// MIRROR_10M_DISCARD=1 to drop the new snapshot instead of writing it: what writing it costs)
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import { once } from 'node:events';
import { closeSync, createReadStream, createWriteStream, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { CsvReader } from '../../nodes/shared/customerFile/csvReader';
import { UploadFileWriter } from '../../nodes/shared/customerFile/fileWriter';
import { RowPipeline } from '../../nodes/shared/customerFile/pipeline';
import { MirrorSink, readSnapshotInfo, SnapshotIndex, SnapshotWriter, type SnapshotIdentity } from '../../nodes/shared/sync/snapshot';

const ROWS = Number(process.env.MIRROR_10M_ROWS ?? 10_000_000);
/** The same V8 limits as list_10m (see list10m.bench.cts); MIRROR_10M_NODE_FLAGS='' runs without. */
const DEFAULT_FLAGS = '--max-old-space-size=112 --max-semi-space-size=2';
const IDENTITY: SnapshotIdentity = { advertiserId: '7000000000000000001', audienceId: '7100000000000000001', calculateType: 'EMAIL_SHA256' };
/** The CSV is read in 64 KiB chunks, the snapshot in 1 MiB ones: what the node asks `getBinaryStream` for. */
const CSV_CHUNK = 64 * 1024;
const SNAPSHOT_CHUNK = Number(process.env.MIRROR_10M_SNAPSHOT_CHUNK ?? 1024 * 1024);
/** The node's defaults: 250,000 rows or 100 MB per upload file. */
const MAX_ROWS_PER_FILE = 250_000;
const MAX_FILE_BYTES = 100 * 1024 * 1024;

const sha = (value: string) => crypto.hash('sha256', value, 'hex');

/** Row i of the CSV (list10m.bench.cts): 90% distinct valid emails, 4% pre-hashed, 3% invalid or empty, 3% repeats. */
function row(i: number): string {
	const k = i % 100;
	if (k < 90) return `${i},${i % 4 === 0 ? ` Person.${i}@Example${i % 97}.com ` : `person.${i}@example${i % 97}.com`}`;
	if (k < 94) return `${i},${crypto.createHash('sha256').update(`pre${i}`).digest('hex')}`;
	if (k < 97) return `${i},${k === 94 ? '' : `not-an-email-${i}`}`;
	return `${i},person.${i - 50}@example${(i - 50) % 97}.com`;
}

/** The digest row i contributes to the audience, or undefined (invalid, or a repeat). */
function member(i: number): string | undefined {
	const k = i % 100;
	if (k < 90) return sha(`person.${i}@example${i % 97}.com`);
	if (k < 94) return sha(`pre${i}`);
	return undefined;
}

/** Churn: rows with k = 5 (1 % of rows) joined since the last sync; as many others left (one after each joiner). */
const joins = (i: number) => i % 100 === 5;

function writeFiles(dir: string): { csv: string; previous: string } {
	const csv = join(dir, 'list.csv');
	const previous = join(dir, 'previous.snapshot');
	const csvFd = openSync(csv, 'w');
	const prevFd = openSync(previous, 'w');
	const snapshot = new SnapshotWriter({ ...IDENTITY, onChunk: (chunk) => writeSync(prevFd, chunk) });
	let lines: string[] = ['customer_id,identify_by_email'];
	let size = 0;
	for (let i = 0; i < ROWS; i++) {
		const line = row(i);
		lines.push(line);
		size += line.length + 1;
		if (size >= 1 << 20) {
			writeSync(csvFd, `${lines.join('\n')}\n`);
			lines = [];
			size = 0;
		}
		if (joins(i)) snapshot.addDigest(1, sha(`gone.${i}@example.com`));
		else {
			const digest = member(i);
			if (digest !== undefined) snapshot.addDigest(1, digest);
		}
	}
	if (lines.length > 0) writeSync(csvFd, `${lines.join('\n')}\n`);
	snapshot.end(IDENTITY.audienceId);
	closeSync(csvFd);
	closeSync(prevFd);
	return { csv, previous };
}

interface ChildResult {
	seconds: number;
	cpuSeconds: number;
	buildSeconds: number;
	listSeconds: number;
	leaversSeconds: number;
	baselineRssMb: number;
	maxRssKb: number;
	rowsIn: number;
	invalid: number;
	duplicates: number;
	joined: number;
	kept: number;
	repeated: number;
	left: number;
	previousEntries: number;
	appendBytes: number;
	appendFiles: number;
	removeBytes: number;
	removeFiles: number;
	snapshotBytes: number;
	snapshotEntries: number;
}

const open = (path: string, chunk = SNAPSHOT_CHUNK) => createReadStream(path, { highWaterMark: chunk });

async function child(dir: string): Promise<void> {
	const baselineRssMb = process.memoryUsage().rss / 2 ** 20;
	const trace = process.env.MIRROR_10M_TRACE
		? setInterval(() => {
				const m = process.memoryUsage();
				const v8 = (require('node:v8') as typeof import('node:v8')).getHeapStatistics();
				const mb = (n: number) => (n / 2 ** 20).toFixed(0);
				// Linux: the resident memory split into anonymous (heap, buffers) and file-backed (the node binary's pages).
				const status = (() => {
					try {
						return require('node:fs').readFileSync('/proc/self/status', 'utf8') as string;
					} catch {
						return '';
					}
				})();
				const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
				process.stderr.write(
					`rss ${mb(m.rss)} (anon ${kb('RssAnon').toFixed(0)} file ${kb('RssFile').toFixed(0)}) heap ${mb(m.heapUsed)}/${mb(m.heapTotal)} external ${mb(m.external)} arrayBuffers ${mb(m.arrayBuffers)} v8malloc ${mb(v8.malloced_memory)}/${mb(v8.peak_malloced_memory)}\n`,
				);
			}, 1000)
		: undefined;
	const previous = join(dir, 'previous.snapshot');
	const started = performance.now();
	const cpuAtStart = process.cpuUsage();

	// 1. The previous snapshot, indexed (two passes over the file).
	const index = await SnapshotIndex.build(() => open(previous), IDENTITY);
	const built = performance.now();

	// 2. The list: CSV → row pipeline → new snapshot + lookups → APPEND file (joiners).
	// The new snapshot streams to disk as n8n's filesystem binary mode stores a stream (written off the main thread).
	const next = createWriteStream(join(dir, 'next.snapshot'));
	const writer = new SnapshotWriter({ ...IDENTITY, onChunk: process.env.MIRROR_10M_DISCARD ? () => undefined : (chunk) => next.write(chunk) });
	let appendBytes = 0;
	let appendFiles = 0;
	const append = new UploadFileWriter({
		maxRows: MAX_ROWS_PER_FILE,
		maxBytes: MAX_FILE_BYTES,
		onFile: (file) => {
			appendBytes += file.bytes;
			appendFiles++;
		},
	});
	const sink = new MirrorSink({ calculateType: 'EMAIL_SHA256', writer, index, inner: append });
	// As Mirror runs it: MirrorSink deduplicates (the index's seen flags and its joiner set), the pipeline does not.
	const pipeline = new RowPipeline({ calculateType: 'EMAIL_SHA256', phone: { format: 'digits' }, sink, dedupe: false });
	const reader = new CsvReader({
		columns: (header) => [header.indexOf('identify_by_email')],
		onRow: (values, rowNumber) => pipeline.add(values[0], undefined, rowNumber),
	});
	for await (const chunk of open(join(dir, 'list.csv'), CSV_CHUNK)) {
		reader.push(chunk as Buffer);
		if (next.writableNeedDrain) await once(next, 'drain');
	}
	reader.end();
	pipeline.flush();
	append.end();
	const listed = performance.now();

	// 3. The leavers: the previous snapshot a third time → REMOVE file.
	let removeBytes = 0;
	let removeFiles = 0;
	const remove = new UploadFileWriter({
		maxRows: MAX_ROWS_PER_FILE,
		maxBytes: MAX_FILE_BYTES,
		onFile: (file) => {
			removeBytes += file.bytes;
			removeFiles++;
		},
	});
	const left = await index.writeLeavers(open(previous), remove);
	remove.end();
	writer.end(IDENTITY.audienceId);
	next.end();
	await once(next, 'finish');
	const done = performance.now();
	const cpu = process.cpuUsage(cpuAtStart);
	if (trace) clearInterval(trace);
	const stats = pipeline.stats;
	const entries = writer.entries;
	const result: ChildResult = {
		seconds: (done - started) / 1000,
		cpuSeconds: (cpu.user + cpu.system) / 1e6,
		buildSeconds: (built - started) / 1000,
		listSeconds: (listed - built) / 1000,
		leaversSeconds: (done - listed) / 1000,
		baselineRssMb,
		maxRssKb: process.resourceUsage().maxRSS,
		rowsIn: stats.rowsIn,
		invalid: stats.invalidTotal,
		duplicates: stats.duplicates,
		joined: sink.joined,
		kept: sink.kept,
		repeated: sink.repeated,
		left,
		previousEntries: index.size,
		appendBytes,
		appendFiles,
		removeBytes,
		removeFiles,
		snapshotBytes: writer.bytes,
		snapshotEntries: entries.emails,
	};
	process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function parent(): Promise<void> {
	if (ROWS % 100 !== 0) throw new Error('MIRROR_10M_ROWS must be a multiple of 100');
	const dir = mkdtempSync(join(tmpdir(), 'mirror10m-'));
	const compiled = join(__dirname, '.mirror10m-child.cjs');
	try {
		const madeAt = performance.now();
		const { previous } = writeFiles(dir);
		console.log(`mirror_10m_setup_s: ${((performance.now() - madeAt) / 1000).toFixed(1)} s`);
		// The measured child runs plain JavaScript, compiled with tsx's esbuild (as list10m.bench.cts does).
		const esbuild = require(require.resolve('esbuild', { paths: [require.resolve('tsx')] })) as typeof import('esbuild');
		esbuild.buildSync({ entryPoints: [__filename], outfile: compiled, bundle: true, platform: 'node', format: 'cjs', packages: 'external', logLevel: 'error' });
		const flags = (process.env.MIRROR_10M_NODE_FLAGS ?? DEFAULT_FLAGS).split(' ').filter(Boolean);
		const out = await new Promise<string>((resolve, reject) => {
			const proc = spawn(process.execPath, [...flags, compiled, 'child', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
			let text = '';
			proc.stdout.on('data', (d: Buffer) => (text += d.toString()));
			proc.on('error', reject);
			proc.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`child exited with ${code}`))));
		});
		const r = JSON.parse(out.trim().split('\n').pop() as string) as ChildResult;
		// Exact accounting: 1 % of rows joined, as many left, every other member kept, the rest invalid or repeats.
		const members = (ROWS / 100) * 94;
		const churn = ROWS / 100;
		const expected = {
			rowsIn: ROWS,
			invalid: (ROWS / 100) * 3,
			duplicatesAndRepeats: (ROWS / 100) * 3,
			joined: churn,
			kept: members - churn,
			left: churn,
			previousEntries: members,
			snapshotEntries: members,
			appendBytes: churn * 65,
			removeBytes: churn * 65,
		};
		const got = {
			rowsIn: r.rowsIn,
			invalid: r.invalid,
			duplicatesAndRepeats: r.duplicates + r.repeated,
			joined: r.joined,
			kept: r.kept,
			left: r.left,
			previousEntries: r.previousEntries,
			snapshotEntries: r.snapshotEntries,
			appendBytes: r.appendBytes,
			removeBytes: r.removeBytes,
		};
		if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`counts differ: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
		// The new snapshot is valid and holds the list.
		if (!process.env.MIRROR_10M_DISCARD) {
			const next = await readSnapshotInfo(open(join(dir, 'next.snapshot')), IDENTITY);
			if (next.entries !== members || next.bytes !== r.snapshotBytes) throw new Error(`the new snapshot holds ${next.entries} entries in ${next.bytes} bytes`);
		}
		// A Replace All of the same list uploads every member: one 64-character digest and a newline each.
		const replaceBytes = members * 65;
		const previousInfo = await readSnapshotInfo(open(previous), IDENTITY);
		console.log(`mirror_10m_rows: ${ROWS} rows`);
		console.log(`mirror_10m_previous_members: ${previousInfo.entries} members`);
		console.log(`mirror_10m_node_flags: "${process.env.MIRROR_10M_NODE_FLAGS ?? DEFAULT_FLAGS}"`);
		console.log(`mirror_10m_rows_per_s: ${Math.round(ROWS / r.seconds)} rows/s`);
		console.log(`mirror_10m_peak_rss_mb: ${(r.maxRssKb / 1024).toFixed(1)} MB`);
		console.log(`mirror_10m_bytes_sent_vs_replace: ${((r.appendBytes + r.removeBytes) / replaceBytes).toFixed(4)} ratio`);
		console.log(`mirror_10m_baseline_rss_mb: ${r.baselineRssMb.toFixed(1)} MB`);
		console.log(`mirror_10m_seconds: ${r.seconds.toFixed(2)} s`);
		console.log(`mirror_10m_cpu_s: ${r.cpuSeconds.toFixed(2)} s`);
		console.log(`mirror_10m_load_avg: ${loadavg()[0].toFixed(1)}`);
		console.log(`mirror_10m_index_s: ${r.buildSeconds.toFixed(2)} s`);
		console.log(`mirror_10m_list_s: ${r.listSeconds.toFixed(2)} s`);
		console.log(`mirror_10m_leavers_s: ${r.leaversSeconds.toFixed(2)} s`);
		console.log(`mirror_10m_joined: ${r.joined} rows`);
		console.log(`mirror_10m_left: ${r.left} rows`);
		console.log(`mirror_10m_kept: ${r.kept} rows`);
		console.log(`mirror_10m_bytes_sent: ${r.appendBytes + r.removeBytes} bytes`);
		console.log(`mirror_10m_replace_bytes: ${replaceBytes} bytes`);
		console.log(`mirror_10m_files: ${r.appendFiles + r.removeFiles} files`);
		console.log(`mirror_10m_snapshot_mb: ${(r.snapshotBytes / 2 ** 20).toFixed(1)} MB`);
	} finally {
		rmSync(compiled, { force: true });
		rmSync(dir, { recursive: true, force: true });
	}
}

(process.argv[2] === 'child' ? child(process.argv[3]) : parent()).catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? error}\n`);
	process.exitCode = 1;
});
