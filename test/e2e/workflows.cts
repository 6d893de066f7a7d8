// Small builders and helpers shared by the node and example e2e tests: workflow nodes as n8n stores them, hashes as
// the emulator stores them, webhook calls, a workflow's stored static data and the link facts n8n's database holds.
import { createHash, randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import CryptoJS from 'crypto-js';

import { formatTikTokTime } from '../emulator/clock.cts';
import { getWorkflow, nodeType, type N8nInstance, type Session, type WorkflowJson } from './n8nServer.cts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** SHA-256 hex (the test oracle: crypto-js, not the node's own hashing). */
export const sha = (value: string): string => CryptoJS.SHA256(value).toString(CryptoJS.enc.Hex);

/** A resource-locator value. */
export const rl = (mode: string, value: string) => ({ __rl: true, mode, value });

type NodeJson = WorkflowJson['nodes'][number];

export function manualTrigger(name = 'Start'): NodeJson {
	return { id: randomUUID(), name, type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
}

/** A Code node (run once for all items) that outputs these JSON objects, one item each. */
export function itemsNode(name: string, items: unknown[], x = 250): NodeJson {
	return {
		id: randomUUID(),
		name,
		type: 'n8n-nodes-base.code',
		typeVersion: 2,
		position: [x, 0],
		parameters: { jsCode: `return ${JSON.stringify(items)}.map((json) => ({ json }));` },
	};
}

/** A node of this package (type `<package>.<name>`); the stack attaches the emulator credential. */
export function ourNode(name: string, type: string, parameters: Record<string, unknown>, x = 500, typeVersion = 1): NodeJson {
	return { id: randomUUID(), name, type: nodeType(type), typeVersion, position: [x, 0], parameters };
}

/** Connections of a straight chain A → B → C. */
export function chain(...names: string[]): WorkflowJson['connections'] {
	const connections: WorkflowJson['connections'] = {};
	for (let i = 0; i < names.length - 1; i++) connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
	return connections;
}

/** TikTok's "YYYY-MM-DD HH:MM:SS" of an emulator clock time (what create_time / expired_time / opt_time carry). */
export const tiktokTime = formatTikTokTime;

/** ISO time of an emulator history entry as TikTok reports it (second resolution). */
export const isoSeconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString();

/** POSTs JSON to a production webhook of n8n, with extra request headers (e.g. the Header Auth one). */
export async function postWebhook(
	baseUrl: string,
	path: string,
	body: unknown,
	headers: Record<string, string> = {},
): Promise<{ status: number; json: any }> {
	const res = await fetch(`${baseUrl}/webhook/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', ...headers },
		body: JSON.stringify(body),
	});
	const text = await res.text();
	let json: unknown = text;
	try {
		json = JSON.parse(text);
	} catch {
		// not JSON
	}
	return { status: res.status, json };
}

/**
 * POSTs to a production webhook of a workflow that was just activated. n8n 2.41 publishes workflows through an outbox
 * (N8N_USE_WORKFLOW_PUBLICATION_SERVICE, on by default): the activate call returns before the webhooks are registered,
 * and until then n8n answers 404 "… is not registered" without running anything, so the call is simply repeated.
 */
export async function postWebhookOnceRegistered(
	baseUrl: string,
	path: string,
	body: unknown,
	timeoutMs = 30_000,
	headers: Record<string, string> = {},
): Promise<{ status: number; json: any }> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const res = await postWebhook(baseUrl, path, body, headers);
		const unregistered = res.status === 404 && /is not registered/.test(JSON.stringify(res.json));
		if (!unregistered || Date.now() > deadline) return res;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** A workflow's stored static data (null when n8n never saved any). */
export async function storedStaticData(session: Session, workflowId: string): Promise<Record<string, any> | null> {
	const workflow = await getWorkflow(session, workflowId);
	return (workflow.staticData as Record<string, any> | null | undefined) ?? null;
}

/** The link store's facts (nodes/shared/sync/linkStore.ts) as values, for comparing with what n8n's database holds. */
export const linkFact = {
	unlinked: (audienceId: string) => `tiktok-audience-sync/v1/unlinked/${audienceId}`,
	deleted: (audienceId: string) => `tiktok-audience-sync/v1/deleted/${audienceId}`,
	deletedName: (advertiserId: string, name: string) => `tiktok-audience-sync/v1/deleted-name/${advertiserId}/${name}`,
};

/**
 * Which of these link facts n8n's database holds for the workflow: the de-duplication row (table processed_data,
 * workflow scope, values stored as base64 MD5), read from the SQLite file with the sqlite3 module of n8n's install.
 */
export async function storedLinkFacts(instance: N8nInstance, workflowId: string, facts: string[]): Promise<string[]> {
	const req = createRequire(path.join(instance.n8nDir, 'node_modules', 'n8n', 'package.json'));
	const sqlite3 = req('sqlite3') as { Database: new (file: string, mode: number, cb: (e: Error | null) => void) => any; OPEN_READONLY: number };
	const file = path.join(instance.userFolder, '.n8n', 'database.sqlite');
	const rows = await new Promise<Array<{ value: string }>>((resolve, reject) => {
		const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (error) => {
			if (error) return reject(error);
			db.all('SELECT value FROM processed_data WHERE workflowId = ? AND context = ?', [workflowId, ''], (e: Error | null, r: Array<{ value: string }>) => {
				db.close();
				return e ? reject(e) : resolve(r);
			});
		});
	});
	const stored = new Set<string>(rows.flatMap((r) => (JSON.parse(r.value) as { data: string[] }).data));
	return facts.filter((f) => stored.has(createHash('md5').update(f).digest('base64')));
}

/** The emulator's inspection view of an audience (members computed for website audiences). */
export async function inspectAudience(emulatorUrl: string, audienceId: string): Promise<any> {
	const res = await fetch(`${emulatorUrl}/__emulator/audiences/${audienceId}`);
	if (!res.ok) throw new Error(`emulator: audience ${audienceId} → HTTP ${res.status}`);
	return res.json();
}

/** The folder the examples read and write files in: n8n's Docker image (HOME=/home/node), default allowed folder. */
export const DOCKER_FILES_DIR = '/home/node/.n8n-files/';

/**
 * An example with the paths its Read/Write Files from Disk nodes read and write under ~/.n8n-files moved into `dir`
 * (the N8N_RESTRICT_FILE_ACCESS_TO of the test server), as a user on another machine would set them.
 */
export function inFilesFolder(workflow: WorkflowJson, dir: string): WorkflowJson {
	const nodes = workflow.nodes.map((node) => {
		if (node.type !== 'n8n-nodes-base.readWriteFile') return node;
		const parameters = { ...node.parameters };
		for (const key of ['fileSelector', 'fileName']) {
			const value = parameters[key];
			if (typeof value === 'string' && value.startsWith(DOCKER_FILES_DIR)) parameters[key] = path.join(dir, value.slice(DOCKER_FILES_DIR.length));
		}
		return { ...node, parameters };
	});
	return { ...workflow, nodes };
}
