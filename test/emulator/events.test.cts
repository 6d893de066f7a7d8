// Contract: /dmp/custom_audience/rule/create/ (PIXEL) and /event/track/, and the event-sync round trip.
import { startEmulator, type EmulatorHandle } from './index.cts';
import { SEED } from './seed.cts';
import { expectError, expectOk, get, post, sha256 } from './testClient.cts';
import { fetchJson } from './testClient.cts';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const NOW_S = T0 / 1000;
const DAY = 86_400_000;
let emu: EmulatorHandle;
beforeAll(async () => {
	emu = await startEmulator({ seed: 9, now: T0, freezeClock: true, matchRate: 1, processingDelayMs: 0 });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const ADV = SEED.grantedAdvertiserId;
const [MAIN, SHOP] = SEED.pixels;

function ruleBody(patch: Record<string, unknown> = {}, rule: Record<string, unknown> = {}) {
	return {
		advertiser_id: ADV,
		custom_audience_name: 'Purchasers 30d',
		audience_type: 'PIXEL',
		rule_spec: {
			inclusion_rule_set: {
				operator: 'OR',
				rules: [
					{
						event_source_ids: [MAIN.pixel_id],
						retention_days: 30,
						filter_set: { operator: 'OR', filters: [{ field: 'EVENT', operator: 'EQ', value: 'COMPLETE PAYMENT' }] },
						...rule,
					},
				],
			},
		},
		...patch,
	};
}

function ev(i: number, patch: Record<string, unknown> = {}) {
	return {
		event: 'Purchase',
		event_time: NOW_S - 60,
		event_id: `order_${i}`,
		user: { email: [sha256(`buyer${i}@example.com`)], ip: '203.0.113.9', user_agent: 'Mozilla/5.0' },
		properties: { currency: 'USD', value: 10 },
		page: { url: 'https://shop.example.com/checkout' },
		...patch,
	};
}

const track = (data: unknown[], extra: Record<string, unknown> = {}, token?: string) =>
	post(emu, '/event/track/', { event_source: 'web', event_source_id: MAIN.pixel_code, data, ...extra }, token);
const inspect = async (id: string) => (await fetchJson(`${emu.url}/__emulator/audiences/${id}`));
const details = async (id: string) =>
	expectOk(await get(emu, '/dmp/custom_audience/get/', { advertiser_id: ADV, custom_audience_ids: [id] })).list[0].audience_details;

describe('rule/create (PIXEL)', () => {
	test('creates a Website Audience whose rule is kept as JSON text', async () => {
		const { custom_audience_id: id } = expectOk(await post(emu, '/dmp/custom_audience/rule/create/', ruleBody()));
		expect(id).toBe('6900000000000000001');
		const d = await details(id);
		expect(d).toMatchObject({
			type: 'Website Audience',
			calculate_type: null,
			is_auto_refresh: true,
			cover_num: 0,
			is_valid: false,
			rule: JSON.stringify(ruleBody().rule_spec),
		});
		expect((await inspect(id)).pixel_ids).toEqual([MAIN.pixel_id]);
	});

	test('validation: audience_type enum, rule counts, retention, pixel ids, operators', async () => {
		const rc = (patch: Record<string, unknown>, rule: Record<string, unknown> = {}) =>
			post(emu, '/dmp/custom_audience/rule/create/', ruleBody(patch, rule));
		expectError(
			await rc({ audience_type: 'WEBSITE' }),
			40002,
			'audience_type: Must be one of: ENGAGEMENT, APP, PIXEL, LEAD_GENERATION, BUSINESS_ACCOUNT, TIKTOK_SHOP, OFFLINE, ENGAGEMENT_ORGANIC_VIDEO, ENGAGEMENT_LIVE_VIDEO.',
		);
		expectError(await rc({ audience_type: 'APP' }), 40008, 'audience_type: APP audiences are not implemented by the emulator.');
		expectError(await rc({ rule_spec: undefined }), 40002, 'rule_spec: Missing data for required field.');
		expectError(await rc({ custom_audience_name: 'x'.repeat(129) }), 40002, 'custom_audience_name: Length must be between 1 and 128.');
		expectError(
			await rc({ retention_in_days: 0 }),
			40002,
			'retention_in_days: Must be greater than or equal to 1 and less than or equal to 365.',
		);
		expectError(
			await rc({}, { retention_days: 181 }),
			40002,
			'rule_spec.inclusion_rule_set.rules[0].retention_days: Must be greater than or equal to 1 and less than or equal to 180.',
		);
		expectError(
			await rc({}, { event_source_ids: [MAIN.pixel_code] }),
			40002,
			'rule_spec.inclusion_rule_set.rules[0].event_source_ids[0]: Not a valid id.',
		);
		expectError(
			await rc({}, { event_source_ids: [SEED.pixels[2].pixel_id] }),
			40002,
			`rule_spec.inclusion_rule_set.rules[0].event_source_ids[0]: Pixel ${SEED.pixels[2].pixel_id} does not exist.`,
		);
		expectError(
			await rc({}, { filter_set: { operator: 'OR', filters: [{ field: 'EVENT', operator: 'CONTAINS', value: 'X' }] } }),
			40002,
			'rule_spec.inclusion_rule_set.rules[0].filter_set.filters[0].operator: Must be one of: EQ.',
		);
		expectError(
			await rc({}, { filter_set: { operator: 'XOR', filters: [] } }),
			40002,
			'rule_spec.inclusion_rule_set.rules[0].filter_set.operator: Must be one of: AND, OR.',
		);
		expectError(
			await rc({}, {
				filter_set: {
					operator: 'OR',
					filters: [{ field: 'EVENT', operator: 'EQ', value: 'X', parameter_filters: [{ field: 'URL', operator: 'IS_LESS_THAN', values: ['a'] }] }],
				},
			}),
			40002,
			'rule_spec.inclusion_rule_set.rules[0].filter_set.filters[0].parameter_filters[0].operator: Must be one of: CONTAINS, DOES_NOT_CONTAIN, EQ.',
		);
		const six = { ...ruleBody() };
		const rule = six.rule_spec.inclusion_rule_set.rules[0];
		six.rule_spec = { inclusion_rule_set: { operator: "OR", rules: Array.from({ length: 6 }, () => rule) } };
		expectError(
			await post(emu, '/dmp/custom_audience/rule/create/', six),
			40002,
			'rule_spec.inclusion_rule_set.rules: Length must be between 1 and 5.',
		);
		expectError(
			await rc({ advertiser_id: SEED.otherAdvertiserId }),
			40001,
			'advertiser does not grant you /dmp/custom_audience/rule/create/:POST permission',
		);
	});
});

describe('event/track', () => {
	test('stores events per pixel code; the response data is {}', async () => {
		expect(expectOk(await track([ev(1), ev(2)]))).toEqual({});
		const pixels = (await fetchJson(`${emu.url}/__emulator/events?pixel_code=${MAIN.pixel_code}`)).pixels;
		expect(pixels[0].events).toHaveLength(2);
		expect(pixels[0].events[0]).toEqual({
			event: 'Purchase',
			event_id: 'order_1',
			event_time: NOW_S - 60,
			received_at: T0,
			user_key: sha256('buyer1@example.com'),
			email: [sha256('buyer1@example.com')],
			phone: [],
			external_id: [],
			url: 'https://shop.example.com/checkout',
			properties: { currency: 'USD', value: 10 },
		});
		// ip and user_agent are raw identifiers: never kept or shown.
		expect(JSON.stringify(pixels)).not.toContain('203.0.113.9');
	});

	test('dedup on (event_source_id, event_id, event)', async () => {
		expectOk(await track([ev(1), ev(1), ev(1, { event: 'AddToCart' })]));
		expectOk(await track([ev(1)]));
		const pixels = (await fetchJson(`${emu.url}/__emulator/events`)).pixels;
		expect(pixels[0].events.map((e: any) => [e.event_id, e.event])).toEqual([
			['order_1', 'Purchase'],
			['order_1', 'AddToCart'],
		]);
	});

	test('test_event_code events are kept apart', async () => {
		expectOk(await track([ev(1)], { test_event_code: 'TEST123' }));
		const p = (await fetchJson(`${emu.url}/__emulator/events?pixel_code=${MAIN.pixel_code}`)).pixels[0];
		expect([p.events.length, p.test_events.length]).toEqual([0, 1]);
	});

	test('more than 1,000 events: the whole request is rejected', async () => {
		const data = Array.from({ length: 1001 }, (_, i) => ev(i));
		expectError(await track(data), 40061, 'data: Length must be between 1 and 1000.');
		expectError(await track([]), 40061, 'data: Length must be between 1 and 1000.');
		expectOk(await track(data.slice(0, 1000)));
	});

	test('one malformed event fails the whole request and nothing is stored', async () => {
		expectError(
			await track([ev(1), ev(2, { user: { email: 'alice@example.com' } })]),
			40062,
			'data[1].user.email: Must be hashed with SHA-256 (64 lowercase hex characters).',
		);
		expectError(
			await track([ev(1, { user: { phone: ['+15551234567'] } })]),
			40062,
			'data[0].user.phone[0]: Must be hashed with SHA-256 (64 lowercase hex characters).',
		);
		expectError(await track([ev(1, { event_time: undefined })]), 40002, 'data[0].event_time: Missing data for required field.');
		expectError(
			await track([ev(1, { event_time: T0 })]),
			40002,
			'data[0].event_time: Must be a Unix timestamp in seconds, not in the future.',
		);
		expectError(
			await track([ev(1, { event_time: NOW_S - 8 * 86400 })]),
			40002,
			'data[0].event_time: Must be within the last 7 days.',
		);
		expectError(await track([ev(1, { event: '' })]), 40002, 'data[0].event: Length must be between 1 and 100.');
		const p = (await fetchJson(`${emu.url}/__emulator/events`)).pixels[0];
		expect(p.events).toEqual([]);
	});

	test('envelope-level validation and permission', async () => {
		expectError(
			await post(emu, '/event/track/', { event_source: 'pixel', event_source_id: MAIN.pixel_code, data: [ev(1)] }),
			40002,
			'event_source: Must be one of: web, app, offline, crm.',
		);
		expectError(
			await post(emu, '/event/track/', { event_source: 'web', event_source_id: 'NOPE', data: [ev(1)] }),
			40002,
			'event_source_id: Pixel NOPE does not exist.',
		);
		expectError(
			await post(emu, '/event/track/', { event_source: 'web', event_source_id: SEED.pixels[2].pixel_code, data: [ev(1)] }),
			40001,
			'advertiser does not grant you /event/track/:POST permission',
		);
		expectError(await post(emu, '/event/track/', { event_source: 'web', event_source_id: MAIN.pixel_code }), 40002, 'data: Missing data for required field.');
	});
});

test('event-sync round trip: rule create → event/track → audience size, with lookback and exclusions', async () => {
	const body = ruleBody({
		rule_spec: {
			inclusion_rule_set: ruleBody().rule_spec.inclusion_rule_set,
			exclusion_rule_set: {
				operator: 'OR',
				rules: [{ event_source_ids: [MAIN.pixel_id], retention_days: 7, filter_set: { operator: 'OR', filters: [{ field: 'EVENT', operator: 'EQ', value: 'CONTACT' }] } }],
			},
		},
	});
	const id = expectOk(await post(emu, '/dmp/custom_audience/rule/create/', body)).custom_audience_id;
	const buyers = Array.from({ length: 1200 }, (_, i) => ev(i));
	expectOk(await track(buyers.slice(0, 1000)));
	expectOk(await track(buyers.slice(1000)));
	// Noise that must not count: another pixel, another event, a test event, a user with no hashed identity.
	expectOk(await post(emu, '/event/track/', { event_source: 'web', event_source_id: SHOP.pixel_code, data: [ev(5000)] }));
	expectOk(await track([ev(5001, { event: 'ViewContent' })]));
	expectOk(await track([ev(5002)], { test_event_code: 'T1' }));
	expectOk(await track([ev(5003, { user: { ip: '1.2.3.4' } })]));
	// Two buyers contacted us: excluded.
	expectOk(await track([ev(0, { event: 'Contact', event_id: 'c0' }), ev(1, { event: 'Contact', event_id: 'c1' })]));

	let d = await details(id);
	expect(d).toMatchObject({ cover_num: 1198, is_valid: true });
	const inspected = await inspect(id);
	expect(inspected.member_count).toBe(1198);
	expect(inspected.members).not.toContain(sha256('buyer0@example.com'));
	expect(inspected.members).toContain(sha256('buyer2@example.com'));

	// The exclusion window is 7 days, the inclusion window 30: after 8 days the contacts no longer exclude.
	emu.clock.advance(8 * DAY);
	d = await details(id);
	expect(d.cover_num).toBe(1200);
	// After 31 days the purchases fall out of the lookback window.
	emu.clock.advance(23 * DAY);
	d = await details(id);
	expect(d).toMatchObject({ cover_num: 0, is_valid: false });
});

test('URL parameter filters and custom event names', async () => {
	const id = expectOk(
		await post(
			emu,
			'/dmp/custom_audience/rule/create/',
			ruleBody({}, {
				filter_set: {
					operator: 'OR',
					filters: [{ field: 'EVENT', operator: 'EQ', value: 'SyncAudience', parameter_filters: [{ field: 'URL', operator: 'CONTAINS', values: ['/vip'] }] }],
				},
			}),
		),
	).custom_audience_id;
	expectOk(
		await track([
			ev(1, { event: 'SyncAudience', page: { url: 'https://x.example/vip/1' } }),
			ev(2, { event: 'SyncAudience', page: { url: 'https://x.example/other' } }),
			ev(3, { event: 'Purchase', page: { url: 'https://x.example/vip/3' } }),
		]),
	);
	expect((await inspect(id)).members).toEqual([sha256('buyer1@example.com')]);
});
