// The soak's people and rows: deterministic raw identifiers in several spellings, the rows a sync step sends (valid,
// duplicate, pre-hashed and bad), and the member keys the emulator must hold for a set of people.
import CryptoJS from 'crypto-js';
import type { INodeExecutionData } from 'n8n-workflow';

export type ListType = 'EMAIL_SHA256' | 'PHONE_SHA256' | 'MULTIPLE_TYPES';

export const EMAIL_MARKER = 'soakuser';

export const sha = (v: string) => CryptoJS.SHA256(v).toString(CryptoJS.enc.Hex);

/** Person n of list `tag`: a normalized email and a phone's digits (country code 44, 12 digits). */
export function person(tag: string, n: number): { email: string; phoneDigits: string } {
	return { email: `${EMAIL_MARKER}.${tag}.${n}@example.org`, phoneDigits: `447700${String(n).padStart(6, '0')}` };
}

/** The member key the emulator stores for a person of a list of this type. */
export function memberKey(type: ListType, tag: string, n: number): string {
	const p = person(tag, n);
	if (type === 'EMAIL_SHA256') return sha(p.email);
	if (type === 'PHONE_SHA256') return sha(p.phoneDigits);
	return `EMAIL_SHA256:${sha(p.email)}|PHONE_SHA256:${sha(p.phoneDigits)}`;
}

/** A small seeded PRNG (mulberry32), so every run builds the same rows. */
export function rng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export interface StepRows {
	/** One row per entry: the raw email and phone cells. */
	rows: Array<{ email?: string; phone?: string }>;
	valid: number;
	duplicates: number;
	bad: number;
	preHashed: number;
}

/** Records every raw spelling it hands out, for the secret scan. */
export class RawRegistry {
	readonly emails = new Set<string>();
	readonly phoneDigits = new Set<string>();
	email(v: string): string {
		this.emails.add(v.trim().toLowerCase());
		return v;
	}
	phone(v: string): string {
		this.phoneDigits.add(v.replace(/\D/g, ''));
		this.phoneDigits.add(v.replace(/\D/g, '').replace(/^0+/, ''));
		return v;
	}
}

/**
 * Rows for a step that sends `people`: each person once in one of several spellings (some pre-hashed), then
 * `bad` rows no identifier of which is usable, shuffled; then `dupes` repeats in another spelling.
 */
export function stepRows(type: ListType, tag: string, people: number[], dupes: number, bad: number, raw: RawRegistry, random: () => number): StepRows {
	const rows: StepRows['rows'] = [];
	let preHashed = 0;
	const spellEmail = (email: string, variant: number): string => {
		if (variant % 11 === 3) {
			preHashed++;
			return sha(email);
		}
		if (variant % 7 === 1) return raw.email(`  ${email.toUpperCase()} `);
		return raw.email(email);
	};
	const spellPhone = (digits: string, variant: number): string => {
		if (variant % 13 === 5 && type === 'PHONE_SHA256') {
			preHashed++;
			return sha(digits);
		}
		const local = digits.slice(2);
		if (variant % 5 === 2) return raw.phone(`0044 ${local.slice(0, 4)} ${local.slice(4)}`);
		if (variant % 5 === 4) return raw.phone(`(+44) ${local.slice(0, 4)}-${local.slice(4)}`);
		return raw.phone(`+44 ${local}`);
	};
	const row = (n: number, variant: number) => {
		const p = person(tag, n);
		raw.email(p.email);
		raw.phone(p.phoneDigits);
		if (type === 'EMAIL_SHA256') return { email: spellEmail(p.email, variant) };
		if (type === 'PHONE_SHA256') return { phone: spellPhone(p.phoneDigits, variant) };
		return { email: spellEmail(p.email, variant), phone: spellPhone(p.phoneDigits, variant + 1) };
	};
	people.forEach((n, k) => rows.push(row(n, k)));
	for (let k = 0; k < bad; k++) {
		const badEmail = raw.email(`${EMAIL_MARKER}-broken-${tag}-${k}`);
		const badPhone = raw.phone(`7700 9${String(k).padStart(5, '0')}`);
		if (type === 'EMAIL_SHA256') rows.push({ email: badEmail });
		else if (type === 'PHONE_SHA256') rows.push({ phone: badPhone });
		else rows.push({ email: badEmail, phone: badPhone });
	}
	for (let i = rows.length - 1; i > 0; i--) {
		const j = Math.floor(random() * (i + 1));
		[rows[i], rows[j]] = [rows[j], rows[i]];
	}
	// Duplicates come last: the same people again, spelt differently and never pre-hashed, so which row of a pair is
	// "the duplicate" is never in doubt.
	for (let k = 0; k < dupes; k++) {
		const p = person(tag, people[k]);
		if (type === 'EMAIL_SHA256') rows.push({ email: raw.email(p.email.toUpperCase()) });
		else if (type === 'PHONE_SHA256') rows.push({ phone: raw.phone(`+${p.phoneDigits}`) });
		else rows.push({ email: raw.email(` ${p.email} `), phone: raw.phone(`00${p.phoneDigits}`) });
	}
	return { rows, valid: people.length, duplicates: dupes, bad, preHashed };
}

/** The reason the node must give for the bad rows of a list of this type. */
export function badReason(type: ListType): string {
	return type === 'PHONE_SHA256' ? 'phone_no_country_code' : 'email_invalid';
}

export function asItems(rows: StepRows['rows']): INodeExecutionData[] {
	return rows.map((r) => ({ json: { ...r } }));
}

const csvCell = (v: string | undefined) => (v === undefined ? '' : /[",\s]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** The rows as a CSV file in a binary property (n8n's in-memory binary mode). */
export function asCsvItem(rows: StepRows['rows'], fileName: string): INodeExecutionData[] {
	const lines = ['customer_id,email,phone', ...rows.map((r, i) => `${i + 1},${csvCell(r.email)},${csvCell(r.phone)}`)];
	return [{ json: {}, binary: { data: { data: Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8').toString('base64'), mimeType: 'text/csv', fileName } } }];
}
