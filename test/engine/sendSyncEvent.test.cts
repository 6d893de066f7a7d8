// TikTok Send Sync Event in n8n's real engine against the emulator: the website audience holds exactly the users
// sent, resends add nothing, one malformed row is isolated, test events stay out, consent and unlink skip, and no raw
// identifier leaves the node. One result per input item on "Results", one run summary on "Summary"; the event sent is
// checked against the audience picked; Instant Sync's cooldown (manual runs) holds across restarts.
import CryptoJS from 'crypto-js';
import type { IDataObject } from 'n8n-workflow';

import { startEmulator, SEED, type EmulatorHandle } from '../emulator/index.cts';
import { byId, chain, dedupStore, linkFact, recordInStore, runWorkflow, simulateRestart } from '../support/engine.cts';
import {
	ADV,
	createNode,
	createWebsiteAudienceAt,
	DEFAULT_EVENT,
	emulatorCredentials,
	inspectAudience,
	MAIN_PIXEL,
	pixelEvents,
	requestsTo,
	sendNode,
	USERS_NODE,
	usersNode,
	usersNodeInstance,
} from '../support/eventSync.cts';

const sha = (s: string) => CryptoJS.SHA256(s).toString(CryptoJS.enc.Hex);
const SEND = 'TikTok Send Sync Event';
const CREATE = 'TikTok Create Website Audience';
const TRACK = 'event/track/';
const MINUTE = 60_000;

/** Users with messy but valid emails and phones: `  User<i>@Example.COM ` and `(+1) 555 01<i>`. */
const users = (n: number, from = 0): IDataObject[] =>
	Array.from({ length: n }, (_, k) => ({ email: `  User${from + k}@Example.COM `, phone: `(+1) 555 01${String(from + k).padStart(4, '0')}` }));
const memberKeys = (n: number, from = 0) => Array.from({ length: n }, (_, k) => sha(`user${from + k}@example.com`)).sort();
const trackIds = (emu: EmulatorHandle) => emu.state.requestLog.filter((l) => l.path.endsWith(TRACK)).map((l) => l.request_id);
const eventIdOf = (audienceId: string, event: string, email: string, eventTime: number) =>
	sha(`${audienceId}|${MAIN_PIXEL.pixel_code}|${event}|${sha(email)}|${Math.floor(eventTime / 86400)}`);

