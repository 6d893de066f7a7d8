// Streaming multipart/form-data parser. Part bodies are handed on chunk by chunk (awaiting the handler gives
// backpressure), so an upload is never held in memory; only a delimiter-sized tail is carried between chunks.
import type { Readable } from 'node:stream';

export interface PartInfo {
	name: string;
	filename?: string;
	contentType?: string;
}

export interface PartHandlers {
	onPart(part: PartInfo): void | Promise<void>;
	onData(chunk: Buffer): void | Promise<void>;
	onPartEnd(): void | Promise<void>;
}

export class MultipartError extends Error {}

export function boundaryOf(contentType: string | undefined): string | undefined {
	if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
	const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
	return m ? (m[1] ?? m[2]) : undefined;
}

function parseDisposition(headerBlock: string): PartInfo {
	const info: PartInfo = { name: '' };
	for (const line of headerBlock.split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon === -1) continue;
		const key = line.slice(0, colon).trim().toLowerCase();
		const value = line.slice(colon + 1).trim();
		if (key === 'content-type') info.contentType = value;
		if (key !== 'content-disposition') continue;
		const name = /(?:^|;)\s*name="((?:[^"\\]|\\.)*)"/i.exec(value) ?? /(?:^|;)\s*name=([^;]+)/i.exec(value);
		const file =
			/(?:^|;)\s*filename="((?:[^"\\]|\\.)*)"/i.exec(value) ?? /(?:^|;)\s*filename=([^;]+)/i.exec(value);
		if (name) info.name = name[1].trim();
		if (file) info.filename = file[1].trim();
	}
	return info;
}

const HEADER_END = Buffer.from('\r\n\r\n');
const MAX_HEADER_BYTES = 16 * 1024;

/** Reads the whole stream; resolves when the closing delimiter has been seen and the stream has ended. */
export async function parseMultipart(stream: Readable, boundary: string, h: PartHandlers): Promise<void> {
	const delimiter = Buffer.from(`\r\n--${boundary}`);
	// A leading CRLF lets the first "--boundary" match the same delimiter as the later ones.
	let buf: Buffer = Buffer.from('\r\n');
	type Phase = 'preamble' | 'afterDelimiter' | 'headers' | 'body' | 'done';
	let state = 'preamble' as Phase;

	const step = async (): Promise<boolean> => {
		switch (state) {
			case 'preamble': {
				const i = buf.indexOf(delimiter);
				if (i === -1) {
					buf = buf.subarray(Math.max(0, buf.length - delimiter.length + 1));
					return false;
				}
				buf = buf.subarray(i + delimiter.length);
				state = 'afterDelimiter';
				return true;
			}
			case 'afterDelimiter': {
				if (buf.length < 2) return false;
				if (buf[0] === 0x2d && buf[1] === 0x2d) {
					state = 'done';
					return false;
				}
				const crlf = buf.indexOf('\r\n');
				if (crlf === -1) return false;
				buf = buf.subarray(crlf + 2); // tolerate transport padding before the CRLF
				state = 'headers';
				return true;
			}
			case 'headers': {
				const end = buf.indexOf(HEADER_END);
				if (end === -1) {
					if (buf.length > MAX_HEADER_BYTES) throw new MultipartError('multipart part headers too large');
					return false;
				}
				await h.onPart(parseDisposition(buf.toString('utf8', 0, end)));
				buf = buf.subarray(end + HEADER_END.length);
				state = 'body';
				return true;
			}
			case 'body': {
				const i = buf.indexOf(delimiter);
				if (i === -1) {
					const keep = delimiter.length - 1;
					if (buf.length > keep) {
						await h.onData(buf.subarray(0, buf.length - keep));
						buf = buf.subarray(buf.length - keep);
					}
					return false;
				}
				if (i > 0) await h.onData(buf.subarray(0, i));
				await h.onPartEnd();
				buf = buf.subarray(i + delimiter.length);
				state = 'afterDelimiter';
				return true;
			}
			default:
				return false;
		}
	};

	for await (const chunk of stream as AsyncIterable<Buffer>) {
		if (state === 'done') continue; // drain the epilogue
		if (state === 'body' && buf.length > 0 && chunk.length >= delimiter.length) {
			// Avoid copying the whole chunk: only the carried tail plus the chunk's head can hold a split delimiter.
			const probe = Buffer.concat([buf, chunk.subarray(0, delimiter.length)]);
			const i = probe.indexOf(delimiter);
			if (i !== -1 && i < buf.length) {
				if (i > 0) await h.onData(buf.subarray(0, i));
				await h.onPartEnd();
				buf = chunk.subarray(i + delimiter.length - buf.length);
				state = 'afterDelimiter';
			} else {
				await h.onData(buf);
				buf = chunk;
			}
		} else {
			buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
		}
		while (await step()) {
			/* keep stepping while progress is made */
		}
	}
	if (state !== 'done') throw new MultipartError('multipart body ended before the closing boundary');
}
