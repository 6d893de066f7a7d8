// TikTok Send Sync Event in n8n's real engine against the emulator: the website audience holds exactly the users
// sent, resends add nothing, one malformed row is isolated, test events stay out, consent and unlink skip, and no raw
// identifier leaves the node.
import CryptoJS from 'crypto-js';
import type { IDataObject } from 'n8n-workflow';

import { startEmulator, SEED, type EmulatorHandle } from '../emulator/index.cts';
import { byId, chain, dedupStore, linkFact, recordInStore, runWorkflow, simulateRestart } from '../support/engine.cts';
import {
	createNode,
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
const TRACK = 'event/track/';

let emu: EmulatorHandle;
let audienceId: string;
beforeEach(async () => {
	simulateRestart();
	emu = await startEmulator();
	const created = await runWorkflow({ nodes: [createNode()], connections: {}, credentials: emulatorCredentials(emu) });
	audienceId = String(created.output('TikTok Create Website Audience')[0].audience_id);
});
afterEach(async () => {
	await emu.close();
});

/** Users with messy but valid emails and phones: `  User<i>@Example.COM ` and `(+1) 555 01<i>`. */
const users = (n: number, from = 0): IDataObject[] =>
	Array.from({ length: n }, (_, k) => ({ email: `  User${from + k}@Example.COM `, phone: `(+1) 555 01${String(from + k).padStart(4, '0')}` }));
const memberKeys = (n: number, from = 0) => Array.from({ length: n }, (_, k) => sha(`user${from + k}@example.com`)).sort();

const send = (input: IDataObject[], params: IDataObject = {}, extra: Parameters<typeof sendNode>[1] = {}, mode: 'manual' | 'trigger' = 'manual', staticData?: IDataObject) =>
	runWorkflow({
		nodes: [sendNode({ audience: byId(audienceId), ...params }, extra)],
		connections: {},
		credentials: emulatorCredentials(emu),
		input: input.map((json) => ({ json })),
		mode,
		staticData,
	});

const summaryOf = (out: IDataObject[]) => out[out.length - 1].summary as IDataObject;

test('N users → the website audience holds exactly those users, in one request', async () => {
	const r = await send(users(50));
	expect(r.error()).toBeUndefined();
	const out = r.output(SEND);
	expect(out).toHaveLength(51);
	const trackIds = emu.state.requestLog.filter((l) => l.path.endsWith(TRACK)).map((l) => l.request_id);
	expect(summaryOf(out)).toEqual({ sent: 50, skipped: 0, skipped_by_reason: {}, failed: 0, requests: 1, request_ids: trackIds });
	expect(trackIds).toHaveLength(1);
	const first = out[0];
	const eventTime = first.event_time as number;
	expect(first).toEqual({
		status: 'sent',
		event: 'Purchase',
		pixel_code: MAIN_PIXEL.pixel_code,
		audience_id: audienceId,
		identifiers: ['email', 'phone'],
		event_id: sha(`${audienceId}|${MAIN_PIXEL.pixel_code}|Purchase|${sha('user0@example.com')}|${Math.floor(eventTime / 86400)}`),
		event_time: eventTime,
		request_id: trackIds[0],
	});
	expect(Math.abs(eventTime - Date.now() / 1000)).toBeLessThan(60);
	const stored = (await pixelEvents(emu, MAIN_PIXEL.pixel_code)).events;
	expect(stored).toHaveLength(50);
	expect(stored[3]).toMatchObject({ event: 'Purchase', email: [sha('user3@example.com')], phone: [sha('+1555010003')], external_id: [] });
	const aud = await inspectAudience(emu, audienceId);
	expect(aud.members).toEqual(memberKeys(50));
});

test('2,500 users → 3 requests (1000, 1000, 500); a resend within the window adds no duplicate', async () => {
	const first = await send(users(2500));
	expect(summaryOf(first.output(SEND))).toMatchObject({ sent: 2500, failed: 0, requests: 3 });
	const again = await send(users(2500));
	expect(summaryOf(again.output(SEND))).toMatchObject({ sent: 2500, failed: 0, requests: 3 });
	expect(again.output(SEND)[10].event_id).toBe(first.output(SEND)[10].event_id);
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
	expect(out.filter((o) => o.status === 'sent')).toHaveLength(19);
	expect(out[7]).toMatchObject({
		status: 'failed',
		reason: 'TikTok 40002: TikTok rejected a parameter (event_time: Must be within the last 7 days.)',
		error: 'TikTok 40002: TikTok rejected a parameter (event_time: Must be within the last 7 days.)',
	});
	// 20 → 10+10 → 5+5 → 3+2 → 2+1: one failed request per level down to the row, plus the first.
	expect(summaryOf(out)).toMatchObject({ sent: 19, failed: 1, requests: 9 });
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
	expect(summaryOf(r.output(SEND))).toMatchObject({ sent: 10, requests: 1 });
	expect(r.output(SEND)[0].test_event_code).toBe('TEST123');
	const stored = await pixelEvents(emu, MAIN_PIXEL.pixel_code);
	expect(stored.events).toHaveLength(0);
	expect(stored.test_events).toHaveLength(10);
	expect((await inspectAudience(emu, audienceId)).members).toEqual([]);
});

test('consent and missing identifiers skip items and are counted; only consenting users enter', async () => {
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
	expect(out[3]).toMatchObject({ reason: 'no_identifier', ignored_identifiers: { email: 'email_invalid' } });
	expect(summaryOf(out)).toMatchObject({ sent: 2, skipped: 3, skipped_by_reason: { no_consent: 2, no_identifier: 1 }, failed: 0 });
	expect((await inspectAudience(emu, audienceId)).members).toEqual([sha('a@example.com'), sha('d@example.com')].sort());
});

test('no raw identifier or token in outputs, errors or TikTok-bound hashed fields', async () => {
	const input = users(6);
	input[1].when = 1;
	const r = await send(input, { eventTime: '={{ $json.when }}', userData: { ip: '13.57.97.131', userAgent: 'UA' } }, { continueOnFail: true });
	const text = JSON.stringify(r.output(SEND)) + JSON.stringify(r.error() ?? {});
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
	expect(summaryOf(skipped.output(SEND))).toMatchObject({ sent: 0, skipped: 3, skipped_by_reason: { audience_unlinked: 3 }, requests: 0 });
	expect(requestsTo(emu, TRACK)).toBe(0);
	expect(skipped.staticDataChanged).toBe(false);
	// Relinked (the fact removed): sent, and still nothing in static data.
	dedupStore.clear();
	const prod = await send(users(3), {}, {}, 'trigger');
	expect(summaryOf(prod.output(SEND))).toMatchObject({ sent: 3, skipped: 0, requests: 1 });
	expect(prod.staticDataChanged).toBe(false);
	expect(prod.staticData).toEqual({ global: {} });
});

test('recipe: Create Website Audience (once) → users → Send Sync Event uses its pixel code, event and audience', async () => {
	const r = await runWorkflow({
		nodes: [
			createNode({ audienceName: 'Recipe audience', event: '__custom', eventCustom: 'VipSync' }, { executeOnce: true }),
			usersNodeInstance(users(4, 100)),
			{ ...sendNode({ source: 'recipe', recipe: "={{ $('TikTok Create Website Audience').first().json.recipe }}" }) },
		],
		connections: chain('TikTok Create Website Audience', 'Users', SEND),
		credentials: emulatorCredentials(emu),
		extraNodeTypes: { [USERS_NODE]: usersNode },
		startNode: 'TikTok Create Website Audience',
		mode: 'trigger',
	});
	expect(r.error()).toBeUndefined();
	const created = r.output('TikTok Create Website Audience')[0];
	const out = r.output(SEND);
	expect(out[0]).toMatchObject({ status: 'sent', event: 'VipSync', pixel_code: MAIN_PIXEL.pixel_code, audience_id: created.audience_id });
	const aud = await inspectAudience(emu, String(created.audience_id));
	expect(aud.members).toEqual(memberKeys(4, 100));
	expect((await inspectAudience(emu, audienceId)).members).toEqual([]);
	expect(r.staticDataChanged).toBe(false);
});

test('a picked pixel (its ID) is turned into the pixel code with one pixel list call', async () => {
	const r = await send(users(2), { pixel: { __rl: true, mode: 'list', value: MAIN_PIXEL.pixel_id } });
	expect(summaryOf(r.output(SEND))).toMatchObject({ sent: 2 });
	expect(requestsTo(emu, 'pixel/list/')).toBe(2); // one by Create in beforeEach, one here
	expect((await inspectAudience(emu, audienceId)).members).toEqual(memberKeys(2));
});

test('any other expression is still evaluated by n8n for each item', async () => {
	const input: IDataObject[] = [{ contact: { mail: ' ONE@example.com ' } }, { contact: { mail: 'two@example.com' } }];
	const r = await send(input, { email: '={{ $json.contact.mail.trim().toLowerCase() }}', phone: '', externalId: "={{ 'crm-' + $itemIndex }}" });
	const out = r.output(SEND);
	expect(out.slice(0, 2).map((o) => o.identifiers)).toEqual([
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
	expect(summaryOf(retried.output(SEND))).toMatchObject({ sent: 5, failed: 0, requests: 2 });
	emu.faults.script({ path: TRACK, kind: '50002', times: 4 });
	const failed = await send(users(5, 5), {}, { continueOnFail: true });
	const out = failed.output(SEND);
	expect(summaryOf(out)).toMatchObject({ sent: 0, failed: 5, requests: 4 });
	expect(out[0].reason).toBe('TikTok 50002: TikTok service error or timeout (Service timeout, please try again later.)');
	expect(requestsTo(emu, TRACK)).toBe(6);
	expect((await inspectAudience(emu, audienceId)).members).toEqual(memberKeys(5));
});
