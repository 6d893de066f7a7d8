import { createHash, type Hash } from 'node:crypto';

/**
 * Builds customer files in memory, one at a time, ready to upload: each file is split off at a row or byte limit
 * (well under TikTok's 1 GB), carries the MD5 of its bytes (`file_signature`), and is held as a Blob made of
 * 1 MiB parts, so the bytes are never copied whole a second time when the multipart body is built.
 *
 * Single-type files are one lowercase hex hash per line, without a header (the form TikTok's API is proven to
 * accept). MULTIPLE_TYPES files start with a header naming each column's type (e.g. `EMAIL_SHA256,PHONE_SHA256`).
 */
export interface UploadFile {
	/** 1-based, in the order files were completed. */
	index: number;
	fileName: string;
	blob: Blob;
	bytes: number;
	rows: number;
	md5: string;
}

export interface FileWriterOptions {
	/** Rows per file (not counting a header). */
	maxRows: number;
	/** Bytes per file, header included. */
	maxBytes: number;
	/** Header line without the newline, for MULTIPLE_TYPES files. */
	header?: string;
	/** Called with each completed file; the writer keeps no reference to it afterwards. */
	onFile(file: UploadFile): void;
	/** Prefix of generated file names (TikTok only accepts .csv / .txt). */
	namePrefix?: string;
}

const PART_BYTES = 1 << 20;
/** Longest line the pipeline writes: two 64-character hashes, a comma and a newline. */
const MAX_LINE_BYTES = 64 * 2 + 2;

export class UploadFileWriter {
	private readonly options: FileWriterOptions;
	private readonly headerLine: string;
	// Rows are written straight into a 1 MiB buffer; a full buffer goes into the MD5 and becomes a Blob part (a copy),
	// and the buffer is reused. Every character is ASCII (hex, comma, header letters), so latin1 writes exact bytes.
	private readonly part = Buffer.allocUnsafeSlow(PART_BYTES);
	private partUsed = 0;
	private parts: Blob[] = [];
	private md5: Hash | undefined;
	private bytes = 0;
	private rows = 0;
	private completed = 0;
	/** Total rows written to completed files. */
	rowsWritten = 0;

	constructor(options: FileWriterOptions) {
		if (!(options.maxRows >= 1)) throw new RangeError('maxRows must be at least 1');
		this.options = options;
		this.headerLine = options.header ? `${options.header}\n` : '';
		if (!(options.maxBytes >= this.headerLine.length + MAX_LINE_BYTES)) throw new RangeError('maxBytes is too small for one row');
	}

	/** Files completed so far. */
	get files(): number {
		return this.completed;
	}

	/** Appends one row: a hash, or for MULTIPLE_TYPES the comma-joined cells (ASCII, no newline). */
	writeRow(line: string): void {
		const size = line.length + 1;
		if (this.rows > 0 && (this.rows >= this.options.maxRows || this.bytes + size > this.options.maxBytes)) this.finishFile();
		if (this.rows === 0 && this.headerLine) this.put(this.headerLine);
		if (this.partUsed + size > PART_BYTES) this.flushPart();
		this.partUsed += this.part.write(line, this.partUsed, 'latin1');
		this.part[this.partUsed++] = 10;
		this.bytes += size;
		this.rows++;
	}

	/** Completes the file being written, if it has rows. */
	end(): void {
		if (this.rows > 0) this.finishFile();
	}

	private put(text: string): void {
		if (this.partUsed + text.length > PART_BYTES) this.flushPart();
		this.partUsed += this.part.write(text, this.partUsed, 'latin1');
		this.bytes += text.length;
	}

	private flushPart(): void {
		if (this.partUsed === 0) return;
		const bytes = this.part.subarray(0, this.partUsed);
		(this.md5 ??= createHash('md5')).update(bytes);
		this.parts.push(new Blob([bytes]));
		this.partUsed = 0;
	}

	private finishFile(): void {
		this.flushPart();
		this.completed++;
		const file: UploadFile = {
			index: this.completed,
			fileName: `${this.options.namePrefix ?? 'audience'}-${String(this.completed).padStart(3, '0')}.csv`,
			blob: new Blob(this.parts, { type: 'text/csv' }),
			bytes: this.bytes,
			rows: this.rows,
			md5: (this.md5 ?? createHash('md5')).digest('hex'),
		};
		this.rowsWritten += this.rows;
		this.parts = [];
		this.md5 = undefined;
		this.bytes = 0;
		this.rows = 0;
		this.options.onFile(file);
	}
}
