/**
 * Normalization of identifiers before hashing, following TikTok's documented rules for customer files and the Events API
 * (https://business-api.tiktok.com/portal/docs, Audience Management and Events API). Pure functions,
 * no n8n import: every rule lives here once and is shared by List Sync and Event Sync.
 */
/**
 * Version of the rules below that turn a raw email or phone into the string that is hashed. Mirror snapshots
 * (nodes/shared/sync/snapshot.ts) record it: a snapshot written under other rules would hash the same person
 * differently, so Mirror would remove and re-add them. Bump it whenever a change makes any value normalize to a
 * different string (a new rule, a fixed edge case); snapshots from before are then refused and the next sync starts
 * over (a first sync).
 */
export const NORMALIZATION_VERSION = 2;

export type Normalized = { ok: true; value: string } | { ok: false; reason: RejectReason };

/** Reasons a value is rejected; stable strings, counted in node outputs. */
export type RejectReason =
	| 'empty'
	| 'email_invalid'
	| 'email_too_long'
	| 'phone_invalid'
	| 'phone_too_short'
	| 'phone_too_long'
	| 'phone_no_country_code'
	| 'phone_extension'
	| 'phone_ambiguous'
	| 'hash_wrong_length'
	| 'unknown_change';

export interface EmailOptions {
	/** Gmail-style canonicalization: drop `+tag` and dots in the local part of gmail.com / googlemail.com addresses. */
	canonicalizeGmail?: boolean;
}

/**
 * RFC 5321: an address (a forward path less its angle brackets) is at most 254 characters (counted after trimming
 * and lowercasing, before Gmail canonicalization). A value that is not an address at all is `email_invalid` first.
 */
export const MAX_EMAIL_LENGTH = 254;

// One `@`, a non-empty local part, a dotted domain, no spaces: strict enough to catch typos, loose enough for IDNs.
const EMAIL_SHAPE = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

export function normalizeEmail(raw: string, options: EmailOptions = {}): Normalized {
	const value = normalizeEmailValue(raw, options.canonicalizeGmail === true);
	return value.indexOf('@') === -1 ? { ok: false, reason: value as RejectReason } : { ok: true, value };
}

/** Email characters below 128 by what the one-pass check does with them (one lookup per character). */
const PLAIN = 0;
const UPPER = 1;
const AT = 2;
const DOT = 3;
const SPACE = 4; // ASCII whitespace inside the address: invalid
const OTHER = 5; // other control characters, DEL and non-ASCII: the regular-expression rule decides
const EMAIL_CHAR = new Uint8Array(128).fill(PLAIN);
for (let c = 0; c < 33; c++) EMAIL_CHAR[c] = OTHER;
for (const c of [9, 10, 11, 12, 13, 32]) EMAIL_CHAR[c] = SPACE;
for (let c = 65; c <= 90; c++) EMAIL_CHAR[c] = UPPER;
EMAIL_CHAR[64] = AT;
EMAIL_CHAR[46] = DOT;
EMAIL_CHAR[127] = OTHER;

/**
 * `normalizeEmail` without the result object, for bulk use (a million rows a second): the normalized address, or
 * the rejection reason (a valid address always contains `@`, a reason never does). ASCII input is checked in one
 * pass over the characters; anything else goes through the same rule as a regular expression.
 */
export function normalizeEmailValue(raw: string, canonicalizeGmail = false): string {
	let start = 0;
	let end = raw.length;
	while (start < end && isAsciiSpace(raw.charCodeAt(start))) start++;
	while (end > start && isAsciiSpace(raw.charCodeAt(end - 1))) end--;
	if (start === end) return raw.trim() === '' ? 'empty' : slowEmail(raw, canonicalizeGmail);
	let at = -1;
	let upper = 0;
	let prevKind = PLAIN;
	let dotsAfterAt = 0;
	for (let i = start; i < end; i++) {
		const c = raw.charCodeAt(i);
		const kind = c < 128 ? EMAIL_CHAR[c] : OTHER;
		if (kind > UPPER) {
			if (kind === AT) {
				if (at !== -1 || i === start) return 'email_invalid';
				at = i;
			} else if (kind === DOT) {
				if (at !== -1) {
					if (prevKind === AT || prevKind === DOT) return 'email_invalid';
					dotsAfterAt++;
				}
			} else if (kind === SPACE) return 'email_invalid';
			else return slowEmail(raw, canonicalizeGmail);
		} else upper |= kind;
		prevKind = kind;
	}
	if (at === -1 || dotsAfterAt === 0 || prevKind === DOT || prevKind === AT) return 'email_invalid';
	if (end - start > MAX_EMAIL_LENGTH) return 'email_too_long';
	let value = start === 0 && end === raw.length ? raw : raw.slice(start, end);
	if (upper !== 0) value = value.toLowerCase();
	return canonicalizeGmail ? gmailCanonical(value) : value;
}

