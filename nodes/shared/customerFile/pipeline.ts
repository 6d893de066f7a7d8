import { sha256Hex } from '../identity/hash';
import { normaliseEmailValue, normalisePhone, type EmailOptions, type PhoneOptions, type RejectReason } from '../identity/normalise';
import { DigestSet, hexWord } from './dedupe';

/**
 * The row pipeline of a customer-file sync: each row's identifiers are normalised, validated, hashed (or taken
 * as they are when already SHA-256 hex, never hashed twice), deduplicated and handed to the file writer. It
 * keeps counts and the first few row numbers per rejection reason, never a value.
 */
export type CalculateType = 'EMAIL_SHA256' | 'PHONE_SHA256' | 'MULTIPLE_TYPES';

export const CALCULATE_TYPES: CalculateType[] = ['EMAIL_SHA256', 'PHONE_SHA256', 'MULTIPLE_TYPES'];

/** Header of MULTIPLE_TYPES files: column order of the rows the pipeline writes. */
export const MULTIPLE_TYPES_HEADER = 'EMAIL_SHA256,PHONE_SHA256';

export interface RowSink {
	writeRow(line: string): void;
	/** Upload files completed so far (the file writer's count): marks where a new file starts. */
	readonly files?: number;
}

/**
 * Distinct values deduplicated across the whole list (about 17 MB). Past it, duplicates are collapsed within each
 * upload file only, so memory stays bounded on lists of tens of millions; TikTok keeps members unique anyway, so the
 * audience is the same, only the duplicate count and a few bytes sent differ (the summary says so).
 */
export const DEFAULT_DEDUPE_LIMIT = 2_000_000;

export interface PipelineOptions {
	calculateType: CalculateType;
	email?: EmailOptions;
	phone: PhoneOptions;
	/** Where accepted rows go (the upload file writer). */
	sink: RowSink;
	/** The SHA-256 (lowercase hex) to use; node:crypto's by default. Benchmarks swap in other implementations. */
	sha256?: (value: string) => string;
	/** Row numbers kept per rejection reason (default 5). */
	sampleRows?: number;
	/** Every value must already be SHA-256 hex; anything else is rejected, never hashed here. */
	requireHashed?: boolean;
	/** Distinct values deduplicated across the whole list (default DEFAULT_DEDUPE_LIMIT). */
	dedupeLimit?: number;
}

export interface ReasonCount {
	count: number;
	/** The first few 1-based row numbers. */
	rows: number[];
}

export interface PipelineStats {
	rowsIn: number;
	/** Rows written to upload files. */
	rowsSent: number;
	/** Rows with no usable identifier, by reason (the first mapped identifier's reason). */
	invalid: Partial<Record<RejectReason, ReasonCount>>;
	invalidTotal: number;
	/** MULTIPLE_TYPES rows sent with one identifier left out because it was invalid, by reason. */
	droppedValues: Partial<Record<RejectReason, ReasonCount>>;
	/** Rows identical (after normalisation) to an earlier row. */
	duplicates: number;
	/** Identifier values that were already SHA-256 hex and were sent as they are. */
	preHashed: number;
	/** True when the list had more distinct values than the dedupe limit (later duplicates: per file only). */
	dedupeLimited: boolean;
}

const HEXISH = /^[0-9a-fA-F]+$/;
const HEX_LETTER = /[a-fA-F]/;

type Outcome = string | RejectReason;

export class RowPipeline {
	private readonly opts: PipelineOptions;
	private readonly hash: (value: string) => string;
	private readonly seen = new DigestSet();
	private readonly sample: number;
	private readonly gmail: boolean;
	readonly stats: PipelineStats = {
		rowsIn: 0,
		rowsSent: 0,
		invalid: {},
		invalidTotal: 0,
		droppedValues: {},
		duplicates: 0,
		preHashed: 0,
		dedupeLimited: false,
	};
	private readonly dedupeLimit: number;
	/** Past the limit: values new to the whole-list set, per upload file. */
	private local: DigestSet | undefined;
	private localFile = -1;
	/** Set by `digest` when the last value was pre-hashed. */
	private wasPreHashed = false;

	constructor(options: PipelineOptions) {
		this.opts = options;
		this.hash = options.sha256 ?? sha256Hex;
		this.sample = options.sampleRows ?? 5;
		this.gmail = options.email?.canonicaliseGmail === true;
		this.dedupeLimit = options.dedupeLimit ?? DEFAULT_DEDUPE_LIMIT;
	}

