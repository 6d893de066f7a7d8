// How an audience looks from outside at a given clock time: membership (stored hashes or computed from pixel
// events), cover_num, is_valid, expiry, and the list/get field shapes.
import { DAY_MS, formatTikTokTime } from './clock.cts';
import type { Audience, EmulatorContext, StoredEvent } from './state.cts';
import type { Obj } from './validate.cts';

const YEAR_DAYS = 365;
const EXPIRING_DAYS = 60;

/** Rule filter `value` → Events API event names that satisfy it. Values not listed match an event of the same name
 * (custom events). The pairing is inferred from TikTok's filter enum (UNCONFIRMED; README). */
export const FILTER_VALUE_EVENTS: Record<string, string[]> = {
	'PAGE BROWSE': ['PageView'],
	'PRODUCT DETAIL PAGE BROWSE': ['ViewContent'],
	'CLICK BUTTON': ['ClickButton'],
	'PIXEL SUBMIT FORM': ['SubmitForm', 'Lead'],
	CONTACT: ['Contact'],
	DOWNLOAD: ['Download'],
	'PIXEL ADD PAYMENT INFO': ['AddPaymentInfo'],
	'COMPLETE PAYMENT': ['CompletePayment', 'Purchase'],
	'PIXEL COMPLETE PAYMENT': ['CompletePayment', 'Purchase'],
	'INITIATE CHECKOUT': ['InitiateCheckout'],
	'COMPLETE REGISTRATION': ['CompleteRegistration'],
	'PIXEL SEARCH': ['Search'],
	'PIXEL ADD TO CART': ['AddToCart'],
	'PLACE AN ORDER': ['PlaceAnOrder'],
	'PIXEL ADD TO WISHLIST': ['AddToWishlist'],
	'PIXEL SUBSCRIBE': ['Subscribe'],
};

function candidates(ev: StoredEvent, field: string): Array<string | number> {
	const p = ev.properties;
	const contents = Array.isArray(p.contents) ? (p.contents as Obj[]).filter((c) => c && typeof c === 'object') : [];
	switch (field) {
		case 'URL':
			return ev.url === null ? [] : [ev.url];
		case 'CONTENT_TYPE':
			return typeof p.content_type === 'string' ? [p.content_type] : [];
		case 'CONTENT_ID':
			return [
				...(Array.isArray(p.content_ids) ? p.content_ids.map(String) : []),
				...contents.map((c) => c.content_id).filter((v) => v !== undefined).map(String),
			];
		case 'CONTENT_CATEGORY':
			return contents.map((c) => c.content_category).filter((v) => typeof v === 'string') as string[];
		case 'VALUE':
			return typeof p.value === 'number' ? [p.value] : [];
		case 'PRICE':
			return contents.map((c) => c.price).filter((v) => typeof v === 'number') as number[];
		default:
			return [];
	}
}

function compare(op: string, have: string | number, want: string): boolean {
	const a = Number(have);
	const b = Number(want);
	switch (op) {
		case 'EQ':
			return String(have) === want;
		case 'CONTAINS':
			return String(have).includes(want);
		case 'IS_GREATER_THAN':
			return a > b;
		case 'IS_GREATER_THAN_OR_EQUAL_TO':
		case 'IS_GRETER_THAN_OR_EQUAL_TO':
			return a >= b;
		case 'IS_LESS_THAN':
			return a < b;
		case 'IS_LESS_THAN_OR_EQUAL_TO':
			return a <= b;
		default:
			return false;
	}
}

function parameterFilterMatches(ev: StoredEvent, pf: Obj): boolean {
	const have = candidates(ev, String(pf.field));
	const values = (pf.values as string[]) ?? [];
	const op = String(pf.operator);
	// Negative operators hold when no candidate matches any value; positive ones when some pair matches.
	if (op === 'DOES_NOT_CONTAIN') return !have.some((h) => values.some((v) => compare('CONTAINS', h, v)));
	if (op === 'NOT_EQUAL') return !have.some((h) => values.some((v) => compare('EQ', h, v)));
	return have.some((h) => values.some((v) => compare(op, h, v)));
}

function filterMatches(ev: StoredEvent, filter: Obj): boolean {
	const value = String(filter.value);
	const names = FILTER_VALUE_EVENTS[value] ?? [value];
	if (!names.includes(ev.event)) return false;
	const pfs = Array.isArray(filter.parameter_filters) ? (filter.parameter_filters as Obj[]) : [];
	return pfs.every((pf) => parameterFilterMatches(ev, pf));
}

