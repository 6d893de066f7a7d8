import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { scheduleFor } from '../../shared/sync/lifecycle';
import { getAudience } from '../../shared/tiktok/audiences';
import { lastApiChangeAt, parseTikTokTime } from '../../shared/tiktok/history';
import { kindOf, type Target } from './target';

/** Get Status: size, validity, expiry, link state, last sync, next due time, and the log (registry + TikTok history). */
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
	t.found = await getAudience.call(ctx, t.advertiserId, t.audienceId, t.itemIndex);
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
