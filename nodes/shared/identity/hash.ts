import * as crypto from 'node:crypto';

// `crypto.hash` (Node >= 21.7) hashes a string in one call, without a Hash object per value: much faster in bulk.
const oneShot = (crypto as unknown as { hash?: (algorithm: string, data: string, encoding: 'hex') => string }).hash;

/** SHA-256 of a UTF-8 string as lowercase hex, as TikTok expects. */
export const sha256Hex: (value: string) => string = oneShot
	? (value) => oneShot('sha256', value, 'hex')
	: (value) => crypto.createHash('sha256').update(value, 'utf8').digest('hex');

/** MD5 of bytes as lowercase hex: TikTok's `file_signature` of an uploaded customer file. */
export function md5Hex(data: Uint8Array | string): string {
	return crypto.createHash('md5').update(data).digest('hex');
}

/** Whether a value is already a lowercase SHA-256 hex digest (anchored: a longer string never passes). */
export function isSha256Hex(value: string): boolean {
	return value.length === 64 && hexCase(value) === 1;
}

/**
 * The one rule, shared by List Sync and Event Sync, for values that arrive already hashed: exactly 64 hex characters
 * (anchored; surrounding whitespace is the caller's to trim), in either case, since the case of hex digits does not
 * change the digest. Returns the digest in lowercase, as TikTok expects, or undefined when the value is not one.
 */
export function preHashedSha256(value: string): string | undefined {
	if (value.length !== 64) return undefined;
	const kind = hexCase(value);
	return kind === 0 ? undefined : kind === 1 ? value : value.toLowerCase();
}

/** Per character code below 128: 0 not hex, 1 digit or lowercase a-f, 2 uppercase A-F (one lookup, not three ranges). */
const HEX_KIND = new Uint8Array(128);
for (let c = 48; c <= 57; c++) HEX_KIND[c] = 1;
for (let c = 97; c <= 102; c++) HEX_KIND[c] = 1;
for (let c = 65; c <= 70; c++) HEX_KIND[c] = 2;

/** 0: not all hex; 1: hex without uppercase letters; 2: hex with uppercase letters. A char-code loop, no regex. */
function hexCase(value: string): number {
	let kinds = 0;
	for (let i = 0; i < value.length; i++) {
		const c = value.charCodeAt(i);
		const kind = c < 128 ? HEX_KIND[c] : 0;
		if (kind === 0) return 0;
		kinds |= kind;
	}
	return kinds & 2 ? 2 : 1;
}

/**
 * Whether a value that is not a SHA-256 digest still looks like an attempt at one (at least 32 hex characters with a
 * letter among them, e.g. a truncated digest or an MD5): it is then rejected, never normalized and hashed.
 */
export function looksHashed(value: string): boolean {
	if (value.length < 32) return false;
	let letter = false;
	for (let i = 0; i < value.length; i++) {
		const c = value.charCodeAt(i);
		if (c >= 48 && c <= 57) continue;
		if ((c >= 97 && c <= 102) || (c >= 65 && c <= 70)) letter = true;
		else return false;
	}
	return letter;
}
