// `npm run emulator -- [--port N] [--seed S] [--qps Q] [--fault-rate R] [--fault-codes a,b] [--match-rate M]
//  [--processing-delay MS] [--slow-ms MS] [--freeze-clock]` — starts the emulator on 127.0.0.1 and prints its URL.
import { startEmulator, type EmulatorOptions } from './index.cts';

function parseArgs(argv: string[]): EmulatorOptions {
	const o: EmulatorOptions = {};
	const num = (flag: string, v: string | undefined): number => {
		const n = Number(v);
		if (v === undefined || v.trim() === '' || !Number.isFinite(n)) throw new Error(`${flag} needs a number`);
		return n;
	};
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
		const value = () => inline ?? argv[++i];
		switch (flag) {
			case '--port':
				o.port = num(flag, value());
				break;
			case '--seed': {
				const v = value();
				if (v === undefined) throw new Error('--seed needs a value');
				o.seed = /^[0-9]+$/.test(v) ? Number(v) : v;
				break;
			}
			case '--qps':
				o.qps = num(flag, value());
				break;
			case '--fault-rate':
				o.faultRate = num(flag, value());
				break;
			case '--fault-codes':
				o.faultCodes = (value() ?? '').split(',').filter(Boolean);
				break;
			case '--match-rate':
				o.matchRate = num(flag, value());
				break;
			case '--processing-delay':
				o.processingDelayMs = num(flag, value());
				break;
			case '--slow-ms':
				o.slowMs = num(flag, value());
				break;
			case '--freeze-clock':
				o.freezeClock = true;
				break;
			case '--help':
			case '-h':
				process.stdout.write(
					'Usage: npm run emulator -- [--port N] [--seed S] [--qps Q] [--fault-rate R] [--fault-codes a,b]\n' +
						'       [--match-rate M] [--processing-delay MS] [--slow-ms MS] [--freeze-clock]\n',
				);
				process.exit(0);
				break;
			default:
				throw new Error(`unknown option ${arg}`);
		}
	}
	return o;
}

async function main(): Promise<void> {
	let options: EmulatorOptions;
	try {
		options = parseArgs(process.argv.slice(2));
	} catch (e) {
		process.stderr.write(`${(e as Error).message}\n`);
		process.exit(2);
	}
	const emu = await startEmulator(options);
	process.stdout.write(`TikTok emulator listening on ${emu.url}\n`);
	const stop = () => {
		void emu.close().then(() => process.exit(0));
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

void main().catch((e: unknown) => {
	process.stderr.write(`emulator failed to start: ${(e as Error)?.message ?? e}\n`);
	process.exit(1);
});
