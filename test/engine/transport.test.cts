// The transport inside n8n's real engine: n8n's own httpRequestWithAuthentication, a scripted TikTok-like server.
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeParameters, INodeType } from 'n8n-workflow';
import { z } from 'zod';

import { tiktokRequest } from '../../nodes/shared/tiktok/transport';
import { runWorkflow } from '../support/engine.cts';
import { startScriptedServer, type ScriptedServer } from '../support/scriptedServer.cts';

const TOKEN = 'tok-5ecret-transport-test-0123456789abcdef';
const PROBE = 'test.transportProbe';

// A node that sends one request per run through the transport and outputs what came back.
const probe: INodeType = {
	description: {
		displayName: 'Probe',
		name: 'transportProbe',
		group: ['transform'],
		version: 1,
		description: 'test',
		defaults: { name: 'Probe' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tikTokBusinessApi', required: true }],
		properties: [
			{ displayName: 'Path', name: 'path', type: 'string', default: 'user/info/' },
			{ displayName: 'Idempotent', name: 'idempotent', type: 'boolean', default: true },
		],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const res = await tiktokRequest(this, {
			method: 'GET',
			path: this.getNodeParameter('path', 0) as string,
			qs: { advertiser_id: '123', custom_audience_ids: ['1', '2'] },
			schema: z.object({ display_name: z.string() }),
			idempotent: this.getNodeParameter('idempotent', 0) as boolean,
		});
		if (!res) throw new NodeOperationError(this.getNode(), 'no response');
		return [[{ json: { ...res }, pairedItem: { item: 0 } }]];
	},
};

let server: ScriptedServer;
beforeEach(async () => {
	server = await startScriptedServer();
});
afterEach(async () => {
	await server.close();
});

async function runProbe(parameters: INodeParameters = {}) {
	return runWorkflow({
		nodes: [
			{
				id: 'p',
				name: 'Probe',
				type: PROBE,
				typeVersion: 1,
				position: [0, 0],
				parameters,
				credentials: { tikTokBusinessApi: { id: '1', name: 'TikTok' } },
			},
		],
		connections: {},
		credentials: {
			tikTokBusinessApi: {
				accessToken: TOKEN,
				environment: 'custom',
				baseUrl: server.url,
				requestsPerSecond: 1000,
				maxRetries: 3,
				retryBaseDelayMs: 2,
			},
		},
		extraNodeTypes: { [PROBE]: probe },
	});
}

const ok = (data: unknown, requestId = 'req-ok') => ({ json: { code: 0, message: 'OK', request_id: requestId, data } });
const fail = (code: number, message: string, requestId = `req-${code}`) => ({ json: { code, message, request_id: requestId, data: {} } });

function expectNoToken(result: Awaited<ReturnType<typeof runProbe>>) {
	expect(JSON.stringify(result.run)).not.toContain(TOKEN);
}

test('success: sends the token header, JSON-encodes array parameters, returns data and request id', async () => {
	server.script(ok({ display_name: 'Ada' }, 'r-1'));
	const result = await runProbe();
	expect(result.error()).toBeUndefined();
	expect(result.output('Probe')).toEqual([
		{ code: 0, message: 'OK', requestId: 'r-1', data: { display_name: 'Ada' }, partial: false, retries: 0 },
	]);
	expect(server.seen).toHaveLength(1);
	expect(server.seen[0].method).toBe('GET');
	expect(server.seen[0].url).toBe('/open_api/v1.3/user/info/?advertiser_id=123&custom_audience_ids=%5B%221%22%2C%222%22%5D');
	expect(server.seen[0].headers['access-token']).toBe(TOKEN);
});

test('partial success (20001) is a success that carries TikTok warning', async () => {
	server.script({ json: { code: 20001, message: '3 rows skipped', request_id: 'r-p', data: { display_name: 'Ada' } } });
	const result = await runProbe();
	expect(result.output('Probe')).toEqual([
		{ code: 20001, message: '3 rows skipped', requestId: 'r-p', data: { display_name: 'Ada' }, partial: true, retries: 0 },
	]);
});

test.each([
	[40102, 'Access token expired', 'TikTok 40102: The access token has expired'],
	[40104, 'Access token is empty', 'TikTok 40104: No access token was sent'],
	[40105, 'Access token is incorrect or has been revoked', 'TikTok 40105: The access token is invalid or was revoked'],
	[40001, 'advertiser does not grant you /open_api/v1.3/user/info/:GET permission', 'TikTok 40001: The advertiser is not granted to this access token'],
	[40002, 'custom_audience_ids: invalid', 'TikTok 40002: TikTok rejected a parameter'],
])('code %i fails at once with a message that says what to do', async (code, message, expected) => {
	server.script(fail(code, message));
	const result = await runProbe();
	expect(result.error()?.message).toBe(expected);
	expect(result.error()?.description).toContain(`TikTok said: "${message}" (request_id req-${code}, GET /user/info/).`);
	expect(server.seen).toHaveLength(1);
	expectNoToken(result);
});

test('rate limit 40100 then success: retried once', async () => {
	server.script(fail(40100, 'Due to too many requests'), ok({ display_name: 'Ada' }, 'r-2'));
	const result = await runProbe();
	expect(result.output('Probe')[0]).toMatchObject({ requestId: 'r-2', retries: 1 });
	expect(server.seen).toHaveLength(2);
});

test('HTTP 503 with an HTML body, then success', async () => {
	server.script({ status: 503, text: '<html>Service Unavailable</html>' }, ok({ display_name: 'Ada' }, 'r-3'));
	const result = await runProbe();
	expect(result.output('Probe')[0]).toMatchObject({ requestId: 'r-3', retries: 1 });
});

test('non-JSON 504 then network reset then success', async () => {
	server.script({ status: 504, text: 'Gateway Time-out' }, { reset: true }, ok({ display_name: 'Ada' }, 'r-4'));
	const result = await runProbe();
	expect(result.output('Probe')[0]).toMatchObject({ requestId: 'r-4', retries: 2 });
	expect(server.seen).toHaveLength(3);
});

test('retries exhausted: the error names the code, the attempts and the last request id', async () => {
	server.script(fail(50002, 'Service error', 'a'), fail(50002, 'Service error', 'b'), fail(50002, 'Service error', 'c'), fail(50002, 'Service error', 'last-id'));
	const result = await runProbe();
	expect(result.error()?.message).toBe('TikTok 50002: TikTok service error or timeout after 4 attempts');
	expect(result.error()?.description).toBe('Run again later. TikTok said: "Service error" (request_id last-id, GET /user/info/).');
	expect(server.seen).toHaveLength(4);
	expectNoToken(result);
});

test('network reset every time: a connection error without the token', async () => {
	server.script({ reset: true }, { reset: true }, { reset: true }, { reset: true });
	const result = await runProbe();
	expect(result.error()?.message).toBe('Could not reach TikTok: the connection was reset after 4 attempts');
	expectNoToken(result);
});

test('malformed body: a 200 that is not JSON is a clear error, not retried', async () => {
	server.script({ status: 200, text: 'hello' });
	const result = await runProbe();
	expect(result.error()?.message).toBe('TikTok sent an answer the node cannot read: the answer is not JSON');
	expect(server.seen).toHaveLength(1);
});

test('malformed data: a success whose data lacks a field is a clear error', async () => {
	server.script(ok({ nickname: 'Ada' }));
	const result = await runProbe();
	expect(result.error()?.message).toBe('TikTok sent an answer the node cannot read: field "display_name" required');
});

test('non-idempotent calls are not retried after a 50002 (TikTok may have applied them), but are after 40100', async () => {
	server.script(fail(50002, 'Service error', 'x'));
	const first = await runProbe({ idempotent: false });
	expect(first.error()?.message).toBe('TikTok 50002: TikTok service error or timeout');
	expect(server.seen).toHaveLength(1);
	server.script(fail(40100, 'Due to too many requests'), ok({ display_name: 'Ada' }));
	const second = await runProbe({ idempotent: false });
	expect(second.output('Probe')[0]).toMatchObject({ retries: 1 });
});

test('HTTP 500 every time: the error names the status', async () => {
	server.script({ status: 500, text: 'x' }, { status: 500, text: 'x' }, { status: 500, text: 'x' }, { status: 500, text: 'x' });
	const result = await runProbe();
	expect(result.error()?.message).toBe('TikTok answered HTTP 500 after 4 attempts');
	expectNoToken(result);
});