function ruleMembers(emu: EmulatorContext, rule: Obj, atMs: number): Set<string> {
	const out = new Set<string>();
	const from = atMs - Number(rule.retention_days) * DAY_MS;
	const filters = ((rule.filter_set as Obj).filters as Obj[]) ?? [];
	for (const pixelId of (rule.event_source_ids as string[]) ?? []) {
		const pixel = emu.seed.pixels.find((p) => p.pixel_id === pixelId);
		const events = pixel ? emu.state.events.get(pixel.pixel_code)?.live : undefined;
		for (const ev of events ?? []) {
			const t = ev.event_time * 1000;
			if (ev.user_key === null || t < from || t > atMs) continue;
			if (filters.some((f) => filterMatches(ev, f))) out.add(ev.user_key);
		}
	}
	return out;
}

function ruleSetMembers(emu: EmulatorContext, set: Obj | undefined, atMs: number): Set<string> {
	if (!set) return new Set();
	const parts = ((set.rules as Obj[]) ?? []).map((r) => ruleMembers(emu, r, atMs));
	if (parts.length === 0) return new Set();
	if (set.operator === 'AND') return parts.reduce((acc, s) => new Set([...acc].filter((k) => s.has(k))));
	return parts.reduce((acc, s) => new Set([...acc, ...s]), new Set<string>());
}

/** Website audiences: users (by hashed identity) with a matching, non-test event within the lookback window. */
export function pixelMembers(emu: EmulatorContext, aud: Audience, atMs: number): Set<string> {
	const spec = aud.ruleSpec ?? {};
	const include = ruleSetMembers(emu, spec.inclusion_rule_set as Obj | undefined, atMs);
	const exclude = ruleSetMembers(emu, spec.exclusion_rule_set as Obj | undefined, atMs);
	for (const k of exclude) include.delete(k);
	return include;
}

/** Members at `now`: auto-refresh website audiences roll daily with the clock; others are fixed at calculation. */
export function membersOf(emu: EmulatorContext, aud: Audience, now: number): Set<string> {
	if (aud.kind === 'CUSTOMER_FILE') return aud.members;
	return pixelMembers(emu, aud, aud.isAutoRefresh ? now : Math.min(now, aud.readyAt));
}

export interface AudienceStatus {
	expiresAt: number;
	expired: boolean;
	ready: boolean;
	memberCount: number;
	cover: number;
	isValid: boolean;
	isExpiring: boolean;
}

export function statusOf(emu: EmulatorContext, aud: Audience, now: number): AudienceStatus {
	const expiresAt =
		aud.retentionInDays !== undefined
			? aud.createdAt + aud.retentionInDays * DAY_MS
			: aud.modifiedAt + YEAR_DAYS * DAY_MS;
	const expired = now >= expiresAt;
	const ready = now >= aud.readyAt;
	const memberCount = ready ? membersOf(emu, aud, now).size : 0;
	const cover = expired ? 0 : ready ? Math.floor(memberCount * emu.config.matchRate) : aud.coverBeforeReady;
	return {
		expiresAt,
		expired,
		ready,
		memberCount,
		cover,
		isValid: !expired && ready && cover >= 1000,
		isExpiring: !expired && expiresAt - now <= EXPIRING_DAYS * DAY_MS,
	};
}

const TYPE_NAME: Record<Audience['kind'], string> = {
	CUSTOMER_FILE: 'Customer File Audience',
	PIXEL: 'Website Audience',
};

function commonFields(emu: EmulatorContext, aud: Audience, now: number): Obj {
	const s = statusOf(emu, aud, now);
	return {
		audience_id: aud.audienceId,
		name: aud.name,
		audience_sub_type: aud.subType,
		calculate_type: aud.calculateType,
		cover_num: s.cover,
		create_time: formatTikTokTime(aud.createdAt),
		expired_time: formatTikTokTime(s.expiresAt),
		is_auto_refresh: aud.isAutoRefresh,
		is_creator: true,
		is_expiring: s.isExpiring,
		is_valid: s.isValid,
		msg: null,
		error_msg: null,
		owner_id: aud.advertiserId,
		rule: aud.ruleSpec ? JSON.stringify(aud.ruleSpec) : null,
		shared: false,
		lookalike_spec: null,
		audience_enhancement: aud.enhancement,
	};
}

/** An item of /dmp/custom_audience/list/ (`audience_type`). */
export function listItem(emu: EmulatorContext, aud: Audience, now: number): Obj {
	return { ...commonFields(emu, aud, now), audience_type: TYPE_NAME[aud.kind] };
}

/** `audience_details` of /dmp/custom_audience/get/ (`type`, per TikTok's response mapping). */
export function details(emu: EmulatorContext, aud: Audience, now: number): Obj {
	return {
		...commonFields(emu, aud, now),
		type: TYPE_NAME[aud.kind],
		enhancement_status: aud.enhancement ? 'ENHANCING' : null,
	};
}

/** Newest first, capped at history_size. */
export function history(aud: Audience, size: number): Obj[] {
	return aud.history
		.slice()
		.reverse()
		.slice(0, size)
		.map((h) => ({
			action: h.action,
			action_detail: h.action_detail,
			editor: 'open_api',
			msg: h.msg,
			opt_time: formatTikTokTime(h.atMs),
		}));
}
