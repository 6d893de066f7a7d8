// The season's segment: who is in it, who joins and leaves (seeded), and how its people are written in the CSV
// export and the webhook rows. People are the soak's (test/soak/people.cts): person n has a normalized email and a
// UK mobile number; their member keys are what the emulator must hold.
import type { INodeExecutionData } from 'n8n-workflow';

import { memberKey, person, RawRegistry, type ListType } from '../soak/people.cts';

export const TAG = 'season';

const keys = new Map<string, string>();
/** The member key the emulator stores for person n in an audience of this type (computed once: the checks run daily). */
export function keyOf(type: ListType, n: number): string {
	const id = `${type}:${n}`;
	let key = keys.get(id);
	if (key === undefined) {
		key = memberKey(type, TAG, n);
		keys.set(id, key);
	}
	return key;
}

/** The website audience's user key: the SHA-256 of the normalized email (the emulator's `user_key`). */
export const userKeyOf = (n: number) => keyOf('EMAIL_SHA256', n);

/** A set of people as member keys. */
export const keysOf = (type: ListType, people: Iterable<number>) => new Set([...people].map((n) => keyOf(type, n)));

/** The segment's members, with O(1) random picks (an array and each member's index in it). */
export class Segment {
	private readonly list: number[] = [];
	private readonly at = new Map<number, number>();
	/** People who left and may come back (CustomerLabs: a user re-enters a segment). */
	private readonly former: number[] = [];
	private nextId = 0;
	readonly raw: RawRegistry;

	constructor(size: number, raw: RawRegistry) {
		this.raw = raw;
		for (let k = 0; k < size; k++) this.add(this.newPerson());
	}

	get size(): number {
		return this.list.length;
	}

	has(n: number): boolean {
		return this.at.has(n);
	}

	/** The members, in ascending order (a CRM export sorted by customer ID). */
	sorted(): number[] {
		return [...this.list].sort((a, b) => a - b);
	}

	/** A person joins: mostly new, one in five a former member coming back. */
	join(random: () => number): number {
		const back = this.former.length > 0 && random() < 0.2;
		const n = back ? this.former.splice(Math.floor(random() * this.former.length), 1)[0] : this.newPerson();
		this.add(n);
		return n;
	}

	/** A random member leaves. */
	leave(random: () => number): number {
		const n = this.list[Math.floor(random() * this.list.length)];
		this.remove(n);
		return n;
	}

	/** This member leaves. */
	leaveMember(n: number): void {
		if (this.has(n)) this.remove(n);
	}

	/** This former member comes back. */
	rejoin(n: number): void {
		const i = this.former.indexOf(n);
		if (i === -1 || this.has(n)) return;
		this.former.splice(i, 1);
		this.add(n);
	}

	private newPerson(): number {
		const n = this.nextId++;
		const p = person(TAG, n);
		this.raw.email(p.email);
		// As every spelling below reduces to digits: with the country code, and with the international prefix 00.
		this.raw.phone(`00${p.phoneDigits}`);
		return n;
	}

	private add(n: number): void {
		this.at.set(n, this.list.length);
		this.list.push(n);
	}

	private remove(n: number): void {
		const i = this.at.get(n) as number;
		const last = this.list.pop() as number;
		if (last !== n) {
			this.list[i] = last;
			this.at.set(last, i);
		}
		this.at.delete(n);
		this.former.push(n);
	}
}

/** Person n's email as the CRM writes it on `day`: now and then in capitals or with spaces (normalized away). */
export function spellEmail(n: number, day: number): string {
	const { email } = person(TAG, n);
	const v = (n + day) % 7;
	if (v === 0) return email.toUpperCase();
	if (v === 3) return `  ${email} `;
	return email;
}

/** Person n's phone as the CRM writes it on `day`: always with the country code, in several formats. */
export function spellPhone(n: number, day: number): string {
	const local = person(TAG, n).phoneDigits.slice(2);
	const v = (n + day) % 5;
	if (v === 1) return `0044 ${local.slice(0, 4)} ${local.slice(4)}`;
	if (v === 3) return `(+44) ${local.slice(0, 4)}-${local.slice(4)}`;
	return `+44 ${local}`;
}

/** The segment exported as a CSV file (customer_id, email, phone) in a binary property, as a file store would give it. */
export function segmentCsv(people: number[], day: number, fileName: string): INodeExecutionData {
	const cell = (v: string) => (/[",\s()]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
	const lines = ['customer_id,email,phone'];
	for (const n of people) lines.push(`${n},${cell(spellEmail(n, day))},${cell(spellPhone(n, day))}`);
	const data = Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
	return { json: { rows: people.length }, binary: { data: { data: data.toString('base64'), mimeType: 'text/csv', fileName, fileSize: String(data.length) } } };
}

/** How webhooks say "entered" and "exited" (CustomerLabs' segment webhooks and others): words in mixed case, booleans, numbers. */
export const ADD_WORDS: Array<string | boolean | number> = ['add', 'added', 'entered', 'joined', 'join', true, 1, 'true', 'yes', ' Entered ', 'ADD'];
export const REMOVE_WORDS: Array<string | boolean | number> = ['remove', 'removed', 'exited', 'left', 'leave', false, 0, 'false', 'no', 'Exited', 'REMOVE'];
/** A value Changes must reject row by row (reason `unknown_change`). */
export const UNKNOWN_WORD = 'paused';

/**
 * What one Changes run must report for its rows: per person the later row wins (appended / removed count people);
 * `overridden` counts the rows that reversed an earlier row of the same person; rows with an unknown change are
 * rejected one by one.
 */
export interface ChangesExpected {
	appended: number;
	removed: number;
	overridden: number;
	unknown: number;
}

export function expectedChanges(rows: Array<{ n: number; kind: 'add' | 'remove' | 'unknown' }>): ChangesExpected {
	const last = new Map<number, 'add' | 'remove'>();
	let unknown = 0;
	let overridden = 0;
	for (const r of rows) {
		if (r.kind === 'unknown') {
			unknown++;
			continue;
		}
		const before = last.get(r.n);
		if (before !== undefined && before !== r.kind) overridden++;
		last.set(r.n, r.kind);
	}
	const finals = [...last.values()];
	return { appended: finals.filter((k) => k === 'add').length, removed: finals.filter((k) => k === 'remove').length, overridden, unknown };
}
