// `npm run bench`: runs every benchmark in its own child process, one after another (so they never compete for the
// two cores), passes their `name: value unit` lines through, and ends with a table of the figures that have goals.
// Ratios measured side by side in one process are the figures that count; absolute times vary with the machine.
//
//   npm run build:only && npx tsx test/bench/run.cts [--only emulator,list,list10m,mirror10m,events,trigger] [--strict]
//
// Exit code: non-zero when a benchmark fails or prints a figure this table expects to be missing; with --strict also
// when a goal is missed. Children inherit the environment, so their size variables (LIST_10M_ROWS, BENCH_EVENTS, …)
// work here too.
import { spawn } from 'node:child_process';
import path from 'node:path';

interface Bench {
	key: string;
	file: string;
	/** Figures the table needs from it. */
	figures: string[];
}

const HERE = __dirname;
const BENCHES: Bench[] = [
	{ key: 'list', file: path.join(HERE, 'listSync.bench.cts'), figures: ['list_rows_per_s', 'list_vs_cryptojs', 'list_vs_cryptojs_sha256_only', 'list_vs_hash_limit'] },
	{ key: 'list10m', file: path.join(HERE, 'list10m.bench.cts'), figures: ['list_10m_peak_rss_mb', 'list_10m_rows_per_s'] },
	{ key: 'mirror10m', file: path.join(HERE, 'mirror10m.bench.cts'), figures: ['mirror_10m_peak_rss_mb', 'mirror_10m_rows_per_s', 'mirror_10m_bytes_sent_vs_replace'] },
	{ key: 'events', file: path.join(HERE, 'events.bench.cts'), figures: ['events_per_request', 'events_per_s', 'events_vs_one_per_request'] },
	{ key: 'trigger', file: path.join(HERE, 'trigger.bench.cts'), figures: ['trigger_poll_ms', 'trigger_poll_requests'] },
	{ key: 'emulator', file: path.join(HERE, '..', 'emulator', 'bench.cts'), figures: ['emulator_requests_per_s', 'emulator_upload_mb_per_s'] },
];

interface Figure {
	value: number;
	unit: string;
}

interface Goal {
	figure: string;
	/** Text shown in the table. */
	goal: string;
	/** Undefined: no goal, the figure is reported only. */
	met?: (figures: Map<string, Figure>) => boolean | undefined;
	/** Value to show, when it is derived from other figures. */
	show?: (figures: Map<string, Figure>) => string | undefined;
}

const value = (f: Map<string, Figure>, name: string) => f.get(name)?.value;

const GOALS: Goal[] = [
	{ figure: 'list_rows_per_s', goal: '>= 2,000,000 rows/s', met: (f) => ge(value(f, 'list_rows_per_s'), 2_000_000) },
	{ figure: 'list_vs_cryptojs', goal: '>= 7 x', met: (f) => ge(value(f, 'list_vs_cryptojs'), 7) },
	{ figure: 'list_vs_cryptojs_sha256_only', goal: '(report; crypto-js for the values only, MD5 by node:crypto)' },
	{ figure: 'list_vs_hash_limit', goal: '(report; 1.0 = bare crypto.hash)' },
	{ figure: 'list_10m_peak_rss_mb', goal: '<= 256 MB', met: (f) => le(value(f, 'list_10m_peak_rss_mb'), 256) },
	{ figure: 'list_10m_rows_per_s', goal: '(report)' },
	{ figure: 'mirror_10m_peak_rss_mb', goal: '<= 256 MB', met: (f) => le(value(f, 'mirror_10m_peak_rss_mb'), 256) },
	{ figure: 'mirror_10m_rows_per_s', goal: '>= 1,000,000 rows/s', met: (f) => ge(value(f, 'mirror_10m_rows_per_s'), 1_000_000) },
	{ figure: 'mirror_10m_bytes_sent_vs_replace', goal: '<= 0.03', met: (f) => le(value(f, 'mirror_10m_bytes_sent_vs_replace'), 0.03) },
	{
		figure: 'events_requests_per_100k',
		goal: '<= 100 requests',
		show: (f) => {
			const r = requestsPer100k(f);
			return r === undefined ? undefined : `${r} requests`;
		},
		met: (f) => le(requestsPer100k(f), 100),
	},
	{ figure: 'events_per_request', goal: '(report; 1,000 = TikTok max)' },
	{ figure: 'events_per_s', goal: '(report)' },
	{ figure: 'events_vs_one_per_request', goal: '>= 20 x', met: (f) => ge(value(f, 'events_vs_one_per_request'), 20) },
	{ figure: 'trigger_poll_ms', goal: '(report)' },
	{ figure: 'trigger_poll_requests', goal: '(report)' },
	{ figure: 'emulator_requests_per_s', goal: '(report)' },
	{ figure: 'emulator_upload_mb_per_s', goal: '(report)' },
];

