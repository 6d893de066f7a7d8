import { createHash, type Hash } from 'node:crypto';

import { DigestSet } from '../customerFile/dedupe';
import { DEFAULT_DEDUPE_LIMIT, type CalculateType, type RowSink } from '../customerFile/pipeline';
import { NORMALIZATION_VERSION } from '../identity/normalize';

/**
 * Mirror's snapshot: the SHA-256 hashes of the people sent by the last successful sync, so the next sync sends only
 * who joined (APPEND) and who left (REMOVE). Never a raw email or phone, only the digests TikTok receives anyway.
 *
 * The snapshot is a binary file the node reads (previous) and writes (new) as a stream, so nothing of size N but a
 * compact index is held (10 M members in a 256 MB process). Format v1, big-endian:
 *
 *   header   "TTASNAP1" · u16 format version (1) · u16 normalization version · u16 length + calculate type (UTF-8)
 *            · u16 length + advertiser ID (UTF-8)
 *   entries  in input order, unsorted (written while the current list streams): u8 type + digests
 *              1 email: 32 raw SHA-256 bytes · 2 phone: 32 bytes · 3 email and phone (one MULTIPLE_TYPES row): 64 bytes
 *   trailer  u8 0 · u64 entries of type 1, 2, 3 · u16 length + audience ID (UTF-8)
 *            · SHA-256 of every byte before it · "TTASEND1"
 *
 * The audience ID sits in the trailer, not the header: a list this run creates gets its ID from TikTok only after
 * the upload, while the snapshot's first bytes are already streamed out. A MULTIPLE_TYPES row is one entry with both
 * digests, not one entry per identifier: a customer file's member is the row (TikTok's file is "one person per row";
 * test/emulator/README.md), so a leaver's REMOVE row must be the exact row sent before, and a person whose phone
 * changed is a new row (APPEND) plus the old row (REMOVE).
 */

export const SNAPSHOT_MAGIC = 'TTASNAP1';
export const SNAPSHOT_END_MAGIC = 'TTASEND1';
export const SNAPSHOT_FORMAT_VERSION = 1;

/** Entry types (the first byte of an entry). */
export const ENTRY_EMAIL = 1;
export const ENTRY_PHONE = 2;
export const ENTRY_PAIR = 3;
export type EntryType = typeof ENTRY_EMAIL | typeof ENTRY_PHONE | typeof ENTRY_PAIR;

const DIGEST_BYTES = 32;
const END_OF_ENTRIES = 0;
/** Longest ID or calculate type accepted (TikTok's IDs are about 19 digits): a longer length is corruption. */
const MAX_TEXT_BYTES = 1024;
/** magic · format version · normalization version · calculate type length. */
const HEADER_FIXED_BYTES = 8 + 2 + 2 + 2;
/** end marker · three u64 counts · audience ID length. */
const TRAILER_FIXED_BYTES = 1 + 3 * 8 + 2;
/** checksum · end magic. */
const TRAILER_END_BYTES = DIGEST_BYTES + 8;
/**
 * Snapshot chunks handed out by the writer. 64 KiB, like the upload files' parts: fresh 1 MiB buffers are new memory
 * maps each time (page faults on every chunk), 64 KiB ones come from the allocator's reused heap.
 */
const DEFAULT_CHUNK_BYTES = 64 * 1024;

export interface SnapshotIdentity {
	advertiserId: string;
	audienceId: string;
	calculateType: CalculateType;
	/** NORMALIZATION_VERSION unless given (tests). */
	normalizationVersion?: number;
}

/** What a complete, valid snapshot says about itself. */
export interface SnapshotInfo {
	formatVersion: number;
	normalizationVersion: number;
	calculateType: string;
	advertiserId: string;
	audienceId: string;
	/** Entries per type: email, phone, email and phone. */
	emails: number;
	phones: number;
	pairs: number;
	entries: number;
	bytes: number;
	/** The SHA-256 in its trailer (lowercase hex): names this exact file. */
	checksum: string;
}

export type SnapshotProblem =
	| 'empty'
	| 'not_snapshot'
	| 'format_version'
	| 'truncated'
	| 'corrupt'
	| 'checksum'
	| 'other_advertiser'
	| 'other_audience'
	| 'other_calculate_type'
	| 'other_normalization'
	| 'changed';

/** A previous snapshot that cannot be used; the message says what is wrong and what to do. The sync sends nothing. */
export class SnapshotError extends Error {
	readonly problem: SnapshotProblem;

	constructor(problem: SnapshotProblem, message: string) {
		super(message);
		this.name = 'SnapshotError';
		this.problem = problem;
	}
}

const START_OVER = 'or pass no snapshot to start over with a first sync';

function corrupt(detail: string): SnapshotError {
	return new SnapshotError('corrupt', `The previous snapshot is corrupt: ${detail}. Use an intact copy of the file the last successful sync wrote, ${START_OVER}.`);
}

/** Bytes a snapshot is read from: a Buffer, or chunks (n8n's binary stream, `getBinaryStream`). */
export type SnapshotInput = Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

function toBuffer(chunk: Uint8Array): Buffer {
	return Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
}

/** Feeds every chunk of `input` to `push`, awaiting `afterChunk` (e.g. sending completed upload files) in between. */
async function feed(input: SnapshotInput, push: (chunk: Buffer) => void, afterChunk?: () => Promise<void>): Promise<void> {
	if (input instanceof Uint8Array) {
		push(toBuffer(input));
		if (afterChunk) await afterChunk();
		return;
	}
	const chunks = input as AsyncIterable<Uint8Array>;
	for await (const chunk of chunks) {
		push(toBuffer(chunk));
		if (afterChunk) await afterChunk();
	}
}

function word(b: Uint8Array, at: number): number {
	return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
}

function rotl16(x: number): number {
	return ((x << 16) | (x >>> 16)) >>> 0;
}

/** Mixed into phone and pair keys, so the same digest as an email, a phone or in a pair gives three keys. */
const PHONE_SALT = 0x9e3779b9;
const PAIR_SALT = 0x85ebca6b;

