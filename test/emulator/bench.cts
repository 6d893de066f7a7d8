// Emulator benchmark (loopback only, bounded loops). Prints `name: value unit` lines:
//   emulator_requests_per_s   small authenticated JSON requests (GET /user/info/) with 32 keep-alive clients
//   emulator_upload_mb_per_s  a 256 MB multipart upload end to end (stream, MD5, line validation, spool to disk)
//   emulator_parse_mb_per_s   the customer-file line parser alone
// Run: npx tsx test/emulator/bench.cts   (env BENCH_REQUESTS, BENCH_UPLOAD_MB to resize)
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { Worker } from 'node:worker_threads';
import { CustomerFileParser } from './customerFile.cts';
import { startEmulator } from './index.cts';
import { SEED } from './seed.cts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 20_000);
const UPLOAD_MB = Number(process.env.BENCH_UPLOAD_MB ?? 256);
const CONCURRENCY = 32;

/** Plain JS for the worker thread: streams head + blocks + tail with backpressure and posts the JSON reply. */
const UPLOAD_CLIENT = `
const { request } = require('node:http');
const { parentPort, workerData: w } = require('node:worker_threads');
const block = Buffer.from(w.block.buffer, w.block.byteOffset, w.block.byteLength);
const req = request(w.url, { method: 'POST', headers: {
	'Access-Token': w.token,
	'Content-Type': 'multipart/form-data; boundary=' + w.boundary,
	'Content-Length': w.head.length + block.length * w.blocks + w.tail.length,
} }, (res) => {
	const chunks = [];
	res.on('data', (c) => chunks.push(c));
	res.on('end', () => parentPort.postMessage(Buffer.concat(chunks).toString('utf8')));
});
req.write(Buffer.from(w.head));
let i = 0;
const pump = () => {
	while (i < w.blocks) {
		i += 1;
		if (!req.write(block)) return void req.once('drain', pump);
	}
	req.end(Buffer.from(w.tail));
};
pump();
`;

function getOnce(agent: Agent, url: string): Promise<void> {
	return new Promise((resolve, reject) => {
		const req = request(url, { agent, headers: { 'Access-Token': SEED.validToken } }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => {
				const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
				if (body.code !== 0) reject(new Error(`unexpected code ${body.code}`));
				else resolve();
			});
		});
		req.on('error', reject);
		req.end();
	});
}

/** 1 MiB of distinct-looking SHA-256 lines (65 bytes each, padded with one header-free block). */
function block(): Buffer {
	const lines: string[] = [];
	for (let i = 0; lines.length * 65 < 1024 * 1024 - 65; i++) lines.push(createHash('sha256').update(`u${i}`).digest('hex'));
	return Buffer.from(lines.join('\n') + '\n');
}

async function main(): Promise<void> {
	const emu = await startEmulator({ qps: 0 });
	try {
		const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
		const url = `${emu.baseUrl}/user/info/`;
		for (let i = 0; i < 500; i++) await getOnce(agent, url); // warm-up
		let next = 0;
		const t0 = performance.now();
		await Promise.all(
			Array.from({ length: CONCURRENCY }, async () => {
				while (next < REQUESTS) {
					next += 1;
					await getOnce(agent, url);
				}
			}),
		);
		const rps = REQUESTS / ((performance.now() - t0) / 1000);
		agent.destroy();
		process.stdout.write(`emulator_requests_per_s: ${Math.round(rps)} req/s\n`);

		const b = block();
		const blocks = Math.max(1, Math.round((UPLOAD_MB * 1024 * 1024) / b.length));
		const md5 = createHash('md5');
		for (let i = 0; i < blocks; i++) md5.update(b);
		const boundary = 'benchBoundary7f3a';
		const head = Buffer.from(
			[
				['advertiser_id', SEED.grantedAdvertiserId],
				['calculate_type', 'EMAIL_SHA256'],
				['file_signature', md5.digest('hex')],
			]
				.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
				.join('') +
				`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.csv"\r\nContent-Type: text/csv\r\n\r\n`,
		);
		const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
		// The uploading client runs in a worker thread so the emulator's event loop is measured, not the client's.
		const t1 = performance.now();
		const result = await new Promise<{ code: number }>((resolve, reject) => {
			const worker = new Worker(UPLOAD_CLIENT, {
				eval: true,
				workerData: { url: `${emu.baseUrl}/dmp/custom_audience/file/upload/`, token: SEED.validToken, boundary, head, block: b, blocks, tail },
			});
			worker.once('message', (m: string) => resolve(JSON.parse(m)));
			worker.once('error', reject);
		});
		if (result.code !== 0) throw new Error(`upload failed: ${JSON.stringify(result)}`);
		const mb = (b.length * blocks) / (1024 * 1024);
		process.stdout.write(`emulator_upload_mb_per_s: ${Math.round(mb / ((performance.now() - t1) / 1000))} MB/s\n`);

		const parser = new CustomerFileParser('EMAIL_SHA256');
		const t2 = performance.now();
		for (let i = 0; i < blocks; i++) parser.push(b);
		const parsed = parser.end();
		if (parsed.error !== undefined) throw new Error(parsed.error);
		process.stdout.write(`emulator_parse_mb_per_s: ${Math.round(mb / ((performance.now() - t2) / 1000))} MB/s\n`);
	} finally {
		await emu.close();
	}
}

void main().catch((e: unknown) => {
	process.stderr.write(`bench failed: ${(e as Error)?.stack ?? e}\n`);
	process.exit(1);
});
