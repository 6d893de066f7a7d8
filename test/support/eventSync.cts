// Shared fixtures for the Event Sync engine tests and benchmark: emulator credentials, node builders, a node that
// emits given user items, and emulator inspection helpers.
import { NodeConnectionTypes } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData, INodeType } from 'n8n-workflow';

import { SEED, type EmulatorHandle } from '../emulator/index.cts';
import { byId, packageNode } from './engine.cts';

export const ADV = SEED.grantedAdvertiserId;
export const MAIN_PIXEL = SEED.pixels[0]; // 7200000000000000011 / CEMU0PIXEL0MAIN00001 / Main website

export function emulatorCredentials(emu: EmulatorHandle, requestsPerSecond = 1000) {
	return {
		tikTokBusinessApi: { accessToken: SEED.validToken, environment: 'custom', baseUrl: emu.url, requestsPerSecond, maxRetries: 3, retryBaseDelayMs: 5 },
	};
}

/** The custom event both nodes default to from version 1.1 (nodes/shared/events/webEvents.ts). */
export const DEFAULT_EVENT = 'AudienceSync';
/** The node version new nodes get (version 1 keeps its Purchase default for saved workflows). */
export const LATEST = 1.1;

/** A Create Website Audience node as the editor makes it today (version 1.1): the event is left at its default. */
export const createNode = (params: IDataObject = {}, extra: Partial<INode> = {}): INode =>
	packageNode(
		'TikTok Create Website Audience',
		'tikTokCreateWebsiteAudience',
		{
			advertiserId: byId(ADV),
			pixel: byId(MAIN_PIXEL.pixel_id),
			audienceName: 'Buyers (n8n)',
			description: 'People who bought in the last 30 days',
			lookbackDays: 30,
			...params,
		},
		{ typeVersion: LATEST, ...extra },
	);

/** A Send Sync Event node (version 1.1), set here, its event left at the default (in step with createNode). */
export const sendNode = (params: IDataObject = {}, extra: Partial<INode> = {}): INode =>
	packageNode(
		'TikTok Send Sync Event',
		'tikTokSendSyncEvent',
		{ source: 'manual', advertiserId: byId(ADV), pixel: byId(MAIN_PIXEL.pixel_code), ...params },
		{ typeVersion: LATEST, ...extra },
	);

export const USERS_NODE = 'test.users';

/** Emits the items in its `users` parameter (a workflow step that fetches people from a CRM, say). */
export const usersNode: INodeType = {
	description: {
		displayName: 'Users',
		name: 'users',
		group: ['transform'],
		version: 1,
		description: 'test',
		defaults: { name: 'Users' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		properties: [{ displayName: 'Users', name: 'users', type: 'json', default: '[]' }],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('users', 0) as unknown;
		const users = (typeof raw === 'string' ? JSON.parse(raw) : raw) as IDataObject[];
		return [users.map((json) => ({ json, pairedItem: { item: 0 } }))];
	},
};

export const usersNodeInstance = (users: IDataObject[]): INode =>
	({ id: 'users', name: 'Users', type: USERS_NODE, typeVersion: 1, position: [0, 0], parameters: { users: JSON.stringify(users) } }) as INode;

export interface InspectedAudience {
	audience_id: string;
	name: string;
	kind: string;
	pixel_ids: string[];
	rule_spec: IDataObject;
	is_auto_refresh: boolean;
	member_count: number;
	members: string[];
}

export async function inspectAudience(emu: EmulatorHandle, id: string): Promise<InspectedAudience> {
	const res = await fetch(`${emu.url}/__emulator/audiences/${id}`);
	return (await res.json()) as InspectedAudience;
}

export async function pixelEvents(emu: EmulatorHandle, pixelCode: string): Promise<{ events: IDataObject[]; test_events: IDataObject[] }> {
	const res = await fetch(`${emu.url}/__emulator/events?pixel_code=${pixelCode}`);
	const body = (await res.json()) as { pixels: Array<{ events: IDataObject[]; test_events: IDataObject[] }> };
	return body.pixels[0];
}

/** Requests the emulator served on one API path. */
export function requestsTo(emu: EmulatorHandle, path: string): number {
	return emu.state.requestLog.filter((r) => r.path === `/open_api/v1.3/${path}`).length;
}

/** Creates a website (PIXEL) audience at the emulator directly, as another tool would: for tests that need one to exist. */
export async function createWebsiteAudienceAt(emu: EmulatorHandle, advertiserId: string, name: string, filterValue = 'COMPLETE PAYMENT'): Promise<string> {
	const res = await fetch(`${emu.baseUrl}/dmp/custom_audience/rule/create/`, {
		method: 'POST',
		headers: { 'Access-Token': SEED.validToken, 'Content-Type': 'application/json' },
		body: JSON.stringify({
			advertiser_id: advertiserId,
			custom_audience_name: name,
			audience_type: 'PIXEL',
			rule_spec: {
				inclusion_rule_set: {
					operator: 'OR',
					rules: [
						{
							event_source_ids: [SEED.pixels[0].pixel_id],
							retention_days: 30,
							filter_set: { operator: 'OR', filters: [{ field: 'EVENT', operator: 'EQ', value: filterValue }] },
						},
					],
				},
			},
		}),
	});
	const body = (await res.json()) as { code: number; message: string; data: { custom_audience_id?: string; audience_id?: string } };
	if (body.code !== 0) throw new Error(`rule/create failed: ${body.message}`);
	return String(body.data.custom_audience_id ?? body.data.audience_id);
}

