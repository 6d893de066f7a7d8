import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData, IPollFunctions } from 'n8n-workflow';

import { findAudiencesByName, getAudience } from '../shared/tiktok/audiences';
import type { Audience, AudienceHistoryEntry } from '../shared/tiktok/schemas';
import {
	cooldownMessage,
	decideDue,
	publishSchedule,
	recallTrigger,
	rememberTrigger,
	triggerMemoryKey,
	type TriggerMemory,
} from '../shared/sync/lifecycle';
import { nextAllowedAfter } from '../shared/sync/guards';
import { lastApiChangeAt } from '../shared/tiktok/history';
import { readRegistry, registryEntryByName, type Registry, type RegistryEntry } from '../shared/sync/registry';
import { readSettings, type Settings } from './parameters';

type Target =
	| { state: 'found'; audience: Audience; history: AudienceHistoryEntry[]; entry?: RegistryEntry }
	| { state: 'new'; name: string }
	| { state: 'gone'; audienceId?: string; name: string; entry?: RegistryEntry };

async function resolveTarget(ctx: IPollFunctions, s: Settings, registry: Registry, memory: TriggerMemory): Promise<Target> {
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
			const entry = registryEntryByName(ctx, s.advertiserId, s.audienceRef);
			if (entry || memory.audienceId) return { state: 'gone', audienceId: entry?.audienceId ?? memory.audienceId, name: s.audienceRef, entry };
			return { state: 'new', name: s.audienceRef };
		}
		// Event Sync leaves no trace in an audience's history, so only List Sync needs get/.
		if (s.kind === 'event') return { state: 'found', audience: matches[0], history: [], entry: registry.audiences[matches[0].audience_id] };
		audienceId = matches[0].audience_id;
	}
	const found = await getAudience.call(ctx, s.advertiserId, audienceId);
	const entry = registry.audiences[audienceId];
	if (!found) return { state: 'gone', audienceId, name: entry?.name ?? s.audienceRef, entry };
	return { state: 'found', audience: found.audience, history: s.kind === 'event' ? [] : found.history, entry };
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
	const s = readSettings(this);
	const now = Date.now();
	const node = this.getNode();
	const workflowId = String(this.getWorkflow().id ?? '');
	const key = triggerMemoryKey(workflowId, node.id, s.advertiserId, `${s.by}:${s.audienceRef}`);
	const memory = recallTrigger(key);
	const manual = this.getMode() === 'manual';

	if (s.status === 'paused') {
		if (memory.audienceId) publishSchedule(workflowId, memory.audienceId, { nodeName: node.name, status: 'paused', intervalMs: s.intervalMs, polledAt: now });
		return notEmitting(this, key, memory, 'This trigger is paused', 'Set "Status" to Active to sync the audience again.');
	}

	const registry = readRegistry(this);
	const target = await resolveTarget(this, s, registry, memory);
	if (target.state === 'gone') {
		const deletedHere = target.entry?.deleted === true;
		return notEmitting(
			this,
			key,
			memory,
			`Audience "${target.name}"${target.audienceId ? ` (${target.audienceId})` : ''} no longer exists on TikTok`,
			deletedHere
				? 'It was deleted with the TikTok Unlink/Delete Audience node. Nothing is synced.'
				: 'It was deleted outside this workflow. Nothing is synced; pick another audience.',
		);
	}
	const audienceId = target.state === 'found' ? target.audience.audience_id : undefined;
	const name = target.state === 'found' ? target.audience.name : target.name;
	if (audienceId) rememberTrigger(key, { audienceId });
	if (target.state === 'found' && target.entry?.linked === false) {
		return notEmitting(
			this,
			key,
			memory,
			`Audience "${name}" (${audienceId}) is unlinked`,
			'It was unlinked with the TikTok Unlink/Delete Audience node: it stays on TikTok but is no longer refreshed.',
		);
	}

	const evidence = {
		kind: s.kind,
		tiktokLastSyncAt: target.state === 'found' ? lastApiChangeAt(target.history) : undefined,
		registryLastSyncAt: target.state === 'found' && target.entry?.lastSyncAt ? Date.parse(target.entry.lastSyncAt) : undefined,
	};
	const decision = decideDue({ ...evidence, now, intervalMs: s.intervalMs, lastEmitAt: memory.lastEmitAt });
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
		const last = Math.max(decision.lastSyncAt ?? -Infinity, memory.lastEmitAt ?? -Infinity, memory.lastInstantAt ?? -Infinity);
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
	return item(decision.reason);
}