function isAsciiDigit(c: number): boolean {
	return c >= 48 && c <= 57;
}

/** ASCII whitespace that String.prototype.trim removes (tab, line feed, vertical tab, form feed, carriage return, space). */
function isAsciiSpace(c: number): boolean {
	return c === 32 || (c >= 9 && c <= 13);
}

/**
 * Full-width forms of ASCII (U+FF01 to U+FF5E, what East Asian input methods type: `ａｎｎ＠ｅｘａｍｐｌｅ．ｃｏｍ`) are
 * the same characters in another width: no mail server reads a full-width `＠` as the separator, so the address meant
 * is the ASCII one, and they are mapped to it (what NFKC does with them). Only these: other non-ASCII characters are
 * kept as written, since NFKC would turn some internationalized addresses (RFC 6531, e.g. a ligature `ﬁ`) into others.
 */
function foldFullWidth(value: string): string {
	return FULL_WIDTH.test(value) ? value.replace(FULL_WIDTH_ALL, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)) : value;
}
const FULL_WIDTH = /[\uff01-\uff5e]/;
const FULL_WIDTH_ALL = /[\uff01-\uff5e]/g;

function slowEmail(raw: string, canonicalizeGmail: boolean): string {
	const value = foldFullWidth(raw).trim().toLowerCase();
	if (value === '') return 'empty';
	if (!EMAIL_SHAPE.test(value)) return 'email_invalid';
	if (value.length > MAX_EMAIL_LENGTH) return 'email_too_long';
	return canonicalizeGmail ? gmailCanonical(value) : value;
}

