// Small seeded PRNG so probabilistic faults and generated ids are reproducible under --seed.
import { createHash } from 'node:crypto';

export type Rng = () => number;

function hash32(seed: string): number {
	return createHash('md5').update(seed).digest().readUInt32LE(0);
}

/** mulberry32: fast, good enough for test decisions; not for cryptography. */
export function createRng(seed: number | string): Rng {
	let a = hash32(String(seed));
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

/** Deterministic, random-looking lowercase hex derived from the seed and a counter (file paths). */
export function seededHex(seed: number | string, label: string, counter: number, length: number): string {
	return createHash('sha256').update(`${seed}:${label}:${counter}`).digest('hex').slice(0, length);
}
