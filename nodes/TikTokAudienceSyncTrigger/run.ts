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
	type TriggerMemory,
} from '../shared/sync/lifecycle';
import { credentialDefaultAdvertiser } from '../shared/tiktok/advertisers';
import { findAudiencesByName, getAudience } from '../shared/tiktok/audiences';
import { lastApiChangeAt } from '../shared/tiktok/history';
import type { Audience, AudienceHistoryEntry } from '../shared/tiktok/schemas';
import { readSettings, type Settings } from './parameters';

/**
 * The trigger, step by step: settings → paused? → the audience (by picker, ID or name) → gone or unlinked? → due? →
 * emit. What it emitted is saved in its own static data (n8n saves it with the emit), the only static data this
 * package writes: a restart neither repeats nor forgets a sync.
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

/** Says why nothing is emitted: an error in a manual run, a single log line in production (not one per poll). */
function notEmitting(ctx: IPollFunctions, key: string, memory: TriggerMemory, message: string, description: string): null {
	if (ctx.getMode() === 'manual') throw new NodeOperationError(ctx.getNode(), message, { description });
	if (memory.reported !== message) {
		ctx.logger.warn(`${ctx.getNode().name}: ${message}. ${description}`);
		rememberTrigger(key, { reported: message });
	}
	return null;
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
		if (memory.audienceId) publishSchedule(workflowId, memory.audienceId, { nodeName: node.name, status: 'paused', intervalMs: s.intervalMs, polledAt: now });
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
	if (audienceId) rememberTrigger(key, { audienceId });
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
	const evidence = {
		kind: s.kind,
		tiktokLastSyncAt: target.state === 'found' ? lastApiChangeAt(target.history) : undefined,
		triggerLastEmitAt: emitted,
	};
	const decision = decideDue({ ...evidence, now, intervalMs: s.intervalMs, lastEmitAt: emitted });
	const item = (reason: string): INodeExecutionData[][] => {
		const json: IDataObject = {
			reason,
			advertiserId: s.advertiserId,
			audienceId: audienceId ?? null,
			audienceName: name,
			kind: s.kind,
			lastSyncAt: iso(decision.lastSyncAt),
			lastSyncSource: decision.lastSyncSource ?? null,
			dueAt: iso(reason === 'instant' ? now : decision.dueAt),
			nextDueAt: iso(now + s.intervalMs),
			triggeredAt: iso(now),
		};
		if (audienceId) publishSchedule(workflowId, audienceId, { nodeName: node.name, status: 'active', intervalMs: s.intervalMs, nextDueAt: now + s.intervalMs, polledAt: now });
		return [[{ json }]];
	};

	if (manual) {
		// Instant Sync: TikTok's history cannot be faked by manual runs, so it bounds the cooldown even after a restart.
		const last = Math.max(decision.lastSyncAt ?? -Infinity, lastEmitAt, memory.lastInstantAt ?? -Infinity);
		const blockedUntil = nextAllowedAfter(last === -Infinity ? undefined : last, s.cooldownMs, now);
		if (blockedUntil !== undefined) {
			throw new NodeOperationError(node, cooldownMessage(+blockedUntil, now), {
				description: `The last sync of "${name}" was at ${iso(last)}; instant syncs need ${s.cooldownMs / 60_000} minutes between syncs.`,
			});
		}
		rememberTrigger(key, { lastInstantAt: now, reported: undefined });
		return item('instant');
	}

	if (audienceId) {
		publishSchedule(workflowId, audienceId, { nodeName: node.name, status: 'active', intervalMs: s.intervalMs, nextDueAt: decision.dueAt, polledAt: now });
	}
	if (!decision.due) return null;
	rememberTrigger(key, { lastEmitAt: now, reported: undefined });
	saveEmit(this, ref, now, audienceId);
	return item(decision.reason);
}