function ge(v: number | undefined, limit: number): boolean | undefined {
	return v === undefined ? undefined : v >= limit;
}
function le(v: number | undefined, limit: number): boolean | undefined {
	return v === undefined ? undefined : v <= limit;
}
function requestsPer100k(f: Map<string, Figure>): number | undefined {
	const requests = value(f, 'events_requests');
	const total = value(f, 'events_total');
	return requests === undefined || !total ? undefined : Math.round((requests * 100_000) / total);
}

const LINE = /^([a-z][a-z0-9_]*): (-?[0-9]+(?:\.[0-9]+)?) (.+)$/;

/** Runs one benchmark file under tsx in a fresh Node process; resolves with its figures. */
function runBench(bench: Bench, figures: Map<string, Figure>): Promise<{ code: number | null; seconds: number }> {
	const started = performance.now();
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [require.resolve('tsx/cli'), bench.file], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
		let rest = '';
		const take = (text: string) => {
			const m = LINE.exec(text.trim());
			if (m) figures.set(m[1], { value: Number(m[2]), unit: m[3] });
			process.stdout.write(`${text}\n`);
		};
		child.stdout.on('data', (d: Buffer) => {
			const lines = (rest + d.toString('utf8')).split('\n');
			rest = lines.pop() ?? '';
			lines.forEach(take);
		});
		child.on('error', reject);
		child.on('close', (code) => {
			if (rest !== '') take(rest);
			resolve({ code, seconds: (performance.now() - started) / 1000 });
		});
	});
}

function pad(s: string, n: number): string {
	return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

async function main(): Promise<void> {
	const args = process.argv.slice(2);
	const strict = args.includes('--strict');
	const onlyArg = args.find((a) => a.startsWith('--only'));
	const only = onlyArg ? (onlyArg.includes('=') ? onlyArg.split('=')[1] : args[args.indexOf(onlyArg) + 1]).split(',') : undefined;
	const selected = BENCHES.filter((b) => !only || only.includes(b.key));
	const figures = new Map<string, Figure>();
	const failures: string[] = [];
	for (const bench of selected) {
		process.stdout.write(`\n# ${bench.key}: ${path.relative(process.cwd(), bench.file)}\n`);
		const { code, seconds } = await runBench(bench, figures);
		process.stdout.write(`# ${bench.key}: exit ${code} after ${seconds.toFixed(1)} s\n`);
		if (code !== 0) failures.push(`${bench.key} exited with ${code}`);
		const missing = bench.figures.filter((f) => !figures.has(f));
		if (missing.length > 0) failures.push(`${bench.key} printed no ${missing.join(', ')}`);
	}

	const keys = new Set(selected.flatMap((b) => b.figures));
	keys.add('events_requests_per_100k');
	const rows = GOALS.filter((g) => keys.has(g.figure) && (g.figure !== 'events_requests_per_100k' || selected.some((b) => b.key === 'events')));
	const missed: string[] = [];
	process.stdout.write('\n## Goals\n');
	process.stdout.write(`${pad('figure', 34)} ${pad('value', 22)} ${pad('goal', 34)} status\n`);
	for (const g of rows) {
		const f = figures.get(g.figure);
		const shown = g.show ? g.show(figures) : f ? `${f.value} ${f.unit}` : undefined;
		const met = g.met?.(figures);
		const status = shown === undefined ? 'NOT MEASURED' : met === undefined ? '-' : met ? 'MET' : 'MISSED';
		if (met === false) missed.push(g.figure);
		process.stdout.write(`${pad(g.figure, 34)} ${pad(shown ?? '-', 22)} ${pad(g.goal, 34)} ${status}\n`);
	}
	if (failures.length > 0) process.stdout.write(`\nFAILED: ${failures.join('; ')}\n`);
	if (missed.length > 0) process.stdout.write(`\nGoals missed: ${missed.join(', ')}${strict ? '' : ' (not fatal without --strict)'}\n`);
	if (failures.length > 0 || (strict && missed.length > 0)) process.exitCode = 1;
}

main().catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exitCode = 1;
});