function gmailCanonical(value: string): string {
	const at = value.lastIndexOf('@');
	const domain = value.slice(at + 1);
	if (domain !== 'gmail.com' && domain !== 'googlemail.com') return value;
	const local = value.slice(0, at).split('+')[0].replace(/\./g, '');
	return local === '' ? 'email_invalid' : `${local}@gmail.com`;
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
 * Symbols are removed, leading zeros dropped, the country code added when missing. A number counts as international
 * when it starts (at its first `+` or digit) with `+` or `00`; otherwise the default country code applies (unless the
 * number already starts with it and is long enough to carry it).
 *
 * Never a different number: the digits hashed are exactly the number the person wrote, or the value is rejected.
 * - Digits of any script count by their value: full-width `１２３` and `＋` (NFKC), Arabic-Indic `١٢٣`, Devanagari
 *   `१२३` and every other Unicode decimal digit (\p{Nd}; NFKC leaves most of them as they are). They are the same
 *   number written in another script.
 * - Text before the first digit and after the last is a label, ignored: `Mobile: +44 …`, `… (home)`, and a `tel:` or
 *   `tel://` URI prefix (RFC 3966, https://www.rfc-editor.org/rfc/rfc3966).
 * - An extension or a dialing suffix between digits (`ext`, `ext.`, `extn`, `extension`, `x`, `#`, `*`, RFC 3966's
 *   `;ext=` and `;isub=`, the pause and wait dial characters `,` `;` `p` `w`) is rejected as `phone_extension`:
 *   removing it would hash the line of a switchboard (a company's or a colleague's number, not this person's);
 *   keeping its digits would hash a number nobody has. An E.164 number has no extension
 *   (https://www.itu.int/rec/T-REC-E.164), which is what TikTok matches.
 * - Other letters, or a second `+`, between digits are rejected as `phone_ambiguous`: letters standing for digits
 *   (`+49 30 FLOW 1234`) or two numbers in one field; dropping them would join digits into a different number.
 *   (Letters after the last digit cannot be told from a label; a vanity number ending in letters is usually left
 *   too short and rejected as `phone_too_short`.)
 */
export function normalizePhone(raw: string, options: PhoneOptions): Normalized {
	const value = normalizePhoneValue(raw, options.format, phoneCountryCode(options.defaultCountryCode));
	return isPhoneReason(value) ? { ok: false, reason: value as RejectReason } : { ok: true, value };
}

/** The default country calling code as digits only ('' when none): computed once per list, not per row. */
export function phoneCountryCode(defaultCountryCode: string | undefined): string {
	return (defaultCountryCode ?? '').replace(/\D+/g, '');
}

/** Whether a `normalizePhoneValue` result is a rejection reason (a number starts with a digit or `+`). */
export function isPhoneReason(value: string): boolean {
	return value.charCodeAt(0) >= 97;
}

/** 10^n for n = 0..15: a number of up to 15 digits is an exact double (< 2^53). */
const POW10 = Array.from({ length: MAX_PHONE_DIGITS + 1 }, (_, n) => 10 ** n);

/**
 * `normalizePhone` without the result object, for bulk use: the normalized number, or the rejection reason (see
 * `isPhoneReason`). `countryCode` is `phoneCountryCode(...)`. ASCII input of digits and symbols is read in one pass
 * over the characters, the digits kept as a number (at most 15 matter, an exact double), so the result is one string
 * built at the end; anything else (letters, `#`, `*`, `,`, `;`, a `+` after a digit, non-ASCII characters) goes
 * through the same rule written with regular expressions.
 */
export function normalizePhoneValue(raw: string, format: PhoneFormat, countryCode: string): string {
	let start = 0;
	let end = raw.length;
	while (start < end && isAsciiSpace(raw.charCodeAt(start))) start++;
	while (end > start && isAsciiSpace(raw.charCodeAt(end - 1))) end--;
	if (start === end) return raw.trim() === '' ? 'empty' : phoneByRegex(raw, format, countryCode);
	let international = false;
	let any = false;
	let count = 0;
	let number = 0;
	for (let i = start; i < end; i++) {
		const c = raw.charCodeAt(i);
		if (c >= 128 || PHONE_SLOW[c] === 1) return phoneByRegex(raw, format, countryCode);
		if (c < 48 || c > 57) {
			if (c === 43) {
				if (any) return phoneByRegex(raw, format, countryCode);
				international = true;
			}
			continue;
		}
		if (!any) {
			any = true;
			if (!international) international = c === 48 && raw.charCodeAt(i + 1) === 48;
		}
		if (count === 0 && c === 48) continue;
		if (count <= MAX_PHONE_DIGITS) number = number * 10 + (c - 48);
		count++;
	}
	if (!any) return 'phone_invalid';
	if (count > MAX_PHONE_DIGITS) return !international && countryCode === '' ? 'phone_no_country_code' : 'phone_too_long';
	let digits = count === 0 ? '' : String(number);
	if (!international) {
		if (countryCode === '') return 'phone_no_country_code';
		const carriesCode = count - countryCode.length >= MIN_PHONE_DIGITS - 1 && digits.startsWith(countryCode);
		if (!carriesCode) {
			count += countryCode.length;
			if (count > MAX_PHONE_DIGITS) return 'phone_too_long';
			// Built as one number, not by concatenation (a code with a leading zero cannot be: kept as text).
			digits = countryCode.charCodeAt(0) === 48 ? countryCode + digits : String(Number(countryCode) * POW10[count - countryCode.length] + number);
		}
	}
	if (count < MIN_PHONE_DIGITS) return 'phone_too_short';
	if (format === 'digits') return digits;
	return digits.startsWith('86') ? digits.slice(2) : `+${digits}`;
}

/** ASCII characters the fast path leaves to `phoneByRegex`: letters and the dial characters `#`, `*`, `,`, `;`. */
const PHONE_SLOW = new Uint8Array(128);
for (let c = 65; c <= 90; c++) PHONE_SLOW[c] = PHONE_SLOW[c + 32] = 1;
for (const c of '#*,;') PHONE_SLOW[c.charCodeAt(0)] = 1;

/** Words and letters that mark an extension or a dial pause (`x`, `ext.`, RFC 3966's `;ext=` and `;isub=`, `p`, `w`). */
const EXTENSION_WORDS = new Set(['x', 'ext', 'extn', 'extension', 'isub', 'p', 'w']);
const DIAL_SUFFIX = /[#*,;]/;
const LETTERS = /\p{L}+/gu;
const DECIMAL_DIGIT = /\p{Nd}/u;
const NON_ASCII = /[\u0080-\uffff]/;

/**
 * A Unicode decimal digit's value. Unicode encodes every decimal digit (\p{Nd}) in runs of ten from 0 to 9, and never
 * changes that (https://www.unicode.org/policies/stability_policy.html), so the value is the number of digits just
 * before it, modulo 10 (runs can touch: the mathematical digits are five runs in a row).
 */
function decimalDigitValue(codePoint: number): number {
	let before = 0;
	while (DECIMAL_DIGIT.test(String.fromCodePoint(codePoint - before - 1))) before++;
	return before % 10;
}

/** Full-width and other compatibility forms folded (NFKC), then every decimal digit written as an ASCII digit. */
export function asciiPhoneText(value: string): string {
	if (!NON_ASCII.test(value)) return value;
	return value.normalize('NFKC').replace(/\p{Nd}/gu, (d) => {
		const codePoint = d.codePointAt(0) ?? 48;
		return codePoint < 128 ? d : String(decimalDigitValue(codePoint));
	});
}

/**
 * What sits between the first and the last digit besides separators: an extension or dial suffix, letters or a second
 * `+` (see `normalizePhone`), or nothing ('').
 */
function phoneInfix(value: string, first: number, last: number): '' | 'phone_extension' | 'phone_ambiguous' {
	const inside = value.slice(first, last + 1);
	// A `+` after a digit starts a second number, whatever else is around it (`…0101, +44 …`).
	if (inside.includes('+')) return 'phone_ambiguous';
	let ambiguous = false;
	for (const gap of inside.split(/[0-9]+/)) {
		if (gap === '') continue;
		if (DIAL_SUFFIX.test(gap)) return 'phone_extension';
		for (const word of gap.match(LETTERS) ?? []) {
			if (EXTENSION_WORDS.has(word.toLowerCase())) return 'phone_extension';
			ambiguous = true;
		}
	}
	return ambiguous ? 'phone_ambiguous' : '';
}

/** The rule written with regular expressions: the reference, and the path for input the fast path leaves. */
export function phoneByRegex(raw: string, format: PhoneFormat, countryCode: string): string {
	const trimmed = asciiPhoneText(raw.trim());
	if (trimmed === '') return 'empty';
	const first = trimmed.search(/[0-9]/);
	if (first === -1) return 'phone_invalid';
	let last = trimmed.length - 1;
	while (!isAsciiDigit(trimmed.charCodeAt(last))) last--;
	const infix = phoneInfix(trimmed, first, last);
	if (infix !== '') return infix;
	const number = trimmed.slice(trimmed.search(/[+0-9]/));
	const international = number.startsWith('+') || number.startsWith('00');
	let digits = trimmed.replace(/[^0-9]+/g, '');
	digits = digits.replace(/^0+/, '');
	if (!international) {
		if (countryCode === '') return 'phone_no_country_code';
		const carriesCode = digits.startsWith(countryCode) && digits.length - countryCode.length >= MIN_PHONE_DIGITS - 1;
		if (!carriesCode) digits = countryCode + digits;
	}
	if (digits.length < MIN_PHONE_DIGITS) return 'phone_too_short';
	if (digits.length > MAX_PHONE_DIGITS) return 'phone_too_long';
	if (format === 'digits') return digits;
	return digits.startsWith('86') ? digits.slice(2) : `+${digits}`;
}

/** External IDs are hashed as given, trimmed: TikTok documents no other rule. */
export function normalizeExternalId(raw: string): Normalized {
	const value = raw.trim();
	return value === '' ? { ok: false, reason: 'empty' } : { ok: true, value };
}

/** Human-readable reasons for outputs and errors (never the value itself). */
export const REJECT_REASON_TEXT: Record<RejectReason, string> = {
	empty: 'empty value',
	email_invalid: 'not a valid email address',
	email_too_long: `email address longer than ${MAX_EMAIL_LENGTH} characters`,
	phone_invalid: 'no digits in the phone number',
	phone_too_short: 'phone number too short (fewer than 8 digits with country code)',
	phone_too_long: 'phone number too long (more than 15 digits with country code)',
	phone_no_country_code: 'phone number has no country code: write it with + or set Default Country Code',
	phone_extension: 'phone number has an extension or a dialing suffix (ext., x, #, ;ext=, a pause): remove it; TikTok matches the number alone',
	phone_ambiguous: 'phone number has letters or a second + between its digits (a word, letters standing for digits, or two numbers): write one number in digits',
	hash_wrong_length: 'looks pre-hashed but is not a 64-character SHA-256 hex digest',
	unknown_change: 'Change Field is neither add nor remove (add, added, entered, joined, true, yes, 1 / remove, removed, exited, left, false, no, 0)',
};
