// The emulator's notion of "now". Tests move it (24 h REPLACE rule, processing delay, lookback windows, file expiry)
// without sleeping. By default it also runs with real time so a demo sees processing finish on its own.

export interface EmulatorClock {
	now(): number;
	advance(ms: number): void;
	set(ms: number): void;
	readonly frozen: boolean;
}

export function createClock(initialMs: number, frozen: boolean): EmulatorClock {
	let base = initialMs;
	let anchor = performance.now();
	const now = (): number => (frozen ? base : base + Math.floor(performance.now() - anchor));
	return {
		frozen,
		now,
		advance(ms: number) {
			if (!Number.isFinite(ms)) throw new TypeError('advance(ms) needs a finite number');
			base = now() + ms;
			anchor = performance.now();
		},
		set(ms: number) {
			if (!Number.isFinite(ms)) throw new TypeError('set(ms) needs a finite number');
			base = ms;
			anchor = performance.now();
		},
	};
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** TikTok's "YYYY-MM-DD HH:MM:SS" (UTC) timestamp format used by create_time, expired_time and opt_time. */
export function formatTikTokTime(ms: number): string {
	const d = new Date(ms);
	return (
		`${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
		`${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
	);
}

export const DAY_MS = 86_400_000;
