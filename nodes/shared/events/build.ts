import { preHashedSha256, sha256Hex } from '../identity/hash';
import { normalizeEmail, normalizeExternalId, normalizePhone, type RejectReason } from '../identity/normalize';

/**
 * Building one Events API 2.0 web event (https://business-api.tiktok.com/portal/docs, Events API) from an n8n item's mapped values. Pure: no n8n import, so
 * every rule is unit-tested. Email, phone and external_id leave only as SHA-256 hashes; ip, user agent, ttclid and
 * ttp are sent as given (TikTok wants them raw).
 */

export interface UserInput {
	email?: unknown;
	phone?: unknown;
	externalId?: unknown;
	ip?: unknown;
	userAgent?: unknown;
	ttclid?: unknown;
	ttp?: unknown;
	locale?: unknown;
}

export interface IdentityOptions {
	/** Country calling code for phones written without one (digits, e.g. "1"). */
	defaultCountryCode?: string;
}

export interface EventUser {
	email?: string[];
	phone?: string[];
	external_id?: string[];
	ip?: string;
	user_agent?: string;
	ttclid?: string;
	ttp?: string;
	locale?: string;
}

export type HashedField = 'email' | 'phone' | 'external_id';

export interface BuiltUser {
	user: EventUser;
	/** A stable key for this person (first hashed identifier, else a raw click/cookie id), or '' when none. */
	userKey: string;
	/** Identifier kinds that were sent. */
	used: string[];
	/** Values that were given but could not be used, by field (never the value itself). */
	ignored: Partial<Record<HashedField, RejectReason>>;
}

/** Values as a list: a string, a number, or an array of them; blanks dropped. */
function values(raw: unknown): string[] {
	const list = Array.isArray(raw) ? raw : [raw];
	const out: string[] = [];
	for (const v of list) {
		if (v === undefined || v === null) continue;
		const s = (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : '').trim();
		if (s !== '') out.push(s);
	}
	return out;
}

function single(raw: unknown): string | undefined {
	return values(raw)[0];
}

type Normalizer = (value: string) => { ok: true; value: string } | { ok: false; reason: RejectReason };

/**
 * Pre-hashed values (64 hex characters, either case) pass lower-cased: checked before normalizing, never re-hashed.
 * The rule is the identity module's, shared with List Sync.
 */
function hashAll(raw: unknown, normalize: Normalizer): { hashes: string[]; reason?: RejectReason } {
	const hashes: string[] = [];
	let reason: RejectReason | undefined;
	for (const v of values(raw)) {
		const digest = preHashedSha256(v);
		if (digest !== undefined) {
			hashes.push(digest);
			continue;
		}
		const n = normalize(v);
		if (n.ok) hashes.push(sha256Hex(n.value));
		else reason ??= n.reason;
	}
	return { hashes: [...new Set(hashes)], reason };
}

export function buildUser(input: UserInput, options: IdentityOptions = {}): BuiltUser {
	const user: EventUser = {};
	const used: string[] = [];
	const ignored: BuiltUser['ignored'] = {};
	const hashed: Array<[HashedField, unknown, Normalizer]> = [
		['email', input.email, (v) => normalizeEmail(v)],
		// The Events API wants E.164 with "+" (China's 86 numbers without it): the shared `e164` format.
		['phone', input.phone, (v) => normalizePhone(v, { format: 'e164', defaultCountryCode: options.defaultCountryCode })],
		['external_id', input.externalId, (v) => normalizeExternalId(v)],
	];
	for (const [field, raw, normalize] of hashed) {
		const { hashes, reason } = hashAll(raw, normalize);
		if (hashes.length > 0) {
			user[field] = hashes;
			used.push(field);
		} else if (reason) {
			ignored[field] = reason;
		}
	}
	const rawFields: Array<[keyof EventUser, unknown]> = [
		['ttclid', input.ttclid],
		['ttp', input.ttp],
		['ip', input.ip],
		['user_agent', input.userAgent],
		['locale', input.locale],
	];
	for (const [field, raw] of rawFields) {
		const v = single(raw);
		if (v === undefined) continue;
		(user as Record<string, string>)[field] = v;
		if (field !== 'locale') used.push(field);
	}
	const userKey = user.email?.[0] ?? user.phone?.[0] ?? user.external_id?.[0] ?? user.ttp ?? user.ttclid ?? '';
	return { user, userKey, used, ignored };
}

/** Whether TikTok can match this user at all: a hashed ID, a click or cookie ID, or IP plus user agent. */
export function isMatchable(user: EventUser): boolean {
	return Boolean(user.email || user.phone || user.external_id || user.ttclid || user.ttp || (user.ip && user.user_agent));
}