/**
 * The index key of an entry: up to 20 bits choose the bucket (`bucket` holds 20, the index uses as many as its size
 * needs), 63 more bits are kept (`hi`, and 31 bits in `lo`: the index keeps its "seen" flag in the 32nd): 83 bits of
 * a uniformly random digest. Two distinct entries share a key with probability 2^-83, so among n members and n current
 * rows some row is taken for a member it is not with probability about n²/2^84: 5e-12 for 10 M (a snapshot under
 * 65,536 entries uses fewer bucket bits, and stays under 2^-45).
 * Such a row would count as kept (not sent as a joiner) and keep that member from leaving; it can never make a
 * REMOVE of someone in the list (a REMOVE is only ever a snapshot entry whose key no current row has).
 * A pair's key mixes both digests (the phone's words rotated, so (a, b) and (b, a) differ).
 */
class Key {
	bucket = 0;
	hi = 0;
	lo = 0;

	of(type: number, b: Uint8Array, at: number): void {
		if (type === ENTRY_PAIR) {
			const p = at + DIGEST_BYTES;
			this.bucket = (word(b, at) ^ rotl16(word(b, p))) >>> (32 - BUCKET_BITS);
			this.hi = (word(b, at + 4) ^ rotl16(word(b, p + 4))) >>> 0;
			this.lo = (word(b, at + 8) ^ rotl16(word(b, p + 8)) ^ PAIR_SALT) >>> 1;
			return;
		}
		this.bucket = word(b, at) >>> (32 - BUCKET_BITS);
		this.hi = word(b, at + 4);
		this.lo = (type === ENTRY_PHONE ? word(b, at + 8) ^ PHONE_SALT : word(b, at + 8)) >>> 1;
	}
}

/** Entries whose keys are computed together before the index is touched (a 64 KiB chunk holds about 2,000). */
const RUN = 1024;

/** The keys of up to RUN consecutive entries, column by column. */
class KeyRun {
	readonly bucket = new Uint32Array(RUN);
	readonly hi = new Uint32Array(RUN);
	readonly lo = new Uint32Array(RUN);
	/** Where each entry's digests start, and its type. */
	readonly at = new Uint32Array(RUN);
	readonly type = new Uint8Array(RUN);
	/** Scratch for the caller (index places). */
	readonly place = new Uint32Array(RUN);
	count = 0;
	private readonly key = new Key();

	/** Reads the whole entries of `buf` from `from` (a type byte) up to `to`, RUN at most; returns where it stopped. */
	fill(buf: Uint8Array, from: number, to: number, shift: number): number {
		const key = this.key;
		let n = 0;
		let at = from;
		while (at < to && n < RUN) {
			const type = buf[at];
			key.of(type, buf, at + 1);
			this.bucket[n] = key.bucket >>> shift;
			this.hi[n] = key.hi;
			this.lo[n] = key.lo;
			this.at[n] = at + 1;
			this.type[n] = type;
			n++;
			at += type === ENTRY_PAIR ? 1 + 2 * DIGEST_BYTES : 1 + DIGEST_BYTES;
		}
		this.count = n;
		return at;
	}
}

const BUCKET_BITS = 20;
const BUCKETS = 1 << BUCKET_BITS;
/** Rows looked up together (the pipeline hands over at most 256 at a time). */
const BATCH = 256;
/** Up to this many entries, pass 1 keeps their buckets and the index uses fewer (about 8 entries a bucket). */
const SMALL_SNAPSHOT = 1 << 16;

function bucketBitsFor(entries: number): number {
	if (entries > SMALL_SNAPSHOT) return BUCKET_BITS;
	let bits = 4;
	while (bits < BUCKET_BITS && (1 << bits) * 8 < entries) bits++;
	return bits;
}

function entryBytes(type: number): number {
	return type === ENTRY_PAIR ? 1 + 2 * DIGEST_BYTES : 1 + DIGEST_BYTES;
}

/** Entry types a list of this calculate type holds. */
function allowedTypes(calculateType: string): number[] {
	if (calculateType === 'EMAIL_SHA256') return [ENTRY_EMAIL];
	if (calculateType === 'PHONE_SHA256') return [ENTRY_PHONE];
	return [ENTRY_EMAIL, ENTRY_PHONE, ENTRY_PAIR];
}

const CALCULATE_TYPE_LABEL: Record<string, string> = { EMAIL_SHA256: 'Email', PHONE_SHA256: 'Phone', MULTIPLE_TYPES: 'Multiple Types' };

const ENTRY_NAMES = ['', 'email', 'phone', 'email and phone'];

function label(calculateType: string): string {
	return CALCULATE_TYPE_LABEL[calculateType] ? `"${CALCULATE_TYPE_LABEL[calculateType]}" (${calculateType})` : `"${calculateType}"`;
}

/** Reading steps: the unit of bytes each one needs. */
const HEADER_FIXED = 0;
const HEADER_TYPE = 1;
const HEADER_ADVERTISER = 2;
const ENTRIES = 3;
const TRAILER_FIXED = 4;
const TRAILER_AUDIENCE = 5;
const TRAILER_END = 6;
const DONE = 7;

const MAGIC_BYTES = Buffer.from(SNAPSHOT_MAGIC, 'latin1');

/**
 * Reads one snapshot from chunks split anywhere: checks the header against the expected identity as soon as it is
 * complete, hands runs of whole entries to `onRun` (the buffer, where the first entry's type byte is, where the
 * run ends; every type checked), and at the end checks the
 * trailer's counts and checksum. Any problem throws a SnapshotError. Only an unfinished unit (at most a header field
 * or one entry) is copied between chunks.
 */
class SnapshotReader {
	private readonly expected: SnapshotIdentity;
	private readonly onRun: (buf: Buffer, from: number, to: number) => void;
	private readonly hash: Hash = createHash('sha256');
	private hashing: boolean;
	private readonly verify: boolean;
	private step = HEADER_FIXED;
	/** Bytes of the unit being read when it spans chunks. */
	private readonly carry = Buffer.alloc(2 + MAX_TEXT_BYTES + 2);
	private carried = 0;
	private need = HEADER_FIXED_BYTES;
	private allowed = new Uint8Array(4);
	private textBytes = 0;
	private bytes = 0;
	private readonly counted = [0, 0, 0, 0];
	private readonly stated = [0, 0, 0, 0];
	private readonly info: SnapshotInfo = {
		formatVersion: 0,
		normalizationVersion: 0,
		calculateType: '',
		advertiserId: '',
		audienceId: '',
		emails: 0,
		phones: 0,
		pairs: 0,
		entries: 0,
		bytes: 0,
		checksum: '',
	};

	/** `verify`: check the checksum (the first pass; later passes of the same file check its structure only). */
	constructor(expected: SnapshotIdentity, onRun: (buf: Buffer, from: number, to: number) => void, verify = true) {
		this.expected = expected;
		this.onRun = onRun;
		this.verify = verify;
		this.hashing = verify;
	}

