// A 10 M-row CSV through TikTok Upsert Customer File List in n8n's real engine, against the emulator: rows/s and the
// node process's peak RSS (limit: 256 MB). The CSV is generated as a stream served by n8n's binary data service (as
// filesystem mode serves a stored file), so no copy of it exists anywhere. The node runs in a child process, so the
// peak RSS is the node's alone (the emulator, which keeps every member hash, runs in this parent process).
// Run: npm run build:only && npx tsx test/bench/list10m.bench.cts   (LIST_10M_ROWS=… to change the size)
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';

const ROWS = Number(process.env.LIST_10M_ROWS ?? 10_000_000);
/**
 * V8 heap limits of the measured process, as an n8n container with 256 MB would set them (NODE_OPTIONS). Without
 * them V8 lets short-lived garbage grow the heap far beyond what is live. LIST_10M_NODE_FLAGS='' runs without.
 * Measured (2-core shared machine, 10 M rows): these flags ~249 MB peak; `--max-old-space-size=192` alone ~372 MB;
 * no flags ~515 MB (the live set stays small; garbage strings and upload buffers wait for a lazy collection).
 */
const DEFAULT_FLAGS = '--max-old-space-size=112 --max-semi-space-size=2';

/** Row i of the CSV: 90% distinct valid emails, 4% pre-hashed, 3% invalid or empty, 3% repeats of an earlier row. */
function row(i: number): string {
	const k = i % 100;
	if (k < 90) return `${i},${i % 4 === 0 ? ` Person.${i}@Example${i % 97}.com ` : `person.${i}@example${i % 97}.com`}`;
	if (k < 94) return `${i},${createHash('sha256').update(`pre${i}`).digest('hex')}`;
	if (k < 97) return `${i},${k === 94 ? '' : `not-an-email-${i}`}`;
	return `${i},person.${i - 50}@example${(i - 50) % 97}.com`;
}

/** The CSV as a stream of ~64 KiB chunks (n8n's binary stream chunk size), generated on demand. */
function csvStream(rows: number): Readable {
	let i = 0;
	return new Readable({
		read() {
			const lines: string[] = i === 0 ? ['customer_id,identify_by_email'] : [];
			let size = 0;
			while (i < rows && size < 64 * 1024) {
				const line = row(i++);
				lines.push(line);
				size += line.length + 1;
			}
			if (lines.length > 0) this.push(Buffer.from(`${lines.join('\n')}\n`));
			if (i >= rows) this.push(null);
		},
	});
}

