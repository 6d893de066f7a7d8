// Helpers shared by the emulator's contract tests (not a test file itself).
import { createHash } from 'node:crypto';
import { SEED } from './seed.cts';
import type { EmulatorHandle } from './index.cts';

export interface ApiResponse {
	status: number;
	body: { code: number; message: string; request_id: string; data: any };
	text: string;
}

export interface CallOptions {
	token?: string | null;
	query?: Record<string, unknown>;
	body?: unknown;
	rawBody?: string;
}

/** Arrays and objects in GET queries are JSON-encoded, as TikTok expects. */
export function queryString(query: Record<string, unknown> = {}): string {
	const p = new URLSearchParams();
	for (const [k, v] of Object.entries(query)) {
		if (v === undefined) continue;
		p.set(k, typeof v === 'string' ? v : JSON.stringify(v));
	}
	const s = p.toString();
	return s === '' ? '' : `?${s}`;
}

export async function call(emu: EmulatorHandle, method: string, path: string, o: CallOptions = {}): Promise<ApiResponse> {
	const headers: Record<string, string> = {};
	const token = o.token === undefined ? SEED.validToken : o.token;
	if (token !== null) headers['Access-Token'] = token;
	let body: string | undefined;
	if (o.rawBody !== undefined) body = o.rawBody;
	else if (o.body !== undefined) body = JSON.stringify(o.body);
	if (body !== undefined) headers['Content-Type'] = 'application/json';
	const res = await fetch(`${emu.baseUrl}${path}${queryString(o.query)}`, { method, headers, body });
	const text = await res.text();
	let parsed: any = null;
	try {
		parsed = JSON.parse(text);
	} catch {
		/* non-JSON gateway page */
	}
	return { status: res.status, body: parsed, text };
}

export const get = (emu: EmulatorHandle, path: string, query?: Record<string, unknown>, token?: string | null) =>
	call(emu, 'GET', path, { query, token });
export const post = (emu: EmulatorHandle, path: string, body?: unknown, token?: string | null) =>
	call(emu, 'POST', path, { body, token });

export const md5 = (data: string | Buffer): string => createHash('md5').update(data).digest('hex');
export const sha256 = (data: string): string => createHash('sha256').update(data).digest('hex');

/** n distinct SHA-256 email hashes: sha256(`${prefix}${i}@example.com`) for i in [from, from + n). */
export function emailHashes(n: number, prefix = 'user', from = 0): string[] {
	return Array.from({ length: n }, (_, i) => sha256(`${prefix}${from + i}@example.com`));
}

export interface UploadOptions {
	advertiserId?: string;
	calculateType?: string;
	content: string | Buffer;
	filename?: string;
	signature?: string | null;
	token?: string | null;
	/** Put the file part before the text fields. */
	fileFirst?: boolean;
}

export async function upload(emu: EmulatorHandle, o: UploadOptions): Promise<ApiResponse> {
	const form = new FormData();
	const content = typeof o.content === 'string' ? Buffer.from(o.content) : o.content;
	const file = new Blob([new Uint8Array(content)], { type: 'text/csv' });
	const addFile = () => form.append('file', file, o.filename ?? 'audience.csv');
	if (o.fileFirst) addFile();
	if (o.advertiserId !== undefined || !('advertiserId' in o)) form.append('advertiser_id', o.advertiserId ?? SEED.grantedAdvertiserId);
	form.append('calculate_type', o.calculateType ?? 'EMAIL_SHA256');
	if (o.signature !== null) form.append('file_signature', o.signature ?? md5(content));
	if (!o.fileFirst) addFile();
	const headers: Record<string, string> = {};
	const token = o.token === undefined ? SEED.validToken : o.token;
	if (token !== null) headers['Access-Token'] = token;
	const res = await fetch(`${emu.baseUrl}/dmp/custom_audience/file/upload/`, { method: 'POST', headers, body: form });
	const text = await res.text();
	return { status: res.status, body: JSON.parse(text), text };
}

/** Uploads hashes (one per line) and returns the file_path, failing loudly otherwise. */
export async function uploadHashes(emu: EmulatorHandle, hashes: string[], calculateType = 'EMAIL_SHA256'): Promise<string> {
	const r = await upload(emu, { content: hashes.join('\n') + '\n', calculateType });
	if (r.body.code !== 0) throw new Error(`upload failed: ${r.text}`);
	return r.body.data.file_path as string;
}

export async function createAudience(emu: EmulatorHandle, hashes: string[], name = 'CRM buyers'): Promise<string> {
	const filePath = await uploadHashes(emu, hashes);
	const r = await post(emu, '/dmp/custom_audience/create/', {
		advertiser_id: SEED.grantedAdvertiserId,
		custom_audience_name: name,
		calculate_type: 'EMAIL_SHA256',
		file_paths: [filePath],
	});
	if (r.body.code !== 0) throw new Error(`create failed: ${r.text}`);
	return r.body.data.custom_audience_id as string;
}

/** The envelope every error has: HTTP 200, the code, the exact message, empty data, a request id. */
export function expectError(r: ApiResponse, code: number, message: string): void {
	expect(r.status).toBe(200);
	expect(r.body).toEqual({ code, message, request_id: expect.any(String), data: {} });
}

export function expectOk(r: ApiResponse): any {
	expect(r.status).toBe(200);
	if (r.body.code !== 0) throw new Error(`expected success, got ${r.text}`);
	expect(r.body.message).toBe('OK');
	return r.body.data;
}

/** GET a URL and parse its JSON body (inspection API). */
export async function fetchJson(url: string): Promise<any> {
	return (await fetch(url)).json();
}