	push(buf: Buffer): void {
		const length = buf.length;
		if (length === 0) return;
		if (this.step === DONE) throw corrupt('it has bytes after its end');
		this.bytes += length;
		let pos = 0;
		let hashFrom = 0;
		if (this.carried > 0) {
			const take = Math.min(this.need - this.carried, length);
			buf.copy(this.carry, this.carried, 0, take);
			this.carried += take;
			pos = take;
			if (this.carried < this.need) {
				if (this.hashing) this.hash.update(buf);
				return;
			}
			this.carried = 0;
			if (this.step === ENTRIES) {
				const type = this.carry[0];
				this.counted[type]++;
				this.onRun(this.carry, 0, entryBytes(type));
			} else this.unit(this.carry, 0);
		}
		for (;;) {
			if (this.step === ENTRIES) pos = this.entries(buf, pos);
			if (this.step === TRAILER_END && this.hashing) {
				// Everything before the checksum is hashed; the checksum and end magic are not.
				this.hash.update(buf.subarray(hashFrom, pos));
				hashFrom = pos;
				this.hashing = false;
			}
			if (pos >= length) break;
			if (this.step === DONE) throw corrupt('it has bytes after its end');
			if (this.step === ENTRIES) {
				// An entry cut by the chunk's end: its type says how long it is.
				this.need = entryBytes(buf[pos]);
			}
			if (length - pos < this.need) {
				buf.copy(this.carry, 0, pos, length);
				this.carried = length - pos;
				pos = length;
				break;
			}
			this.unit(buf, pos);
			pos += this.consumed;
		}
		if (this.hashing) this.hash.update(hashFrom === 0 ? buf : buf.subarray(hashFrom));
	}

	/** Size of the unit `unit` last read (entries: its type's size). */
	private consumed = 0;

	/** The entries that lie whole in `buf` from `pos`; returns where the first unread byte is. */
	private entries(buf: Buffer, pos: number): number {
		const length = buf.length;
		const allowed = this.allowed;
		const counted = this.counted;
		const from = pos;
		while (pos < length) {
			const type = buf[pos];
			if (type === END_OF_ENTRIES) {
				this.step = TRAILER_FIXED;
				this.need = TRAILER_FIXED_BYTES;
				break;
			}
			if (type > ENTRY_PAIR || allowed[type] === 0) throw this.badType(type);
			const size = type === ENTRY_PAIR ? 1 + 2 * DIGEST_BYTES : 1 + DIGEST_BYTES;
			if (pos + size > length) break;
			counted[type]++;
			pos += size;
		}
		if (pos > from) this.onRun(buf, from, pos);
		return pos;
	}

	private badType(type: number): SnapshotError {
		if (type <= ENTRY_PAIR && type !== END_OF_ENTRIES) {
			return corrupt(`it holds an entry of type ${type} (${ENTRY_NAMES[type]}), which a list of Calculate Type ${label(this.info.calculateType)} never has`);
		}
		return corrupt(`an entry starts with byte ${type}, which is no entry type`);
	}

	/** One whole unit of the current step at `buf[at]`; sets `consumed`. */
	private unit(buf: Buffer, at: number): void {
		const expected = this.expected;
		switch (this.step) {
			case HEADER_FIXED: {
				if (buf.compare(MAGIC_BYTES, 0, 8, at, at + 8) !== 0) throw notSnapshot();
				const info = this.info;
				info.formatVersion = buf.readUInt16BE(at + 8);
				if (info.formatVersion !== SNAPSHOT_FORMAT_VERSION) {
					throw new SnapshotError(
						'format_version',
						`The previous snapshot has format version ${info.formatVersion}; this node reads version ${SNAPSHOT_FORMAT_VERSION}. It was written by another version of this node: update the node, ${START_OVER}.`,
					);
				}
				info.normalizationVersion = buf.readUInt16BE(at + 10);
				this.textBytes = this.textLength(buf.readUInt16BE(at + 12));
				this.consumed = HEADER_FIXED_BYTES;
				this.next(HEADER_TYPE, this.textBytes + 2);
				return;
			}
			case HEADER_TYPE: {
				const info = this.info;
				info.calculateType = buf.toString('utf8', at, at + this.textBytes);
				const want = expected.calculateType;
				if (info.calculateType !== want) {
					throw new SnapshotError(
						'other_calculate_type',
						`The previous snapshot is of a list with Calculate Type ${label(info.calculateType)}; this list is ${label(want)}. A snapshot only fits lists of its own type: pass this list's snapshot, ${START_OVER}.`,
					);
				}
				const wantNormalization = expected.normalizationVersion ?? NORMALIZATION_VERSION;
				if (info.normalizationVersion !== wantNormalization) {
					throw new SnapshotError(
						'other_normalization',
						`The previous snapshot was written with normalization rules version ${info.normalizationVersion}; this node normalizes emails and phones with version ${wantNormalization}, so the same person could hash differently and be removed and added again. Pass no snapshot to start over with a first sync, which writes a new one.`,
					);
				}
				for (const type of allowedTypes(info.calculateType)) this.allowed[type] = 1;
				this.consumed = this.textBytes + 2;
				this.textBytes = this.textLength(buf.readUInt16BE(at + this.textBytes));
				this.next(HEADER_ADVERTISER, this.textBytes);
				return;
			}
			case HEADER_ADVERTISER: {
				const info = this.info;
				info.advertiserId = buf.toString('utf8', at, at + this.textBytes);
				if (info.advertiserId !== expected.advertiserId) {
					throw new SnapshotError(
						'other_advertiser',
						`The previous snapshot belongs to advertiser ${info.advertiserId}, not ${expected.advertiserId}. Each audience needs its own snapshot file: pass the one this audience's last successful sync wrote, ${START_OVER}.`,
					);
				}
				this.consumed = this.textBytes;
				this.step = ENTRIES;
				return;
			}
			case TRAILER_FIXED: {
				for (let type = 1; type <= 3; type++) this.stated[type] = readCount(buf, at + 1 + (type - 1) * 8);
				this.textBytes = this.textLength(buf.readUInt16BE(at + 25));
				this.consumed = TRAILER_FIXED_BYTES;
				this.next(TRAILER_AUDIENCE, this.textBytes);
				return;
			}
			case TRAILER_AUDIENCE: {
				this.info.audienceId = buf.toString('utf8', at, at + this.textBytes);
				this.consumed = this.textBytes;
				this.next(TRAILER_END, TRAILER_END_BYTES);
				return;
			}
			case TRAILER_END: {
				const badSum = this.verify && this.hash.digest().compare(buf, at, at + DIGEST_BYTES) !== 0;
				if (badSum || buf.toString('latin1', at + DIGEST_BYTES, at + TRAILER_END_BYTES) !== SNAPSHOT_END_MAGIC) {
					throw new SnapshotError(
						'checksum',
						`The previous snapshot is corrupt: its checksum does not match its contents (the file was changed or damaged after it was written). Use an intact copy of the file the last successful sync wrote, ${START_OVER}.`,
					);
				}
				this.info.checksum = buf.toString('hex', at, at + DIGEST_BYTES);
				this.consumed = TRAILER_END_BYTES;
				this.step = DONE;
				return;
			}
		}
	}

