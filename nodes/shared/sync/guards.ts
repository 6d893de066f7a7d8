import { lastApiChangeAt, lastReplaceAt } from '../tiktok/history';
import type { AudienceHistoryEntry } from '../tiktok/schemas';

/**
 * Sync guards, read from TikTok's own audience history (`/dmp/custom_audience/get/`), so they hold whatever
 * started the change: this node, the trigger, a manual run, another workflow. Pure functions of (history, now).
 *
 * - At most one REPLACE per 24 h per audience (TikTok rejects a second one: "Recommend no more than one replace
 *   operation per day").
 * - The instant-sync cooldown: no change through the API while the newest API change is younger than the cooldown
 *   (CustomerLabs: 30 minutes).
 * - The 1,000-member floor: TikTok fails APPEND/REMOVE/REPLACE that would leave fewer than 1,000 users.
 */
export const REPLACE_INTERVAL_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_COOLDOWN_MS = 30 * 60 * 1000;
export const MIN_AUDIENCE_SIZE = 1000;

export type GuardResult =
	| { ok: true }
	| { ok: false; guard: 'replace_interval' | 'cooldown' | 'floor'; message: string; nextAllowedAt?: Date };

/**
 * When something that may happen once per `intervalMs` after `lastAt` is allowed again; undefined when it is allowed
 * now (or nothing happened yet, or the interval is off). The one piece of arithmetic behind the REPLACE interval, the
 * sync nodes' cooldown and the trigger's Instant Sync cooldown.
 */
export function nextAllowedAfter(lastAt: number | undefined, intervalMs: number, now: Date | number): Date | undefined {
	if (lastAt === undefined || !(intervalMs > 0)) return undefined;
	const next = lastAt + intervalMs;
	return next > +now ? new Date(next) : undefined;
}

/** When the next sync is allowed under the cooldown; undefined when it is allowed now (or the cooldown is off). */
export function nextAllowedSync(history: AudienceHistoryEntry[], now: Date | number, cooldownMs: number): Date | undefined {
	return nextAllowedAfter(lastApiChangeAt(history), cooldownMs, now);
}

/** When the next REPLACE is allowed; undefined when it is allowed now. */
export function nextAllowedReplace(history: AudienceHistoryEntry[], now: Date | number): Date | undefined {
	return nextAllowedAfter(lastReplaceAt(history), REPLACE_INTERVAL_MS, now);
}

const pad = (n: number) => String(n).padStart(2, '0');

function duration(ms: number): string {
	const minutes = Math.max(1, Math.ceil(ms / 60_000));
	if (minutes < 60) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
	const hours = Math.floor(minutes / 60);
	const rest = minutes % 60;
	const h = `${hours} hour${hours === 1 ? '' : 's'}`;
	return rest === 0 ? h : `${h} ${rest} minute${rest === 1 ? '' : 's'}`;
}

/** "14:32 UTC (in 17 minutes)"; the date is added when it is not today (UTC). */
export function formatNextAllowed(at: Date, now: Date | number): string {
	const nowDate = new Date(+now);
	const sameDay = at.toISOString().slice(0, 10) === nowDate.toISOString().slice(0, 10);
	const time = `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())} UTC`;
	return `${sameDay ? '' : `${at.toISOString().slice(0, 10)} `}${time} (in ${duration(+at - +now)})`;
}

export function checkReplaceAllowed(history: AudienceHistoryEntry[], now: Date | number): GuardResult {
	const next = nextAllowedReplace(history, now);
	if (!next) return { ok: true };
	return {
		ok: false,
		guard: 'replace_interval',
		nextAllowedAt: next,
		message: `Replace All is allowed once per 24 hours per audience and this audience was last replaced less than 24 hours ago. The next replace is allowed at ${formatNextAllowed(next, now)}; use Add or Remove until then.`,
	};
}

export function checkCooldown(history: AudienceHistoryEntry[], now: Date | number, cooldownMs: number): GuardResult {
	const next = nextAllowedSync(history, now, cooldownMs);
	if (!next) return { ok: true };
	return {
		ok: false,
		guard: 'cooldown',
		nextAllowedAt: next,
		message: `Instant sync is available again at ${formatNextAllowed(next, now)}: the audience was changed through the API less than ${duration(cooldownMs)} ago. Set "Instant Sync Cooldown (Minutes)" to 0 to turn this check off.`,
	};
}

/**
 * The 1,000-member floor, estimated before sending from `cover_num` (TikTok's matched users): a REMOVE could leave
 * `coverNum - rowsSent`, a REPLACE at most `rowsSent`, an APPEND at most `coverNum + rowsSent`. While an audience
 * is still being calculated (`isValid` false) TikTok shows a stale or zero `cover_num`: an APPEND is then not
 * judged by it (it can only grow the audience); a REMOVE still is (it errs on the side of sending nothing).
 */
export function checkFloor(coverNum: number, action: 'APPEND' | 'REMOVE' | 'REPLACE', rowsSent: number, isValid = true): GuardResult {
	if (action === 'APPEND' && !isValid) return { ok: true };
	const after = action === 'REMOVE' ? coverNum - rowsSent : action === 'REPLACE' ? rowsSent : coverNum + rowsSent;
	if (after >= MIN_AUDIENCE_SIZE) return { ok: true };
	const fmt = (n: number) => n.toLocaleString('en-US');
	const what =
		action === 'REMOVE'
			? `Removing ${fmt(rowsSent)} rows from an audience of ${fmt(coverNum)} matched users could leave ${fmt(Math.max(0, after))}`
			: action === 'REPLACE'
				? `Replacing the audience with ${fmt(rowsSent)} rows would leave at most ${fmt(after)} users`
				: `Adding ${fmt(rowsSent)} rows to an audience of ${fmt(coverNum)} matched users would reach at most ${fmt(after)}`;
	return {
		ok: false,
		guard: 'floor',
		message: `${what}, under TikTok's ${fmt(MIN_AUDIENCE_SIZE)}-member floor: TikTok rejects such updates. Nothing was sent. Send more rows, or turn off "Stop Below 1,000 Members" to try anyway.`,
	};
}

/**
 * The floor for a run that adds and removes (From Each Row, Mirror): judged as an APPEND when it removes nobody,
 * else by the audience's matched size less the removals plus the additions (at most what it can be after).
 */
export function checkFloorAfter(coverNum: number, added: number, removed: number, isValid = true): GuardResult {
	if (removed === 0) return checkFloor(coverNum, 'APPEND', added, isValid);
	const after = coverNum - removed + added;
	if (after >= MIN_AUDIENCE_SIZE) return { ok: true };
	const fmt = (n: number) => n.toLocaleString('en-US');
	return {
		ok: false,
		guard: 'floor',
		message: `Removing ${fmt(removed)} and adding ${fmt(added)} people in an audience of ${fmt(coverNum)} matched users could leave ${fmt(Math.max(0, after))}, under TikTok's ${fmt(MIN_AUDIENCE_SIZE)}-member floor: TikTok rejects such updates. Nothing was sent. Turn off "Stop Below 1,000 Members" to try anyway.`,
	};
}