/**
 * Event time as Unix seconds. Empty = now. Numbers above 1e11 are milliseconds, others seconds; strings of digits
 * likewise; other strings are dates (ISO 8601 and what Date.parse reads); Date and Luxon DateTime objects are read
 * through their epoch value. Undefined when the value is not a time.
 */
export function parseEventTime(raw: unknown, nowMs: number): number | undefined {
	if (raw === undefined || raw === null || raw === '') return Math.floor(nowMs / 1000);
	let ms: number;
	if (typeof raw === 'number') {
		ms = raw > 1e11 ? raw : raw * 1000;
	} else if (typeof raw === 'string') {
		const s = raw.trim();
		if (s === '') return Math.floor(nowMs / 1000);
		if (/^\d+(\.\d+)?$/.test(s)) {
			const n = Number(s);
			ms = n > 1e11 ? n : n * 1000;
		} else {
			ms = Date.parse(s);
		}
	} else if (typeof raw === 'object' && typeof (raw as { valueOf(): unknown }).valueOf() === 'number') {
		ms = (raw as { valueOf(): number }).valueOf();
	} else {
		return undefined;
	}
	return Number.isFinite(ms) && ms > 0 ? Math.floor(ms / 1000) : undefined;
}

export const DEFAULT_DEDUP_WINDOW_HOURS = 24;

/**
 * The default event_id: SHA-256 of `audienceId|pixelCode|event|userKey|bucket`, where bucket numbers the dedup window
 * (in hours) the event time falls in. Re-sending the same person's event for the same audience within one window
 * repeats the ID, so TikTok (which deduplicates on pixel, event_id and event) keeps one; the next window adds a fresh
 * event, which keeps the person in a rolling lookback window.
 */
export function deterministicEventId(parts: {
	audienceId: string;
	pixelCode: string;
	event: string;
	userKey: string;
	eventTime: number;
	windowHours: number;
}): string {
	const windowSeconds = Math.max(1, Math.round(parts.windowHours * 3600));
	const bucket = Math.floor(parts.eventTime / windowSeconds);
	return sha256Hex(`${parts.audienceId}|${parts.pixelCode}|${parts.event}|${parts.userKey}|${bucket}`);
}

export interface PropertiesInput {
	value?: unknown;
	currency?: unknown;
	contentType?: unknown;
	/** An array of content objects, or its JSON text. */
	contents?: unknown;
}

export type PropertiesResult = { ok: true; properties?: Record<string, unknown> } | { ok: false; problem: string };

export function buildProperties(input: PropertiesInput): PropertiesResult {
	const properties: Record<string, unknown> = {};
	if (input.value !== undefined && input.value !== null && input.value !== '') {
		const n = Number(input.value);
		if (!Number.isFinite(n)) return { ok: false, problem: 'Value is not a number' };
		properties.value = n;
	}
	const currency = single(input.currency);
	if (currency !== undefined) {
		if (!/^[A-Za-z]{3}$/.test(currency)) return { ok: false, problem: 'Currency must be a 3-letter ISO 4217 code such as USD' };
		properties.currency = currency.toUpperCase();
	}
	const contentType = single(input.contentType);
	if (contentType !== undefined) properties.content_type = contentType;
	let contents = input.contents;
	if (typeof contents === 'string') {
		if (contents.trim() === '') contents = undefined;
		else {
			try {
				contents = JSON.parse(contents);
			} catch {
				return { ok: false, problem: 'Contents is not valid JSON' };
			}
		}
	}
	if (contents !== undefined && contents !== null) {
		if (!Array.isArray(contents) || contents.some((c) => typeof c !== 'object' || c === null || Array.isArray(c))) {
			return { ok: false, problem: 'Contents must be a list of objects, e.g. [{"content_id": "sku-1", "quantity": 1}]' };
		}
		if (contents.length > 0) properties.contents = contents;
	}
	return { ok: true, properties: Object.keys(properties).length > 0 ? properties : undefined };
}

export interface WebEventPayload {
	event: string;
	event_time: number;
	event_id: string;
	user: EventUser;
	properties?: Record<string, unknown>;
	page?: { url?: string; referrer?: string };
	limited_data_use?: boolean;
}

/** Consent values that count as "yes" (case-insensitive for strings). */
const CONSENT_YES = new Set(['true', 'yes', 'y', '1', 'granted', 'opt-in', 'opt_in', 'optin', 'accepted']);

export function hasConsent(value: unknown): boolean {
	if (typeof value === 'boolean') return value;
	if (typeof value === 'number') return value === 1;
	if (typeof value === 'string') return CONSENT_YES.has(value.trim().toLowerCase());
	return false;
}