	/** Moves to a step whose unit is `need` bytes (an empty unit is read at once, with no bytes). */
	private next(step: number, need: number): void {
		this.step = step;
		this.need = need;
		if (need === 0) {
			const consumed = this.consumed;
			this.unit(this.carry, 0);
			this.consumed = consumed;
		}
	}

	private textLength(n: number): number {
		if (n > MAX_TEXT_BYTES) throw corrupt(`a text field is ${n} bytes long, more than ${MAX_TEXT_BYTES}`);
		return n;
	}

	/** After the last chunk: the snapshot must have ended with its trailer, counts matching; returns what it says. */
	end(): SnapshotInfo {
		if (this.step !== DONE) {
			if (this.bytes === 0) {
				throw new SnapshotError('empty', `The previous snapshot is empty (0 bytes): it is not a file a sync wrote. Pass the snapshot file the last successful sync wrote, ${START_OVER}.`);
			}
			if (this.step === HEADER_FIXED && this.carry.compare(MAGIC_BYTES, 0, Math.min(8, this.carried), 0, Math.min(8, this.carried)) !== 0) throw notSnapshot();
			throw new SnapshotError(
				'truncated',
				`The previous snapshot is incomplete: it ends after ${this.bytes} bytes, before its end marker (it was cut short while being saved or copied). Use the complete file, ${START_OVER}.`,
			);
		}
		const { counted, stated, info, expected } = this;
		if (counted[1] !== stated[1] || counted[2] !== stated[2] || counted[3] !== stated[3]) {
			throw corrupt(`its trailer counts ${stated[1] + stated[2] + stated[3]} entries, it holds ${counted[1] + counted[2] + counted[3]}`);
		}
		if (info.audienceId !== expected.audienceId) {
			throw new SnapshotError(
				'other_audience',
				`The previous snapshot belongs to audience ${info.audienceId}, not ${expected.audienceId}. Each audience needs its own snapshot file: pass the one this audience's last successful sync wrote, ${START_OVER}.`,
			);
		}
		info.emails = counted[1];
		info.phones = counted[2];
		info.pairs = counted[3];
		info.entries = counted[1] + counted[2] + counted[3];
		info.bytes = this.bytes;
		return info;
	}
}

function notSnapshot(): SnapshotError {
	return new SnapshotError(
		'not_snapshot',
		`The previous snapshot is not a snapshot file (it does not start with "${SNAPSHOT_MAGIC}"): pass the snapshot file the last successful sync wrote (its binary output), not the list itself, ${START_OVER}.`,
	);
}

function readCount(buf: Buffer, at: number): number {
	const high = buf.readUInt32BE(at);
	if (high >= 1 << 21) throw corrupt('an entry count is out of range');
	return high * 2 ** 32 + buf.readUInt32BE(at + 4);
}

/** Reads and checks a whole snapshot (header, every entry's type, trailer, checksum) without indexing it. */
export async function readSnapshotInfo(input: SnapshotInput, expected: SnapshotIdentity): Promise<SnapshotInfo> {
	const reader = new SnapshotReader(expected, () => undefined);
	await feed(input, (chunk) => reader.push(chunk));
	return reader.end();
}

/** A snapshot entry as a leaver: the row to REMOVE ('' for a missing identifier of a MULTIPLE_TYPES row). */
export interface Leaver {
	type: EntryType;
	email: string;
	phone: string;
}

export interface PassOptions {
	/** Awaited after each chunk (e.g. sending completed upload files, giving n8n's event loop back). */
	afterChunk?: () => Promise<void>;
}

/**
 * The previous snapshot, indexed for "is this digest in it" while the current list streams: built in two streaming
 * passes over the file (count per bucket and check everything; then fill), it keeps 8 bytes a member (two 32-bit
 * words of the key, bucket by bucket) plus a bit for "seen in the current list": 80 MB for 10 M members, whatever
 * the file's size, and 4 MB of bucket starts (2^20 buckets; a snapshot of at most 65,536 entries uses 16 to 8,192).
 * `writeLeavers` reads the file a third time and gives the members not seen, in the file's order.
 *
 * The first pass checks everything, the checksum included (SHA-256 over the file: about 0.4 s of CPU per 10 M
 * members, so once). The later passes check the structure (header, entry types, counts, end marker) and that the
 * trailer names the same checksum, the second that each bucket fills exactly, the third that each entry is the one
 * the index holds at its place: a file replaced between passes is refused. Even a change those checks missed could not remove someone in the current list:
 * a REMOVE row is an entry of the file being read whose key no current row has.
 */
export class SnapshotIndex {
	/** What the snapshot says about itself (checked against the expected identity). */
	readonly info: SnapshotInfo;
	private readonly expected: SnapshotIdentity;
	/** Position of each bucket's first key; the last one is the number of entries. */
	private readonly starts: Uint32Array;
	/** Key.bucket >>> shift is the bucket. */
	private readonly shift: number;
	/** The keys, two words each, in bucket order; the second word's lowest bit: seen in the current list. */
	private readonly keys: Uint32Array;
	private readonly key = new Key();
	private seenCount = 0;
	// visitRun's phases.
	private readonly runHi = new Uint32Array(BATCH);
	private readonly runLo = new Uint32Array(BATCH);
	private readonly runFrom = new Uint32Array(BATCH);
	private readonly runTo = new Uint32Array(BATCH);

	private constructor(info: SnapshotInfo, expected: SnapshotIdentity, starts: Uint32Array, keys: Uint32Array) {
		this.info = info;
		this.expected = expected;
		this.starts = starts;
		this.shift = BUCKET_BITS - Math.log2(starts.length - 1);
		this.keys = keys;
	}

