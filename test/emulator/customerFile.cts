// Customer-file content rules: calculate types and a streaming line parser used both to validate an upload while it
// streams in and to read an audience's member hashes back from the spooled file. Works on bytes, never on the
// whole file, so a 650 MB upload costs only a chunk of memory.

/** Key = string sent, value = TikTok's internal int (MAID_* are upload-only aliases of FIRST_*). */
export const CALCULATE_TYPE_INT: Record<string, number> = {
	EMAIL_SHA256: 8,
	PHONE_SHA256: 9,
	IDFA_SHA256: 15,
	IDFA_MD5: 12,
	GAID_SHA256: 16,
	GAID_MD5: 13,
	FIRST_SHA256: 6,
	FIRST_MD5: 7,
	MAID_SHA256: 6,
	MAID_MD5: 7,
	MULTIPLE_TYPES: 100,
};
export const UPLOAD_CALCULATE_TYPES = Object.keys(CALCULATE_TYPE_INT);
export const CREATE_CALCULATE_TYPES = UPLOAD_CALCULATE_TYPES.filter((t) => !t.startsWith('MAID_'));

/** Column types accepted in a MULTIPLE_TYPES header row (case-insensitive), all hashed. */
export const MULTI_COLUMN_TYPES = [
	'EMAIL_SHA256',
	'PHONE_SHA256',
	'MAID_SHA256',
	'MAID_MD5',
	'IDFA_SHA256',
	'IDFA_MD5',
	'GAID_SHA256',
	'GAID_MD5',
];
const MAX_SAME_HEADER = 3;

export const hashLengthOf = (type: string): number => (type.endsWith('_MD5') ? 32 : 64);

const NL = 10;
const CR = 13;
const COMMA = 44;
const IS_LOWER_HEX = new Uint8Array(256);
for (const c of '0123456789abcdef') IS_LOWER_HEX[c.charCodeAt(0)] = 1;
const IS_BLANK = new Uint8Array(256);
IS_BLANK[32] = 1;
IS_BLANK[9] = 1;
IS_BLANK[CR] = 1;
const HEADER_RE = /^[A-Za-z_][A-Za-z0-9_ ]*$/;

function isLowerHex(buf: Buffer, start: number, end: number, length: number): boolean {
	if (end - start !== length) return false;
	for (let i = start; i < end; i++) if (IS_LOWER_HEX[buf[i]] === 0) return false;
	return true;
}

export interface ParseResult {
	/** Identifier rows (not counting a header). */
	rows: number;
	error?: string;
}

/**
 * Push chunks, then end(). Single-type files: one lowercase hex hash per line; an optional first line that is a
 * header token (contains non-hex letters, e.g. `email_sha256`) is skipped. MULTIPLE_TYPES: a mandatory header row
 * naming each column's type, then one person per row, empty cells allowed.
 * Member keys: the hash itself for single-type files; for MULTIPLE_TYPES the row's non-empty cells as sorted
 * `TYPE:hash` pairs joined by `|` (one person = one member).
 */
export class CustomerFileParser {
	private readonly calcType: string;
	private readonly onMember?: (key: string) => void;
	private readonly hashLength: number;
	private carry: Buffer | null = null;
	private lineNo = 0;
	private seenContent = false;
	private columns: string[] | null = null;
	rows = 0;
	error: string | undefined;

	constructor(calcType: string, onMember?: (key: string) => void) {
		this.calcType = calcType;
		this.onMember = onMember;
		this.hashLength = hashLengthOf(calcType);
	}

	push(chunk: Buffer): void {
		if (this.error !== undefined) return;
		let pos = 0;
		if (this.carry !== null) {
			const nl = chunk.indexOf(NL);
			if (nl === -1) {
				this.carry = Buffer.concat([this.carry, chunk]);
				if (this.carry.length > 1 << 20) this.fail('line longer than 1 MiB');
				return;
			}
			const joined = Buffer.concat([this.carry, chunk.subarray(0, nl)]);
			this.carry = null;
			this.line(joined, 0, joined.length);
			pos = nl + 1;
		}
		while (this.error === undefined) {
			const nl = chunk.indexOf(NL, pos);
			if (nl === -1) break;
			this.line(chunk, pos, nl);
			pos = nl + 1;
		}
		if (pos < chunk.length && this.error === undefined) this.carry = Buffer.from(chunk.subarray(pos));
	}

