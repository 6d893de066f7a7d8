// POST /dmp/custom_audience/file/upload/ (multipart). The file part is streamed through MD5, the content parser
// and a spool file on disk; nothing holds the whole upload in memory. Also the file_path lookups used by
// create/update.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { ApiError, CODE, paramError } from '../envelope.cts';
import { boundaryOf, MultipartError, parseMultipart } from '../multipart.cts';
import { CALCULATE_TYPE_INT, CustomerFileParser, UPLOAD_CALCULATE_TYPES } from '../customerFile.cts';
import { seededHex } from '../rng.cts';
import { requireAdvertiser, type RequestCtx, type Route } from '../router.cts';
import type { EmulatorContext, UploadedFile } from '../state.cts';
import { missing, reqEnum, reqString } from '../validate.cts';

const MAX_FIELD_BYTES = 64 * 1024;
const FILE_EXT_RE = /\.(csv|txt)$/;

interface FilePart {
	filename: string;
	bytes: number;
	tooLarge: boolean;
	md5: ReturnType<typeof createHash>;
	parser: CustomerFileParser | null;
	out: WriteStream;
	diskPath: string;
}

async function runParser(parser: CustomerFileParser, diskPath: string): Promise<void> {
	for await (const chunk of createReadStream(diskPath, { highWaterMark: 1 << 20 })) parser.push(chunk as Buffer);
}

async function upload(ctx: RequestCtx): Promise<unknown> {
	const boundary = boundaryOf(ctx.req.headers['content-type']);
	if (boundary === undefined) throw paramError('Content-Type: Must be multipart/form-data.');
	const emu = ctx.emu;
	const fields: Record<string, string> = {};
	let file: FilePart | null = null;
	let current: { name: string; chunks: Buffer[]; size: number } | null = null;
	let inFile = false;
	let spoolSeq = 0;

	try {
		await parseMultipart(ctx.req, boundary, {
			onPart: (part) => {
				if (part.name === 'file' && part.filename !== undefined && file === null) {
					const type = fields.calculate_type;
					spoolSeq += 1;
					const diskPath = join(emu.spoolDir, `upload-${process.pid}-${Date.now()}-${spoolSeq}-${Math.random()}`);
					file = {
						filename: part.filename,
						bytes: 0,
						tooLarge: false,
						md5: createHash('md5'),
						// Validate while streaming when calculate_type came first (the usual order); else after.
						parser: type !== undefined && UPLOAD_CALCULATE_TYPES.includes(type) ? new CustomerFileParser(type) : null,
						// A deep buffer so the disk rarely makes the parser wait (it still bounds memory).
						out: createWriteStream(diskPath, { highWaterMark: 8 * 1024 * 1024 }),
						diskPath,
					};
					inFile = true;
				} else {
					inFile = false;
					current = { name: part.name, chunks: [], size: 0 };
				}
			},
			onData: async (chunk) => {
				if (inFile && file) {
					file.bytes += chunk.length;
					if (file.bytes > emu.config.maxFileBytes) file.tooLarge = true;
					if (file.tooLarge) return;
					file.md5.update(chunk);
					file.parser?.push(chunk);
					if (!file.out.write(chunk)) await once(file.out, 'drain');
				} else if (current && current.size < MAX_FIELD_BYTES) {
					current.chunks.push(chunk);
					current.size += chunk.length;
				}
			},
			onPartEnd: () => {
				if (!inFile && current && !(current.name in fields)) {
					fields[current.name] = Buffer.concat(current.chunks).toString('utf8');
				}
				inFile = false;
				current = null;
			},
		});
	} catch (e) {
		if (file) discard(file as FilePart);
		if (e instanceof MultipartError) throw paramError(`file: ${e.message}.`);
		throw e;
	}
	const f = file as FilePart | null;
	if (f) {
		f.out.end();
		await once(f.out, 'close');
	}
	passUploadTime(emu);
	try {
		return { file_path: await finishUpload(ctx, fields, f) };
	} catch (e) {
		if (f) discard(f);
		throw e;
	}
}