	/**
	 * Reads the previous snapshot twice: `open` gives its bytes each time (n8n: `getBinaryStream` again, or the same
	 * Buffer). Throws a SnapshotError when it is not this audience's valid snapshot.
	 */
	static async build(open: () => SnapshotInput | Promise<SnapshotInput>, expected: SnapshotIdentity, options: PassOptions = {}): Promise<SnapshotIndex> {
		// Pass 1: everything checked, entries counted per bucket (counts[b + 1] counts bucket b). The first 65,536
		// entries' 20-bit buckets are kept, so a small snapshot gets a small table (the bucket count follows the size).
		let small: Uint32Array | undefined = new Uint32Array(SMALL_SNAPSHOT);
		let full: Uint32Array | undefined;
		let seen = 0;
		const run = new KeyRun();
		const first = new SnapshotReader(expected, (buf, from, to) => {
			for (let at = from; at < to; ) {
				at = run.fill(buf, at, to, 0);
				for (let i = 0; i < run.count; i++) {
					const bucket = run.bucket[i];
					if (full) full[bucket + 1]++;
					else if (seen < SMALL_SNAPSHOT) (small as Uint32Array)[seen] = bucket;
					else {
						full = new Uint32Array(BUCKETS + 1);
						for (const b of small as Uint32Array) full[b + 1]++;
						full[bucket + 1]++;
						small = undefined;
					}
					seen++;
				}
			}
		});
		await feed(await open(), (chunk) => first.push(chunk), options.afterChunk);
		const info = first.end();
		const bits = bucketBitsFor(info.entries);
		const shift = BUCKET_BITS - bits;
		const buckets = 1 << bits;
		let counts = full;
		if (!counts) {
			counts = new Uint32Array(buckets + 1);
			for (let i = 0; i < info.entries; i++) counts[((small as Uint32Array)[i] >>> shift) + 1]++;
		}
		small = undefined;
		for (let b = 1; b <= buckets; b++) counts[b] += counts[b - 1];
		const starts = counts;
		const index = new SnapshotIndex(info, expected, starts, new Uint32Array(info.entries * 2));
		// Pass 2: the keys, each in the next free place of its bucket.
		const cursor = starts.slice(0, buckets);
		const keys = index.keys;
		const second = new SnapshotReader(
			expected,
			(buf, from, to) => {
				for (let at = from; at < to; ) {
					at = run.fill(buf, at, to, shift);
					const { bucket, hi, lo, count } = run;
					for (let i = 0; i < count; i++) {
						const place = cursor[bucket[i]]++;
						if (place >= starts[bucket[i] + 1]) throw changed();
						keys[place * 2] = hi[i];
						keys[place * 2 + 1] = lo[i] << 1;
					}
				}
			},
			false,
		);
		await feed(await open(), (chunk) => second.push(chunk), options.afterChunk);
		const again = second.end();
		if (again.entries !== info.entries || again.checksum !== info.checksum) throw changed();
		return index;
	}

	/** Members in the snapshot. */
	get size(): number {
		return this.info.entries;
	}

	/** Members seen in the current list so far (distinct keys' entries). */
	get seen(): number {
		return this.seenCount;
	}

	/**
	 * Looks an entry up by its digest bytes (`type`, `buf` from `at`: 32 bytes, or 64 for a pair) and marks it seen:
	 * 0 not in the snapshot, 1 in it and seen now for the first time, 2 in it and seen before (a repeated row).
	 */
	visit(type: number, buf: Uint8Array, at: number): 0 | 1 | 2 {
		const key = this.key;
		key.of(type, buf, at);
		const keys = this.keys;
		const hi = key.hi;
		const lo = key.lo;
		const bucket = key.bucket >>> this.shift;
		const end = this.starts[bucket + 1];
		let found: 0 | 1 | 2 = 0;
		// Every match is marked: a snapshot may hold a member twice (rows repeated past the dedupe limit).
		for (let place = this.starts[bucket]; place < end; place++) {
			const second = keys[place * 2 + 1];
			if (keys[place * 2] !== hi || second >>> 1 !== lo) continue;
			if ((second & 1) !== 0) {
				if (found === 0) found = 2;
				continue;
			}
			keys[place * 2 + 1] = second | 1;
			this.seenCount++;
			found = 1;
		}
		return found;
	}

	/**
	 * `visit` for `n` single-digest entries side by side in `buf` from `base` (33 bytes each: type, digest); the
	 * answers go to `found`. Phase by phase: keys, bucket bounds, then the scans, so the random reads of many rows
	 * overlap.
	 */
	visitRun(type: number, buf: Uint8Array, base: number, n: number, found: Uint8Array): void {
		const { key, keys, starts, shift, runHi, runLo, runFrom, runTo } = this;
		for (let i = 0; i < n; i++) {
			key.of(type, buf, base + i * (1 + DIGEST_BYTES) + 1);
			runFrom[i] = key.bucket >>> shift;
			runHi[i] = key.hi;
			runLo[i] = key.lo;
		}
		for (let i = 0; i < n; i++) {
			const bucket = runFrom[i];
			runFrom[i] = starts[bucket];
			runTo[i] = starts[bucket + 1];
		}
		for (let i = 0; i < n; i++) {
			const hi = runHi[i];
			const lo = runLo[i];
			const end = runTo[i];
			let answer = 0;
			for (let place = runFrom[i]; place < end; place++) {
				const second = keys[place * 2 + 1];
				if (keys[place * 2] !== hi || second >>> 1 !== lo) continue;
				if ((second & 1) !== 0) {
					if (answer === 0) answer = 2;
					continue;
				}
				keys[place * 2 + 1] = second | 1;
				this.seenCount++;
				answer = 1;
			}
			found[i] = answer;
		}
	}

	/** Whether a digest (lowercase hex; for a pair both, '' for a missing one) is in the snapshot, without marking it. */
	has(emailHex: string, phoneHex: string): boolean {
		const { type, bytes } = entryFromHex(emailHex, phoneHex);
		const key = this.key;
		key.of(type, bytes, 0);
		const bucket = key.bucket >>> this.shift;
		const end = this.starts[bucket + 1];
		for (let place = this.starts[bucket]; place < end; place++) {
			if (this.keys[place * 2] === key.hi && this.keys[place * 2 + 1] >>> 1 === key.lo) return true;
		}
		return false;
	}

