// Small builders and helpers shared by the node and example e2e tests: workflow nodes as n8n stores them, hashes as
// the emulator stores them, webhook calls, and the registry in a workflow's stored static data.
import { randomUUID } from 'node:crypto';
import CryptoJS from 'crypto-js';

import { formatTikTokTime } from '../emulator/clock.cts';
import { REGISTRY_KEY } from '../../nodes/shared/sync/registry';
import { getWorkflow, nodeType, type Session, type WorkflowJson } from './n8nServer.cts';

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
export function ourNode(name: string, type: string, parameters: Record<string, unknown>, x = 500): NodeJson {
	return { id: randomUUID(), name, type: nodeType(type), typeVersion: 1, position: [x, 0], parameters };
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

/** POSTs JSON to a production webhook of n8n. */
export async function postWebhook(baseUrl: string, path: string, body: unknown): Promise<{ status: number; json: any }> {
	const res = await fetch(`${baseUrl}/webhook/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
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
): Promise<{ status: number; json: any }> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const res = await postWebhook(baseUrl, path, body);
		const unregistered = res.status === 404 && /is not registered/.test(JSON.stringify(res.json));
		if (!unregistered || Date.now() > deadline) return res;
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

/** The sync registry in a workflow's stored static data (undefined when none was saved). */
export async function storedRegistry(session: Session, workflowId: string): Promise<any> {
	const workflow = await getWorkflow(session, workflowId);
	return (workflow.staticData as any)?.global?.[REGISTRY_KEY];
}

/** The emulator's inspection view of an audience (members computed for website audiences). */
export async function inspectAudience(emulatorUrl: string, audienceId: string): Promise<any> {
	const res = await fetch(`${emulatorUrl}/__emulator/audiences/${audienceId}`);
	if (!res.ok) throw new Error(`emulator: audience ${audienceId} → HTTP ${res.status}`);
	return res.json();
}