	end(): ParseResult {
		if (this.carry !== null && this.error === undefined) {
			const last = this.carry;
			this.carry = null;
			this.line(last, 0, last.length);
		}
		if (this.error === undefined && this.calcType === 'MULTIPLE_TYPES' && this.columns === null && this.seenContent) {
			this.fail('MULTIPLE_TYPES files need a header row naming each column');
		}
		return { rows: this.rows, error: this.error };
	}

	private fail(reason: string): void {
		this.error = `file: line ${this.lineNo}: ${reason}.`;
	}

	private line(buf: Buffer, start: number, end: number): void {
		this.lineNo += 1;
		while (start < end && IS_BLANK[buf[start]] === 1) start++;
		while (end > start && IS_BLANK[buf[end - 1]] === 1) end--;
		if (start === end) return;
		const first = !this.seenContent;
		this.seenContent = true;
		if (this.calcType === 'MULTIPLE_TYPES') {
			if (first) this.header(buf.toString('latin1', start, end));
			else this.multiRow(buf, start, end);
			return;
		}
		if (isLowerHex(buf, start, end, this.hashLength)) {
			this.rows += 1;
			if (this.onMember) this.onMember(buf.toString('latin1', start, end));
			return;
		}
		if (first && end - start <= 64) {
			const text = buf.toString('latin1', start, end);
			if (HEADER_RE.test(text) && /[g-zA-Z_ ]/.test(text)) return; // optional header row
		}
		this.fail(`not a valid ${this.calcType} value (expected ${this.hashLength} lowercase hex characters)`);
	}

	private header(text: string): void {
		const cols = text.split(',').map((c) => c.trim().toUpperCase());
		const counts = new Map<string, number>();
		for (const col of cols) {
			if (!MULTI_COLUMN_TYPES.includes(col)) {
				this.fail(`MULTIPLE_TYPES header column "${col}" is not one of ${MULTI_COLUMN_TYPES.join(', ')}`);
				return;
			}
			counts.set(col, (counts.get(col) ?? 0) + 1);
			if ((counts.get(col) ?? 0) > MAX_SAME_HEADER) {
				this.fail(`header column ${col} appears more than ${MAX_SAME_HEADER} times`);
				return;
			}
		}
		this.columns = cols;
	}

	private multiRow(buf: Buffer, start: number, end: number): void {
		const cols = this.columns as string[];
		const pairs: string[] = [];
		let cellStart = start;
		for (let c = 0; c < cols.length; c++) {
			let cellEnd = c === cols.length - 1 ? end : buf.indexOf(COMMA, cellStart);
			if (cellEnd === -1 || cellEnd > end) {
				this.fail(`expected ${cols.length} columns`);
				return;
			}
			let s = cellStart;
			let e = cellEnd;
			while (s < e && IS_BLANK[buf[s]] === 1) s++;
			while (e > s && IS_BLANK[buf[e - 1]] === 1) e--;
			if (s < e) {
				if (c === cols.length - 1 && buf.indexOf(COMMA, s) !== -1 && buf.indexOf(COMMA, s) < e) {
					this.fail(`expected ${cols.length} columns`);
					return;
				}
				if (!isLowerHex(buf, s, e, hashLengthOf(cols[c]))) {
					this.fail(`column ${c + 1} is not a valid ${cols[c]} value`);
					return;
				}
				pairs.push(`${cols[c]}:${buf.toString('latin1', s, e)}`);
			}
			cellStart = cellEnd + 1;
		}
		if (pairs.length === 0) return; // a row of empty cells identifies nobody
		this.rows += 1;
		if (this.onMember) this.onMember(pairs.sort().join('|'));
	}
}
