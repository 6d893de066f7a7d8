import { looksHashed, preHashedSha256, sha256Hex } from '../identity/hash';
import {
	isPhoneReason,
	normalizeEmailValue,
	normalizePhoneValue,
	phoneCountryCode,
	type EmailOptions,
	type PhoneOptions,
	type RejectReason,
} from '../identity/normalize';
import { DigestSet, hexWord } from './dedupe';

/**
 * The row pipeline of a customer-file sync: each row's identifiers are normalized, validated, hashed (or taken
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
	/** The first `count` lines, in order, as if each went through `writeRow` (one call instead of `count`). */
	writeRows?(lines: string[], count: number): void;
	/** A MULTIPLE_TYPES row written without joining the cells into a string first ('' for a missing one). */
	writePair?(email: string, phone: string): void;
	/** Upload files completed so far (the file writer's count): marks where a new file starts. */
	readonly files?: number;
}

/**
 * Distinct values deduplicated across the whole list (13 MB). Past it, duplicates are collapsed within each upload
 * file only, so memory stays bounded on lists of tens of millions; TikTok keeps members unique anyway, so the
 * audience is the same, only the duplicate count and a few bytes sent differ (the summary says so).
 * 1.5 M fits the dedupe set's 256 shards of 8,192 slots (6 bytes each) at its load limit (1,572,864 values); 2 M made
 * every shard double to 16,384 slots: 25 MB, and the doubling itself held both sizes at once. With 2 M the 10 M-row
 * benchmark peaked at 257–258 MB, with 1.5 M at 218–220 MB (list_10m, same machine, alternating runs).
 */
export const DEFAULT_DEDUPE_LIMIT = 1_500_000;

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
	/**
	 * false: no deduplication here, every accepted row goes to the sink, which deduplicates (Mirror's MirrorSink does,
	 * exactly, with the snapshot it reads anyway), and `duplicates` stays 0. Saves the dedupe set (about 25 MB).
	 */
	dedupe?: boolean;
	/** How many rows are coming, when known (input items): the dedupe set is sized for them at once. */
	expectedRows?: number;
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
	/** Rows identical (after normalization) to an earlier row. */
	duplicates: number;
	/**
	 * Identifier values that were already SHA-256 hex (64 hex characters, either case) and were sent as they are:
	 * counted among the values sent, so a repeated pre-hashed value counts once (as a duplicate), for every type.
	 */
	preHashed: number;
	/** True when the list had more distinct values than the dedupe limit (later duplicates: per file only). */
	dedupeLimited: boolean;
}

/** MULTIPLE_TYPES key of a missing identifier (any fixed word; digests' words are random). */
const NO_EMAIL_PLACE = 0;
const NO_EMAIL_PRINT = 0x27d4eb2f;
const NO_PHONE_PLACE = 0x5bd1e995;
const NO_PHONE_PRINT = 0;

/** Rows held before their values are hashed, deduplicated and written together (see RowPipeline). */
const BATCH_ROWS = 256;

/** What `prepare` found in one identifier value. */
const MISSING = 0; // absent or rejected: `prepared` holds the reason
const TO_HASH = 1; // normalized: `prepared` holds the value to hash
const PRE_HASHED = 2; // already SHA-256 hex: `prepared` holds the lowercase digest

/** The dedupe decision of a row in the batch. */
const DUPLICATE = 0;
const NEW = 1;
const PAST_LIMIT = 2; // decided when written (the per-file set depends on the file being written)

/**
 * Rows are checked as they arrive (rejections counted at once, with their row numbers), then held in a batch of
 * BATCH_ROWS and processed phase by phase: hash every value, read the dedupe keys, decide new/duplicate, write the
 * new rows in order (one joined string per run of rows). Each phase is a tight loop: the dedupe table's random reads
 * overlap with each other instead of waiting one by one between hash calls (`npm run bench` measures the pipeline).
 * Output, order and counts are the same as one row at a time. Nothing of a row is kept but its values; the hot path allocates nothing of its own beyond the
 * digest strings, one joined string per batch, and a normalized value when normalizing changes it.
 * Callers must call `flush()` after the last row.
 */
