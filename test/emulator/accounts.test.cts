// Contract: /oauth2/advertiser/get/, /advertiser/info/, /pixel/list/.
import { startEmulator, type EmulatorHandle } from './index.cts';
import { SEED } from './seed.cts';
import { expectError, expectOk, get } from './testClient.cts';

let emu: EmulatorHandle;
beforeAll(async () => {
	emu = await startEmulator({ seed: 1, freezeClock: true });
});
afterAll(() => emu.close());

const ADV = SEED.grantedAdvertiserId;

describe('/oauth2/advertiser/get/', () => {
	test('lists the advertisers granted to the token', async () => {
		const data = expectOk(await get(emu, '/oauth2/advertiser/get/', { app_id: SEED.app.app_id, secret: SEED.app.secret }));
		expect(data).toEqual({ list: [{ advertiser_id: ADV, advertiser_name: 'Emulator Shop (granted)' }] });
	});
	test('app_id and secret are required and must match', async () => {
		expectError(await get(emu, '/oauth2/advertiser/get/', { secret: SEED.app.secret }), 40002, 'app_id: Missing data for required field.');
		expectError(await get(emu, '/oauth2/advertiser/get/', { app_id: SEED.app.app_id }), 40002, 'secret: Missing data for required field.');
		expectError(
			await get(emu, '/oauth2/advertiser/get/', { app_id: SEED.app.app_id, secret: 'wrong' }),
			40101,
			'The app_id and secret do not match.',
		);
	});
});

describe('/advertiser/info/', () => {
	test('returns the requested advertisers, optionally only some fields', async () => {
		const data = expectOk(await get(emu, '/advertiser/info/', { advertiser_ids: [ADV] }));
		expect(data).toEqual({
			list: [
				{
					advertiser_id: ADV,
					name: 'Emulator Shop (granted)',
					company: 'Emulator Shop Ltd',
					currency: 'USD',
					timezone: 'Etc/GMT',
					display_timezone: 'Etc/GMT',
					country: 'US',
					status: 'STATUS_ENABLE',
					role: 'ROLE_ADVERTISER',
					create_time: 1704067200,
					balance: 0,
					language: 'en',
				},
			],
		});
		const some = expectOk(await get(emu, '/advertiser/info/', { advertiser_ids: [ADV], fields: ['advertiser_id', 'name'] }));
		expect(some).toEqual({ list: [{ advertiser_id: ADV, name: 'Emulator Shop (granted)' }] });
	});
	test('validation and permission', async () => {
		expectError(await get(emu, '/advertiser/info/', {}), 40002, 'advertiser_ids: Missing data for required field.');
		expectError(await get(emu, '/advertiser/info/', { advertiser_ids: '[1' }), 40002, 'advertiser_ids: Not a valid JSON string.');
		expectError(await get(emu, '/advertiser/info/', { advertiser_ids: [] }), 40002, 'advertiser_ids: Length must be between 1 and 100.');
		expectError(
			await get(emu, '/advertiser/info/', { advertiser_ids: Array.from({ length: 101 }, () => ADV) }),
			40002,
			'advertiser_ids: Length must be between 1 and 100.',
		);
		expectError(await get(emu, '/advertiser/info/', { advertiser_ids: ['x1'] }), 40002, 'advertiser_ids[0]: Not a valid id.');
		expectError(
			await get(emu, '/advertiser/info/', { advertiser_ids: [ADV], fields: ['secret_sauce'] }),
			40002,
			'fields: Must be one of: advertiser_id, name, company, currency, timezone, display_timezone, country, status, role, create_time, balance, language.',
		);
		expectError(
			await get(emu, '/advertiser/info/', { advertiser_ids: [ADV, SEED.otherAdvertiserId] }),
			40001,
			'advertiser does not grant you /advertiser/info/:GET permission',
		);
	});
});

describe('/pixel/list/', () => {
	test('returns both pixels with pixel_id, pixel_code and pixel_name, paginated', async () => {
		const data = expectOk(await get(emu, '/pixel/list/', { advertiser_id: ADV }));
		expect(data.page_info).toEqual({ page: 1, page_size: 10, total_number: 2, total_page: 1 });
		expect(data.pixels.map((p: any) => [p.pixel_id, p.pixel_code, p.pixel_name])).toEqual([
			['7200000000000000011', 'CEMU0PIXEL0MAIN00001', 'Main website'],
			['7200000000000000012', 'CEMU0PIXEL0SHOP00002', 'Shop checkout'],
		]);
		expect(data.pixels[0]).toEqual({
			pixel_id: '7200000000000000011',
			pixel_code: 'CEMU0PIXEL0MAIN00001',
			pixel_name: 'Main website',
			pixel_category: 'ONLINE_STORE',
			pixel_setup_mode: 'DEVELOPER',
			create_time: '2024-01-01 00:00:00',
			partner_name: '',
			advanced_matching_fields: { phone_number: true, email: true },
			enable_first_party_cookies: true,
			enable_expanded_data_sharing: false,
			events: [],
		});
		const page2 = expectOk(await get(emu, '/pixel/list/', { advertiser_id: ADV, page: 2, page_size: 1, order_by: 'LATEST_CREATE' }));
		expect(page2.page_info).toEqual({ page: 2, page_size: 1, total_number: 2, total_page: 2 });
		expect(page2.pixels.map((p: any) => p.pixel_id)).toEqual(['7200000000000000011']);
		const byCode = expectOk(await get(emu, '/pixel/list/', { advertiser_id: ADV, code: 'CEMU0PIXEL0SHOP00002' }));
		expect(byCode.pixels.map((p: any) => p.pixel_id)).toEqual(['7200000000000000012']);
		const byName = expectOk(await get(emu, '/pixel/list/', { advertiser_id: ADV, name: 'main' }));
		expect(byName.pixels.map((p: any) => p.pixel_id)).toEqual(['7200000000000000011']);
	});
	test('page_size is 1–20, page ≥ 1, order_by an enum', async () => {
		expectError(
			await get(emu, '/pixel/list/', { advertiser_id: ADV, page_size: 21 }),
			40002,
			'page_size: Must be greater than or equal to 1 and less than or equal to 20.',
		);
		expectError(
			await get(emu, '/pixel/list/', { advertiser_id: ADV, page: 0 }),
			40002,
			'page: Must be greater than or equal to 1 and less than or equal to 2147483647.',
		);
		expectError(await get(emu, '/pixel/list/', { advertiser_id: ADV, page: 'two' }), 40002, 'page: Not a valid integer.');
		expectError(
			await get(emu, '/pixel/list/', { advertiser_id: ADV, order_by: 'NEWEST' }),
			40002,
			'order_by: Must be one of: EARLIEST_CREATE, LATEST_CREATE.',
		);
		expectError(
			await get(emu, '/pixel/list/', { advertiser_id: ADV, filtering: '[]' }),
			40002,
			'filtering: Not a valid mapping type.',
		);
	});
});
