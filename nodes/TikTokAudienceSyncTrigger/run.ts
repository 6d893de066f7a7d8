import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { nextAllowedAfter } from '../shared/sync/guards';
import {
	cooldownMessage,
	decideDue,
	publishSchedule,
	recallTrigger,
	rememberTrigger,
	seenLinkState,
	triggerMemoryKey,
	type DueDecision,
	type LastSyncSource,
	type SyncKind,
	type TriggerMemory,
} from '../shared/sync/lifecycle';
import { durationWords, pollSlowerThanRefresh } from '../shared/sync/pollTimes';
import { credentialDefaultAdvertiser } from '../shared/tiktok/advertisers';
import { findAudiencesByName, getAudience } from '../shared/tiktok/audiences';
import { lastApiChangeAt } from '../shared/tiktok/history';
import type { Audience, AudienceHistoryEntry } from '../shared/tiktok/schemas';
import { readSettings, type Settings } from './parameters';

/**
 * The trigger, step by step: settings → paused? → the audience (by picker, ID or name) → gone or unlinked? → due? →
 * emit. What it emitted is saved in its own static data (n8n saves it with the emit), the only static data this
 * package writes: a restart neither repeats nor forgets a sync.
 *
 * A run by hand ("Fetch Test Event" or "Execute workflow": n8n runs both alike, mode `manual`) changes nothing that
 * lasts, not even this process's memory: it returns the sync it would start now, an Instant Sync, or inside the
 * cooldown a sample marked `test: true`. The sync node enforces the cooldown, from what persists (TikTok's history).
 */

/** Per audience reference: the last scheduled emit and the audience ID it resolved to. */
interface SavedEmits {
	[ref: string]: { lastEmitAt?: number; audienceId?: string };
}

const SAVED_KEY = 'emits';

function savedEmits(ctx: IPollFunctions): SavedEmits {
	return ((ctx.getWorkflowStaticData('node')[SAVED_KEY] as SavedEmits | undefined) ?? {});
}

/** Saved with the emit: n8n persists a poll trigger's static data when it returns items. Reassigned, so n8n sees it. */
function saveEmit(ctx: IPollFunctions, ref: string, at: number, audienceId: string | undefined): void {
	const data = ctx.getWorkflowStaticData('node');
	data[SAVED_KEY] = { ...savedEmits(ctx), [ref]: { lastEmitAt: at, ...(audienceId ? { audienceId } : {}) } } as unknown as IDataObject;
}

type Target =
	| { state: 'found'; audience: Audience; history: AudienceHistoryEntry[] }
	| { state: 'new'; name: string }
	| { state: 'gone'; audienceId?: string; name: string };

