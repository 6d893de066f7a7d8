// Reads a Mirror snapshot file the way a test oracle should: by the format documented in
// nodes/shared/sync/snapshot.ts (format v1), parsed here independently of the node's own reader. The e2e and queue
// tests use it to check that the snapshot a workflow stored holds exactly the segment's hashes, belongs to the
// audience, is intact (its SHA-256 checksum) and holds no raw identifier.
import { createHash } from 'node:crypto';

export interface SnapshotFile {
	calculateType: string;
	advertiserId: string;
	audienceId: string;
	/**
	 * The entries as the emulator stores customer-file members: a single-type list's entries are the hex digests; a
	 * MULTIPLE_TYPES list's are `EMAIL_SHA256:<hex>|PHONE_SHA256:<hex>` (or one of the two), sorted.
	 */
	members: string[];
	/** Whether the trailer's SHA-256 equals the digest of every byte before it. */
	checksumOk: boolean;
	bytes: number;
}

const DIGEST = 32;

export function parseSnapshot(buf: Buffer): SnapshotFile {
	let at = 0;
	const text = (length: number): string => {
		const value = buf.subarray(at, at + length).toString('utf8');
		at += length;
		return value;
	};
	const u16 = (): number => {
		const value = buf.readUInt16BE(at);
		at += 2;
		return value;
	};
	if (text(8) !== 'TTASNAP1') throw new Error('not a snapshot: the file does not start with TTASNAP1');
	at += 4; // format version, normalization version
	const calculateType = text(u16());
	const advertiserId = text(u16());
	const members: string[] = [];
	const hex = (): string => {
		const value = buf.subarray(at, at + DIGEST).toString('hex');
		at += DIGEST;
		return value;
	};
	const multiple = calculateType === 'MULTIPLE_TYPES';
	for (;;) {
		const type = buf[at++];
		if (type === 0) break;
		if (type === 1) members.push(multiple ? `EMAIL_SHA256:${hex()}` : hex());
		else if (type === 2) members.push(multiple ? `PHONE_SHA256:${hex()}` : hex());
		else if (type === 3) members.push(`EMAIL_SHA256:${hex()}|PHONE_SHA256:${hex()}`);
		else throw new Error(`unknown entry type ${type} at byte ${at - 1}`);
	}
	at += 3 * 8; // entry counts per type
	const audienceId = text(u16());
	const checksumOk = createHash('sha256').update(buf.subarray(0, at)).digest().equals(buf.subarray(at, at + DIGEST));
	at += DIGEST;
	if (text(8) !== 'TTASEND1') throw new Error('the snapshot does not end with TTASEND1');
	return { calculateType, advertiserId, audienceId, members: members.sort(), checksumOk, bytes: buf.length };
}

/** The raw identifiers (emails, phones as written, or lowercased) that occur in the bytes as UTF-8 or UTF-16 text. */
export function rawIdentifiersIn(buf: Buffer, values: string[]): string[] {
	const texts = [buf.toString('latin1'), buf.toString('utf16le')];
	return values.filter((v) => v !== '' && texts.some((t) => t.includes(v) || t.includes(v.toLowerCase())));
}
