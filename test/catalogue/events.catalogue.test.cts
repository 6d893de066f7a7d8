// Bad-input catalogue, Event Sync (TikTok Send Sync Event), Create Website Audience and Unlink/Delete: unknown
// pixels and audiences, unusable identifiers, bad event times and properties, an expired token, an advertiser not
// granted, names over 128 characters. Each gets a clear error or a per-item result with a reason; bad input stops a
// run before any event is sent, and only the events that are fine are ever stored.
import { SEED } from '../emulator/index.cts';
import { CUSTOM_EVENT } from '../../nodes/shared/events/webEvents';
import { byId } from '../support/engine.cts';
import {
	ADV,
	eventNode,
	items,
	lastRequestId,
	leaks,
	lifecycleNode,
	MAIN_PIXEL,
	membersOf,
	mutations,
	OTHER_ADV,
	runNode,
	seedListAudience,
	sha,
	T0,
	useEmulator,
	websiteNode,
} from './catalogue.cts';

const f = useEmulator();

const stored = () => f.emu.state.events.get(MAIN_PIXEL.pixel_code)?.live ?? [];
const T0_S = Math.floor(T0 / 1000);

describe('Send Sync Event', () => {
	test('an unknown pixel code: TikTok 40002 for the batch, each item failed with the reason, nothing stored', async () => {
		const o = await runNode(f, eventNode({ pixel: byId('CUNKNOWNPIXEL0000001') }), items([{ email: 'ann@example.com' }, { email: 'bob@example.com' }]), { continueOnFail: true });
		expect(o.error).toBeUndefined();
		const reason = 'TikTok 40002: TikTok rejected a parameter (event_source_id: Pixel CUNKNOWNPIXEL0000001 does not exist.)';
		expect(o.output.slice(0, 2).map((r) => [r.status, r.reason])).toEqual([
			['failed', reason],
			['failed', reason],
		]);
		expect(o.calls).toEqual(['event/track/']);
		expect(stored()).toEqual([]);
		expect(leaks(o, ['ann@example.com', 'bob@example.com'])).toEqual([]);
	});

	test('an unknown pixel ID: a clear error before anything is sent', async () => {
		const o = await runNode(f, eventNode({ pixel: byId('7200000000000000099') }), items([{ email: 'ann@example.com' }]));
		expect(o.error).toBe(`Pixel 7200000000000000099 not found in advertiser ${ADV}`);
		expect(o.calls).toEqual(['pixel/list/']);
	});

	test("another advertiser's pixel: TikTok 40001, sending stops, nothing stored", async () => {
		const o = await runNode(f, eventNode({ pixel: byId(SEED.pixels[2].pixel_code) }), items([{ email: 'ann@example.com' }]));
		expect(o.error).toBe('1 of 1 events failed; item 0: TikTok 40001: The advertiser is not granted to this access token (advertiser does not grant you /event/track/:POST permission)');
		expect(mutations(o)).toEqual(['event/track/']);
		expect(stored()).toEqual([]);
	});

	test('malformed email and phone without country code: the item is skipped with the reasons; the others are sent', async () => {
		const o = await runNode(
			f,
			eventNode(),
			items([
				{ email: 'ann@example.com', t: 1 },
				{ email: 'not-an-email', phone: '0755 123 4567' },
			]),
			{ continueOnFail: true },
		);
		expect(o.error).toBeUndefined();
		expect(o.output[1]).toEqual({
			status: 'skipped',
			reason: 'no_identifier',
			message:
				"No email, phone or external ID TikTok can match (given but not usable: email: email_invalid, phone: phone_no_country_code). Map Email or Phone to an expression giving this person's value, e.g. {{ $json.email }}.",
			event: 'Purchase',
			pixelCode: MAIN_PIXEL.pixel_code,
			ignoredIdentifiers: { email: 'email_invalid', phone: 'phone_no_country_code' },
		});
		expect(o.output[0].status).toBe('sent');
		expect(stored().map((e) => e.event_id)).toEqual([o.output[0].eventId]);
		expect(leaks(o, ['not-an-email', '0755 123 4567', 'ann@example.com'])).toEqual([]);
	});

	// The phone rule (normalizePhone): a number written another way is sent as exactly that number (E.164 with +,
	// hashed); an extension, letters or two numbers skip the item with the reason. One item per case, in one run.
	const PHONE_CASES: Array<{ phone: string; e164?: string; reason?: string }> = [
		{ phone: 'tel:+1-650-555-0111', e164: '+16505550111' },
		{ phone: 'tel://+16505550112', e164: '+16505550112' },
		{ phone: 'Mobile: +44 7700 900113', e164: '+447700900113' },
		{ phone: '＋１ ６５０ ５５５ ０１１４', e164: '+16505550114' },
		{ phone: '+٩٧١ ٥٠ ١٢٣ ٠١١٥', e164: '+971501230115' },
		{ phone: '+९१ ९८७६५ ००११६', e164: '+919876500116' },
		{ phone: '+1 650 555 0117 ext. 23', reason: 'phone_extension' },
		{ phone: '+1 650 555 0118 x23', reason: 'phone_extension' },
		{ phone: '+1 650 555 0119 #23', reason: 'phone_extension' },
		{ phone: 'tel:+1-650-555-0120;ext=23', reason: 'phone_extension' },
		{ phone: '＋１ ６５０ ５５５ ０１２１ ｅｘｔ．２３', reason: 'phone_extension' },
		{ phone: '+1 650 555 0122 or +1 650 555 0123', reason: 'phone_ambiguous' },
	];

	test('phones with a URI prefix, a label or digits of another script are sent as that number; extensions are skipped with the reason', async () => {
		const o = await runNode(f, eventNode(), items(PHONE_CASES.map(({ phone }) => ({ phone }))), { continueOnFail: true });
		expect(o.error).toBeUndefined();
		const results = o.output.slice(0, PHONE_CASES.length);
		expect(results.map((r) => (r.status === 'sent' ? 'sent' : [r.status, r.reason, r.ignoredIdentifiers]))).toEqual(
			PHONE_CASES.map((c) => (c.e164 ? 'sent' : ['skipped', 'no_identifier', { phone: c.reason }])),
		);
		// Each sent item's stored event carries exactly the hash of its number.
		const byId = new Map(stored().map((e) => [e.event_id, e.phone]));
		const sent = PHONE_CASES.flatMap((c, i) => (c.e164 ? [[byId.get(String(results[i].eventId)), [sha(c.e164)]]] : []));
		expect(sent.map(([got]) => got)).toEqual(sent.map(([, want]) => want));
		expect(stored().length).toBe(6);
		expect(leaks(o, PHONE_CASES.map((c) => c.phone))).toEqual([]);
	});

	test('an event time that is not a date: a clear error, and no event of the run is sent', async () => {
		const o = await runNode(f, eventNode({ eventTime: '={{ $json.when }}' }), items([{ email: 'ann@example.com', when: '2026-01-15T11:00:00Z' }, { email: 'bob@example.com', when: 'yesterday-ish' }]));
		expect(o.error).toBe('Event Time is not a date or a Unix time');
		expect(o.calls).toEqual([]);
		expect(stored()).toEqual([]);
	});

	test('an event older than TikTok accepts: that item fails with the reason, the others are delivered', async () => {
		const o = await runNode(
			f,
			eventNode({ eventTime: '={{ $json.when }}' }),
			items([
				{ email: 'ann@example.com', when: T0_S - 60 },
				{ email: 'bob@example.com', when: T0_S - 8 * 86_400 },
				{ email: 'cy@example.com', when: T0_S - 120 },
			]),
			{ continueOnFail: true },
		);
		expect(o.error).toBeUndefined();
		expect(o.output.slice(0, 3).map((r) => [r.status, r.reason ?? null])).toEqual([
			['sent', null],
			['failed', 'TikTok 40002: TikTok rejected a parameter (event_time: Must be within the last 7 days.)'],
			['sent', null],
		]);
		expect(stored().map((e) => e.event_time).sort()).toEqual([T0_S - 120, T0_S - 60]);
	});

	test('contents that are not JSON: a clear error before anything is sent', async () => {
		const o = await runNode(f, eventNode({ eventProperties: { contents: '[{"content_id": "sku-1",' } }), items([{ email: 'ann@example.com' }]));
		expect(o.error).toBe('Contents is not valid JSON');
		expect(o.calls).toEqual([]);
	});

	test('a currency that is not an ISO code: a clear error before anything is sent', async () => {
		const o = await runNode(f, eventNode({ eventProperties: { value: 10, currency: 'dollars' } }), items([{ email: 'ann@example.com' }]));
		expect(o.error).toBe('Currency must be a 3-letter ISO 4217 code such as USD');
		expect(o.calls).toEqual([]);
	});

	test('a recipe without a pixel code: a clear error before anything is sent', async () => {
		const o = await runNode(f, eventNode({ source: 'recipe', recipe: '{"event":"Purchase"}' }), items([{ email: 'ann@example.com' }]));
		expect(o.error).toBe('The recipe has no pixel code or event');
		expect(o.calls).toEqual([]);
	});

	test('a custom event without a name: a clear error before anything is sent', async () => {
		const o = await runNode(f, eventNode({ event: CUSTOM_EVENT, eventCustom: '  ' }), items([{ email: 'ann@example.com' }]));
		expect(o.error).toBe('Enter a custom event name');
		expect(o.calls).toEqual([]);
	});

	test('an expired token: TikTok 40102, sending stops, nothing stored', async () => {
		const o = await runNode(f, eventNode(), items([{ email: 'ann@example.com' }, { email: 'bob@example.com' }]), { token: SEED.expiredToken });
		expect(o.error).toBe('2 of 2 events failed; item 0: TikTok 40102: The access token has expired (Access token has expired, please re-authorize.)');
		expect(o.calls).toEqual(['event/track/']);
		expect(stored()).toEqual([]);
		expect(leaks(o, ['ann@example.com'])).toEqual([]);
	});
});

