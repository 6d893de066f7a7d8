// Every action node of the package in the real n8n server (2.41.1 or 1.123, installed from its tarball) against the emulator.
// Assertions read the emulator's state (exact member hashes, crypto-js as the oracle), n8n's executions and the
// workflows' stored static data. The trigger on an active workflow, unlink and delete are in lifecycle.e2e.test.cts.
//
// The nodes judge time by the real clock and TikTok's history by the emulator's clock; the emulator's clock runs in
// the past here, moved before each List Sync step, so each step's guards see the history they need (as in
// test/engine/upsertCustomerFileList.test.cts).
import { SEED } from '../emulator/index.cts';
import { createdFromItemsSummary } from '../support/listSummary.cts';
import { executionError, nodeOutput, type Execution } from './n8nServer.cts';
import { startStack, type Stack } from './stack.cts';
import { DAY, HOUR, chain, inspectAudience, isoSeconds, itemsNode, manualTrigger, ourNode, rl, sha, storedStaticData } from './workflows.cts';

const ADV = SEED.grantedAdvertiserId;
const MAIN_PIXEL = SEED.pixels[0];
const UPSERT = 'TikTok Upsert Customer File List';
const CREATE = 'TikTok Create Website Audience';
const SEND = 'TikTok Send Sync Event';
const STATUS = 'Get Status';
const LIST_NAME = 'E2E nodes: CRM buyers';
const WEB_NAME = 'E2E nodes: buyers (pixel)';

let stack: Stack;
beforeAll(async () => {
	// TikTok recalculates an audience for a minute after each change (cover_num shows the size before it meanwhile):
	// long enough that a slow machine never sees a calculation finish between a node's update and its read.
	stack = await startStack({ emulator: { now: Date.now() - 72 * HOUR, processingDelayMs: 60_000 } });
}, 600_000);
afterAll(async () => {
	await stack?.stop();
});