	/** Marks a digest (as `has`) seen in the current list; returns `visit`'s answer. */
	markSeen(emailHex: string, phoneHex: string): 0 | 1 | 2 {
		const { type, bytes } = entryFromHex(emailHex, phoneHex);
		return this.visit(type, bytes, 0);
	}

	/**
	 * Reads the snapshot a third time and writes each entry not seen in the current list as a REMOVE row to `sink`
	 * (single type: the digest; MULTIPLE_TYPES: the row's cells, '' for a missing one), in the file's order.
	 * Returns how many. Only entries of the indexed file can come out: each one read is checked against its place in
	 * the index, and the pass ends with the checksum (a SnapshotError means: send nothing).
	 */
	async writeLeavers(input: SnapshotInput, sink: RowSink, options: PassOptions = {}): Promise<number> {
		let left = 0;
		const lines: string[] = [];
		let pending = 0;
		const flush = (): void => {
			if (pending === 0) return;
			if (sink.writeRows) sink.writeRows(lines, pending);
			else for (let i = 0; i < pending; i++) sink.writeRow(lines[i]);
			pending = 0;
		};
		await this.unseen(
			input,
			(type, buf, at) => {
				left++;
				if (type === ENTRY_PAIR) {
					flush();
					writePair(sink, hexOf(buf, at), hexOf(buf, at + DIGEST_BYTES));
				} else if (this.expected.calculateType === 'MULTIPLE_TYPES') {
					flush();
					const hex = hexOf(buf, at);
					if (type === ENTRY_EMAIL) writePair(sink, hex, '');
					else writePair(sink, '', hex);
				} else {
					lines[pending++] = hexOf(buf, at);
					if (pending === 256) flush();
				}
			},
			flush,
			options,
		);
		return left;
	}

	/** The entries not seen in the current list (see `writeLeavers`), chunk by chunk. */
	async *leavers(input: SnapshotInput): AsyncGenerator<Leaver> {
		const found: Leaver[] = [];
		const chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array> = input instanceof Uint8Array ? [input] : input;
		const reader = this.pass3((type, buf, at) => {
			const first = hexOf(buf, at);
			if (type === ENTRY_PAIR) found.push({ type, email: first, phone: hexOf(buf, at + DIGEST_BYTES) });
			else if (type === ENTRY_EMAIL) found.push({ type, email: first, phone: '' });
			else found.push({ type: ENTRY_PHONE, email: '', phone: first });
		});
		for await (const chunk of chunks as AsyncIterable<Uint8Array>) {
			reader.push(toBuffer(chunk));
			yield* found;
			found.length = 0;
		}
		this.endPass3(reader);
	}

	private async unseen(input: SnapshotInput, onLeaver: (type: number, buf: Buffer, at: number) => void, afterEach: () => void, options: PassOptions): Promise<void> {
		const reader = this.pass3(onLeaver);
		await feed(
			input,
			(chunk) => {
				reader.push(chunk);
				afterEach();
			},
			options.afterChunk,
		);
		this.endPass3(reader);
	}

	private pass3(onLeaver: (type: number, buf: Buffer, at: number) => void): SnapshotReader {
		const { keys, starts, shift } = this;
		const cursor = starts.slice(0, starts.length - 1);
		const run = new KeyRun();
		this.pass3Entries = 0;
		return new SnapshotReader(
			this.expected,
			(buf, from, to) => {
				for (let next = from; next < to; ) {
					next = run.fill(buf, next, to, shift);
					const { bucket, hi, lo, at, type, place, count } = run;
					// Places first, then the reads of the keys: independent of each other, so they overlap.
					for (let i = 0; i < count; i++) {
						const p = cursor[bucket[i]]++;
						if (p >= starts[bucket[i] + 1]) throw changed();
						place[i] = p;
					}
					for (let i = 0; i < count; i++) {
						// The same file gives the same entry at the same place; anything else means it changed since pass 2.
						const second = keys[place[i] * 2 + 1];
						if (keys[place[i] * 2] !== hi[i] || second >>> 1 !== lo[i]) throw changed();
						if ((second & 1) === 0) onLeaver(type[i], buf, at[i]);
					}
					this.pass3Entries += count;
				}
			},
			false,
		);
	}

	private pass3Entries = 0;

	private endPass3(reader: SnapshotReader): void {
		const again = reader.end();
		if (this.pass3Entries !== this.info.entries || again.checksum !== this.info.checksum) throw changed();
	}
}

function changed(): SnapshotError {
	return new SnapshotError(
		'changed',
		'The previous snapshot changed while this sync was reading it (another run may have been writing it). Run the sync again, and let one run at a time write the snapshot.',
	);
}

function writePair(sink: RowSink, email: string, phone: string): void {
	if (sink.writePair) sink.writePair(email, phone);
	else sink.writeRow(`${email},${phone}`);
}

/** The entry bytes of a digest given as hex ('' for a missing identifier of a pair). */
function entryFromHex(emailHex: string, phoneHex: string): { type: EntryType; bytes: Buffer } {
	if (emailHex !== '' && phoneHex !== '') {
		const bytes = Buffer.alloc(2 * DIGEST_BYTES);
		putHex(bytes, 0, emailHex);
		putHex(bytes, DIGEST_BYTES, phoneHex);
		return { type: ENTRY_PAIR, bytes };
	}
	const bytes = Buffer.alloc(DIGEST_BYTES);
	putHex(bytes, 0, emailHex !== '' ? emailHex : phoneHex);
	return { type: emailHex !== '' ? ENTRY_EMAIL : ENTRY_PHONE, bytes };
}

/** The 32 digest bytes at `at` as lowercase hex. */
function hexOf(buf: Buffer, at: number): string {
	return buf.toString('hex', at, at + DIGEST_BYTES);
}

function putHex(buf: Buffer, at: number, hex: string): void {
	if (hex.length !== 2 * DIGEST_BYTES || buf.write(hex, at, DIGEST_BYTES, 'hex') !== DIGEST_BYTES) {
		throw new Error('snapshot: a digest must be 64 lowercase hex characters');
	}
}

export interface SnapshotWriterOptions {
	advertiserId: string;
	calculateType: CalculateType;
	/** NORMALIZATION_VERSION unless given (tests). */
	normalizationVersion?: number;
	/** Called with each completed chunk (the writer keeps no reference to it); without it, see `takeChunks`. */
	onChunk?: (chunk: Buffer) => void;
	/** Chunk size (default 64 KiB). */
	chunkBytes?: number;
}