describe('Create Website Audience', () => {
	test('an audience name over 128 characters: a clear error, nothing created', async () => {
		const o = await runNode(f, websiteNode({ audienceName: 'n'.repeat(129) }), [{ json: {} }]);
		expect(o.error).toBe('The audience name must be 1 to 128 characters');
		expect(o.calls).toEqual([]);
	});

	test('an unknown pixel: a clear error, nothing created', async () => {
		const o = await runNode(f, websiteNode({ pixel: byId('7200000000000000099') }), [{ json: {} }]);
		expect(o.error).toBe(`Pixel 7200000000000000099 not found in advertiser ${ADV}`);
		expect(o.calls).toEqual(['pixel/list/']);
		expect(f.emu.state.audiences.size).toBe(0);
	});

	test('a retention over 365 days: a clear error, nothing created', async () => {
		const o = await runNode(f, websiteNode({ retentionInDays: 400 }), [{ json: {} }]);
		expect(o.error).toBe('Audience Retention must be 1 to 365 days');
		expect(o.calls).toEqual([]);
	});

	test('the advertiser is not granted to the token: TikTok 40001, nothing created', async () => {
		const o = await runNode(f, websiteNode({ advertiserId: byId(OTHER_ADV), pixel: byId(SEED.pixels[2].pixel_id) }), [{ json: {} }]);
		expect(o.error).toBe('TikTok 40001: The advertiser is not granted to this access token');
		expect(mutations(o)).toEqual([]);
		expect(f.emu.state.audiences.size).toBe(0);
	});

	test('an expired token: TikTok 40102, nothing created', async () => {
		const o = await runNode(f, websiteNode(), [{ json: {} }], { token: SEED.expiredToken });
		expect(o.error).toBe('TikTok 40102: The access token has expired');
		expect(o.description).toBe(
			`Create a new long-term access token in the TikTok for Business developer portal (or re-authorize the app) and update the TikTok Business API credential. TikTok said: "Access token has expired, please re-authorize." (request_id ${lastRequestId(f, 'pixel/list/')}, GET /pixel/list/).`,
		);
		expect(mutations(o)).toEqual([]);
	});
});

