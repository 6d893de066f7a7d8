import { formatNextAllowed } from './guards';

/**
 * The link lifecycle's timing rules (refresh interval, instant-sync cooldown) and what the trigger remembers between
 * polls. The trigger is the one writer of workflow static data (its emits, saved by n8n when it emits; the action
 * nodes never write static data), so a restart of the main process neither repeats nor loses a sync: List Sync's
 * last sync is also read from TikTok's audience history. What is unlinked or deleted lives in the link store
 * (linkStore.ts), which the trigger cannot read (n8n's poll context has no de-duplication helpers): in the process
 * that ran the Unlink the trigger stops emitting at its next poll (the link view below); elsewhere it emits and the
 * sync node, which reads the link store, skips with the reason.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** List Sync: a customer file; Event Sync: a website audience filled by pixel events. */
export type SyncKind = 'list' | 'event';

export type LastSyncSource = 'tiktok' | 'trigger';

export interface SyncEvidence {
	kind: SyncKind;
	/** Newest API change in TikTok's history (history.lastApiChangeAt). Ignored for Event Sync: events leave no trace there. */
	tiktokLastSyncAt?: number;
	/** When this trigger last emitted a sync for the audience, as saved in its static data. */
	triggerLastEmitAt?: number;
}

/** The last sync that really happened, and where that is known from. */
export function lastSync(e: SyncEvidence): { at?: number; source?: LastSyncSource } {
	const tiktok = e.kind === 'list' ? e.tiktokLastSyncAt : undefined;
	const emitted = e.triggerLastEmitAt;
	if (tiktok === undefined && emitted === undefined) return {};
	if (emitted === undefined || (tiktok !== undefined && tiktok >= emitted)) return { at: tiktok, source: 'tiktok' };
	return { at: emitted, source: 'trigger' };
}

/** How long after an emit a sync in TikTok's history counts as the one that emit started (uploads take minutes). */
export const SYNC_LANDS_WITHIN_MS = 10 * MINUTE_MS;

export type DueReason = 'initial' | 'scheduled';

export interface DueDecision {
	due: boolean;
	reason: DueReason;
	lastSyncAt?: number;
	lastSyncSource?: LastSyncSource;
	/** When this sync is (or was) due. */
	dueAt: number;
}

/**
 * Whether a scheduled sync is due. A due sync is identified by its due time, which follows from the last sync; the
 * trigger's own last emit counts as a sync (it is saved with the emit), so one due time is emitted once, restarts
 * included.
 */
export function decideDue(e: SyncEvidence & { now: number; intervalMs: number; lastEmitAt?: number }): DueDecision {
	const { at, source } = lastSync(e);
	// A sync the trigger started lands in TikTok's history its upload time after the emit: the schedule counts from the
	// emit, so it does not slip by an upload's duration every interval (polled every minute, a 1-minute refresh would
	// otherwise run every 2 minutes).
	const startedByEmit = e.lastEmitAt !== undefined && at !== undefined && at >= e.lastEmitAt && at - e.lastEmitAt <= SYNC_LANDS_WITHIN_MS;
	const last = startedByEmit ? (e.lastEmitAt as number) : Math.max(at ?? -Infinity, e.lastEmitAt ?? -Infinity);
	const reason: DueReason = at === undefined ? 'initial' : 'scheduled';
	if (last === -Infinity) return { due: true, reason, dueAt: e.now };
	const dueAt = last + e.intervalMs;
	return { due: e.now >= dueAt, reason, lastSyncAt: at, lastSyncSource: source, dueAt };
}

/** "Instant sync is available again at 14:32 UTC (in 17 minutes)", worded like the sync nodes' cooldown guard. */
export function cooldownMessage(availableAt: number, now: number): string {
	return `Instant sync is available again at ${formatNextAllowed(new Date(availableAt), now)}`;
}

export function durationMs(amount: number, unit: 'minutes' | 'hours' | 'days'): number {
	return amount * (unit === 'days' ? DAY_MS : unit === 'hours' ? HOUR_MS : MINUTE_MS);
}

/** What one trigger node remembers about one audience between polls, in this process only. */
export interface TriggerMemory {
	audienceId?: string;
	/** When the trigger last emitted a scheduled or initial sync. */
	lastEmitAt?: number;
	/** The last "not emitting because…" message logged, so it is said once, not at every poll. */
	reported?: string;
	/** The last Poll Times warning logged (polls further apart than the refresh interval), said once the same way. */
	warned?: string;
}

const triggerMemory = new Map<string, TriggerMemory>();

export function triggerMemoryKey(workflowId: string, nodeId: string, advertiserId: string, audienceRef: string): string {
	return [workflowId, nodeId, advertiserId, audienceRef].join('\u0000');
}

export function recallTrigger(key: string): TriggerMemory {
	return { ...(triggerMemory.get(key) ?? {}) };
}

export function rememberTrigger(key: string, patch: Partial<TriggerMemory>): void {
	triggerMemory.set(key, { ...(triggerMemory.get(key) ?? {}), ...patch });
}

/** The schedule a trigger last computed for an audience, so Get Status can show the next due time. */
export interface ScheduleView {
	nodeName: string;
	status: 'active' | 'paused';
	intervalMs: number;
	nextDueAt?: number;
	polledAt: number;
}

const schedules = new Map<string, ScheduleView>();
const scheduleKey = (workflowId: string, audienceId: string): string => `${workflowId}\u0000${audienceId}`;

export function publishSchedule(workflowId: string, audienceId: string, view: ScheduleView): void {
	schedules.set(scheduleKey(workflowId, audienceId), { ...view });
}

export function scheduleFor(workflowId: string, audienceId: string): ScheduleView | undefined {
	const view = schedules.get(scheduleKey(workflowId, audienceId));
	return view ? { ...view } : undefined;
}

export type LinkSeen = 'linked' | 'unlinked' | 'deleted';

/** What this process saw of audiences' link state, newest first: Unlink/Relink/Delete and syncs that read the link store. */
const linkView = new Map<string, LinkSeen>();

export function noteLinkState(workflowId: string, audienceId: string, state: LinkSeen): void {
	linkView.set(scheduleKey(workflowId, audienceId), state);
}

export function seenLinkState(workflowId: string, audienceId: string): LinkSeen | undefined {
	return linkView.get(scheduleKey(workflowId, audienceId));
}

/** Forgets everything the trigger remembers in process memory, as a restart does (tests simulate restarts with it). */
export function forgetTriggerMemory(): void {
	triggerMemory.clear();
	schedules.clear();
	linkView.clear();
}