/**
 * Writes a snapshot as it goes: the header at once, each entry as it comes (hex → raw bytes), the trailer at `end`.
 * Completed chunks are handed out as they fill (`onChunk`, or `takeChunks`), so the file is streamed, never held.
 */
export class SnapshotWriter {
	private readonly chunkBytes: number;
	private readonly onChunk?: (chunk: Buffer) => void;
	private readonly hash: Hash = createHash('sha256');
	private readonly ready: Buffer[] = [];
	private readonly counts = [0, 0, 0, 0];
	private buf: Buffer;
	private used = 0;
	private written = 0;
	private ended = false;
	private readonly singleType: number;

	constructor(options: SnapshotWriterOptions) {
		this.chunkBytes = Math.max(options.chunkBytes ?? DEFAULT_CHUNK_BYTES, 4 * 1024);
		this.onChunk = options.onChunk;
		this.buf = Buffer.allocUnsafe(this.chunkBytes);
		this.singleType = options.calculateType === 'EMAIL_SHA256' ? ENTRY_EMAIL : options.calculateType === 'PHONE_SHA256' ? ENTRY_PHONE : 0;
		const type = Buffer.from(options.calculateType, 'utf8');
		const advertiser = Buffer.from(options.advertiserId, 'utf8');
		if (advertiser.length > MAX_TEXT_BYTES) throw new RangeError('snapshot: advertiser ID too long');
		const at = this.reserve(HEADER_FIXED_BYTES + type.length + 2 + advertiser.length);
		const buf = this.buf;
		buf.write(SNAPSHOT_MAGIC, at, 'latin1');
		buf.writeUInt16BE(SNAPSHOT_FORMAT_VERSION, at + 8);
		buf.writeUInt16BE(options.normalizationVersion ?? NORMALIZATION_VERSION, at + 10);
		buf.writeUInt16BE(type.length, at + 12);
		type.copy(buf, at + 14);
		buf.writeUInt16BE(advertiser.length, at + 14 + type.length);
		advertiser.copy(buf, at + 16 + type.length);
		this.used = at + HEADER_FIXED_BYTES + type.length + 2 + advertiser.length;
	}

	/** Entries written so far, per type: email, phone, email and phone. */
	get entries(): { emails: number; phones: number; pairs: number } {
		return { emails: this.counts[1], phones: this.counts[2], pairs: this.counts[3] };
	}

	/** Bytes written so far (handed out or waiting). */
	get bytes(): number {
		return this.written + this.used;
	}

	/** One identifier of a single-type list, or of a MULTIPLE_TYPES row with the other missing: lowercase hex. */
	addDigest(type: typeof ENTRY_EMAIL | typeof ENTRY_PHONE, hex: string): void {
		const at = this.reserve(1 + DIGEST_BYTES);
		this.buf[at] = type;
		putHex(this.buf, at + 1, hex);
		this.commit(at, type);
	}

	/** A MULTIPLE_TYPES row ('' for a missing identifier; not both). */
	addRow(emailHex: string, phoneHex: string): void {
		if (emailHex === '' || phoneHex === '') return this.addDigest(emailHex === '' ? ENTRY_PHONE : ENTRY_EMAIL, emailHex === '' ? phoneHex : emailHex);
		const at = this.reserve(1 + 2 * DIGEST_BYTES);
		this.buf[at] = ENTRY_PAIR;
		putHex(this.buf, at + 1, emailHex);
		putHex(this.buf, at + 1 + DIGEST_BYTES, phoneHex);
		this.commit(at, ENTRY_PAIR);
	}

	/**
	 * Room for `size` more bytes in the current chunk: the offset to write at. The entry counts only once
	 * committed, so a caller may write an entry, look it up, and drop it by not committing.
	 * @internal (MirrorSink)
	 */
	reserve(size: number): number {
		if (this.ended) throw new Error('snapshot: written after end()');
		if (this.used + size > this.buf.length) this.flushChunk(size);
		return this.used;
	}

	/** The chunk `reserve` returned an offset into. @internal */
	get chunk(): Buffer {
		return this.buf;
	}

	/** Keeps the entry written at `at` (after `reserve`). @internal */
	commit(at: number, type: number): void {
		this.commitRun(at + entryBytes(type), type, 1);
	}

	/** Keeps `count` entries of one type, written up to `end` (after `reserve`). @internal */
	commitRun(end: number, type: number, count: number): void {
		if (this.singleType !== 0 && type !== this.singleType) throw new Error('snapshot: entry type does not match the calculate type');
		this.counts[type] += count;
		this.used = end;
	}

	/**
	 * Writes the trailer: call after the last entry, with the audience ID (known after a create). Completes the
	 * last chunk.
	 */
	end(audienceId: string): void {
		const audience = Buffer.from(audienceId, 'utf8');
		if (audience.length > MAX_TEXT_BYTES) throw new RangeError('snapshot: audience ID too long');
		const size = TRAILER_FIXED_BYTES + audience.length + TRAILER_END_BYTES;
		const at = this.reserve(size);
		const buf = this.buf;
		buf[at] = END_OF_ENTRIES;
		for (let type = 1; type <= 3; type++) {
			const n = this.counts[type];
			buf.writeUInt32BE(Math.floor(n / 2 ** 32), at + 1 + (type - 1) * 8);
			buf.writeUInt32BE(n >>> 0, at + 5 + (type - 1) * 8);
		}
		buf.writeUInt16BE(audience.length, at + 25);
		audience.copy(buf, at + TRAILER_FIXED_BYTES);
		const sumAt = at + TRAILER_FIXED_BYTES + audience.length;
		this.hash.update(buf.subarray(0, sumAt));
		this.hash.digest().copy(buf, sumAt);
		buf.write(SNAPSHOT_END_MAGIC, sumAt + DIGEST_BYTES, 'latin1');
		this.used = at + size;
		this.handOut(false);
		this.ended = true;
	}

	/** Completed chunks not handed to `onChunk`, oldest first (the writer forgets them). */
	takeChunks(): Buffer[] {
		return this.ready.splice(0, this.ready.length);
	}

	private flushChunk(size: number): void {
		this.handOut(true);
		this.buf = Buffer.allocUnsafe(Math.max(this.chunkBytes, size));
	}