/** `knownId`: the audience ID this reference resolved to before (this process or a saved emit). */
async function resolveTarget(ctx: IPollFunctions, s: Settings, knownId: string | undefined): Promise<Target> {
	let audienceId = s.audienceRef;
	if (s.by === 'name') {
		const matches = await findAudiencesByName.call(ctx, s.advertiserId, s.audienceRef);
		if (matches.length > 1) {
			throw new NodeOperationError(ctx.getNode(), `${matches.length} audiences are named "${s.audienceRef}" on TikTok`, {
				description: `TikTok allows duplicate names; their IDs are ${matches.map((a) => a.audience_id).join(', ')}. Pick the audience By ID.`,
			});
		}
		if (!matches[0]) {
			// Never seen here before: the first sync creates it. Seen before: it was deleted, and must not come back by itself.
			if (knownId) return { state: 'gone', audienceId: knownId, name: s.audienceRef };
			return { state: 'new', name: s.audienceRef };
		}
		// Event Sync leaves no trace in an audience's history, so only List Sync needs get/.
		if (s.kind === 'event') return { state: 'found', audience: matches[0], history: [] };
		audienceId = matches[0].audience_id;
	}
	const found = await getAudience.call(ctx, s.advertiserId, audienceId);
	if (!found) return { state: 'gone', audienceId, name: s.audienceRef };
	return { state: 'found', audience: found.audience, history: s.kind === 'event' ? [] : found.history };
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** Display words for what users read in the item (the stored parameter values stay `list` / `event`). */
const KIND_WORDS: Record<SyncKind, string> = { list: 'List Sync', event: 'Event Sync' };
const SOURCE_WORDS: Record<LastSyncSource, string> = { tiktok: 'TikTok history', trigger: 'this trigger' };

/** Says why nothing is emitted: an error in a manual run, a single log line in production (not one per poll). */
function notEmitting(ctx: IPollFunctions, key: string, memory: TriggerMemory, message: string, description: string): null {
	if (ctx.getMode() === 'manual') throw new NodeOperationError(ctx.getNode(), message, { description });
	if (memory.reported !== message) {
		ctx.logger.warn(`${ctx.getNode().name}: ${message}. ${description}`);
		rememberTrigger(key, { reported: message });
	}
	return null;
}

/** Polls further apart than the refresh interval: said once per process in n8n's log, and in every item. */
function pollWarnings(ctx: IPollFunctions, s: Settings, key: string, memory: TriggerMemory, manual: boolean): string[] {
	const warning = pollSlowerThanRefresh(s.pollGapMs, s.intervalMs);
	if (warning && !manual && memory.warned !== warning) {
		ctx.logger.warn(`${ctx.getNode().name}: ${warning}`);
		rememberTrigger(key, { warned: warning });
	}
	return warning ? [warning] : [];
}

interface Emit {
	reason: 'initial' | 'scheduled' | 'instant';
	test: boolean;
	dueAt: number;
	nextDueAt: number;
	instantSyncAvailableAt?: number;
	message: string;
}

/** What a run by hand returns: an Instant Sync, or inside the cooldown a sample of it (`test: true`). */
function instantEmit(s: Settings, decision: DueDecision, lastSyncAt: number | undefined, now: number): Emit {
	const availableAt = nextAllowedAfter(lastSyncAt, s.cooldownMs, now);
	if (availableAt === undefined) {
		return {
			reason: 'instant',
			test: false,
			dueAt: now,
			nextDueAt: now + s.intervalMs,
			message: 'Instant Sync: with Execute Workflow the sync node syncs the audience now; Fetch Test Event only shows this item.',
		};
	}
	return {
		reason: 'instant',
		test: true,
		dueAt: now,
		nextDueAt: decision.dueAt,
		instantSyncAvailableAt: +availableAt,
		message: `A sample, not a sync: ${cooldownMessage(+availableAt, now)}; the sync node refuses an instant sync until then.`,
	};
}

function scheduledEmit(s: Settings, decision: DueDecision, now: number): Emit {
	const message =
		decision.reason === 'initial'
			? 'First sync: no sync of this audience is known yet.'
			: `Scheduled sync: due ${durationWords(s.intervalMs)} after the last sync.`;
	return { reason: decision.reason, test: false, dueAt: decision.dueAt, nextDueAt: now + s.intervalMs, message };
}

export async function pollAudienceSync(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const s = readSettings(this, await credentialDefaultAdvertiser(this));
	const now = Date.now();
	const node = this.getNode();
	const workflowId = String(this.getWorkflow().id ?? '');
	const ref = `${s.advertiserId}|${s.by}:${s.audienceRef}`;
	const key = triggerMemoryKey(workflowId, node.id, s.advertiserId, `${s.by}:${s.audienceRef}`);
	const saved = savedEmits(this)[ref] ?? {};
	const memory = recallTrigger(key);
	const lastEmitAt = Math.max(memory.lastEmitAt ?? -Infinity, saved.lastEmitAt ?? -Infinity);
	const manual = this.getMode() === 'manual';

	if (s.status === 'paused') {
		if (memory.audienceId && !manual) publishSchedule(workflowId, memory.audienceId, { nodeName: node.name, status: 'paused', intervalMs: s.intervalMs, polledAt: now });
		return notEmitting(this, key, memory, 'This trigger is paused', 'Set "Status" to Active to sync the audience again.');
	}

	const target = await resolveTarget(this, s, memory.audienceId ?? saved.audienceId);
	if (target.state === 'gone') {
		return notEmitting(
			this,
			key,
			memory,
			`Audience "${target.name}"${target.audienceId ? ` (${target.audienceId})` : ''} no longer exists on TikTok`,
			'It was deleted (with the TikTok Unlink/Delete Audience node or in TikTok Ads Manager). Nothing is synced and it is not created again; pick another audience.',
		);
	}
	const audienceId = target.state === 'found' ? target.audience.audience_id : undefined;
	const name = target.state === 'found' ? target.audience.name : target.name;
	if (audienceId && !manual) rememberTrigger(key, { audienceId });
	if (audienceId && seenLinkState(workflowId, audienceId) === 'unlinked') {
		return notEmitting(
			this,
			key,
			memory,
			`Audience "${name}" (${audienceId}) is unlinked`,
			'It was unlinked with the TikTok Unlink/Delete Audience node: it stays on TikTok but is no longer refreshed.',
		);
	}

	const emitted = lastEmitAt === -Infinity ? undefined : lastEmitAt;
	const decision = decideDue({
		kind: s.kind,
		tiktokLastSyncAt: target.state === 'found' ? lastApiChangeAt(target.history) : undefined,
		triggerLastEmitAt: emitted,
		now,
		intervalMs: s.intervalMs,
		lastEmitAt: emitted,
	});
	const warnings = pollWarnings(this, s, key, memory, manual);
	const item = (e: Emit): INodeExecutionData[][] => {
		const json: IDataObject = {
			reason: e.reason,
			test: e.test,
			advertiserId: s.advertiserId,
			audienceId: audienceId ?? null,
			audienceName: name,
			kind: KIND_WORDS[s.kind],
			lastSyncAt: iso(decision.lastSyncAt),
			lastSyncSource: decision.lastSyncSource ? SOURCE_WORDS[decision.lastSyncSource] : null,
			dueAt: iso(e.dueAt),
			nextDueAt: iso(e.nextDueAt),
			instantSyncAvailableAt: iso(e.instantSyncAvailableAt),
			triggeredAt: iso(now),
			message: e.message,
			warnings,
		};
		return [[{ json }]];
	};

	if (manual) {
		// TikTok's history bounds the cooldown even after a restart; the trigger's saved emits cover Event Sync.
		const last = Math.max(decision.lastSyncAt ?? -Infinity, lastEmitAt);
		return item(instantEmit(s, decision, last === -Infinity ? undefined : last, now));
	}

	if (audienceId) {
		publishSchedule(workflowId, audienceId, {
			nodeName: node.name,
			status: 'active',
			intervalMs: s.intervalMs,
			nextDueAt: decision.due ? now + s.intervalMs : decision.dueAt,
			polledAt: now,
		});
	}
	if (!decision.due) return null;
	rememberTrigger(key, { lastEmitAt: now, reported: undefined });
	saveEmit(this, ref, now, audienceId);
	return item(scheduledEmit(s, decision, now));
}