export class RowPipeline {
	private readonly hash: (value: string) => string;
	private readonly sink: RowSink;
	private readonly writePair: (email: string, phone: string) => void;
	private readonly seen: DigestSet;
	private readonly sample: number;
	private readonly gmail: boolean;
	private readonly emailList: boolean;
	private readonly singleType: boolean;
	private readonly requireHashed: boolean;
	private readonly phoneFormat: PipelineOptions['phone']['format'];
	private readonly countryCode: string;
	private readonly counts: PipelineStats = {
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
	private readonly dedupe: boolean;
	/** Past the limit: values new to the whole-list set, per upload file. */
	private local: DigestSet | undefined;
	private localFile = -1;
	/** Set by `prepare`: the value to hash, the digest, or the rejection reason. */
	private prepared = '';

	// The batch: one value slot per row for single-type lists, two (email, phone) for MULTIPLE_TYPES.
	private held = 0;
	private readonly kinds = new Uint8Array(BATCH_ROWS * 2);
	private readonly values: string[] = new Array<string>(BATCH_ROWS * 2).fill('');
	private readonly places = new Uint32Array(BATCH_ROWS);
	private readonly prints = new Uint32Array(BATCH_ROWS);
	private readonly fates = new Uint8Array(BATCH_ROWS);
	private readonly lines: string[] = [];

	constructor(options: PipelineOptions) {
		this.hash = options.sha256 ?? sha256Hex;
		this.sink = options.sink;
		const sink = options.sink;
		this.writePair = sink.writePair ? (e, p) => (sink.writePair as NonNullable<RowSink['writePair']>)(e, p) : (e, p) => sink.writeRow(`${e},${p}`);
		this.sample = options.sampleRows ?? 5;
		this.gmail = options.email?.canonicalizeGmail === true;
		this.emailList = options.calculateType === 'EMAIL_SHA256';
		this.singleType = options.calculateType !== 'MULTIPLE_TYPES';
		this.requireHashed = options.requireHashed === true;
		this.phoneFormat = options.phone.format;
		this.countryCode = phoneCountryCode(options.phone.defaultCountryCode);
		this.dedupeLimit = options.dedupeLimit ?? DEFAULT_DEDUPE_LIMIT;
		this.dedupe = options.dedupe !== false;
		this.seen = new DigestSet(this.dedupe ? Math.min(options.expectedRows ?? 0, this.dedupeLimit) : 0);
	}

	/** The counts so far; every row added must have been flushed (a programming error otherwise, not a user's). */
	get stats(): PipelineStats {
		if (this.held > 0) throw new Error('RowPipeline: call flush() before reading the stats');
		return this.counts;
	}

	/** One row; `rowNumber` is 1-based (data rows, a CSV header not counted). */
	add(email: string | undefined, phone: string | undefined, rowNumber: number): void {
		const stats = this.counts;
		stats.rowsIn++;
		if (this.singleType) {
			const at = this.held;
			const kind = this.emailList ? this.prepare(email, true) : this.prepare(phone, false);
			if (kind === MISSING) return this.reject(stats.invalid, this.prepared as RejectReason, rowNumber);
			this.kinds[at] = kind;
			this.values[at] = this.prepared;
		} else {
			const at = this.held * 2;
			const eKind = this.prepare(email, true);
			const e = this.prepared;
			const pKind = this.prepare(phone, false);
			const p = this.prepared;
			if (eKind === MISSING && pKind === MISSING) return this.reject(stats.invalid, (e !== 'empty' ? e : p) as RejectReason, rowNumber);
			if (eKind === MISSING && e !== 'empty') this.reject(stats.droppedValues, e as RejectReason, rowNumber);
			if (pKind === MISSING && p !== 'empty') this.reject(stats.droppedValues, p as RejectReason, rowNumber);
			this.kinds[at] = eKind;
			this.values[at] = eKind === MISSING ? '' : e;
			this.kinds[at + 1] = pKind;
			this.values[at + 1] = pKind === MISSING ? '' : p;
		}
		if (++this.held === BATCH_ROWS) this.flush();
	}

	/** Hashes, deduplicates and writes the rows held in the batch. */
	flush(): void {
		const count = this.held;
		if (count === 0) return;
		const { kinds, values, fates } = this;
		const slots = this.singleType ? count : count * 2;
		const hash = this.hash;
		for (let j = 0; j < slots; j++) if (kinds[j] === TO_HASH) values[j] = hash(values[j]);
		if (this.dedupe) this.decideFates(count);
		else fates.fill(NEW, 0, count);
		this.held = 0;
		if (this.singleType) this.writeSingles(count);
		else this.writePairs(count);
	}

	/** Reads each row's dedupe key and decides new / duplicate / past the limit. */
	private decideFates(count: number): void {
		const { kinds, values, places, prints, fates } = this;
		if (this.singleType) {
			for (let i = 0; i < count; i++) {
				const digest = values[i];
				places[i] = hexWord(digest, 0);
				prints[i] = hexWord(digest, 8);
			}
		} else {
			// One person is the pair of identifiers; the key mixes both digests (a fixed word stands for a missing one).
			for (let i = 0; i < count; i++) {
				const eOk = kinds[i * 2] !== MISSING;
				const pOk = kinds[i * 2 + 1] !== MISSING;
				const e = values[i * 2];
				const p = values[i * 2 + 1];
				places[i] = ((eOk ? hexWord(e, 0) : NO_EMAIL_PLACE) ^ (pOk ? Math.imul(hexWord(p, 0), 0x9e3779b1) : NO_PHONE_PLACE)) >>> 0;
				prints[i] = ((eOk ? hexWord(e, 8) : NO_EMAIL_PRINT) ^ (pOk ? hexWord(p, 8) * 3 : NO_PHONE_PRINT)) >>> 0;
			}
		}
		const seen = this.seen;
		const limit = this.dedupeLimit;
		for (let i = 0; i < count; i++) fates[i] = seen.size < limit ? (seen.add(places[i], prints[i]) ? NEW : DUPLICATE) : PAST_LIMIT;
	}

	private writeSingles(count: number): void {
		const { kinds, values, places, prints, fates, lines, counts: stats } = this;
		let pending = 0;
		for (let i = 0; i < count; i++) {
			let fate = fates[i];
			if (fate === PAST_LIMIT) {
				// The per-file set must see the file this row goes into: write what is before it first.
				if (pending > 0) this.writeLines(pending);
				pending = 0;
				fate = this.isNewPastLimit(places[i], prints[i]) ? NEW : DUPLICATE;
			}
			if (fate === DUPLICATE) {
				stats.duplicates++;
				continue;
			}
			// Counted among the values sent (a repeated pre-hashed value is a duplicate, as in MULTIPLE_TYPES).
			if (kinds[i] === PRE_HASHED) stats.preHashed++;
			stats.rowsSent++;
			lines[pending++] = values[i];
		}
		if (pending > 0) this.writeLines(pending);
	}

	/** Writes the first `count` collected lines. */
	private writeLines(count: number): void {
		const sink = this.sink;
		if (sink.writeRows) sink.writeRows(this.lines, count);
		else for (let i = 0; i < count; i++) sink.writeRow(this.lines[i]);
	}

	private writePairs(count: number): void {
		const { kinds, values, places, prints, fates, counts: stats } = this;
		for (let i = 0; i < count; i++) {
			const fate = fates[i] === PAST_LIMIT ? (this.isNewPastLimit(places[i], prints[i]) ? NEW : DUPLICATE) : fates[i];
			if (fate === DUPLICATE) {
				stats.duplicates++;
				continue;
			}
			const eKind = kinds[i * 2];
			const pKind = kinds[i * 2 + 1];
			if (eKind === PRE_HASHED) stats.preHashed++;
			if (pKind === PRE_HASHED) stats.preHashed++;
			stats.rowsSent++;
			this.writePair(values[i * 2], values[i * 2 + 1]);
		}
	}

	private isNewPastLimit(place: number, print: number): boolean {
		if (this.seen.has(place, print)) return false;
		this.counts.dedupeLimited = true;
		const file = this.sink.files ?? 0;
		if (!this.local || file !== this.localFile) {
			this.local = new DigestSet();
			this.localFile = file;
		}
		return this.local.add(place, print);
	}

	/**
	 * Checks one identifier value: TO_HASH (the normalized value), PRE_HASHED (the lowercase digest) or MISSING
	 * (the rejection reason, 'empty' for no value), with the string left in `prepared`.
	 */
	private prepare(raw: string | undefined, isEmail: boolean): number {
		if (raw === undefined || raw === null) return this.miss('empty');
		let value = raw;
		// Pre-hashed values are recognized first (anchored, either case), so they are never normalized or hashed again.
		// Values are trimmed only when they start or end with whitespace (the normalizers trim on their own).
		const length = value.length;
		if (length > 64 && (value.charCodeAt(0) <= 32 || value.charCodeAt(length - 1) <= 32)) value = value.trim();
		if (value.length === 64) {
			const digest = preHashedSha256(value);
			if (digest !== undefined) {
				this.prepared = digest;
				return PRE_HASHED;
			}
		}
		if (this.requireHashed) return this.miss(value.trim() === '' ? 'empty' : 'hash_wrong_length');
		if (value.length >= 32 && looksHashed(value)) return this.miss('hash_wrong_length');
		if (isEmail) {
			const email = normalizeEmailValue(value, this.gmail);
			this.prepared = email;
			return email.indexOf('@') === -1 ? MISSING : TO_HASH;
		}
		const phone = normalizePhoneValue(value, this.phoneFormat, this.countryCode);
		this.prepared = phone;
		return isPhoneReason(phone) ? MISSING : TO_HASH;
	}

	private miss(reason: RejectReason): number {
		this.prepared = reason;
		return MISSING;
	}

	private reject(into: PipelineStats['invalid'], reason: RejectReason, rowNumber: number): void {
		if (into === this.counts.invalid) this.counts.invalidTotal++;
		const entry = (into[reason] ??= { count: 0, rows: [] });
		entry.count++;
		if (entry.rows.length < this.sample) entry.rows.push(rowNumber);
	}
}