	private handOut(hash: boolean): void {
		if (this.used === 0) return;
		const chunk = this.buf.subarray(0, this.used);
		if (hash) this.hash.update(chunk);
		this.written += this.used;
		this.used = 0;
		if (this.onChunk) this.onChunk(chunk);
		else this.ready.push(chunk);
	}
}

/** Rows per dedupe window of the pipeline past its limit (as many as an upload file holds by default). */
const DEDUPE_WINDOW_ROWS = 250_000;

export interface MirrorSinkOptions {
	calculateType: CalculateType;
	/** The new snapshot: every distinct row of the current list goes in. */
	writer: SnapshotWriter;
	/** The previous snapshot; none for a first sync (every row then joins). */
	index?: SnapshotIndex;
	/** Where joiners go (the APPEND upload file writer). */
	inner: RowSink;
}

/**
 * The pipeline's sink for a Mirror sync: each row (digests from RowPipeline) goes into the new snapshot, is looked
 * up in the previous one and marked seen there; rows not in it (joiners) go on to `inner`. A row already seen in this
 * run goes nowhere (`repeated`): the index's seen flags catch repeats of members exactly, a set of the joiners the
 * rest, so the pipeline needs no dedupe set of its own (`dedupe: false`: about 25 MB less at 10 M rows). After the
 * list, `index.writeLeavers` gives the REMOVE rows. Lines must be lowercase hex digests (the pipeline's output).
 */
export class MirrorSink implements RowSink {
	/** Rows not in the previous snapshot, sent on. */
	joined = 0;
	/** Rows in the previous snapshot (not sent). */
	kept = 0;
	/** Rows already seen in this run, members and joiners (neither written nor sent): the list's duplicates. */
	repeated = 0;
	private readonly writer: SnapshotWriter;
	private readonly index?: SnapshotIndex;
	private readonly inner: RowSink;
	private readonly type: number;
	private readonly out: string[] = [];
	private readonly found = new Uint8Array(BATCH);
	private received = 0;
	/** Joiners so far: repeats of people in the previous snapshot are caught by its index, joiners' here. */
	private readonly joiners = new DigestSet();
	private readonly key = new Key();

	constructor(options: MirrorSinkOptions) {
		this.writer = options.writer;
		this.index = options.index;
		this.inner = options.inner;
		this.type = options.calculateType === 'EMAIL_SHA256' ? ENTRY_EMAIL : options.calculateType === 'PHONE_SHA256' ? ENTRY_PHONE : 0;
	}

	/**
	 * Where the pipeline starts its per-file dedupe anew (past its whole-list limit): the upload files `inner`
	 * completed, plus one every DEDUPE_WINDOW_ROWS rows. Joiners are few, so their files alone would let the
	 * pipeline's per-file set grow with the whole list; repeats of snapshot members are caught by the index anyway.
	 */
	get files(): number {
		return (this.inner.files ?? 0) + Math.floor(this.received / DEDUPE_WINDOW_ROWS);
	}

	writeRow(line: string): void {
		if (this.type === 0) {
			const comma = line.indexOf(',');
			return this.writePair(line.slice(0, comma), line.slice(comma + 1));
		}
		this.out[0] = line;
		this.writeRows(this.out, 1);
	}

	writeRows(lines: string[], count: number): void {
		if (this.type === 0) {
			for (let i = 0; i < count; i++) this.writeRow(lines[i]);
			return;
		}
		this.received += count;
		for (let from = 0; from < count; from += BATCH) this.batch(lines, from, Math.min(count, from + BATCH));
	}

	/**
	 * Rows `from` to `to` in phases, each a tight loop: the digests go into the snapshot chunk side by side, the
	 * index looks them all up (so its memory reads overlap instead of waiting one by one), then repeats are squeezed
	 * out and the rest kept, the joiners sent on.
	 */
	private batch(lines: string[], from: number, to: number): void {
		const { writer, index, type, out, found } = this;
		const size = 1 + DIGEST_BYTES;
		const n = to - from;
		const base = writer.reserve(n * size);
		const chunk = writer.chunk;
		for (let i = 0; i < n; i++) {
			const at = base + i * size;
			chunk[at] = type;
			putHex(chunk, at + 1, lines[from + i]);
		}
		if (index) index.visitRun(type, chunk, base, n, found);
		else found.fill(0, 0, n);
		let end = base;
		let kept = 0;
		let joins = 0;
		for (let i = 0; i < n; i++) {
			const fate = found[i];
			if (fate === 2 || (fate === 0 && this.joinedBefore(type, chunk, base + i * size + 1))) {
				this.repeated++;
				continue;
			}
			const at = base + i * size;
			if (end !== at) chunk.copyWithin(end, at, at + size);
			end += size;
			if (fate === 1) kept++;
			else out[joins++] = lines[from + i];
		}
		writer.commitRun(end, type, kept + joins);
		this.kept += kept;
		if (joins === 0) return;
		this.joined += joins;
		const inner = this.inner;
		if (inner.writeRows) inner.writeRows(out, joins);
		else for (let i = 0; i < joins; i++) inner.writeRow(out[i]);
	}

	writePair(email: string, phone: string): void {
		const { writer, index } = this;
		this.received++;
		const type = email === '' ? ENTRY_PHONE : phone === '' ? ENTRY_EMAIL : ENTRY_PAIR;
		const at = writer.reserve(entryBytes(type));
		const chunk = writer.chunk;
		chunk[at] = type;
		if (type === ENTRY_PAIR) {
			putHex(chunk, at + 1, email);
			putHex(chunk, at + 1 + DIGEST_BYTES, phone);
		} else putHex(chunk, at + 1, type === ENTRY_EMAIL ? email : phone);
		const found = index ? index.visit(type, chunk, at + 1) : 0;
		if (found === 2 || (found === 0 && this.joinedBefore(type, chunk, at + 1))) {
			this.repeated++;
			return;
		}
		writer.commit(at, type);
		if (found === 1) {
			this.kept++;
			return;
		}
		this.joined++;
		writePair(this.inner, email, phone);
	}

	/** Whether this joiner came before in this run (exact up to DEFAULT_DEDUPE_LIMIT joiners; past it, sent again). */
	private joinedBefore(type: number, buf: Uint8Array, at: number): boolean {
		const joiners = this.joiners;
		if (joiners.size >= DEFAULT_DEDUPE_LIMIT) return false;
		const key = this.key;
		key.of(type, buf, at);
		return !joiners.add(((key.bucket << 12) | (key.lo & 0xfff)) >>> 0, key.hi);
	}
}
