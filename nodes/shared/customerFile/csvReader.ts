/**
 * A streaming CSV reader (RFC 4180: quoted fields, doubled quotes, newlines inside quotes, CRLF, a UTF-8 BOM).
 * Chunks are pushed as they arrive; only the current line (or quoted record) is kept between chunks, so memory
 * does not grow with the file. The first record is the header; the delimiter (comma, semicolon or tab) is taken
 * from it. Only the wanted columns are extracted. Blank lines are skipped and not counted.
 */
export interface CsvReaderOptions {
	/** Gets the header's column names, returns the indexes of the wanted columns (-1: not present). May throw. */
	columns(header: string[]): number[];
	/** One data row: the wanted columns' values (undefined when the row is short) and its 1-based number. */
	onRow(values: Array<string | undefined>, rowNumber: number): void;
	/** A record longer than this is an error (protects memory on a file that is not CSV). Default 1 MiB. */
	maxRecordChars?: number;
}

export class CsvFormatError extends Error {}

const NEWLINE = 10;
const DECODE_BYTES = 32 * 1024;
const DELIMITERS = [',', ';', '\t'];

export class CsvReader {
	private readonly options: CsvReaderOptions;
	private readonly maxRecord: number;
	private carry: Buffer | undefined;
	private pending: string | undefined;
	private pendingLine = 0;
	private header: string[] | undefined;
	private wanted: number[] = [];
	private maxWanted = -1;
	private delimiter = ',';
	private started = false;
	private line = 0;
	/** Data rows read so far. */
	rows = 0;

	constructor(options: CsvReaderOptions) {
		this.options = options;
		this.maxRecord = options.maxRecordChars ?? 1 << 20;
	}

	/** The header row's column names (after the first record). */
	get columnNames(): string[] | undefined {
		return this.header;
	}

	push(chunk: Uint8Array): void {
		const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
		// Decoded in slices well under V8's large-object size (128 KiB): short-lived strings then die young instead of
		// piling up in large-object space until a full garbage collection.
		for (let at = 0; at < buf.length; at += DECODE_BYTES) this.pushSlice(buf.subarray(at, at + DECODE_BYTES));
	}

	private pushSlice(buf: Buffer): void {
		const last = buf.lastIndexOf(NEWLINE);
		if (last === -1) {
			this.carry = this.carry ? Buffer.concat([this.carry, buf]) : Buffer.from(buf);
			if (this.carry.length > this.maxRecord * 4) throw new CsvFormatError(`line ${this.line + 1} is longer than ${this.maxRecord} characters: is this a CSV file?`);
			return;
		}
		// A newline byte never occurs inside a multi-byte UTF-8 character, so complete lines decode on their own.
		const head = buf.subarray(0, last);
		const text = this.carry ? Buffer.concat([this.carry, head]).toString('utf8') : head.toString('utf8');
		this.carry = last + 1 < buf.length ? Buffer.from(buf.subarray(last + 1)) : undefined;
		this.lines(text);
	}

	end(): void {
		if (this.carry) {
			const text = this.carry.toString('utf8');
			this.carry = undefined;
			this.lines(text);
		}
		if (this.pending !== undefined) {
			throw new CsvFormatError(`the quoted field that starts on line ${this.pendingLine} is never closed`);
		}
	}

	private lines(text: string): void {
		let start = 0;
		for (;;) {
			const nl = text.indexOf('\n', start);
			const end = nl === -1 ? text.length : nl;
			this.lineOf(text.slice(start, end));
			if (nl === -1) return;
			start = nl + 1;
		}
	}

	private lineOf(raw: string): void {
		this.line++;
		let line = raw.charCodeAt(raw.length - 1) === 13 ? raw.slice(0, -1) : raw;
		if (!this.started) {
			if (line.charCodeAt(0) === 0xfeff) line = line.slice(1);
		}
		if (this.pending !== undefined) {
			line = `${this.pending}\n${line}`;
			this.pending = undefined;
			if (line.length > this.maxRecord) throw new CsvFormatError(`the record that starts on line ${this.pendingLine} is longer than ${this.maxRecord} characters`);
		} else {
			if (line.length === 0 || (line.length < 8 && line.trim() === '')) return;
			this.pendingLine = this.line;
		}
		if (line.indexOf('"') !== -1 && !quotesBalanced(line)) {
			this.pending = line;
			return;
		}
		this.record(line);
	}

	private record(line: string): void {
		if (!this.header) {
			this.started = true;
			this.delimiter = detectDelimiter(line);
			this.header = splitAll(line, this.delimiter).map((c) => c.trim());
			this.wanted = this.options.columns(this.header);
			this.maxWanted = Math.max(-1, ...this.wanted);
			return;
		}
		if (this.maxWanted < 0 && line.trim() === '') return;
		this.rows++;
		const values = line.indexOf('"') === -1 ? this.pickPlain(line) : this.pickQuoted(line);
		this.options.onRow(values, this.rows);
	}

	/** Fast path: no quotes, so fields are the text between delimiters. */
	private pickPlain(line: string): Array<string | undefined> {
		const out: Array<string | undefined> = new Array(this.wanted.length);
		let field = 0;
		let start = 0;
		while (field <= this.maxWanted) {
			const d = line.indexOf(this.delimiter, start);
			const end = d === -1 ? line.length : d;
			for (let w = 0; w < this.wanted.length; w++) if (this.wanted[w] === field) out[w] = line.slice(start, end);
			if (d === -1) break;
			start = d + 1;
			field++;
		}
		return out;
	}

	private pickQuoted(line: string): Array<string | undefined> {
		const all = splitAll(line, this.delimiter);
		return this.wanted.map((i) => (i >= 0 && i < all.length ? all[i] : undefined));
	}
}

function quotesBalanced(line: string): boolean {
	let count = 0;
	for (let i = line.indexOf('"'); i !== -1; i = line.indexOf('"', i + 1)) count++;
	return count % 2 === 0;
}

function detectDelimiter(headerLine: string): string {
	let best = ',';
	let bestCount = 0;
	for (const d of DELIMITERS) {
		const count = splitAll(headerLine, d).length - 1;
		if (count > bestCount) {
			best = d;
			bestCount = count;
		}
	}
	return best;
}

/** Every field of one complete record, quotes resolved. */
export function splitAll(line: string, delimiter: string): string[] {
	const out: string[] = [];
	let i = 0;
	for (;;) {
		if (line.charCodeAt(i) === 34) {
			let value = '';
			let j = i + 1;
			for (;;) {
				const q = line.indexOf('"', j);
				if (q === -1) {
					value += line.slice(j);
					j = line.length;
					break;
				}
				value += line.slice(j, q);
				if (line.charCodeAt(q + 1) === 34) {
					value += '"';
					j = q + 2;
				} else {
					j = q + 1;
					break;
				}
			}
			// Text between the closing quote and the delimiter is kept, as lenient readers do.
			const d = line.indexOf(delimiter, j);
			out.push(value + line.slice(j, d === -1 ? line.length : d));
			if (d === -1) return out;
			i = d + 1;
		} else {
			const d = line.indexOf(delimiter, i);
			out.push(line.slice(i, d === -1 ? line.length : d));
			if (d === -1) return out;
			i = d + 1;
		}
	}
}