const setClock = (hoursAgo: number) => stack.emulator.clock.set(Date.now() - hoursAgo * HOUR);
const emails = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}@example.com`);
const hashed = (list: string[]) => list.map(sha).sort();
const membersOf = (id: string) => [...(stack.emulator.state.audiences.get(id)?.members ?? [])].sort();
const requestsSince = (mark: number) => stack.emulator.state.requestLog.slice(mark);
const apiPath = (p: string) => p.replace('/open_api/v1.3/', '');

/** Start → People (Code node with these items) → Upsert with these parameters. */
function upsertWorkflow(name: string, people: unknown[], params: Record<string, unknown>) {
	return {
		name,
		nodes: [
			manualTrigger(),
			itemsNode('People', people),
			ourNode(UPSERT, 'tikTokUpsertCustomerFileList', {
				advertiserId: rl('id', ADV),
				listMode: 'create',
				listName: LIST_NAME,
				calculateType: 'EMAIL_SHA256',
				action: 'APPEND',
				inputSource: 'items',
				emailField: 'email',
				...params,
			}),
		],
		connections: chain('Start', 'People', UPSERT),
	};
}

const expectSuccess = (execution: Execution) => {
	expect({ status: execution.status, error: executionError(execution)?.message }).toEqual({ status: 'success', error: undefined });
};

describe('List Sync (TikTok Upsert Customer File List)', () => {
	const A = emails('a', 0, 1500);
	const B = emails('b', 0, 300);
	const C = A.slice(0, 200);
	const D = [...emails('d', 0, 1100), ...A.slice(1000, 1100)];
	let audienceId = '';
	let replaceWorkflow = '';

	test('create: a new list by name holds exactly the hashes of the 1,500 emails (messy case and spaces normalized)', async () => {
		setClock(70);
		const mark = stack.emulator.state.requestLog.length;
		const people = A.map((email, i) => ({ email: i % 10 === 0 ? `  ${email.toUpperCase()} ` : email }));
		const id = await stack.createWorkflow(upsertWorkflow('E2E nodes: list create', people, {}));
		const execution = await stack.runWorkflow(id);
		expectSuccess(execution);
		expect(execution.mode).toBe('manual');
		const calls = requestsSince(mark);
		expect(calls.map((c) => apiPath(c.path))).toEqual([
			'dmp/custom_audience/list/',
			'dmp/custom_audience/file/upload/',
			'dmp/custom_audience/create/',
			'dmp/custom_audience/get/',
		]);
		const audiences = [...stack.emulator.state.audiences.values()].filter((a) => a.name === LIST_NAME);
		expect(audiences).toHaveLength(1);
		audienceId = audiences[0].audienceId;
		expect(nodeOutput(execution, UPSERT)).toEqual([
			createdFromItemsSummary({ audienceId, audienceName: LIST_NAME, advertiserId: ADV, rows: 1500, requestIds: calls.slice(1).map((c) => c.request_id) }),
		]);
		expect(audiences[0].calculateType).toBe('EMAIL_SHA256');
		expect(membersOf(audienceId)).toEqual(hashed(A));
		// A manual run: n8n does not save static data, and the node wrote none.
		expect(await storedStaticData(stack.session, id)).toBeNull();
	});

	test('append: 300 new emails (10 repeated) are added; the same audience is found by name', async () => {
		setClock(60);
		const id = await stack.createWorkflow(upsertWorkflow('E2E nodes: list append', [...B, ...B.slice(0, 10)].map((email) => ({ email })), { action: 'APPEND' }));
		const execution = await stack.runWorkflow(id);
		expectSuccess(execution);
		expect(nodeOutput(execution, UPSERT)).toEqual([
			expect.objectContaining({ audienceId, action: 'APPEND', created: false, rowsIn: 310, rowsSent: 300, duplicates: 10, filesUploaded: 1, audienceSize: 1050 }),
		]);
		expect(membersOf(audienceId)).toEqual(hashed([...A, ...B]));
		expect([...stack.emulator.state.audiences.values()].filter((a) => a.name === LIST_NAME)).toHaveLength(1);
	});

	test('remove: 200 emails leave the audience', async () => {
		setClock(50);
		const id = await stack.createWorkflow(upsertWorkflow('E2E nodes: list remove', C.map((email) => ({ email })), { action: 'REMOVE' }));
		const execution = await stack.runWorkflow(id);
		expectSuccess(execution);
		expect(nodeOutput(execution, UPSERT)).toEqual([expect.objectContaining({ audienceId, action: 'REMOVE', rowsSent: 200, audienceSize: 1260 })]);
		expect(membersOf(audienceId)).toEqual(hashed([...A.slice(200), ...B]));
	});

	test('replace via `n8n execute` (mode cli): exact new member set; no static data is written (TikTok\'s history has the sync)', async () => {
		// Two hours ago on TikTok's clock: the last change (the remove) is 48 h older, so neither guard refuses.
		setClock(2);
		replaceWorkflow = await stack.createWorkflow(
			upsertWorkflow('E2E nodes: list replace', D.map((email) => ({ email })), { listMode: 'existing', audience: rl('id', audienceId), action: 'REPLACE' }),
		);
		await stack.runWorkflowCli(replaceWorkflow);
		const executions = await stack.executions(replaceWorkflow);
		expect(executions.map((e) => [e.mode, e.status])).toEqual([['cli', 'success']]);
		// While TikTok recalculates, cover_num still shows the size before the update (1,600 × 0.7).
		expect(nodeOutput(executions[0], UPSERT)).toEqual([
			expect.objectContaining({ audienceId, audienceName: LIST_NAME, action: 'REPLACE', created: false, rowsIn: 1200, rowsSent: 1200, audienceSize: 1120, audienceValid: false }),
		]);
		expect(membersOf(audienceId)).toEqual(hashed(D));
		expect(stack.emulator.state.audiences.get(audienceId)?.history.map((h) => [h.action, h.action_detail])).toEqual([
			['create', '1500'],
			['append', '300'],
			['remove', '200'],
			['replace', '1200'],
		]);

		expect(await storedStaticData(stack.session, replaceWorkflow)).toBeNull();
	});

	test('a second replace within 24 h is refused with the next allowed time; nothing is sent', async () => {
		const replaced = stack.emulator.state.audiences.get(audienceId)?.history.find((h) => h.action === 'replace')?.atMs as number;
		const mark = stack.emulator.state.requestLog.length;
		const execution = await stack.runWorkflow(replaceWorkflow);
		expect(execution.status).toBe('error');
		const next = new Date(Math.floor(replaced / 1000) * 1000 + DAY);
		const hhmm = `${String(next.getUTCHours()).padStart(2, '0')}:${String(next.getUTCMinutes()).padStart(2, '0')}`;
		expect(executionError(execution)?.message).toMatch(
			new RegExp(
				`^Replace All is allowed once per 24 hours per audience and this audience was last replaced less than 24 hours ago\\. The next replace is allowed at (\\d{4}-\\d\\d-\\d\\d )?${hhmm} UTC \\(in (21 hours 5\\d minutes|22 hours)\\); use Add or Remove until then\\.$`,
			),
		);
		// Only reads (the audience and its history, one get/). No upload, no update.
		expect(requestsSince(mark).map((c) => apiPath(c.path))).toEqual(['dmp/custom_audience/get/']);
		expect(membersOf(audienceId)).toEqual(hashed(D));
	});
});

describe('Event Sync (Create Website Audience → Send Sync Event) and Get Status', () => {
	// Events are judged against the emulator's clock (at most 7 days old, 10 minutes ahead): back to real time.
	beforeAll(() => {
		stack.emulator.clock.set(Date.now());
	});
	// As the editor makes them today (node version 1.1): the event is left at its default, the custom event AudienceSync.
	const EVENT = 'AudienceSync';
	const V = 1.1;
	const createParams = {
		advertiserId: rl('id', ADV),
		pixel: rl('id', MAIN_PIXEL.pixel_id),
		audienceName: WEB_NAME,
		description: 'E2E: people who bought in the last 30 days',
		lookbackDays: 30,
	};
	const RULE = `people with "${EVENT}" on pixel ${MAIN_PIXEL.pixel_id} in the last 30 days`;
	const N = 40;
	const users = Array.from({ length: N }, (_, i) => ({ email: `  Visitor${i}@Example.COM `, phone: `+44 7700 900${String(i).padStart(3, '0')}` }));
	const userKeys = () => users.map((u) => sha(u.email.trim().toLowerCase())).sort();
	let websiteAudienceId = '';
	let listAudienceId = '';
	let eventSyncWorkflow = '';

	test('Create Website Audience creates the pixel audience with the exact rule and recipe', async () => {
		const mark = stack.emulator.state.requestLog.length;
		const id = await stack.createWorkflow({
			name: 'E2E nodes: create website audience',
			nodes: [manualTrigger(), ourNode(CREATE, 'tikTokCreateWebsiteAudience', createParams, 250, V)],
			connections: chain('Start', CREATE),
		});
		const execution = await stack.runWorkflow(id);
		expectSuccess(execution);
		const pixelAudiences = [...stack.emulator.state.audiences.values()].filter((a) => a.kind === 'PIXEL');
		expect(pixelAudiences.map((a) => a.name)).toEqual([WEB_NAME]);
		websiteAudienceId = pixelAudiences[0].audienceId;
		const ruleSpec = {
			inclusion_rule_set: {
				operator: 'OR',
				rules: [
					{
						event_source_ids: [MAIN_PIXEL.pixel_id],
						retention_days: 30,
						filter_set: { operator: 'OR', filters: [{ field: 'EVENT', operator: 'EQ', value: EVENT }] },
					},
				],
			},
		};
		expect(nodeOutput(execution, CREATE)).toEqual([
			{
				status: 'created',
				audienceId: websiteAudienceId,
				audienceName: WEB_NAME,
				advertiserId: ADV,
				pixelId: MAIN_PIXEL.pixel_id,
				pixelCode: MAIN_PIXEL.pixel_code,
				pixelName: MAIN_PIXEL.pixel_name,
				event: EVENT,
				eventKind: 'custom',
				ruleFilterValue: EVENT,
				description: 'E2E: people who bought in the last 30 days',
				lookbackDays: 30,
				retentionInDays: null,
				autoRefresh: true,
				rule: RULE,
				ruleSpec,
				recipe: {
					advertiserId: ADV,
					audienceId: websiteAudienceId,
					audienceName: WEB_NAME,
					eventSource: 'web',
					pixelId: MAIN_PIXEL.pixel_id,
					pixelCode: MAIN_PIXEL.pixel_code,
					event: EVENT,
				},
				requestId: requestsSince(mark).find((c) => c.path.endsWith('rule/create/'))?.request_id,
			},
		]);
		expect(pixelAudiences[0]).toMatchObject({ pixelIds: [MAIN_PIXEL.pixel_id], isAutoRefresh: true, ruleSpec });
	});

	test(`Create (idempotent rerun: same audience) → ${N} users → Send Sync Event: the website audience holds exactly those users`, async () => {
		const mark = stack.emulator.state.requestLog.length;
		eventSyncWorkflow = await stack.createWorkflow({
			name: 'E2E nodes: event sync',
			nodes: [
				manualTrigger(),
				ourNode(CREATE, 'tikTokCreateWebsiteAudience', createParams, 250, V),
				itemsNode('Users', users, 500),
				ourNode(SEND, 'tikTokSendSyncEvent', { source: 'recipe', recipe: `={{ $('${CREATE}').first().json.recipe }}` }, 750, V),
			],
			connections: chain('Start', CREATE, 'Users', SEND),
		});
		const execution = await stack.runWorkflow(eventSyncWorkflow);
		expectSuccess(execution);
		expect(nodeOutput(execution, CREATE)).toEqual([expect.objectContaining({ status: 'existing', audienceId: websiteAudienceId, rule: RULE })]);
		expect(requestsSince(mark).filter((c) => c.path.endsWith('rule/create/'))).toEqual([]);
		expect([...stack.emulator.state.audiences.values()].filter((a) => a.kind === 'PIXEL')).toHaveLength(1);

		// Results: one item per user; Summary (the second output): one item for the run.
		const out = nodeOutput(execution, SEND);
		expect(out).toHaveLength(N);
		const track = requestsSince(mark).filter((c) => c.path.endsWith('event/track/'));
		expect(track.map((c) => c.code)).toEqual([0]);
		const [summary] = nodeOutput(execution, SEND, 1);
		expect(summary).toEqual({
			sent: N,
			skipped: 0,
			skippedByReason: {},
			failed: 0,
			requests: 1,
			requestIds: [track[0].request_id],
			// A manual run is an instant sync: the next one is allowed at the end of this minute plus 30 minutes.
			nextInstantSyncAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z$/),
		});
		const eventTime = out[0].eventTime as number;
		expect(Date.parse(summary.nextInstantSyncAt)).toBe((Math.floor(eventTime / 60) + 31) * 60_000);
		expect(out[0]).toEqual({
			status: 'sent',
			event: EVENT,
			pixelCode: MAIN_PIXEL.pixel_code,
			audienceId: websiteAudienceId,
			identifiers: ['email', 'phone'],
			eventId: sha(`${websiteAudienceId}|${MAIN_PIXEL.pixel_code}|${EVENT}|${sha('visitor0@example.com')}|${Math.floor(eventTime / 86400)}`),
			eventTime,
			requestId: track[0].request_id,
		});
		expect(out.map((o) => o.status)).toEqual(Array(N).fill('sent'));

		const stored = stack.emulator.state.events.get(MAIN_PIXEL.pixel_code)?.live ?? [];
		expect(stored.map((e) => [e.event, e.email, e.phone])).toEqual(
			users.map((u, i) => [EVENT, [sha(u.email.trim().toLowerCase())], [sha(`+447700900${String(i).padStart(3, '0')}`)]]),
		);
		const view = await inspectAudience(stack.emulator.url, websiteAudienceId);
		expect(view.members).toEqual(userKeys());
		expect(view.member_count).toBe(N);
	});

	test('a second manual run inside 30 minutes is refused by the Instant Sync cooldown that n8n stored; nothing is sent', async () => {
		const mark = stack.emulator.state.requestLog.length;
		const execution = await stack.runWorkflow(eventSyncWorkflow);
		expect(execution.status).toBe('error');
		expect(executionError(execution)?.message).toMatch(/^Instant sync is available again at \d\d:\d\d UTC \(in 3[01] minutes\)$/);
		expect(requestsSince(mark).filter((c) => c.path.endsWith('event/track/'))).toEqual([]);
	});

	test('Create Website Audience → Send Sync Event directly: nothing to send, and the panel says why (execution hint)', async () => {
		const id = await stack.createWorkflow({
			name: 'E2E nodes: event sync without people',
			nodes: [
				manualTrigger(),
				ourNode(CREATE, 'tikTokCreateWebsiteAudience', createParams, 250, V),
				ourNode(SEND, 'tikTokSendSyncEvent', { source: 'recipe', recipe: `={{ $('${CREATE}').first().json.recipe }}` }, 500, V),
			],
			connections: chain('Start', CREATE, SEND),
		});
		const execution = await stack.runWorkflow(id);
		expectSuccess(execution);
		expect(nodeOutput(execution, SEND)).toEqual([
			{
				status: 'skipped',
				reason: 'no_identifier',
				message: "No email, phone or external ID TikTok can match. Map Email or Phone to an expression giving this person's value, e.g. {{ $json.email }}.",
				event: EVENT,
				pixelCode: MAIN_PIXEL.pixel_code,
				audienceId: websiteAudienceId,
			},
		]);
		expect(nodeOutput(execution, SEND, 1)).toEqual([{ sent: 0, skipped: 1, skippedByReason: { no_identifier: 1 }, failed: 0, requests: 0, requestIds: [] }]);
		expect(execution.data?.resultData.runData[SEND][0].hints).toEqual([
			{
				type: 'warning',
				location: 'outputPane',
				message:
					'1 of 1 items were skipped: no email, phone or external ID TikTok can match. The input is the output of TikTok Create Website Audience (the audience, not your people): put the node that outputs your people, one item per person, between the two nodes.',
			},
		]);
	});

	test('Get Status: exact status of the website audience (size N) and of the list audience (history log)', async () => {
		listAudienceId = [...stack.emulator.state.audiences.values()].find((a) => a.name === LIST_NAME)?.audienceId as string;
		// Every identifier matches (cover_num = members), and both audiences have finished calculating.
		stack.emulator.config.matchRate = 1;
		stack.emulator.clock.advance(61_000);
		const id = await stack.createWorkflow({
			name: 'E2E nodes: get status',
			nodes: [
				manualTrigger(),
				itemsNode('Audiences', [{ id: websiteAudienceId }, { id: listAudienceId }]),
				ourNode(STATUS, 'tikTokUnlinkDeleteAudience', { operation: 'getStatus', advertiserId: rl('id', ADV), audience: rl('id', '={{ $json.id }}') }),
			],
			connections: chain('Start', 'Audiences', STATUS),
		});
		const execution = await stack.runWorkflow(id);
		expectSuccess(execution);
		const web = stack.emulator.state.audiences.get(websiteAudienceId)!;
		const list = stack.emulator.state.audiences.get(listAudienceId)!;
		// Linked (nothing unlinked them in this workflow's link store); no trigger runs in this workflow.
		const linkedHere = { linked: true, linkStatus: 'linked', nextDueAt: null, schedule: null };
		const noTriggerHere =
			"Next due time unknown here: no Audience Sync Trigger of this workflow has polled this audience in this n8n process since it started. A trigger keeps its schedule in the process that polls; n8n keeps nothing of a run by hand. Syncs made by hand are in TikTok's history (lastSyncAt).";
		const words: Record<string, string> = { create: 'Create', append: 'Add', remove: 'Remove', replace: 'Replace All' };
		const tiktokLog = (h: { action: string; action_detail: string; atMs: number }) => ({
			at: isoSeconds(h.atMs),
			source: 'TikTok',
			event: words[h.action],
			detail: `${h.action_detail}; by API`,
		});
		expect(nodeOutput(execution, STATUS)).toEqual([
			{
				operation: 'Get Status',
				exists: true,
				advertiserId: ADV,
				audienceId: websiteAudienceId,
				name: WEB_NAME,
				type: 'Website Audience',
				kind: 'Event Sync',
				pixelIds: [MAIN_PIXEL.pixel_id],
				audienceSize: N,
				audienceValid: false,
				isExpiring: false,
				expiresAt: isoSeconds(web.modifiedAt + 365 * DAY),
				createdAt: isoSeconds(web.createdAt),
				...linkedHere,
				lastSyncAt: null,
				lastSyncAction: null,
				lastSyncSource: null,
				lastReplaceAt: null,
				notes: [
					"Event Sync sends pixel events, which TikTok does not record in the audience's history: the last sync is not known here. The Send Sync Event execution shows what was sent.",
					noTriggerHere,
				],
				log: [{ at: isoSeconds(web.createdAt), source: 'TikTok', event: 'Create', detail: '0; by API' }],
			},
			{
				operation: 'Get Status',
				exists: true,
				advertiserId: ADV,
				audienceId: listAudienceId,
				name: LIST_NAME,
				type: 'Customer File Audience',
				kind: 'List Sync',
				pixelIds: [],
				audienceSize: 1200,
				audienceValid: true,
				isExpiring: false,
				expiresAt: isoSeconds(list.modifiedAt + 365 * DAY),
				createdAt: isoSeconds(list.createdAt),
				...linkedHere,
				lastSyncAt: isoSeconds(list.history[3].atMs),
				lastSyncAction: 'Replace All',
				lastSyncSource: 'TikTok history',
				lastReplaceAt: isoSeconds(list.history[3].atMs),
				notes: [noTriggerHere],
				log: list.history.slice().reverse().map(tiktokLog),
			},
		]);
	});
});
