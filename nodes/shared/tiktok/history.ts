import type { AudienceHistoryEntry } from './schemas';

/**
 * Reading an audience's change history, as `/dmp/custom_audience/get/` returns it in `audience_history` (TikTok API
 * for Business, Audience Management: https://business-api.tiktok.com/portal/docs). The guards, the REPLACE retry check and the
 * trigger all read "when was it last replaced / last changed through the API" here. Pure functions.
 */

/** TikTok writes times as "YYYY-MM-DD HH:MM:SS" in UTC. */
export function parseTikTokTime(value: string | null | undefined): number | undefined {
	if (!value) return undefined;
	const ms = Date.parse(`${value.replace(' ', 'T')}Z`);
	return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Whether a history entry records a replace. TikTok's update `action` strings are not documented (only `create` is
 * observed); the emulator writes `replace`. Recognized: any action containing "replace" in any case (REPLACE,
 * replace_data, "Replace"), or an update whose detail names REPLACE.
 */
export function isReplaceEntry(entry: AudienceHistoryEntry): boolean {
	const action = (entry.action ?? '').toLowerCase();
	if (action.includes('replace')) return true;
	return /update|modify|edit/.test(action) && /replace/i.test(entry.action_detail ?? '');
}

/** Entries made through the API (`editor: "open_api"`), i.e. by any integration, this package included. */
export function isApiEntry(entry: AudienceHistoryEntry): boolean {
	return (entry.editor ?? '').toLowerCase().replace(/[\s-]/g, '_') === 'open_api';
}

function newest(history: AudienceHistoryEntry[], match: (e: AudienceHistoryEntry) => boolean): number | undefined {
	let best: number | undefined;
	for (const entry of history) {
		if (!match(entry)) continue;
		const at = parseTikTokTime(entry.opt_time);
		if (at !== undefined && (best === undefined || at > best)) best = at;
	}
	return best;
}

/** Time of the newest replace, in epoch ms. */
export function lastReplaceAt(history: AudienceHistoryEntry[]): number | undefined {
	return newest(history, isReplaceEntry);
}

/** Time of the newest change made through the API, in epoch ms. */
export function lastApiChangeAt(history: AudienceHistoryEntry[]): number | undefined {
	return newest(history, isApiEntry);
}

/** Time of the newest whole-list change (a replace, or the create from files), in epoch ms: Mirror's drift clock. */
export function lastWholeListAt(history: AudienceHistoryEntry[]): number | undefined {
	return newest(history, (e) => isReplaceEntry(e) || (e.action ?? '').toLowerCase() === 'create');
}