describe('Unlink/Delete Audience', () => {
	test('delete an unknown audience: a clear error, nothing deleted', async () => {
		const id = await seedListAudience(f, 'Keep me', 1000);
		const o = await runNode(f, lifecycleNode({ operation: 'delete', audience: byId('6900000000000009999'), confirmName: 'Keep me' }), [{ json: {} }]);
		expect(o.error).toBe('Audience 6900000000000009999 does not exist on TikTok');
		expect(mutations(o)).toEqual([]);
		expect(membersOf(f, id)).toHaveLength(1000);
	});

	test('delete with the wrong confirmation name: a clear error, the audience stays', async () => {
		const id = await seedListAudience(f, 'Keep me', 1000);
		const o = await runNode(f, lifecycleNode({ operation: 'delete', audience: byId(id), confirmName: 'keep me' }), [{ json: {} }]);
		expect(o.error).toBe('"Confirm Audience Name" does not match: expected "Keep me"');
		expect(mutations(o)).toEqual([]);
		expect(f.emu.state.audiences.has(id)).toBe(true);
	});

	test('delete an audience of another advertiser: TikTok 40001, nothing deleted', async () => {
		const id = await seedListAudience(f, 'Keep me', 1000);
		const o = await runNode(f, lifecycleNode({ operation: 'delete', advertiserId: byId(OTHER_ADV), audience: byId(id), confirmName: 'Keep me' }), [{ json: {} }]);
		expect(o.error).toBe('TikTok 40001: The advertiser is not granted to this access token');
		expect(mutations(o)).toEqual([]);
		expect(f.emu.state.audiences.has(id)).toBe(true);
	});
});
