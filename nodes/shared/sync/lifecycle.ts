import { formatNextAllowed } from './guards';
import type { SyncKind } from './registry';

/**
 * The link lifecycle's timing rules (refresh interval, instant-sync cooldown) and what the trigger remembers between
 * polls. The trigger never writes static data (see registry.ts), so its memory lives in this process only; after a
 * restart it is rebuilt from TikTok's audience history and the registry, which are the truth.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

export type LastSyncSource = 'tiktok' | 'registry';

export interface SyncEvidence {
	kind: SyncKind;
	/** Newest API change in TikTok's history (guards.lastApiChangeAt). Ignored for Event Sync: events leave no trace there. */
	tiktokLastSyncAt?: number;
	/** `lastSyncAt` of the registry entry. */
	registryLastSyncAt?: number;
}

/** The last sync that really happened, and where that is known from. */
export function lastSync(e: SyncEvidence): { at?: number; source?: LastSyncSource } {
	const tiktok = e.kind === 'list' ? e.tiktokLastSyncAt : undefined;
	const registry = e.registryLastSyncAt;
	if (tiktok === undefined && registry === undefined) return {};
	if (registry === undefined || (tiktok !== undefined && tiktok >= registry)) return { at: tiktok, source: 'tiktok' };
	return { at: registry, source: 'registry' };
}

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
 * trigger's own last emit counts as a sync, so one due time is emitted once per process. After a restart the emit is
 * forgotten, but a sync that ran has moved TikTok's history (List Sync) or the registry (Event Sync) past it.
 */
export function decideDue(e: SyncEvidence & { now: number; intervalMs: number; lastEmitAt?: number }): DueDecision {
	const { at, source } = lastSync(e);
	const last = Math.max(at ?? -Infinity, e.lastEmitAt ?? -Infinity);
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
	/** When the trigger last emitted an instant sync (a manual run). */
	lastInstantAt?: number;
	/** The last "not emitting because…" message logged, so it is said once, not at every poll. */
	reported?: string;
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

/** Forgets everything the trigger remembers, as a restart does (tests simulate restarts with it). */
export function forgetTriggerMemory(): void {
	triggerMemory.clear();
	schedules.clear();
}
