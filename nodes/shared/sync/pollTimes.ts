import { DAY_MS, HOUR_MS, MINUTE_MS } from './lifecycle';

/**
 * How often n8n checks a polling trigger, read from its Poll Times. n8n adds "Poll Times" (`pollTimes`, default every
 * minute) to every node with `polling: true` (n8n-core, nodes-loader `commonPollingParameters`); its modes are
 * n8n-workflow's `cronNodeOptions`, turned into cron by `toCronExpression` (n8n-workflow cron.ts). Pure functions.
 *
 * The trigger's Refresh Every says when a sync is due; a due sync starts at the first poll after it. When the polls
 * are further apart than the refresh interval, the audience is refreshed at the pace of the polls, not as set.
 */
export interface PollTime {
	mode?: string;
	hour?: number;
	minute?: number;
	weekday?: string | number;
	dayOfMonth?: number;
	value?: number;
	unit?: string;
	cronExpression?: string;
}

const WEEK_MINUTES = 7 * 24 * 60;

/** Minutes of the week (0 = Sunday 00:00) at which a poll time fires, or undefined when not computed here. */
function firingMinutes(item: PollTime): number[] | undefined {
	const minute = Number(item.minute ?? 0);
	const hour = Number(item.hour ?? 0);
	const every = (step: number, offset = 0): number[] => Array.from({ length: Math.ceil((WEEK_MINUTES - offset) / step) }, (_, i) => offset + i * step);
	switch (item.mode) {
		case 'everyMinute':
			return every(1);
		case 'everyHour':
			return every(60, minute);
		case 'everyDay':
			return every(1440, hour * 60 + minute);
		case 'everyWeek':
			return [Number(item.weekday ?? 1) * 1440 + hour * 60 + minute];
		case 'everyX': {
			// Cron steps restart every hour (minutes) or every day (hours): `*/45` fires at :00 and :45.
			const value = Math.floor(Number(item.value));
			if (!(value > 0)) return undefined;
			const perHour = item.unit === 'minutes';
			const slots = Array.from({ length: Math.ceil((perHour ? 60 : 24) / value) }, (_, i) => i * value);
			return perHour ? every(60).flatMap((h) => slots.map((m) => h + m)) : every(1440).flatMap((d) => slots.map((h) => d + h * 60));
		}
		default:
			return undefined;
	}
}

/** Longest wait between two polls in ms; undefined when it cannot be told (no poll time, or a Custom cron). */
export function longestPollGapMs(items: PollTime[]): number | undefined {
	if (items.length === 0) return undefined;
	const monthly = items.filter((i) => i.mode === 'everyMonth');
	if (monthly.length === items.length) {
		// A day of month after the 28th is skipped by shorter months: up to two months between polls.
		return Math.min(...monthly.map((i) => (Number(i.dayOfMonth ?? 1) <= 28 ? 31 : 62))) * DAY_MS;
	}
	const fired = new Set<number>();
	for (const item of items) {
		if (item.mode === 'everyMonth') continue; // rarer than any other poll time: it cannot shorten the longest gap much
		const minutes = firingMinutes(item);
		if (!minutes) return undefined;
		for (const m of minutes) fired.add(((m % WEEK_MINUTES) + WEEK_MINUTES) % WEEK_MINUTES);
	}
	const sorted = [...fired].sort((a, b) => a - b);
	let longest = sorted[0] + WEEK_MINUTES - sorted[sorted.length - 1];
	for (let i = 1; i < sorted.length; i++) longest = Math.max(longest, sorted[i] - sorted[i - 1]);
	return longest * MINUTE_MS;
}

/** "1 minute", "30 minutes", "1 hour 30 minutes", "1 day", "7 days", "1 day 12 hours": the two largest units. */
export function durationWords(ms: number): string {
	let rest = Math.max(1, Math.round(ms / MINUTE_MS)) * MINUTE_MS;
	const parts: string[] = [];
	for (const [size, name] of [
		[DAY_MS, 'day'],
		[HOUR_MS, 'hour'],
		[MINUTE_MS, 'minute'],
	] as const) {
		const n = Math.floor(rest / size);
		rest -= n * size;
		if (n > 0) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
	}
	return parts.slice(0, 2).join(' ');
}

/** Says when the polls are further apart than the refresh interval; undefined when they are not (or cannot be told). */
export function pollSlowerThanRefresh(gapMs: number | undefined, intervalMs: number): string | undefined {
	if (gapMs === undefined || gapMs <= intervalMs) return undefined;
	return (
		`Poll Times check as rarely as every ${durationWords(gapMs)}, but Refresh Every is ${durationWords(intervalMs)}: ` +
		`a sync starts at the first check after it is due, so the audience is refreshed about every ${durationWords(gapMs)}. ` +
		`Add a Poll Time at least every ${durationWords(intervalMs)}, or refresh less often.`
	);
}
