import { looksHashed, preHashedSha256, sha256Hex } from '../identity/hash';
import {
	isPhoneReason,
	normaliseEmailValue,
	normalisePhoneValue,
	phoneCountryCode,
	type EmailOptions,
	type PhoneOptions,
	type RejectReason,
} from '../identity/normalise';
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
	/** One line: a digest, or (without `writePair`) the MULTIPLE_TYPES cells joined by a comma. */
	writeRow(line: string): void;
	/** A MULTIPLE_TYPES row written without joining the cells into a string first ('' for a missing one). */
	writePair?(email: string, phone: string): void;
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
	/**
	 * Identifier values that were already SHA-256 hex (64 hex characters, either case) and were sent as they are:
	 * counted among the values sent, so a repeated pre-hashed value counts once (as a duplicate), for every type.
	 */
	preHashed: number;
	/** True when the list had more distinct values than the dedupe limit (later duplicates: per file only). */
	dedupeLimited: boolean;
}

type Outcome = string | RejectReason;

/** MULTIPLE_TYPES key of a missing identifier (any fixed word; digests' words are random). */
const NO_EMAIL_PLACE = 0;
const NO_EMAIL_PRINT = 0x27d4eb2f;
const NO_PHONE_PLACE = 0x5bd1e995;
const NO_PHONE_PRINT = 0;

/**
 * The hot path runs once per row (millions a second), so it allocates nothing of its own: values are checked with
 * char-code loops, not regular expressions; a digest is the only string made per row (plus the normalised value
 * when normalising changes it); the dedupe key is read from the digest's hex characters; rows go straight into
 * the writer's buffer.
 */
export class RowPipeline {
	private readonly hash: (value: string) => string;
	private readonly sink: RowSink;
	private readonly writePair: (email: string, phone: string) => void;
	private readonly seen = new DigestSet();
	private readonly sample: number;
	private readonly gmail: boolean;
	private readonly emailList: boolean;
	private readonly singleType: boolean;
	private readonly requireHashed: boolean;
	private readonly phoneFormat: PipelineOptions['phone']['format'];
	private readonly countryCode: string;
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
		this.hash = options.sha256 ?? sha256Hex;
		this.sink = options.sink;
		const sink = options.sink;
		this.writePair = sink.writePair ? (e, p) => (sink.writePair as NonNullable<RowSink['writePair']>)(e, p) : (e, p) => sink.writeRow(`${e},${p}`);
		this.sample = options.sampleRows ?? 5;
		this.gmail = options.email?.canonicaliseGmail === true;
		this.emailList = options.calculateType === 'EMAIL_SHA256';
		this.singleType = options.calculateType !== 'MULTIPLE_TYPES';
		this.requireHashed = options.requireHashed === true;
		this.phoneFormat = options.phone.format;
		this.countryCode = phoneCountryCode(options.phone.defaultCountryCode);
		this.dedupeLimit = options.dedupeLimit ?? DEFAULT_DEDUPE_LIMIT;
	}

	/** Whether the key is new; the whole-list set holds up to the limit, then a per-file set takes over. */
	private isNew(place: number, print: number): boolean {
		if (this.seen.size < this.dedupeLimit) return this.seen.add(place, print);
		return this.isNewPastLimit(place, print);
	}

	private isNewPastLimit(place: number, print: number): boolean {
		if (this.seen.has(place, print)) return false;
		this.stats.dedupeLimited = true;
		const file = this.sink.files ?? 0;
		if (!this.local || file !== this.localFile) {
			this.local = new DigestSet();
			this.localFile = file;
		}
		return this.local.add(place, print);
	}

	/** One row; `rowNumber` is 1-based (data rows, a CSV header not counted). */
	add(email: string | undefined, phone: string | undefined, rowNumber: number): void {
		const stats = this.stats;
		stats.rowsIn++;
		if (this.singleType) {
			const result = this.emailList ? this.digest(email, true) : this.digest(phone, false);
			if (result.length !== 64) return this.reject(stats.invalid, result as RejectReason, rowNumber);
			if (!this.isNew(hexWord(result, 0), hexWord(result, 8))) {
				stats.duplicates++;
				return;
			}
			// Counted among the values sent (a repeated pre-hashed value is a duplicate, as in MULTIPLE_TYPES).
			if (this.wasPreHashed) stats.preHashed++;
			stats.rowsSent++;
			this.sink.writeRow(result);
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
			return this.reject(stats.invalid, reason, rowNumber);
		}
		if (!eOk && e !== 'empty') this.reject(stats.droppedValues, e as RejectReason, rowNumber);
		if (!pOk && p !== 'empty') this.reject(stats.droppedValues, p as RejectReason, rowNumber);
		// One person is the pair of identifiers; the key mixes both digests (a fixed word stands for a missing one).
		const place = ((eOk ? hexWord(e, 0) : NO_EMAIL_PLACE) ^ (pOk ? Math.imul(hexWord(p, 0), 0x9e3779b1) : NO_PHONE_PLACE)) >>> 0;
		const print = ((eOk ? hexWord(e, 8) : NO_EMAIL_PRINT) ^ (pOk ? hexWord(p, 8) * 3 : NO_PHONE_PRINT)) >>> 0;
		if (!this.isNew(place, print)) {
			stats.duplicates++;
			return;
		}
		if (eOk && ePre) stats.preHashed++;
		if (pOk && pPre) stats.preHashed++;
		stats.rowsSent++;
		this.writePair(eOk ? e : '', pOk ? p : '');
	}

	/** A 64-character hash, or a rejection reason. */
	private digest(raw: string | undefined, isEmail: boolean): Outcome {
		this.wasPreHashed = false;
		if (raw === undefined || raw === null) return 'empty';
		let value = raw;
		// Pre-hashed values are recognised first (anchored, either case), so they are never normalised or hashed again.
		// Values are trimmed only when they start or end with whitespace (the normalisers trim on their own).
		const length = value.length;
		if (length > 64 && (value.charCodeAt(0) <= 32 || value.charCodeAt(length - 1) <= 32)) value = value.trim();
		if (value.length === 64) {
			const digest = preHashedSha256(value);
			if (digest !== undefined) {
				this.wasPreHashed = true;
				return digest;
			}
		}
		if (this.requireHashed) return value.trim() === '' ? 'empty' : 'hash_wrong_length';
		if (value.length >= 32 && looksHashed(value)) return 'hash_wrong_length';
		if (isEmail) {
			const email = normaliseEmailValue(value, this.gmail);
			return email.indexOf('@') === -1 ? email : this.hash(email);
		}
		const phone = normalisePhoneValue(value, this.phoneFormat, this.countryCode);
		return isPhoneReason(phone) ? phone : this.hash(phone);
	}

	private reject(into: PipelineStats['invalid'], reason: RejectReason, rowNumber: number): void {
		if (into === this.stats.invalid) this.stats.invalidTotal++;
		const entry = (into[reason] ??= { count: 0, rows: [] });
		entry.count++;
		if (entry.rows.length < this.sample) entry.rows.push(rowNumber);
	}
}