/** The emulator time the transfer took (config uploadMinMs..uploadMaxMs, a seeded draw per upload): the clock moves on. */
function passUploadTime(emu: EmulatorContext): void {
	const { uploadMinMs: lo, uploadMaxMs } = emu.config;
	const hi = Math.max(lo, uploadMaxMs);
	if (hi <= 0) return;
	emu.state.uploadCounter += 1;
	const draw = parseInt(seededHex(emu.config.seed, 'upload_ms', emu.state.uploadCounter, 8), 16) / 0x1_0000_0000;
	emu.clock.advance(Math.round(lo + draw * (hi - lo)));
}

function discard(f: FilePart): void {
	f.out.destroy();
	rmSync(f.diskPath, { force: true });
}

async function finishUpload(ctx: RequestCtx, fields: Record<string, string>, f: FilePart | null): Promise<string> {
	const emu = ctx.emu;
	const advertiserId = requireAdvertiser(ctx, fields.advertiser_id);
	const calculateType = reqEnum(fields.calculate_type, 'calculate_type', UPLOAD_CALCULATE_TYPES);
	const signature = reqString(fields.file_signature, 'file_signature');
	if (!f) throw missing('file');
	if (!FILE_EXT_RE.test(f.filename)) {
		throw new ApiError(CODE.FILE_TYPE_ERROR, 'file: Only .csv or .txt files are supported.');
	}
	if (f.tooLarge) {
		throw new ApiError(CODE.FILE_TOO_LARGE, `file: The file must be smaller than ${emu.config.maxFileBytes} bytes.`);
	}
	if (f.bytes === 0) throw new ApiError(CODE.FILE_EMPTY, 'file: The file is empty.');
	const md5 = f.md5.digest('hex');
	if (signature !== md5) {
		throw new ApiError(CODE.SIGNATURE_ERROR, 'file_signature: The file signature does not match the MD5 of the file.');
	}
	let parser = f.parser;
	if (parser === null) {
		parser = new CustomerFileParser(calculateType);
		await runParser(parser, f.diskPath);
	}
	const result = parser.end();
	if (result.error !== undefined) throw new ApiError(CODE.FILE_CALCULATE_TYPE_ERROR, result.error);
	if (result.rows === 0) throw new ApiError(CODE.FILE_EMPTY, 'file: The file contains no identifiers.');

	let filePath: string;
	do {
		emu.state.fileCounter += 1;
		filePath = seededHex(emu.config.seed, 'file_path', emu.state.fileCounter, 16);
	} while (emu.state.files.has(filePath));
	emu.state.files.set(filePath, {
		filePath,
		advertiserId,
		calculateType,
		diskPath: f.diskPath,
		bytes: f.bytes,
		rows: result.rows,
		md5,
		uploadedAt: emu.clock.now(),
	});
	return filePath;
}

/** A file_path is usable only by the advertiser that uploaded it; others get the same 40905 as an unknown path. */
export function lookupFile(emu: EmulatorContext, path: string, name: string, advertiserId: string): UploadedFile {
	const f = emu.state.files.get(path);
	if (!f || f.advertiserId !== advertiserId) {
		throw new ApiError(CODE.FILE_NOT_EXIST, `${name}: The file ${path} does not exist.`);
	}
	if (emu.clock.now() - f.uploadedAt > emu.config.fileTtlMs) {
		throw new ApiError(CODE.FILE_EXPIRED, `${name}: The file ${path} has expired.`);
	}
	return f;
}

export function assertSameType(file: UploadedFile, name: string, calculateType: string): void {
	if (CALCULATE_TYPE_INT[file.calculateType] !== CALCULATE_TYPE_INT[calculateType]) {
		throw new ApiError(
			CODE.FILE_CALCULATE_TYPE_ERROR,
			`${name}: The file's calculate_type ${file.calculateType} does not match calculate_type ${calculateType}.`,
		);
	}
}

/** Streams the spooled files back through the parser, collecting member keys. */
export async function readMembers(files: UploadedFile[]): Promise<{ members: Set<string>; rows: number }> {
	const members = new Set<string>();
	let rows = 0;
	for (const f of files) {
		const parser = new CustomerFileParser(f.calculateType, (k) => members.add(k));
		await runParser(parser, f.diskPath);
		rows += parser.end().rows;
	}
	return { members, rows };
}

export const customerFileRoutes: Route[] = [
	{ method: 'POST', path: '/dmp/custom_audience/file/upload/', body: 'raw', handler: upload },
];
