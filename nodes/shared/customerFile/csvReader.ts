/**
 * A streaming CSV reader (RFC 4180: quoted fields, doubled quotes, newlines inside quotes, CRLF, a UTF-8 BOM).
 * Chunks are pushed as they arrive; only the current line (or quoted record) is kept between chunks, so memory
 * does not grow with the file. The first record is the header; the delimiter (comma, semicolon or tab) is taken
 * from it. Only the wanted columns are extracted. Blank lines are skipped and not counted.
 */
export interface CsvReaderOptions {
	/** Gets the header's column names, returns the indexes of the wanted columns (-1: not present). May throw. */
	columns(header: string[]): number[];
	/**
	 * One data row: the wanted columns' values (undefined when the row is short) and its 1-based number. The array
	 * is reused for the next row: read it during the call, don't keep it.
	 */
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
	/** Bytes of an unfinished line, kept between slices (a list, so a long line is not copied again per slice). */
	private carry: Buffer[] = [];
	private carryBytes = 0;
	private pending: string | undefined;
	private pendingLine = 0;
	private header: string[] | undefined;
	private wanted: number[] = [];
	private maxWanted = -1;
	/** The row handed to `onRow`, reused for every row (valid during the call only). */
	private values: Array<string | undefined> = [];
	private delimiter = ',';
	private delimiterCode = 44;
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

	private tooLong(line: number): CsvFormatError {
		return new CsvFormatError(`line ${line} is longer than ${this.maxRecord} characters: is this a CSV file?`);
	}

	private pushSlice(buf: Buffer): void {
		const last = buf.lastIndexOf(NEWLINE);
		if (last === -1) {
			this.carry.push(Buffer.from(buf));
			this.carryBytes += buf.length;
			// A UTF-8 character takes at most 3 bytes per UTF-16 unit: past 3 bytes a character, the line is too long
			// whatever it holds, so a file without newlines is refused before it fills memory.
			if (this.carryBytes > this.maxRecord * 3) throw this.tooLong(this.line + 1);
			return;
		}
		// A newline byte never occurs inside a multi-byte UTF-8 character, so complete lines decode on their own.
		const head = buf.subarray(0, last);
		let text: string;
		if (this.carry.length > 0) {
			this.carry.push(head);
			text = Buffer.concat(this.carry, this.carryBytes + head.length).toString('utf8');
		} else {
			text = head.toString('utf8');
		}
		this.carry = last + 1 < buf.length ? [Buffer.from(buf.subarray(last + 1))] : [];
		this.carryBytes = buf.length - last - 1;
		this.lines(text);
	}

	end(): void {
		if (this.carry.length > 0) {
			const text = Buffer.concat(this.carry, this.carryBytes).toString('utf8');
			this.carry = [];
			this.carryBytes = 0;
			this.lines(text);
		}
		if (this.pending !== undefined) {
			throw new CsvFormatError(`the quoted field that starts on line ${this.pendingLine} is never closed`);
		}
	}

	private lines(text: string): void {
		let start = 0;
		// The next quote in the text, looked up again only once passed: each line costs its own length, not the text's.
		let quote = text.indexOf('"');
		for (;;) {
			const nl = text.indexOf('\n', start);
			const end = nl === -1 ? text.length : nl;
			if (quote !== -1 && quote < start) quote = text.indexOf('"', start);
			this.lineOf(text, start, end, quote !== -1 && quote < end);
			if (nl === -1) return;
			start = nl + 1;
		}
	}

	/** The line `text[start, end)`: read in place on the common path (no quotes), so it is never copied. */
	private lineOf(text: string, start: number, end: number, hasQuote: boolean): void {
		this.line++;
		if (end > start && text.charCodeAt(end - 1) === 13) end--;
		if (!this.started && text.charCodeAt(start) === 0xfeff) start++;
		if (end - start > this.maxRecord) throw this.tooLong(this.line);
		if (this.pending === undefined) {
			if (end === start || (end - start < 8 && isBlank(text, start, end))) return;
			this.pendingLine = this.line;
			if (this.header && !hasQuote) {
				if (this.maxWanted < 0 && isBlank(text, start, end)) return;
				this.rows++;
				return this.plainRow(text, start, end);
			}
			return this.maybeRecord(text.slice(start, end));
		}
		const line = `${this.pending}\n${text.slice(start, end)}`;
		this.pending = undefined;
		if (line.length > this.maxRecord) throw new CsvFormatError(`the record that starts on line ${this.pendingLine} is longer than ${this.maxRecord} characters`);
		this.maybeRecord(line);
	}

	/** A line with quotes (or the header): a record once its quotes balance, else the start of a multi-line one. */
	private maybeRecord(line: string): void {
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
			this.delimiterCode = this.delimiter.charCodeAt(0);
			this.header = splitAll(line, this.delimiter).map((c) => c.trim());
			this.wanted = this.options.columns(this.header);
			this.maxWanted = Math.max(-1, ...this.wanted);
			this.values = new Array<string | undefined>(this.wanted.length);
			return;
		}
		if (this.maxWanted < 0 && line.trim() === '') return;
		this.rows++;
		if (line.indexOf('"') === -1) return this.plainRow(line, 0, line.length);
		const all = splitAll(line, this.delimiter);
		const values = this.values;
		for (let w = 0; w < this.wanted.length; w++) {
			const i = this.wanted[w];
			values[w] = i >= 0 && i < all.length ? all[i] : undefined;
		}
		this.options.onRow(values, this.rows);
	}

	/** Fast path: no quotes, so fields are the text between delimiters; only the wanted fields become strings. */
	private plainRow(text: string, start: number, end: number): void {
		const values = this.values;
		const wanted = this.wanted;
		for (let w = 0; w < wanted.length; w++) values[w] = undefined;
		const delimiter = this.delimiterCode;
		let field = 0;
		let from = start;
		while (field <= this.maxWanted) {
			let to = from;
			while (to < end && text.charCodeAt(to) !== delimiter) to++;
			for (let w = 0; w < wanted.length; w++) if (wanted[w] === field) values[w] = text.slice(from, to);
			if (to >= end) break;
			from = to + 1;
			field++;
		}
		this.options.onRow(values, this.rows);
	}
}

function isBlank(text: string, start: number, end: number): boolean {
	return text.slice(start, end).trim() === '';
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
