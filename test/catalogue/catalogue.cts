// Shared fixtures of the bad-input catalogue: a fresh emulator per case on a frozen clock that Date.now() follows,
// the package's nodes in n8n's real engine, and one compact outcome per run: the error (message, description), the
// API paths called, what changed at TikTok (audiences, members, events) and whether any secret leaked.
import { createHash } from 'node:crypto';
import CryptoJS from 'crypto-js';
import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeExecutionData } from 'n8n-workflow';

import { SEED, startEmulator, type EmulatorHandle } from '../emulator/index.cts';
import { byId, packageNode, runWorkflow, type RunResult } from '../support/engine.cts';

export const ADV = SEED.grantedAdvertiserId;
export const OTHER_ADV = SEED.otherAdvertiserId;
export const MAIN_PIXEL = SEED.pixels[0];
export const T0 = Date.UTC(2026, 0, 15, 12, 0, 0);
export const sha = (v: string) => CryptoJS.SHA256(v).toString(CryptoJS.enc.Hex);

/** Calls that change something at TikTok. Uploads only stage files: nothing changes until a create/update uses them. */
export const MUTATING = ['dmp/custom_audience/create/', 'dmp/custom_audience/update/', 'dmp/custom_audience/delete/', 'dmp/custom_audience/rule/create/', 'event/track/'];

export interface Fixture {
	emu: EmulatorHandle;
	credentials(token?: string): Record<string, ICredentialDataDecryptedObject>;
}

/** Per test: a fresh emulator (so request IDs repeat), Date.now() on its frozen clock. */
export function useEmulator(): Fixture {
	const fixture = {} as Fixture;
	beforeEach(async () => {
		fixture.emu = await startEmulator({ now: T0, freezeClock: true, matchRate: 1, processingDelayMs: 0 });
		jest.spyOn(Date, 'now').mockImplementation(() => fixture.emu.clock.now());
		fixture.credentials = (token = SEED.validToken) => ({
			// requestsPerSecond 0: the client-side limiter would wait on the frozen clock.
			tikTokBusinessApi: { accessToken: token, environment: 'custom', baseUrl: fixture.emu.url, requestsPerSecond: 0, maxRetries: 2, retryBaseDelayMs: 1 },
		});
	});
	afterEach(async () => {
		jest.restoreAllMocks();
		await fixture.emu.close();
	});
	return fixture;
}

export interface Outcome {
	error?: string;
	description?: string;
	/** API paths called, in order, without the /open_api/v1.3/ prefix. */
	calls: string[];
	output: IDataObject[];
	/** Undefined when n8n refused to start the workflow (then `thrown`). */
	run?: RunResult;
	thrown?: boolean;
}

const short = (path: string) => path.replace('/open_api/v1.3/', '');

export async function runNode(f: Fixture, node: INode, input: INodeExecutionData[], o: { token?: string; continueOnFail?: boolean } = {}): Promise<Outcome> {
	if (o.continueOnFail) node.onError = 'continueRegularOutput';
	const before = f.emu.state.requestLog.length;
	// n8n refuses to start a workflow whose parameters have issues (e.g. a resource locator that fails its regex).
	const started = await runWorkflow({ nodes: [node], connections: {}, credentials: f.credentials(o.token), input }).then(
		(run) => ({ run }),
		(thrown: Error) => ({ thrown }),
	);
	if ('thrown' in started) return { error: started.thrown.message, calls: f.emu.state.requestLog.slice(before).map((l) => short(l.path)), output: [], thrown: true };
	const { run } = started;
	const error = run.error();
	return {
		error: error?.message,
		description: error?.description ?? undefined,
		calls: f.emu.state.requestLog.slice(before).map((l) => short(l.path)),
		output: run.output(node.name),
		run,
	};
}

/** Mutating calls among `calls`. */
export const mutations = (o: Outcome) => o.calls.filter((c) => MUTATING.includes(c));

/** The request_id of the last call to `path` in the emulator's log. */
export function lastRequestId(f: Fixture, path: string): string {
	const hit = [...f.emu.state.requestLog].reverse().find((l) => short(l.path) === path);
	return hit?.request_id ?? '';
}

/** Every member of an audience, sorted. */
export const membersOf = (f: Fixture, id: string) => [...(f.emu.state.audiences.get(id)?.members ?? [])].sort();

/** Whether a run's whole record (outputs, errors) carries the token or one of the raw values. */
export function leaks(o: Outcome, raws: string[]): string[] {
	const text = o.run ? JSON.stringify(o.run.run.data.resultData) : `${o.error}`;
	return [SEED.validToken, SEED.expiredToken, SEED.otherToken, ...raws.filter((r) => r.trim().length >= 4)].filter((s) => text.includes(s));
}