describe('sending', () => {
	let emu: EmulatorHandle;
	let audienceId: string;
	beforeEach(async () => {
		simulateRestart();
		emu = await startEmulator();
		const created = await runWorkflow({ nodes: [createNode()], connections: {}, credentials: emulatorCredentials(emu) });
		audienceId = String(created.output(CREATE)[0].audienceId);
	});
	afterEach(async () => {
		await emu.close();
	});

	/** A production run (webhook) by default: manual runs are instant syncs, tested on their own below. */
	const send = (input: IDataObject[], params: IDataObject = {}, extra: Parameters<typeof sendNode>[1] = {}, mode: 'manual' | 'webhook' | 'trigger' = 'webhook') =>
		runWorkflow({
			nodes: [sendNode({ audience: byId(audienceId), ...params }, extra)],
			connections: {},
			credentials: emulatorCredentials(emu),
			input: input.map((json) => ({ json })),
			mode,
		});
	const summaryOf = (r: Awaited<ReturnType<typeof send>>) => {
		const summary = r.outputAt(SEND, 1);
		expect(summary).toHaveLength(1);
		return summary[0];
	};

	test('3 items in → 3 results out (each paired to its item) and 1 summary on the Summary output', async () => {
		const r = await send([{ email: 'a@example.com' }, { email: 'b@example.com' }, { email: 'c@example.com' }]);
		expect(r.error()).toBeUndefined();
		const [trackId] = trackIds(emu);
		const results = r.items(SEND, 0);
		expect(results.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		const eventTime = results[0].json.eventTime as number;
		expect(results.map((item) => item.json)).toEqual(
			['a', 'b', 'c'].map((name) => ({
				status: 'sent',
				event: DEFAULT_EVENT,
				pixelCode: MAIN_PIXEL.pixel_code,
				audienceId,
				identifiers: ['email'],
				eventId: eventIdOf(audienceId, DEFAULT_EVENT, `${name}@example.com`, eventTime),
				eventTime,
				requestId: trackId,
			})),
		);
		const summary = r.items(SEND, 1);
		expect(summary).toEqual([
			{ json: { sent: 3, skipped: 0, skippedByReason: {}, failed: 0, requests: 1, requestIds: [trackId] }, pairedItem: [{ item: 0 }, { item: 1 }, { item: 2 }] },
		]);
		expect(r.hints(SEND)).toEqual([]);
		expect((await inspectAudience(emu, audienceId)).members).toEqual([sha('a@example.com'), sha('b@example.com'), sha('c@example.com')].sort());
	});

	test('N users → the website audience holds exactly those users, in one request', async () => {
		const r = await send(users(50));
		expect(r.error()).toBeUndefined();
		const out = r.output(SEND);
		expect(out).toHaveLength(50);
		const ids = trackIds(emu);
		expect(summaryOf(r)).toEqual({ sent: 50, skipped: 0, skippedByReason: {}, failed: 0, requests: 1, requestIds: ids });
		expect(ids).toHaveLength(1);
		const eventTime = out[0].eventTime as number;
		expect(out[0]).toEqual({
			status: 'sent',
			event: DEFAULT_EVENT,
			pixelCode: MAIN_PIXEL.pixel_code,
			audienceId,
			identifiers: ['email', 'phone'],
			eventId: eventIdOf(audienceId, DEFAULT_EVENT, 'user0@example.com', eventTime),
			eventTime,
			requestId: ids[0],
		});
		expect(Math.abs(eventTime - Date.now() / 1000)).toBeLessThan(60);
		const stored = (await pixelEvents(emu, MAIN_PIXEL.pixel_code)).events;
		expect(stored).toHaveLength(50);
		expect(stored[3]).toMatchObject({ event: DEFAULT_EVENT, email: [sha('user3@example.com')], phone: [sha('+1555010003')], external_id: [] });
		expect((await inspectAudience(emu, audienceId)).members).toEqual(memberKeys(50));
	});

	test('2,500 users → 3 requests (1000, 1000, 500); a resend within the window adds no duplicate', async () => {
		const first = await send(users(2500));
		expect(summaryOf(first)).toMatchObject({ sent: 2500, failed: 0, requests: 3 });
		const again = await send(users(2500));
		expect(summaryOf(again)).toMatchObject({ sent: 2500, failed: 0, requests: 3 });
		expect(again.output(SEND)).toHaveLength(2500);
		expect(again.output(SEND)[10].eventId).toBe(first.output(SEND)[10].eventId);
		expect((await pixelEvents(emu, MAIN_PIXEL.pixel_code)).events).toHaveLength(2500);
		expect((await inspectAudience(emu, audienceId)).members).toEqual(memberKeys(2500));
		expect(requestsTo(emu, TRACK)).toBe(6);
	});

	test('a malformed row fails alone: every other row lands, the bad one is reported (Continue On Fail)', async () => {
		const input = users(20);
		input[7].when = Math.floor(Date.now() / 1000) - 30 * 86400; // older than TikTok (the emulator) accepts
		const r = await send(input, { eventTime: '={{ $json.when }}' }, { continueOnFail: true });
		expect(r.error()).toBeUndefined();
		const out = r.output(SEND);
		expect(out).toHaveLength(20);
		expect(out.filter((o) => o.status === 'sent')).toHaveLength(19);
		const reason = 'TikTok 40002: TikTok rejected a parameter (event_time: Must be within the last 7 days.)';
		expect(out[7]).toMatchObject({ status: 'failed', reason, error: reason });
		// 20 → 10+10 → 5+5 → 3+2 → 2+1: one failed request per level down to the row, plus the first.
		expect(summaryOf(r)).toMatchObject({ sent: 19, failed: 1, requests: 9 });
		expect(requestsTo(emu, TRACK)).toBe(9);
		const expected = memberKeys(20).filter((k) => k !== sha('user7@example.com'));
		expect((await inspectAudience(emu, audienceId)).members).toEqual(expected);
		expect((await pixelEvents(emu, MAIN_PIXEL.pixel_code)).events).toHaveLength(19);
	});

	test('without Continue On Fail the good rows still land and the node names the bad item', async () => {
		const input = users(20);
		input[12].when = '2001-01-01T00:00:00Z';
		const r = await send(input, { eventTime: '={{ $json.when }}' });
		expect(r.error()?.message).toBe('1 of 20 events failed; item 12: TikTok 40002: TikTok rejected a parameter (event_time: Must be within the last 7 days.)');
		expect(r.error()?.description).toBe('19 events were sent. Turn on "Continue On Fail" to get one result per item and a summary.');
		expect((await inspectAudience(emu, audienceId)).members).toHaveLength(19);
	});

	test('bad input is refused before anything is sent', async () => {
		const input = users(5);
		input[2].when = 'next tuesday';
		const r = await send(input, { eventTime: '={{ $json.when }}' });
		expect(r.error()?.message).toBe('Event Time is not a date or a Unix time');
		expect(requestsTo(emu, TRACK)).toBe(0);
	});

	test('test_event_code events do not enter the audience', async () => {
		const r = await send(users(10), { options: { testEventCode: 'TEST123' } });
		expect(summaryOf(r)).toMatchObject({ sent: 10, requests: 1 });
		expect(r.output(SEND)[0].testEventCode).toBe('TEST123');
		const stored = await pixelEvents(emu, MAIN_PIXEL.pixel_code);
		expect(stored.events).toHaveLength(0);
		expect(stored.test_events).toHaveLength(10);
		expect((await inspectAudience(emu, audienceId)).members).toEqual([]);
	});

	test('consent and missing identifiers skip items with a reason in words; the panel gets a hint; only consenting users enter', async () => {
		const input: IDataObject[] = [
			{ email: 'a@example.com', consent: 'yes' },
			{ email: 'b@example.com', consent: false },
			{ email: 'c@example.com' },
			{ email: 'not an email', consent: true },
			{ email: 'd@example.com', consent: 'granted' },
		];
		const r = await send(input, { consentField: 'consent' });
		const out = r.output(SEND);
		expect(out.map((o) => o.status)).toEqual(['sent', 'skipped', 'skipped', 'skipped', 'sent']);
		const base = { status: 'skipped', event: DEFAULT_EVENT, pixelCode: MAIN_PIXEL.pixel_code, audienceId };
		const noConsent = { ...base, reason: 'no_consent', message: 'The field "consent" does not say the person agreed (true, yes, 1 or granted): no event was sent.' };
		expect(out.slice(1, 4)).toEqual([
			noConsent,
			noConsent,
			{
				...base,
				reason: 'no_identifier',
				message:
					"No email, phone or external ID TikTok can match (given but not usable: email: email_invalid). Map Email or Phone to an expression giving this person's value, e.g. {{ $json.email }}.",
				ignoredIdentifiers: { email: 'email_invalid' },
			},
		]);
		expect(summaryOf(r)).toMatchObject({ sent: 2, skipped: 3, skippedByReason: { no_consent: 2, no_identifier: 1 }, failed: 0 });
		expect(r.hints(SEND)).toEqual([
			{
				type: 'warning',
				location: 'outputPane',
				message:
					"1 of 5 items were skipped: no email, phone or external ID TikTok can match. Map Email or Phone to an expression giving each person's value, e.g. drag the email field of the input into Email.",
			},
		]);
		expect((await inspectAudience(emu, audienceId)).members).toEqual([sha('a@example.com'), sha('d@example.com')].sort());
	});

	test('no raw identifier or token in outputs, errors or TikTok-bound hashed fields', async () => {
		const input = users(6);
		input[1].when = 1;
		const r = await send(input, { eventTime: '={{ $json.when }}', userData: { ip: '13.57.97.131', userAgent: 'UA' } }, { continueOnFail: true });
		const text = JSON.stringify(r.output(SEND)) + JSON.stringify(r.outputAt(SEND, 1)) + JSON.stringify(r.error() ?? {}) + JSON.stringify(r.hints(SEND));
		for (const u of input) {
			expect(text).not.toContain(String(u.email).trim());
			expect(text.toLowerCase()).not.toContain(String(u.email).trim().toLowerCase());
			expect(text).not.toContain('555 01');
			expect(text).not.toContain('15550100');
		}
		expect(text).not.toContain('13.57.97.131');
		expect(text).not.toContain(SEED.validToken);
		const stored = (await pixelEvents(emu, MAIN_PIXEL.pixel_code)).events;
		expect(JSON.stringify(stored)).not.toContain('example.com');
	});

	test('an audience unlinked in the link store is skipped without a request; no run writes static data', async () => {
		await recordInStore(linkFact.unlinked(audienceId));
		const skipped = await send(users(3), {}, {}, 'trigger');
		expect(skipped.output(SEND)[0]).toEqual({
			status: 'skipped',
			reason: 'audience_unlinked',
			message: `Audience ${audienceId} is unlinked or deleted in this workflow (TikTok Unlink/Delete Audience): no event was sent. Relink it to sync it again.`,
			event: DEFAULT_EVENT,
			pixelCode: MAIN_PIXEL.pixel_code,
			audienceId,
		});
		expect(summaryOf(skipped)).toEqual({ sent: 0, skipped: 3, skippedByReason: { audience_unlinked: 3 }, failed: 0, requests: 0, requestIds: [] });
		expect(requestsTo(emu, TRACK)).toBe(0);
		expect(skipped.staticDataChanged).toBe(false);
		// Relinked (the fact removed): sent, and still nothing in static data.
		dedupStore.clear();
		const prod = await send(users(3), {}, {}, 'trigger');
		expect(summaryOf(prod)).toMatchObject({ sent: 3, skipped: 0, requests: 1 });
		expect(prod.staticDataChanged).toBe(false);
		expect(prod.staticData).toEqual({ global: {} });
	});

	test('recipe: Create Website Audience (once) → users → Send Sync Event uses its pixel code, event and audience', async () => {
		const r = await runWorkflow({
			nodes: [
				createNode({ audienceName: 'Recipe audience', event: '__custom', eventCustom: 'VipSync' }, { executeOnce: true }),
				usersNodeInstance(users(4, 100)),
				{ ...sendNode({ source: 'recipe', recipe: `={{ $('${CREATE}').first().json.recipe }}` }) },
			],
			connections: chain(CREATE, 'Users', SEND),
			credentials: emulatorCredentials(emu),
			extraNodeTypes: { [USERS_NODE]: usersNode },
			startNode: CREATE,
			mode: 'trigger',
		});
		expect(r.error()).toBeUndefined();
		const created = r.output(CREATE)[0];
		expect(created.recipe).toEqual({
			advertiserId: ADV,
			audienceId: created.audienceId,
			audienceName: 'Recipe audience',
			eventSource: 'web',
			pixelId: MAIN_PIXEL.pixel_id,
			pixelCode: MAIN_PIXEL.pixel_code,
			event: 'VipSync',
		});
		const out = r.output(SEND);
		expect(out).toHaveLength(4);
		expect(out[0]).toMatchObject({ status: 'sent', event: 'VipSync', pixelCode: MAIN_PIXEL.pixel_code, audienceId: created.audienceId });
		const aud = await inspectAudience(emu, String(created.audienceId));
		expect(aud.members).toEqual(memberKeys(4, 100));
		expect((await inspectAudience(emu, audienceId)).members).toEqual([]);
		expect(r.staticDataChanged).toBe(false);
		// The recipe is trusted to be in step with its audience: no audience look-up.
		expect(requestsTo(emu, 'dmp/custom_audience/get/')).toBe(0);
	});

	test("a version 1 recipe (snake_case keys, or written by hand) still works", async () => {
		const recipe = JSON.stringify({ advertiser_id: ADV, audience_id: audienceId, pixel_code: MAIN_PIXEL.pixel_code, event: DEFAULT_EVENT });
		const r = await send(users(2), { source: 'recipe', recipe });
		expect(r.output(SEND).map((o) => [o.status, o.event, o.audienceId])).toEqual([
			['sent', DEFAULT_EVENT, audienceId],
			['sent', DEFAULT_EVENT, audienceId],
		]);
		expect((await inspectAudience(emu, audienceId)).members).toEqual(memberKeys(2));
	});

	test('Create Website Audience → Send Sync Event directly: the skip is explained in the panel, nothing is sent', async () => {
		const r = await runWorkflow({
			nodes: [createNode(), sendNode({ source: 'recipe', recipe: `={{ $('${CREATE}').first().json.recipe }}` })],
			connections: chain(CREATE, SEND),
			credentials: emulatorCredentials(emu),
			startNode: CREATE,
			mode: 'manual',
		});
		expect(r.error()).toBeUndefined();
		expect(r.output(SEND)).toEqual([
			{
				status: 'skipped',
				reason: 'no_identifier',
				message: "No email, phone or external ID TikTok can match. Map Email or Phone to an expression giving this person's value, e.g. {{ $json.email }}.",
				event: DEFAULT_EVENT,
				pixelCode: MAIN_PIXEL.pixel_code,
				audienceId,
			},
		]);
		expect(r.outputAt(SEND, 1)).toEqual([{ sent: 0, skipped: 1, skippedByReason: { no_identifier: 1 }, failed: 0, requests: 0, requestIds: [] }]);
		expect(r.hints(SEND)).toEqual([
			{
				type: 'warning',
				location: 'outputPane',
				message:
					'1 of 1 items were skipped: no email, phone or external ID TikTok can match. The input is the output of TikTok Create Website Audience (the audience, not your people): put the node that outputs your people, one item per person, between the two nodes.',
			},
		]);
		expect(requestsTo(emu, TRACK)).toBe(0);
		// A manual run that sent nothing is no instant sync: nothing recorded, the next manual run may send.
		expect(dedupStore.rows.get('engine-test\u0000')?.data ?? []).toEqual([]);
	});

	test('the event sent must be the picked audience\'s event: a mismatch or a customer-file audience is refused before sending', async () => {
		const mismatch = await send(users(2), { event: 'Purchase' });
		expect(mismatch.error()?.message).toBe(`Audience "Buyers (n8n)" counts "AudienceSync" events, not "Purchase" ("COMPLETE PAYMENT"): the events would not fill it`);
		expect(mismatch.error()?.description).toBe(
			"Set Event Name to the audience's event (the event of its Create Website Audience node), or pick the audience these events are for.",
		);
		const id = emu.state.nextAudienceId();
		emu.state.audiences.set(id, {
			audienceId: id,
			advertiserId: ADV,
			name: 'CRM list',
			kind: 'CUSTOMER_FILE',
			calculateType: 'EMAIL_SHA256',
			subType: 'NORMAL',
			enhancement: false,
			members: new Set(),
			createdAt: Date.now(),
			modifiedAt: Date.now(),
			readyAt: Date.now(),
			coverBeforeReady: 0,
			history: [],
			isAutoRefresh: false,
		});
		const list = await send(users(2), { audience: byId(id) }, { continueOnFail: true });
		const why = 'Audience "CRM list" is a Customer File Audience, not a website audience: events do not fill it';
		expect(list.output(SEND)).toEqual([
			{ status: 'failed', reason: why, error: why },
			{ status: 'failed', reason: why, error: why },
		]);
		expect(requestsTo(emu, TRACK)).toBe(0);
		// One get/ per audience and run, however many items.
		expect(requestsTo(emu, 'dmp/custom_audience/get/')).toBe(2);
	});

	test('a saved version 1 node keeps sending Purchase (its default then); the panel says it counts as a conversion', async () => {
		const v1 = await runWorkflow({ nodes: [createNode({ audienceName: 'V1 buyers' }, { typeVersion: 1 })], connections: {}, credentials: emulatorCredentials(emu) });
		expect(v1.output(CREATE)[0]).toMatchObject({ event: 'Purchase', eventKind: 'standard', ruleFilterValue: 'COMPLETE PAYMENT' });
		const v1Audience = String(v1.output(CREATE)[0].audienceId);
		const r = await send([{ email: 'a@example.com' }], { audience: byId(v1Audience) }, { typeVersion: 1 });
		expect(r.output(SEND)[0]).toMatchObject({ status: 'sent', event: 'Purchase', audienceId: v1Audience });
		expect(r.hints(SEND)).toEqual([
			{
				type: 'warning',
				location: 'outputPane',
				message: '"Purchase" is a standard event: each event sent counts as a real conversion on the pixel. Use a custom event name for audience sync.',
			},
		]);
		expect((await pixelEvents(emu, MAIN_PIXEL.pixel_code)).events.map((e) => e.event)).toEqual(['Purchase']);
	});

	test('a picked pixel (its ID) is turned into the pixel code with one pixel list call', async () => {
		const r = await send(users(2), { pixel: { __rl: true, mode: 'list', value: MAIN_PIXEL.pixel_id } });
		expect(summaryOf(r)).toMatchObject({ sent: 2 });
		expect(requestsTo(emu, 'pixel/list/')).toBe(2); // one by Create in beforeEach, one here
		expect((await inspectAudience(emu, audienceId)).members).toEqual(memberKeys(2));
	});

	test('any other expression is still evaluated by n8n for each item', async () => {
		const input: IDataObject[] = [{ contact: { mail: ' ONE@example.com ' } }, { contact: { mail: 'two@example.com' } }];
		const r = await send(input, { email: '={{ $json.contact.mail.trim().toLowerCase() }}', phone: '', externalId: "={{ 'crm-' + $itemIndex }}" });
		const out = r.output(SEND);
		expect(out.map((o) => o.identifiers)).toEqual([
			['email', 'external_id'],
			['email', 'external_id'],
		]);
		const stored = (await pixelEvents(emu, MAIN_PIXEL.pixel_code)).events;
		expect(stored.map((e) => [e.email, e.external_id])).toEqual([
			[[sha('one@example.com')], [sha('crm-0')]],
			[[sha('two@example.com')], [sha('crm-1')]],
		]);
	});

	test('transient failures are retried by the transport and counted; a batch that keeps failing is reported, not split', async () => {
		emu.faults.script({ path: TRACK, kind: '50002' });
		const retried = await send(users(5));
		expect(summaryOf(retried)).toMatchObject({ sent: 5, failed: 0, requests: 2 });
		emu.faults.script({ path: TRACK, kind: '50002', times: 4 });
		const failed = await send(users(5, 5), {}, { continueOnFail: true });
		const out = failed.output(SEND);
		expect(out).toHaveLength(5);
		expect(summaryOf(failed)).toMatchObject({ sent: 0, failed: 5, requests: 4 });
		expect(out[0].reason).toBe('TikTok 50002: TikTok service error or timeout (Service timeout, please try again later.)');
		expect(requestsTo(emu, TRACK)).toBe(6);
		expect((await inspectAudience(emu, audienceId)).members).toEqual(memberKeys(5));
	});
});

describe('Instant Sync cooldown (manual runs), read from n8n\'s de-duplication store', () => {
	const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
	let emu: EmulatorHandle;
	let audienceId: string;

	/** The emulator's clock moves with real time from T0 + jitter; the nodes' Date.now() follows it. */
	async function start(jitterMs: number): Promise<void> {
		simulateRestart();
		emu = await startEmulator({ now: T0 + jitterMs });
		jest.spyOn(Date, 'now').mockImplementation(() => emu.clock.now());
		audienceId = await createWebsiteAudienceAt(emu, ADV, 'Instant audience', DEFAULT_EVENT);
	}
	afterEach(async () => {
		jest.restoreAllMocks();
		await emu?.close();
	});

	const send = (input: IDataObject[], mode: 'manual' | 'webhook' = 'manual', params: IDataObject = {}, extra: Parameters<typeof sendNode>[1] = {}) =>
		runWorkflow({
			nodes: [sendNode({ audience: byId(audienceId), ...params }, extra)],
			connections: {},
			credentials: emulatorCredentials(emu, 0),
			input: input.map((json) => ({ json })),
			mode,
		});
	const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
	/** The refusal, with "in N minutes" counted from any moment the run may have read the clock. */
	const refusals = (until: number, before: number, after: number) => {
		const minutes = new Set([Math.ceil((until - before) / MINUTE), Math.ceil((until - after) / MINUTE)]);
		return [...minutes].map((n) => `Instant sync is available again at ${hhmm(until)} UTC (in ${n} minute${n === 1 ? '' : 's'})`);
	};

	test.each([
		['37.1 s', 37_123],
		['59.4 s', 59_400],
	])('refused at +29 min after a restart, allowed at +31 min (first sync %s into its minute)', async (_label, jitter) => {
		await start(jitter);
		const first = await send([{ email: 'a@example.com' }]);
		expect(first.error()).toBeUndefined();
		const sentAt = (first.output(SEND)[0].eventTime as number) * 1000;
		expect(sentAt - (T0 + jitter)).toBeLessThan(5_000);
		const minute = Math.floor(sentAt / MINUTE);
		const until = (minute + 1) * MINUTE + 30 * MINUTE;
		expect(first.outputAt(SEND, 1)[0]).toEqual({ sent: 1, skipped: 0, skippedByReason: {}, failed: 0, requests: 1, requestIds: trackIds(emu), nextInstantSyncAt: new Date(until).toISOString() });

		// n8n restarts: everything in process memory is gone; the store (the database) stays.
		simulateRestart();
		emu.clock.set(sentAt + 29 * MINUTE);
		const before = Date.now();
		const refused = await send([{ email: 'b@example.com' }]);
		const after = Date.now();
		expect(refusals(until, before, after)).toContain(refused.error()?.message);
		expect(refused.error()?.description).toBe(
			'"AudienceSync" events were sent to pixel CEMU0PIXEL0MAIN00001 by a manual run less than 30 minutes ago; nothing was sent. Scheduled, webhook and trigger runs are not limited; "Instant Sync Cooldown (Minutes)" in Options sets the wait (0 turns it off).',
		);
		expect(requestsTo(emu, TRACK)).toBe(1);

		// Scheduled, webhook and trigger runs follow their refresh interval: not limited.
		const hook = await send([{ email: 'c@example.com' }], 'webhook');
		expect(hook.outputAt(SEND, 1)[0]).toMatchObject({ sent: 1, failed: 0 });
		expect(hook.outputAt(SEND, 1)[0].nextInstantSyncAt).toBeUndefined();

		emu.clock.set(sentAt + 31 * MINUTE);
		const allowed = await send([{ email: 'd@example.com' }]);
		expect(allowed.error()).toBeUndefined();
		expect(allowed.output(SEND)[0]).toMatchObject({ status: 'sent' });
		expect((await inspectAudience(emu, audienceId)).members).toEqual(['a', 'c', 'd'].map((n) => sha(`${n}@example.com`)).sort());
	}, 60_000);

	test('the cooldown is per pixel, event and audience; Test Events and a cooldown of 0 are not limited; Continue On Fail reports each item', async () => {
		await start(12_345);
		expect((await send([{ email: 'a@example.com' }])).error()).toBeUndefined();
		emu.clock.advance(5 * MINUTE);
		// Another audience with another event on the same pixel: its own cooldown.
		const other = await createWebsiteAudienceAt(emu, ADV, 'Other audience', 'OtherSync');
		const otherRun = await send([{ email: 'b@example.com' }], 'manual', { audience: byId(other), event: '__custom', eventCustom: 'OtherSync' });
		expect(otherRun.error()).toBeUndefined();
		// Test events never enter audiences: not an instant sync.
		const test = await send([{ email: 'c@example.com' }], 'manual', { options: { testEventCode: 'TEST1' } });
		expect(test.output(SEND)[0]).toMatchObject({ status: 'sent', testEventCode: 'TEST1' });
		expect(test.outputAt(SEND, 1)[0].nextInstantSyncAt).toBeUndefined();
		// Cooldown 0: off.
		const off = await send([{ email: 'd@example.com' }], 'manual', { options: { cooldownMinutes: 0 } });
		expect(off.output(SEND)[0]).toMatchObject({ status: 'sent' });
		// Continue On Fail: every item says why, nothing is sent.
		const before = Date.now();
		const refused = await send([{ email: 'e@example.com' }, { email: 'f@example.com' }], 'manual', {}, { continueOnFail: true });
		const after = Date.now();
		const out = refused.output(SEND);
		expect(out).toHaveLength(2);
		const until = (Math.floor((T0 + 12_345) / MINUTE) + 1) * MINUTE + 30 * MINUTE;
		expect(refusals(until, before, after).map((m) => `${m}: nothing was sent.`)).toContain(out[0].message);
		expect(out.map((o) => [o.status, o.reason, o.message])).toEqual([
			['skipped', 'instant_sync_cooldown', out[0].message],
			['skipped', 'instant_sync_cooldown', out[0].message],
		]);
		expect(refused.outputAt(SEND, 1)[0]).toMatchObject({ sent: 0, skipped: 2, skippedByReason: { instant_sync_cooldown: 2 }, requests: 0 });
		expect((await inspectAudience(emu, audienceId)).members).toEqual(['a', 'd'].map((n) => sha(`${n}@example.com`)).sort());
	}, 60_000);
});
