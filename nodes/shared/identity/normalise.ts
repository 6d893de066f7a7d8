/**
 * Normalisation of identifiers before hashing, following TikTok's documented rules (reference §4.1). Pure functions,
 * no n8n import: every rule lives here once and is shared by List Sync and Event Sync.
 */
export type Normalised = { ok: true; value: string } | { ok: false; reason: RejectReason };

/** Reasons a value is rejected; stable strings, counted in node outputs. */
export type RejectReason =
	| 'empty'
	| 'email_invalid'
	| 'phone_invalid'
	| 'phone_too_short'
	| 'phone_too_long'
	| 'phone_no_country_code'
	| 'hash_wrong_length';

export interface EmailOptions {
	/** Gmail-style canonicalisation: drop `+tag` and dots in the local part of gmail.com / googlemail.com addresses. */
	canonicaliseGmail?: boolean;
}

// One `@`, a non-empty local part, a dotted domain, no spaces: strict enough to catch typos, loose enough for IDNs.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

export function normaliseEmail(raw: string, options: EmailOptions = {}): Normalised {
	let value = raw.trim().toLowerCase();
	if (value === '') return { ok: false, reason: 'empty' };
	if (!EMAIL_SHAPE.test(value)) return { ok: false, reason: 'email_invalid' };
	if (options.canonicaliseGmail) {
		const at = value.lastIndexOf('@');
		const domain = value.slice(at + 1);
		if (domain === 'gmail.com' || domain === 'googlemail.com') {
			const local = value.slice(0, at).split('+')[0].replace(/\./g, '');
			if (local === '') return { ok: false, reason: 'email_invalid' };
			value = `${local}@gmail.com`;
		}
	}
	return { ok: true, value };
}

export type PhoneFormat = 'digits' | 'e164';

export interface PhoneOptions {
	/** Country calling code (digits, e.g. "1", "44") added to numbers written without one. */
	defaultCountryCode?: string;
	/**
	 * `digits`: country code and number, no `+` (TikTok's current customer-file rule: `(657)777-0000` → `16577770000`).
	 * `e164`: with a leading `+` (TikTok's Events API rule), except China (86), whose numbers are sent without it.
	 */
	format: PhoneFormat;
}

const MIN_PHONE_DIGITS = 8;
const MAX_PHONE_DIGITS = 15;

/**
 * Symbols and letters are removed, leading zeros dropped, the country code added when missing. A number counts as
 * international when written with `+` or `00`; otherwise the default country code applies (unless the number
 * already starts with it and is long enough to carry it).
 */
export function normalisePhone(raw: string, options: PhoneOptions): Normalised {
	const trimmed = raw.trim();
	if (trimmed === '') return { ok: false, reason: 'empty' };
	const international = trimmed.startsWith('+') || /^\(\s*\+/.test(trimmed) || trimmed.startsWith('00');
	let digits = trimmed.replace(/\D+/g, '');
	if (digits === '') return { ok: false, reason: 'phone_invalid' };
	digits = digits.replace(/^0+/, '');
	if (!international) {
		const code = (options.defaultCountryCode ?? '').replace(/\D+/g, '');
		if (code === '') return { ok: false, reason: 'phone_no_country_code' };
		const carriesCode = digits.startsWith(code) && digits.length - code.length >= MIN_PHONE_DIGITS - 1;
		if (!carriesCode) digits = code + digits;
	}
	if (digits.length < MIN_PHONE_DIGITS) return { ok: false, reason: 'phone_too_short' };
	if (digits.length > MAX_PHONE_DIGITS) return { ok: false, reason: 'phone_too_long' };
	if (options.format === 'digits') return { ok: true, value: digits };
	return { ok: true, value: digits.startsWith('86') ? digits.slice(2) : `+${digits}` };
}

/** External IDs are hashed as given, trimmed: TikTok documents no other rule. */
export function normaliseExternalId(raw: string): Normalised {
	const value = raw.trim();
	return value === '' ? { ok: false, reason: 'empty' } : { ok: true, value };
}

/** Human-readable reasons for outputs and errors (never the value itself). */
export const REJECT_REASON_TEXT: Record<RejectReason, string> = {
	empty: 'empty value',
	email_invalid: 'not a valid email address',
	phone_invalid: 'no digits in the phone number',
	phone_too_short: 'phone number too short (fewer than 8 digits with country code)',
	phone_too_long: 'phone number too long (more than 15 digits with country code)',
	phone_no_country_code: 'phone number has no country code: write it with + or set Default Country Code',
	hash_wrong_length: 'looks pre-hashed but is not a 64-character SHA-256 hex digest',
};
