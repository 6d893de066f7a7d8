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

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Whether a value is already a lowercase SHA-256 hex digest (anchored: a longer string never passes). */
export function isSha256Hex(value: string): boolean {
	return value.length === 64 && SHA256_HEX.test(value);
}
