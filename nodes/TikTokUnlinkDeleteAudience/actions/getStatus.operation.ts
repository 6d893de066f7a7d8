import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { scheduleFor, type ScheduleView } from '../../shared/sync/lifecycle';
import { readLinkState } from '../../shared/sync/linkStore';
import { durationWords } from '../../shared/sync/pollTimes';
import { isApiEntry, lastApiChangeAt, lastReplaceAt, parseTikTokTime } from '../../shared/tiktok/history';
import type { AudienceHistoryEntry } from '../../shared/tiktok/schemas';
import { kindOf, type Target } from './target';

/**
 * Get Status: size, validity, expiry, link state (the link store, the same from every n8n process), last sync and the
 * log (TikTok's audience history), and the next due time where the trigger runs in this process. What it cannot know
 * here (Event Sync leaves no history; a trigger's schedule lives in the process that polls) is said in `notes`.
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

/**
 * TikTok's history actions in the words of the Upsert node's Action options. TikTok documents only `create`; the
 * others are the emulator's (test/emulator/README.md). Unknown actions are shown as TikTok wrote them, capitalized.
 */
const ACTION_WORDS: Record<string, string> = {
	create: 'Create',
	append: 'Add',
	remove: 'Remove',
	replace: 'Replace All',
	update: 'Update',
	rename: 'Rename',
};

export function historyActionWords(action: string | null | undefined): string {
	const raw = (action ?? '').trim();
	const known = ACTION_WORDS[raw.toLowerCase()];
	if (known) return known;
	const spaced = raw.replace(/_/g, ' ').toLowerCase();
	return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** Who made a history entry: `open_api` is any integration through TikTok's API (this package included). */
function editorWords(entry: AudienceHistoryEntry): string {
	if (!entry.editor) return '';
	return isApiEntry(entry) ? 'by API' : `by ${entry.editor}`;
}

function scheduleView(schedule: ScheduleView | undefined): IDataObject | null {
	if (!schedule) return null;
	return {
		trigger: schedule.nodeName,
		status: schedule.status === 'active' ? 'Active' : 'Paused',
		refreshEvery: durationWords(schedule.intervalMs),
		polledAt: iso(schedule.polledAt),
	};
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
	// List Sync changes are in TikTok's history; Event Sync leaves none there (events are not audience changes).
	const lastSyncAt = kind === 'list' ? lastApiChangeAt(history) : undefined;
	const notes: string[] = [];
	if (a === undefined) {
		notes.push(`TikTok has no audience ${t.audienceId} for advertiser ${t.advertiserId}${linkStatus === 'deleted' ? ': it was deleted with this workflow' : ''}.`);
	} else if (linkStatus === 'unlinked') {
		notes.push("Unlinked: this workflow's sync nodes skip this audience. Relink to sync it again.");
	}
	if (a !== undefined && kind === 'event') {
		notes.push("Event Sync sends pixel events, which TikTok does not record in the audience's history: the last sync is not known here. The Send Sync Event execution shows what was sent.");
	} else if (a !== undefined && lastSyncAt === undefined) {
		notes.push("No change through the API in TikTok's history yet.");
	}
	if (a !== undefined && linkStatus === 'linked' && schedule === undefined) {
		notes.push(
			"Next due time unknown here: no Audience Sync Trigger of this workflow has polled this audience in this n8n process since it started. A trigger keeps its schedule in the process that polls; n8n keeps nothing of a run by hand. Syncs made by hand are in TikTok's history (lastSyncAt).",
		);
	}
	const log = history
		.map((h) => ({
			at: iso(parseTikTokTime(h.opt_time)) ?? h.opt_time,
			source: 'TikTok',
			event: historyActionWords(h.action),
			detail: [h.action_detail, h.msg, editorWords(h)].filter(Boolean).join('; '),
		}))
		.sort((x, y) => y.at.localeCompare(x.at));
	return {
		operation: 'Get Status',
		exists: a !== undefined,
		advertiserId: t.advertiserId,
		audienceId: t.audienceId,
		name: a?.name ?? null,
		type: a?.audience_type ?? a?.type ?? null,
		kind: kind === 'list' ? 'List Sync' : 'Event Sync',
		pixelIds: pixelIdsOfRule(a?.rule),
		audienceSize: a?.cover_num ?? null,
		audienceValid: a?.is_valid ?? null,
		isExpiring: a?.is_expiring ?? null,
		expiresAt: iso(parseTikTokTime(a?.expired_time)),
		createdAt: iso(parseTikTokTime(a?.create_time)),
		linked: linkStatus === 'linked',
		linkStatus,
		lastSyncAt: iso(lastSyncAt),
		lastSyncAction: kind === 'list' && newestChange ? historyActionWords(newestChange.action) : null,
		lastSyncSource: lastSyncAt === undefined ? null : 'TikTok history',
		lastReplaceAt: iso(lastReplaceAt(history)),
		nextDueAt: linkStatus === 'linked' && a !== undefined && schedule?.status === 'active' ? iso(schedule.nextDueAt) : null,
		schedule: scheduleView(schedule),
		notes,
		log,
	};
}
