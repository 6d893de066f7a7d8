import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { scheduleFor } from '../../shared/sync/lifecycle';
import { readLinkState } from '../../shared/sync/linkStore';
import { isApiEntry, lastApiChangeAt, lastReplaceAt, parseTikTokTime } from '../../shared/tiktok/history';
import { kindOf, type Target } from './target';

/**
 * Get Status: size, validity, expiry, link state (the link store, the same from every n8n process), last sync and the
 * log (TikTok's audience history), and the next due time where the trigger runs in this process.
 */
export const description: INodeProperties[] = [];

const iso = (ms: number | undefined): string | null => (ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString());

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

export async function execute(ctx: IExecuteFunctions, t: Target): Promise<IDataObject> {
	const a = t.found?.audience;
	const kind = kindOf(t);
	const history = t.found?.history ?? [];
	const link = await readLinkState(ctx, t.advertiserId, t.audienceId);
	const apiChanges = history.filter(isApiEntry);
	const newestChange = apiChanges.reduce<(typeof apiChanges)[number] | undefined>(
		(best, h) => ((parseTikTokTime(h.opt_time) ?? 0) > (parseTikTokTime(best?.opt_time) ?? -1) ? h : best),
		undefined,
	);
	// In the process that runs the trigger (regular mode, or the main in queue mode) its schedule is known here.
	const schedule = scheduleFor(t.workflowId, t.audienceId);
	// A "deleted" fact for an audience TikTok still has is a deletion that did not happen (TikTok refused it, or a
	// concurrent reader's probe was written back): the audience is treated as unlinked, never as linked.
	const linkStatus = link.deleted && a === undefined ? 'deleted' : link.unlinked ? 'unlinked' : 'linked';
	const log = history
		.map((h) => ({
			at: iso(parseTikTokTime(h.opt_time)) ?? h.opt_time,
			source: 'tiktok',
			event: h.action ?? '',
			detail: [h.action_detail, h.msg, h.editor ? `by ${h.editor}` : ''].filter(Boolean).join('; '),
		}))
		.sort((x, y) => y.at.localeCompare(x.at));
	return {
		operation: 'getStatus',
		exists: a !== undefined,
		advertiserId: t.advertiserId,
		audienceId: t.audienceId,
		name: a?.name ?? null,
		type: a?.audience_type ?? a?.type ?? null,
		kind,
		pixelIds: pixelIdsOfRule(a?.rule),
		coverNum: a?.cover_num ?? null,
		isValid: a?.is_valid ?? null,
		isExpiring: a?.is_expiring ?? null,
		expiredTime: a?.expired_time ?? null,
		createTime: a?.create_time ?? null,
		linked: linkStatus === 'linked',
		linkStatus,
		// List Sync changes are in TikTok's history; Event Sync leaves none there (events are not audience changes).
		lastSyncAt: kind === 'list' ? iso(lastApiChangeAt(history)) : null,
		lastSyncAction: kind === 'list' ? (newestChange?.action ?? null) : null,
		lastReplaceAt: iso(lastReplaceAt(history)),
		nextDueAt: linkStatus === 'linked' && a !== undefined && schedule?.status === 'active' ? iso(schedule.nextDueAt) : null,
		schedule: schedule
			? { trigger: schedule.nodeName, status: schedule.status, refreshIntervalHours: schedule.intervalMs / 3_600_000, polledAt: iso(schedule.polledAt) }
			: null,
		log,
	};
}
