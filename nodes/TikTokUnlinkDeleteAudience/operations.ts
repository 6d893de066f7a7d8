import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';

import { deleteAudiences, getAudience, parseTikTokTime, type AudienceWithHistory } from '../shared/tiktok/audiences';
import { lastApiChangeAt } from '../shared/sync/guards';
import { scheduleFor } from '../shared/sync/lifecycle';
import { persistsStaticData, recordInRegistry, registryEntry, type RegistryEntry, type SyncKind } from '../shared/sync/registry';

type Operation = 'getStatus' | 'unlink' | 'relink' | 'delete';

interface Target {
	itemIndex: number;
	advertiserId: string;
	audienceId: string;
	found?: AudienceWithHistory;
	entry?: RegistryEntry;
}

const iso = (ms: number | undefined): string | null => (ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

function kindOf(t: Target): SyncKind {
	if (t.entry) return t.entry.kind;
	const type = t.found?.audience.audience_type ?? t.found?.audience.type ?? '';
	return /website|pixel/i.test(type) ? 'event' : 'list';
}

/** Pixel IDs a website audience's rule reads (`event_source_ids`, wherever TikTok nests them). */
export function pixelIdsOfRule(rule: string | null | undefined): string[] {
	if (!rule) return [];
	let parsed: unknown;
	try {
		parsed = JSON.parse(rule);
	} catch {
		return [];
	}
	const ids = new Set<string>();
	const walk = (v: unknown): void => {
		if (Array.isArray(v)) v.forEach(walk);
		else if (v && typeof v === 'object') {
			for (const [k, child] of Object.entries(v)) {
				if (k === 'event_source_ids' && Array.isArray(child)) child.forEach((id) => ids.add(String(id)));
				else walk(child);
			}
		}
	};
	walk(parsed);
	return [...ids];
}

function status(ctx: IExecuteFunctions, t: Target): IDataObject {
	const a = t.found?.audience;
	const kind = kindOf(t);
	const history = t.found?.history ?? [];
	const tiktokLast = kind === 'list' ? lastApiChangeAt(history) : undefined;
	const registryLast = t.entry?.lastSyncAt ? Date.parse(t.entry.lastSyncAt) : undefined;
	const lastSyncAt = Math.max(tiktokLast ?? -Infinity, registryLast ?? -Infinity);
	const schedule = scheduleFor(String(ctx.getWorkflow().id ?? ''), t.audienceId);
	const log = [
		...(t.entry?.log ?? []).map((l) => ({ at: l.at, source: 'registry', event: l.event, detail: l.detail })),
		...history.map((h) => ({
			at: iso(parseTikTokTime(h.opt_time)) ?? h.opt_time,
			source: 'tiktok',
			event: h.action ?? '',
			detail: [h.action_detail, h.msg, h.editor ? `by ${h.editor}` : ''].filter(Boolean).join('; '),
		})),
	].sort((x, y) => y.at.localeCompare(x.at));
	const linked = t.entry ? t.entry.linked : null;
	return {
		operation: 'getStatus',
		exists: a !== undefined,
		advertiserId: t.advertiserId,
		audienceId: t.audienceId,
		name: a?.name ?? t.entry?.name ?? null,
		type: a?.audience_type ?? a?.type ?? null,
		kind,
		pixelIds: pixelIdsOfRule(a?.rule),
		coverNum: a?.cover_num ?? null,
		isValid: a?.is_valid ?? null,
		isExpiring: a?.is_expiring ?? null,
		expiredTime: a?.expired_time ?? null,
		createTime: a?.create_time ?? null,
		linked,
		linkStatus: linked === null ? 'not synced by this workflow' : linked ? 'linked' : 'unlinked',
		lastSyncAt: iso(lastSyncAt),
		lastSyncAction: t.entry?.lastAction ?? null,
		lastReplaceAt: t.entry?.lastReplaceAt ?? null,
		nextDueAt: linked !== false && a !== undefined && schedule?.status === 'active' ? iso(schedule.nextDueAt) : null,
		schedule: schedule
			? { trigger: schedule.nodeName, status: schedule.status, refreshIntervalHours: schedule.intervalMs / 3_600_000, polledAt: iso(schedule.polledAt) }
			: null,
		log,
	};
}

function mustExist(ctx: IExecuteFunctions, t: Target): AudienceWithHistory {
	if (t.found) return t.found;
	const when = t.entry?.deleted ? ` It was deleted with this node (${t.entry.log.filter((l) => l.event === 'deleted').pop()?.at ?? 'time unknown'}).` : '';
	throw new NodeOperationError(ctx.getNode(), `Audience ${t.audienceId} does not exist on TikTok`, {
		description: `Check the audience ID and the advertiser (${t.advertiserId}).${when} Nothing was changed.`,
		itemIndex: t.itemIndex,
	});
}

function confirmName(ctx: IExecuteFunctions, t: Target, name: string): void {
	const typed = String(ctx.getNodeParameter('confirmName', t.itemIndex, ''));
	if (typed === name) return;
	throw new NodeOperationError(ctx.getNode(), `"Confirm Audience Name" does not match: expected "${name}"`, {
		description: `The audience's current name on TikTok is "${name}"; you typed "${typed}". Type it exactly. Nothing was changed.`,
		itemIndex: t.itemIndex,
	});
}

/** Unlink and Relink exist only in the registry, which n8n does not save for manual runs: refuse rather than pretend. */
function requireProductionRun(ctx: IExecuteFunctions, t: Target, operation: string): void {
	if (persistsStaticData(ctx)) return;
	throw new NodeOperationError(ctx.getNode(), `${operation} cannot run from "Execute workflow"`, {
		description:
			`n8n does not save workflow static data in manual runs, so the ${operation.toLowerCase()} would not stick. ` +
			'Add a Webhook or Form Trigger to this workflow, connect it to this node, activate the workflow and call it. Nothing was changed.',
		itemIndex: t.itemIndex,
	});
}

async function runOne(this: IExecuteFunctions, itemIndex: number): Promise<IDataObject> {
	const operation = this.getNodeParameter('operation', itemIndex) as Operation;
	const advertiserId = String(this.getNodeParameter('advertiserId', itemIndex, '', { extractValue: true }) ?? '').trim();
	const audienceId = String(this.getNodeParameter('audience', itemIndex, '', { extractValue: true }) ?? '').trim();
	if (!advertiserId || !audienceId) {
		throw new NodeOperationError(this.getNode(), 'Advertiser and audience are required', {
			description: 'Pick the advertiser and the audience (from the list or by ID).',
			itemIndex,
		});
	}
	const t: Target = { itemIndex, advertiserId, audienceId, entry: registryEntry(this, audienceId) };
	if (operation === 'unlink' || operation === 'relink') requireProductionRun(this, t, operation === 'unlink' ? 'Unlink' : 'Relink');
	t.found = await getAudience.call(this, advertiserId, audienceId, itemIndex);
	if (operation === 'getStatus') return status(this, t);

	const { audience } = mustExist(this, t);
	const base = { operation, advertiserId, audienceId, name: audience.name };
	const update = { audienceId, name: audience.name, advertiserId, kind: kindOf(t), at: new Date(Date.now()) };

	if (operation === 'unlink') {
		confirmName(this, t, audience.name);
		if (t.entry?.linked === false) return { ...base, unlinked: true, alreadyUnlinked: true };
		recordInRegistry(this, [
			{ ...update, event: 'unlinked', detail: 'Unlinked: this workflow no longer syncs it; it stays on TikTok', linked: false },
		]);
		return { ...base, unlinked: true, alreadyUnlinked: false };
	}
	if (operation === 'relink') {
		if (t.entry?.linked !== false) return { ...base, linked: true, alreadyLinked: true };
		recordInRegistry(this, [{ ...update, event: 'relinked', detail: 'Relinked: this workflow syncs it again', linked: true }]);
		return { ...base, linked: true, alreadyLinked: false };
	}

	confirmName(this, t, audience.name);
	const requestId = await deleteAudiences.call(this, advertiserId, [audienceId], itemIndex);
	// Recorded at once, not at the end of the run: the deletion happened even if a later item fails.
	const recorded = recordInRegistry(this, [
		{ ...update, event: 'deleted', detail: `Deleted from TikTok (request_id ${requestId})`, linked: false, deleted: true },
	]);
	return {
		...base,
		deleted: true,
		requestId,
		recordedInLog: recorded,
		...(recorded ? {} : { note: 'Manual run: n8n does not save the registry log of manual runs, so this deletion is not in the log.' }),
	};
}

export async function runLifecycleOperations(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			out.push({ json: await runOne.call(this, i), pairedItem: { item: i } });
		} catch (error) {
			if (this.continueOnFail()) {
				out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
				continue;
			}
			if (error instanceof NodeApiError) throw new NodeApiError(this.getNode(), error as unknown as JsonObject, { itemIndex: i });
			throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
		}
	}
	return [out];
}
