// The people of the n8n side-by-side benchmark, generated deterministically from a seed: exactly 5 % invalid emails
// and exactly 5 % duplicates (an earlier person's address again, in other letter case and with spaces around it),
// the rest distinct valid addresses in mixed case. The expected audience is computed here with node:crypto, from
// the generator's own knowledge of which rows are valid, never from either workflow's output.
import { createHash } from 'node:crypto';

export interface Person {
	email: string;
	first_name: string;
}

export interface People {
	people: Person[];
	/** Rows generated as invalid addresses. */
	invalid: number;
	/** Rows that repeat an earlier valid person. */
	duplicates: number;
	/** SHA-256 (lowercase hex) of every distinct valid address, trimmed and lowercased (TikTok's email rule). */
	expectedHashes: Set<string>;
}

/** mulberry32: a small seeded PRNG, so every run (and every machine) gets the same people. */
function prng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

const FIRST = ['ana', 'ben', 'chloe', 'dev', 'emma', 'felix', 'grace', 'hugo', 'ines', 'jon', 'kira', 'liam', 'mia', 'noah'];
const DOMAINS = ['example.com', 'example.org', 'mail.example.net', 'shop.example.co.uk', 'example.io'];

/** Addresses that TikTok's rule (one `@`, a dotted domain, no spaces) rejects, as CRM exports have them. */
function invalidAddress(i: number, pick: (n: number) => number): string {
	switch (pick(4)) {
		case 0:
			return `person${i}.example.com`;
		case 1:
			return `person${i}@example`;
		case 2:
			return `person ${i}@example.com`;
		default:
			return `person${i}@@example.com`;
	}
}

function mixCase(value: string, pick: (n: number) => number): string {
	return [...value].map((c) => (pick(4) === 0 ? c.toUpperCase() : c)).join('');
}

export const sha256 = (value: string): string => createHash('sha256').update(value).digest('hex');

/** TikTok's email rule as the native workflow's Filter node applies it (our node's rule, nodes/shared/identity/normalize.ts). */
export const EMAIL_RULE = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;

export function generatePeople(count: number, seed = 15): People {
	const random = prng(seed);
	const pick = (n: number) => Math.floor(random() * n);
	const people: Person[] = [];
	const validIndexes: number[] = [];
	const expectedHashes = new Set<string>();
	let invalid = 0;
	let duplicates = 0;
	for (let i = 0; i < count; i++) {
		const first_name = FIRST[pick(FIRST.length)];
		const slot = i % 20;
		if (slot === 7) {
			invalid++;
			people.push({ email: invalidAddress(i, pick), first_name });
		} else if (slot === 13 && validIndexes.length > 0) {
			duplicates++;
			const earlier = people[validIndexes[pick(validIndexes.length)]].email;
			people.push({ email: ` ${earlier.trim().toUpperCase()} `, first_name });
		} else {
			const email = mixCase(`${first_name}.${i}@${DOMAINS[pick(DOMAINS.length)]}`, pick);
			validIndexes.push(people.length);
			people.push({ email, first_name });
			expectedHashes.add(sha256(email.trim().toLowerCase()));
		}
	}
	for (const p of people) {
		// the generator's labels and the rule must agree, or the expected audience would be wrong
		const valid = EMAIL_RULE.test(p.email.trim().toLowerCase());
		if (valid !== !/^person/.test(p.email.trim().toLowerCase())) throw new Error(`generator: ${JSON.stringify(p.email)} mislabelled`);
	}
	return { people, invalid, duplicates, expectedHashes };
}

/** The people as a CSV export (header `email,first_name`; no value holds a comma or a quote). */
export function toCsv(people: Person[]): string {
	return `email,first_name\n${people.map((p) => `${p.email},${p.first_name}`).join('\n')}\n`;
}
