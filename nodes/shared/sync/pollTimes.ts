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

/**
 * Marks the minutes of the week (0 = Sunday 00:00) at which a poll time fires; false when not computed here (a Custom
 * cron, an Every X of 0). Cron steps restart every hour (minutes) or every day (hours): every 45 minutes fires at :00
 * and :45.
 */
function markFirings(item: PollTime, fired: Uint8Array): boolean {
	const minute = Number(item.minute ?? 0);
	const hour = Number(item.hour ?? 0);
	const every = (step: number, offset: number): void => {
		for (let m = offset % step; m < WEEK_MINUTES; m += step) fired[m] = 1;
	};
	switch (item.mode) {
		case 'everyMinute':
			every(1, 0);
			return true;
		case 'everyHour':
			every(60, minute);
			return true;
		case 'everyDay':
			every(1440, hour * 60 + minute);
			return true;
		case 'everyWeek':
			fired[(Number(item.weekday ?? 1) * 1440 + hour * 60 + minute) % WEEK_MINUTES] = 1;
			return true;
		case 'everyX': {
			const value = Math.floor(Number(item.value));
			if (!(value > 0)) return false;
			const [period, unit] = item.unit === 'minutes' ? [60, 1] : [1440, 60];
			for (let slot = 0; slot * unit < period; slot += value) every(period, slot * unit);
			return true;
		}
		default:
			return false;
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
	const fired = new Uint8Array(WEEK_MINUTES);
	for (const item of items) {
		if (item.mode === 'everyMonth') continue; // rarer than any other poll time: it cannot shorten the longest gap much
		if (!markFirings(item, fired)) return undefined;
	}
	let first = -1;
	let previous = -1;
	let longest = 0;
	for (let m = 0; m < WEEK_MINUTES; m++) {
		if (!fired[m]) continue;
		if (first < 0) first = m;
		else longest = Math.max(longest, m - previous);
		previous = m;
	}
	return Math.max(longest, first + WEEK_MINUTES - previous) * MINUTE_MS;
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
