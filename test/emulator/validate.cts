// Parameter validation with TikTok's limits. Failures are 40002 with a message that starts with the parameter's
// name, in the "field: reason." style TikTok's validation layer uses (exact wording UNCONFIRMED; see README).
import { paramError } from './envelope.cts';

export type Obj = Record<string, unknown>;

export const missing = (name: string) => paramError(`${name}: Missing data for required field.`);
const isAbsent = (v: unknown): boolean => v === undefined || v === null;

export function isObject(v: unknown): v is Obj {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function requireObject(v: unknown, name: string): Obj {
	if (isAbsent(v)) throw missing(name);
	if (!isObject(v)) throw paramError(`${name}: Not a valid mapping type.`);
	return v;
}

export function optString(v: unknown, name: string): string | undefined {
	if (isAbsent(v)) return undefined;
	if (typeof v !== 'string') throw paramError(`${name}: Not a valid string.`);
	return v;
}

export function reqString(v: unknown, name: string): string {
	const s = optString(v, name);
	if (s === undefined) throw missing(name);
	return s;
}

/** Length in characters (code points), as a user would count a name. */
export function reqName(v: unknown, name: string, min = 1, max = 128): string {
	const s = reqString(v, name);
	const len = Array.from(s).length;
	if (len < min || len > max) throw paramError(`${name}: Length must be between ${min} and ${max}.`);
	return s;
}

const ID_RE = /^[1-9][0-9]{0,18}$/;

/** TikTok ids travel as strings and are converted to int64 server-side; anything else fails validation. */
export function reqId(v: unknown, name: string): string {
	const s = reqString(v, name);
	if (!ID_RE.test(s) || BigInt(s) > 9223372036854775807n) throw paramError(`${name}: Not a valid id.`);
	return s;
}

export function idList(v: unknown, name: string, min = 1, max = 100): string[] {
	if (isAbsent(v)) throw missing(name);
	if (!Array.isArray(v)) throw paramError(`${name}: Not a valid list.`);
	if (v.length < min || v.length > max) throw paramError(`${name}: Length must be between ${min} and ${max}.`);
	return v.map((item, i) => reqId(item, `${name}[${i}]`));
}

export function optInt(v: unknown, name: string, min: number, max: number): number | undefined {
	if (isAbsent(v)) return undefined;
	let n: number;
	if (typeof v === 'number') n = v;
	else if (typeof v === 'string' && /^-?[0-9]+$/.test(v.trim())) n = Number(v.trim());
	else throw paramError(`${name}: Not a valid integer.`);
	if (!Number.isInteger(n)) throw paramError(`${name}: Not a valid integer.`);
	if (n < min || n > max) {
		throw paramError(`${name}: Must be greater than or equal to ${min} and less than or equal to ${max}.`);
	}
	return n;
}

export function reqInt(v: unknown, name: string, min: number, max: number): number {
	const n = optInt(v, name, min, max);
	if (n === undefined) throw missing(name);
	return n;
}

export function optBool(v: unknown, name: string): boolean | undefined {
	if (isAbsent(v)) return undefined;
	if (typeof v !== 'boolean') throw paramError(`${name}: Not a valid boolean.`);
	return v;
}

export function optEnum<T extends string>(v: unknown, name: string, choices: readonly T[]): T | undefined {
	if (isAbsent(v)) return undefined;
	if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
		throw paramError(`${name}: Must be one of: ${choices.join(', ')}.`);
	}
	return v as T;
}

export function reqEnum<T extends string>(v: unknown, name: string, choices: readonly T[]): T {
	const e = optEnum(v, name, choices);
	if (e === undefined) throw missing(name);
	return e;
}

/** GET array/object parameters are JSON-encoded strings (custom_audience_ids=["1","2"]). */
export function queryJson(query: URLSearchParams, name: string): unknown {
	const raw = query.get(name);
	if (raw === null || raw === '') return undefined;
	try {
		return JSON.parse(raw);
	} catch {
		throw paramError(`${name}: Not a valid JSON string.`);
	}
}

/** Query parameters as a plain object (last value wins), so body and query validation share helpers. */
export function queryObject(query: URLSearchParams): Obj {
	const out: Obj = {};
	for (const [k, v] of query) out[k] = v;
	return out;
}