export const listNode = (params: IDataObject = {}): INode =>
	packageNode('List', 'tikTokUpsertCustomerFileList', {
		advertiserId: byId(ADV),
		listMode: 'create',
		listName: 'Catalogue list',
		calculateType: 'EMAIL_SHA256',
		action: 'APPEND',
		inputSource: 'items',
		...params,
	});

export const eventNode = (params: IDataObject = {}): INode =>
	packageNode('Events', 'tikTokSendSyncEvent', {
		source: 'manual',
		advertiserId: byId(ADV),
		pixel: byId(MAIN_PIXEL.pixel_code),
		event: 'Purchase',
		email: '={{ $json.email }}',
		phone: '={{ $json.phone }}',
		...params,
	});

export const websiteNode = (params: IDataObject = {}): INode =>
	packageNode('Website', 'tikTokCreateWebsiteAudience', {
		advertiserId: byId(ADV),
		pixel: byId(MAIN_PIXEL.pixel_id),
		audienceName: 'Catalogue buyers',
		event: 'Purchase',
		lookbackDays: 30,
		...params,
	});

export const lifecycleNode = (params: IDataObject = {}): INode =>
	packageNode('Lifecycle', 'tikTokUnlinkDeleteAudience', { advertiserId: byId(ADV), audience: byId('0'), operation: 'getStatus', ...params });

export const items = (rows: IDataObject[]): INodeExecutionData[] => rows.map((json) => ({ json }));

export function csvItem(content: string | Buffer, fileName = 'list.csv'): INodeExecutionData[] {
	const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
	return [{ json: {}, binary: { data: { data: bytes.toString('base64'), mimeType: 'text/csv', fileName } } }];
}

/** A customer-file audience made through the emulator's API, with `n` email members `m<i>@example.com`. */
export async function seedListAudience(f: Fixture, name: string, n: number, calculateType = 'EMAIL_SHA256'): Promise<string> {
	const text = `${Array.from({ length: n }, (_, i) => sha(`m${i}@example.com`)).join('\n')}\n`;
	const form = new FormData();
	form.append('advertiser_id', ADV);
	form.append('calculate_type', calculateType);
	form.append('file_signature', createHash('md5').update(text).digest('hex'));
	form.append('file', new Blob([text], { type: 'text/csv' }), 'seed.csv');
	const headers = { 'Access-Token': SEED.validToken };
	const up = (await (await fetch(`${f.emu.baseUrl}/dmp/custom_audience/file/upload/`, { method: 'POST', headers, body: form })).json()) as { data: { file_path: string } };
	const created = (await (
		await fetch(`${f.emu.baseUrl}/dmp/custom_audience/create/`, {
			method: 'POST',
			headers: { ...headers, 'Content-Type': 'application/json' },
			body: JSON.stringify({ advertiser_id: ADV, custom_audience_name: name, calculate_type: calculateType, file_paths: [up.data.file_path] }),
		})
	).json()) as { code: number; data: { custom_audience_id: string } };
	if (created.code !== 0) throw new Error(`seed create failed: ${JSON.stringify(created)}`);
	f.emu.state.requestLog.length = 0;
	return String(created.data.custom_audience_id);
}

/** Deletes an audience through the emulator's API (someone deleting it in TikTok Ads Manager). */
export async function deleteAudience(f: Fixture, id: string): Promise<void> {
	const res = await fetch(`${f.emu.baseUrl}/dmp/custom_audience/delete/`, {
		method: 'POST',
		headers: { 'Access-Token': SEED.validToken, 'Content-Type': 'application/json' },
		body: JSON.stringify({ advertiser_id: ADV, custom_audience_ids: [id] }),
	});
	const body = (await res.json()) as { code: number };
	if (body.code !== 0) throw new Error(`delete failed: ${JSON.stringify(body)}`);
	f.emu.state.requestLog.length = 0;
}

/** `n` bytes of deterministic binary garbage (xorshift), with no newline in the first kilobyte. */
export function rngBytes(n: number, seed: number): Buffer {
	const out = Buffer.alloc(n);
	let x = seed >>> 0 || 1;
	for (let i = 0; i < n; i++) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		x >>>= 0;
		out[i] = x & 0xff;
	}
	for (let i = 0; i < Math.min(n, 1024); i++) if (out[i] === 10 || out[i] === 13) out[i] = 0;
	return out;
}