async function child(): Promise<void> {
	const { byId, packageLoader, packageNode, runWorkflow } = await import('../support/engine.cts');
	await packageLoader();
	const baselineRssMb = process.memoryUsage().rss / 2 ** 20;
	const { BinaryDataService } = await import('n8n-core');
	// n8n-core's own copy of the DI container (it has a nested @n8n/di).
	const { Container } = require(require.resolve('@n8n/di', { paths: [require.resolve('n8n-core')] })) as typeof import('@n8n/di');
	const url = process.env.EMULATOR_URL as string;
	const token = process.env.EMULATOR_TOKEN as string;
	const advertiserId = process.env.EMULATOR_ADVERTISER as string;
	// A binary data manager that serves the generated CSV, as n8n's filesystem manager serves a stored file.
	const service = Container.get(BinaryDataService);
	service.setManager('bench' as never, {
		getAsStream: async () => csvStream(ROWS),
		getAsBuffer: async () => {
			throw new Error('the benchmark CSV is only available as a stream');
		},
		getMetadata: async () => ({ fileName: 'list-10m.csv', mimeType: 'text/csv', fileSize: 0 }),
	} as never);
	const node = packageNode('List', 'tikTokUpsertCustomerFileList', {
		advertiserId: byId(advertiserId),
		listMode: 'create',
		listName: 'Bench 10M',
		calculateType: 'EMAIL_SHA256',
		action: 'APPEND',
		inputSource: 'binary',
		binaryPropertyName: 'data',
		emailField: 'email',
		options: process.env.LIST_10M_MAX_ROWS_PER_FILE ? { maxRowsPerFile: Number(process.env.LIST_10M_MAX_ROWS_PER_FILE) } : {},
	});
	// LIST_10M_TRACE=1 prints memory every second; LIST_10M_TRACE=gc collects garbage first (the live set; that run's
	// peak RSS is not the figure).
	const collect = process.env.LIST_10M_TRACE === 'gc' ? (globalThis as { gc?: () => void }).gc : undefined;
	const trace = process.env.LIST_10M_TRACE
		? setInterval(() => {
				collect?.();
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
	const start = process.hrtime.bigint();
	const result = await runWorkflow({
		nodes: [node],
		connections: {},
		credentials: { tikTokBusinessApi: { accessToken: token, environment: 'custom', baseUrl: url, requestsPerSecond: 1000, maxRetries: 3, retryBaseDelayMs: 5 } },
		input: [{ json: {}, binary: { data: { id: 'bench:list-10m', data: 'bench', mimeType: 'text/csv', fileName: 'list-10m.csv' } } }],
	});
	const seconds = Number(process.hrtime.bigint() - start) / 1e9;
	if (trace) clearInterval(trace);
	const error = result.error();
	const [summary] = result.output('List');
	process.stdout.write(`${JSON.stringify({ seconds, baselineRssMb, maxRssKb: process.resourceUsage().maxRSS, error, summary })}\n`);
}

async function parent(): Promise<void> {
	const { SEED, startEmulator } = await import('../emulator/index.cts');
	const emu = await startEmulator({ processingDelayMs: 0 });
	try {
		// The measured child runs plain JavaScript: this file is compiled next to itself (so the harness finds the
		// package root), with tsx's esbuild; a TypeScript loader in the child would add ~30 MB that is not the node's.
		const compiled = join(__dirname, '.list10m-child.cjs');
		const esbuild = require(require.resolve('esbuild', { paths: [require.resolve('tsx')] })) as typeof import('esbuild');
		esbuild.buildSync({ entryPoints: [__filename], outfile: compiled, bundle: true, platform: 'node', format: 'cjs', packages: 'external', logLevel: 'error' });
		const out = await new Promise<string>((resolve, reject) => {
			const flags = (process.env.LIST_10M_NODE_FLAGS ?? DEFAULT_FLAGS).split(' ').filter(Boolean);
			if (process.env.LIST_10M_TRACE === 'gc') flags.push('--expose-gc');
			const proc = spawn(process.execPath, [...flags, compiled, 'child'], {
				env: { ...process.env, EMULATOR_URL: emu.url, EMULATOR_TOKEN: SEED.validToken, EMULATOR_ADVERTISER: SEED.grantedAdvertiserId },
				stdio: ['ignore', 'pipe', 'inherit'],
			});
			let text = '';
			proc.stdout.on('data', (d: Buffer) => (text += d.toString()));
			proc.on('error', reject);
			proc.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`child exited with ${code}`))));
		}).finally(() => rmSync(compiled, { force: true }));
		const lines = out.trim().split('\n');
		const line = lines.pop() as string;
		// Anything else the child printed (V8's --trace-gc in LIST_10M_NODE_FLAGS, …) goes to stderr.
		if (lines.length > 0) process.stderr.write(`${lines.join('\n')}\n`);
		const r = JSON.parse(line) as { seconds: number; baselineRssMb: number; maxRssKb: number; error?: { message: string }; summary?: Record<string, unknown> };
		if (r.error) throw new Error(`the node failed: ${r.error.message}`);
		const [audience] = [...emu.state.audiences.values()];
		console.log(`list_10m_rows: ${ROWS} rows`);
		console.log(`list_10m_node_flags: "${process.env.LIST_10M_NODE_FLAGS ?? DEFAULT_FLAGS}"`);
		console.log(`list_10m_rows_per_s: ${Math.round(ROWS / r.seconds)} rows/s`);
		console.log(`list_10m_peak_rss_mb: ${(r.maxRssKb / 1024).toFixed(1)} MB`);
		console.log(`list_10m_baseline_rss_mb: ${r.baselineRssMb.toFixed(1)} MB`);
		console.log(`list_10m_seconds: ${r.seconds.toFixed(1)} s`);
		console.log(`list_10m_rows_sent: ${r.summary?.rowsSent} rows`);
		console.log(`list_10m_files_uploaded: ${r.summary?.filesUploaded} files`);
		console.log(`list_10m_emulator_members: ${audience?.members.size ?? 0} members`);
		console.log(`list_10m_duplicates: ${r.summary?.duplicates} rows`);
		console.log(`list_10m_invalid: ${r.summary?.invalidTotal} rows`);
	} finally {
		await emu.close();
	}
}

(process.argv[2] === 'child' ? child() : parent()).catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? error}\n`);
	process.exitCode = 1;
});