	/** Whether the key is new; the whole-list set holds up to the limit, then a per-file set takes over. */
	private isNew(place: number, print: number): boolean {
		if (this.seen.size < this.dedupeLimit) return this.seen.add(place, print);
		if (this.seen.has(place, print)) return false;
		this.stats.dedupeLimited = true;
		const file = this.opts.sink.files ?? 0;
		if (!this.local || file !== this.localFile) {
			this.local = new DigestSet();
			this.localFile = file;
		}
		return this.local.add(place, print);
	}

	/** One row; `rowNumber` is 1-based (data rows, a CSV header not counted). */
	add(email: string | undefined, phone: string | undefined, rowNumber: number): void {
		this.stats.rowsIn++;
		const type = this.opts.calculateType;
		if (type === 'EMAIL_SHA256' || type === 'PHONE_SHA256') {
			const result = this.digest(type === 'EMAIL_SHA256' ? email : phone, type === 'EMAIL_SHA256');
			if (result.length !== 64) return this.reject(this.stats.invalid, result as RejectReason, rowNumber);
			if (this.wasPreHashed) this.stats.preHashed++;
			if (!this.isNew(hexWord(result, 0), hexWord(result, 8))) {
				this.stats.duplicates++;
				return;
			}
			this.stats.rowsSent++;
			this.opts.sink.writeRow(result);
			return;
		}
		const e = this.digest(email, true);
		const ePre = this.wasPreHashed;
		const p = this.digest(phone, false);
		const pPre = this.wasPreHashed;
		const eOk = e.length === 64;
		const pOk = p.length === 64;
		if (!eOk && !pOk) {
			const reason = (e !== 'empty' ? e : p) as RejectReason;
			return this.reject(this.stats.invalid, reason, rowNumber);
		}
		if (!eOk && e !== 'empty') this.reject(this.stats.droppedValues, e as RejectReason, rowNumber);
		if (!pOk && p !== 'empty') this.reject(this.stats.droppedValues, p as RejectReason, rowNumber);
		// One person is the pair of identifiers; the key mixes both digests (0 stands for a missing one).
		const place = ((eOk ? hexWord(e, 0) : 0) ^ (pOk ? Math.imul(hexWord(p, 0), 0x9e3779b1) : 0x5bd1e995)) >>> 0;
		const print = ((eOk ? hexWord(e, 8) : 0x27d4eb2f) ^ (pOk ? hexWord(p, 8) * 3 : 0)) >>> 0;
		if (!this.isNew(place, print)) {
			this.stats.duplicates++;
			return;
		}
		if (eOk && ePre) this.stats.preHashed++;
		if (pOk && pPre) this.stats.preHashed++;
		this.stats.rowsSent++;
		this.opts.sink.writeRow(`${eOk ? e : ''},${pOk ? p : ''}`);
	}

	/** A 64-character hash, or a rejection reason. */
	private digest(raw: string | undefined, isEmail: boolean): Outcome {
		this.wasPreHashed = false;
		if (raw === undefined || raw === null) return 'empty';
		let value = raw;
		// Pre-hashed values are recognised first (anchored), so they are never normalised or hashed again. Values are
		// trimmed only when they start or end with whitespace (the normalisers trim on their own).
		if (value.length > 64 && (value.charCodeAt(0) <= 32 || value.charCodeAt(value.length - 1) <= 32)) value = value.trim();
		if (value.length === 64 && isLowerHex64(value)) {
			this.wasPreHashed = true;
			return value;
		}
		if (this.opts.requireHashed && value.trim() === '') return 'empty';
		if (this.opts.requireHashed || (value.length >= 32 && HEXISH.test(value) && HEX_LETTER.test(value))) return 'hash_wrong_length';
		if (isEmail) {
			const email = normaliseEmailValue(value, this.gmail);
			return email.indexOf('@') === -1 ? email : this.hash(email);
		}
		const n = normalisePhone(value, this.opts.phone);
		if (!n.ok) return n.reason;
		return this.hash(n.value);
	}

	private reject(into: PipelineStats['invalid'], reason: RejectReason, rowNumber: number): void {
		if (into === this.stats.invalid) this.stats.invalidTotal++;
		const entry = (into[reason] ??= { count: 0, rows: [] });
		entry.count++;
		if (entry.rows.length < this.sample) entry.rows.push(rowNumber);
	}
}

function isLowerHex64(value: string): boolean {
	for (let i = 0; i < 64; i++) {
		const c = value.charCodeAt(i);
		if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
	}
	return true;
}
