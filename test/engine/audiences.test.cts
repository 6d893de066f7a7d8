// Looking up one audience by ID (getAudience) when TikTok's answer for a missing ID is not documented: 40007, or a
// 40002 "does not exist" parameter error. Driven through the Unlink/Delete node's Get Status against exact answers.
import type { IDataObject } from 'n8n-workflow';

import { describeCode } from '../../nodes/shared/tiktok/errors';
import { byId, packageNode, runWorkflow } from '../support/engine.cts';
import { startScriptedServer, type ScriptedServer } from '../support/scriptedServer.cts';

const ADV = '7000000000000000001';
const ID = '6900000000000000042';

let server: ScriptedServer;
beforeEach(async () => {
	server = await startScriptedServer();
});
afterEach(async () => {
	await server.close();
});

const envelope = (code: number, message: string, data: IDataObject = {}) => ({ json: { code, message, request_id: `req-${code}`, data } });
const audience = { audience_id: ID, name: 'CRM buyers', audience_type: 'Customer File Audience', cover_num: 1200, is_valid: true };
const getAnswer = envelope(0, 'OK', { list: [{ audience_details: audience, audience_history: [] }] });
const listAnswer = (list: IDataObject[]) => envelope(0, 'OK', { list, page_info: { page: 1, page_size: 100, total_number: list.length, total_page: 1 } });

async function getStatus() {
	const r = await runWorkflow({
		nodes: [packageNode('Status', 'tikTokUnlinkDeleteAudience', { operation: 'getStatus', advertiserId: byId(ADV), audience: byId(ID) })],
		connections: {},
		credentials: { tikTokBusinessApi: { accessToken: 'token', environment: 'custom', baseUrl: server.url, requestsPerSecond: 0, maxRetries: 0, retryBaseDelayMs: 1 } },
	});
	const paths = server.seen.map((s) => new URL(s.url, server.url).pathname.replace(/^.*\/(dmp\/custom_audience\/\w+\/)$/, '$1'));
	return { error: r.error()?.message, description: r.error()?.description, status: r.output('Status')[0], paths };
}

test('an existing audience: one get/ request', async () => {
	server.script(getAnswer);
	const o = await getStatus();
	expect([o.error, o.status.exists, o.status.name, o.status.audienceSize, o.paths]).toEqual([undefined, true, 'CRM buyers', 1200, ['dmp/custom_audience/get/']]);
});

test.each([
	['40007 NOT_EXIST', envelope(40007, 'object does not exist')],
	['40002 "does not exist" (what the emulator answers)', envelope(40002, `custom_audience_ids[0]: Audience ${ID} does not exist.`)],
	['an empty list', envelope(0, 'OK', { list: [] })],
])('get/ answers %s and list/ does not have it: the audience is gone, not an error', async (_name, answer) => {
	server.script(answer, listAnswer([]));
	const o = await getStatus();
	expect([o.error, o.status.exists, o.status.audienceId, o.paths]).toEqual([undefined, false, ID, ['dmp/custom_audience/get/', 'dmp/custom_audience/list/']]);
});

test('get/ fails with 40002 for an audience list/ still has: asked again, and a real error surfaces', async () => {
	const refused = envelope(40002, 'history_size: Must be greater than or equal to 1 and less than or equal to 100.');
	server.script(refused, listAnswer([audience]), refused);
	const o = await getStatus();
	expect(o.error).toBe('TikTok 40002: TikTok rejected a parameter');
	expect(o.description).toBe(
		`${describeCode(40002).fix} TikTok said: "history_size: Must be greater than or equal to 1 and less than or equal to 100." (request_id req-40002, GET /dmp/custom_audience/get/).`,
	);
	expect(o.paths).toEqual(['dmp/custom_audience/get/', 'dmp/custom_audience/list/', 'dmp/custom_audience/get/']);
});

test('get/ refused once but list/ has it and the second get/ answers: the audience is returned', async () => {
	server.script(envelope(40002, `custom_audience_ids[0]: Audience ${ID} does not exist.`), listAnswer([audience]), getAnswer);
	const o = await getStatus();
	expect([o.error, o.status.exists, o.status.name]).toEqual([undefined, true, 'CRM buyers']);
});
