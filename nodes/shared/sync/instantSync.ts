import { MINUTE_MS } from './lifecycle';
import { probe, recordVerified, type StoreContext } from './linkStore';

/**
 * Event Sync's Instant Sync cooldown, kept where every n8n process and every restart sees it: n8n's de-duplication
 * store, workflow scope (the link store's row and protocol, see linkStore.ts and the README's "Scaling"). Events leave
 * no trace in TikTok's audience history, so, unlike List Sync, Event Sync cannot read its last sync from TikTok.
 *
 * An instant sync (a manual run of Send Sync Event that sent events) records the minute it happened, keyed by
 * advertiser, pixel, event name and audience (when given). A later manual run probes the minutes of the cooldown
 * window: at most MAX_COOLDOWN_MINUTES + 1 values in one read, whatever the history. A sync recorded in minute m
 * blocks until the end of that minute plus the cooldown: never shorter than the cooldown, at most a minute longer.
 * Scheduled, webhook and trigger runs follow their refresh interval instead: they neither check nor record.
 *
 * One value (an MD5 in n8n's row) per instant sync stays in the row; instant syncs are manual, so that is a few a day.
 */

/** The longest cooldown: 24 hours, so a probe reads at most 1,441 values. */
export const MAX_COOLDOWN_MINUTES = 1440;

/** What one instant sync is about; `audienceId` is '' when Send Sync Event has none. */
export interface InstantSyncKey {
	advertiserId: string;
	pixelCode: string;
	event: string;
	audienceId: string;
}

export function instantSyncValue(key: InstantSyncKey, minute: number): string {
	return `tiktok-audience-sync/v1/instant-sync/${JSON.stringify([key.advertiserId, key.pixelCode, key.event, key.audienceId, minute])}`;
}

/** The minutes (since the epoch) whose instant sync would still block at `now`, oldest first. */
export function cooldownMinutes(now: number, cooldownMs: number): number[] {
	const window = Math.min(cooldownMs, MAX_COOLDOWN_MINUTES * MINUTE_MS);
	if (!(window > 0)) return [];
	const first = Math.floor((now - window) / MINUTE_MS);
	const last = Math.floor(now / MINUTE_MS);
	return Array.from({ length: last - first + 1 }, (_, k) => first + k);
}

/** When an instant sync recorded in `minute` stops blocking. */
export function availableAfter(minute: number, cooldownMs: number): number {
	return (minute + 1) * MINUTE_MS + Math.min(cooldownMs, MAX_COOLDOWN_MINUTES * MINUTE_MS);
}

/** When the next instant sync is allowed, or undefined when it is allowed now. */
export async function instantSyncBlockedUntil(ctx: StoreContext, key: InstantSyncKey, now: number, cooldownMs: number): Promise<number | undefined> {
	const minutes = cooldownMinutes(now, cooldownMs);
	if (minutes.length === 0) return undefined;
	const found = await probe(
		ctx,
		minutes.map((m) => instantSyncValue(key, m)),
	);
	const newest = minutes.filter((m) => found.has(instantSyncValue(key, m))).pop();
	if (newest === undefined) return undefined;
	const until = availableAfter(newest, cooldownMs);
	return until > now ? until : undefined;
}

/** Records an instant sync at `now`, confirmed as the link store confirms its facts. */
export async function recordInstantSync(ctx: StoreContext, key: InstantSyncKey, now: number): Promise<void> {
	await recordVerified(ctx, [instantSyncValue(key, Math.floor(now / MINUTE_MS))]);
}
