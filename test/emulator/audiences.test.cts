// Contract: customer-file audiences — create, update (APPEND/REMOVE/REPLACE/rename), delete, list, get — and the
// list-sync round trip.
import { startEmulator, type EmulatorHandle } from './index.cts';
import { SEED } from './seed.cts';
import { createAudience, emailHashes, expectError, expectOk, get, md5, post, upload, uploadHashes } from './testClient.cts';
import { fetchJson } from './testClient.cts';

const T0 = Date.UTC(2025, 2, 1, 8, 0, 0);
const HOUR = 3_600_000;
let emu: EmulatorHandle;
beforeAll(async () => {
	emu = await startEmulator({ seed: 42, now: T0, freezeClock: true, matchRate: 0.5, processingDelayMs: HOUR });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const ADV = SEED.grantedAdvertiserId;
const getOne = async (id: string, extra: Record<string, unknown> = {}) =>
	expectOk(await get(emu, '/dmp/custom_audience/get/', { advertiser_id: ADV, custom_audience_ids: [id], ...extra })).list[0];
const members = async (id: string): Promise<string[]> =>
	(await fetchJson(`${emu.url}/__emulator/audiences/${id}`)).members;

describe('create', () => {
	test('returns custom_audience_id; get shows details and a create history entry', async () => {
		const fp = await uploadHashes(emu, emailHashes(2400));
		const data = expectOk(
			await post(emu, '/dmp/custom_audience/create/', {
				advertiser_id: ADV,
				custom_audience_name: 'CRM buyers 2025',
				calculate_type: 'EMAIL_SHA256',
				file_paths: [fp],
				retention_in_days: 180,
			}),
		);
		expect(data).toEqual({ custom_audience_id: '6900000000000000001' });
		expect(await getOne(data.custom_audience_id)).toEqual({
			audience_details: {
				audience_id: '6900000000000000001',
				name: 'CRM buyers 2025',
				type: 'Customer File Audience',
				audience_sub_type: 'NORMAL',
				calculate_type: 'EMAIL_SHA256',
				cover_num: 0,
				create_time: '2025-03-01 08:00:00',
				expired_time: '2025-08-28 08:00:00',
				is_auto_refresh: false,
				is_creator: true,
				is_expiring: false,
				is_valid: false,
				msg: null,
				error_msg: null,
				owner_id: ADV,
				rule: null,
				shared: false,
				lookalike_spec: null,
				audience_enhancement: false,
				enhancement_status: null,
			},
			audience_history: [
				{ action: 'create', action_detail: '2400', editor: 'open_api', msg: null, opt_time: '2025-03-01 08:00:00' },
			],
		});
		// After the processing delay: cover_num = floor(2400 × 0.5) and the audience is valid (≥ 1,000).
		emu.clock.advance(HOUR);
		expect((await getOne(data.custom_audience_id)).audience_details).toMatchObject({ cover_num: 1200, is_valid: true });
	});

	test('is_valid stays false when cover_num < 1,000; default expiry is one year after the last change', async () => {
		const id = await createAudience(emu, emailHashes(1500));
		emu.clock.advance(HOUR);
		expect((await getOne(id)).audience_details).toMatchObject({
			cover_num: 750,
			is_valid: false,
			expired_time: '2026-03-01 08:00:00',
			is_expiring: false,
		});
		emu.clock.set(Date.UTC(2026, 0, 15));
		expect((await getOne(id)).audience_details).toMatchObject({ is_expiring: true, cover_num: 750 });
		emu.clock.set(Date.UTC(2026, 2, 1, 8));
		expect((await getOne(id)).audience_details).toMatchObject({ is_expiring: false, is_valid: false, cover_num: 0 });
	});

	test('names are not unique; several files are unioned; duplicates collapse', async () => {
		const hashes = emailHashes(10);
		const a = await createAudience(emu, hashes, 'Same');
		const fp1 = await uploadHashes(emu, hashes.slice(0, 6));
		const fp2 = await uploadHashes(emu, hashes.slice(4));
		const b = expectOk(
			await post(emu, '/dmp/custom_audience/create/', {
				advertiser_id: ADV,
				custom_audience_name: 'Same',
				calculate_type: 'EMAIL_SHA256',
				file_paths: [fp1, fp2],
			}),
		).custom_audience_id;
		expect(b).not.toBe(a);
		expect(await members(b)).toEqual([...hashes].sort());
	});

	test('MAID_* uploads can be used with FIRST_* audiences (same internal type)', async () => {
		const r = await upload(emu, { content: `${md5('a')}\n${md5('b')}\n`, calculateType: 'MAID_MD5' });
		const fp = expectOk(r).file_path;
		expectOk(
			await post(emu, '/dmp/custom_audience/create/', {
				advertiser_id: ADV,
				custom_audience_name: 'Devices',
				calculate_type: 'FIRST_MD5',
				file_paths: [fp],
			}),
		);
	});

	test('errors: names, enums, file paths, type mismatch, other advertiser\'s file, expiry', async () => {
		const fp = await uploadHashes(emu, emailHashes(3));
		const base = { advertiser_id: ADV, custom_audience_name: 'x', calculate_type: 'EMAIL_SHA256', file_paths: [fp] };
		const create = (patch: Record<string, unknown>, token?: string) =>
			post(emu, '/dmp/custom_audience/create/', { ...base, ...patch }, token);
		expectError(await create({ custom_audience_name: '' }), 40002, 'custom_audience_name: Length must be between 1 and 128.');
		expectError(await create({ custom_audience_name: 'n'.repeat(129) }), 40002, 'custom_audience_name: Length must be between 1 and 128.');
		expectOk(await create({ custom_audience_name: '名'.repeat(128) }));
		expectError(await create({ custom_audience_name: undefined }), 40002, 'custom_audience_name: Missing data for required field.');
		expectError(
			await create({ calculate_type: 'MAID_SHA256' }),
			40002,
			'calculate_type: Must be one of: EMAIL_SHA256, PHONE_SHA256, IDFA_SHA256, IDFA_MD5, GAID_SHA256, GAID_MD5, FIRST_SHA256, FIRST_MD5, MULTIPLE_TYPES.',
		);
		expectError(await create({ file_paths: [] }), 40002, 'file_paths: Length must be between 1 and 500.');
		expectError(await create({ file_paths: 'abc' }), 40002, 'file_paths: Not a valid list.');
		expectError(await create({ file_paths: ['short'] }), 40002, 'file_paths[0]: Length must be 16.');
		expectError(
			await create({ retention_in_days: 366 }),
			40002,
			'retention_in_days: Must be greater than or equal to 1 and less than or equal to 365.',
		);
		expectError(await create({ retention_in_days: 1.5 }), 40002, 'retention_in_days: Not a valid integer.');
		expectError(
			await create({ audience_sub_type: 'OTHER' }),
			40002,
			'audience_sub_type: Must be one of: NORMAL, REACH_FREQUENCY.',
		);
		expectError(await create({ file_paths: ['0000000000000000'] }), 40905, 'file_paths[0]: The file 0000000000000000 does not exist.');
		expectError(
			await create({ calculate_type: 'PHONE_SHA256' }),
			40909,
			"file_paths[0]: The file's calculate_type EMAIL_SHA256 does not match calculate_type PHONE_SHA256.",
		);
		// A file_path is usable only by the advertiser that uploaded it.
		const other = await upload(emu, { content: emailHashes(1)[0], advertiserId: SEED.otherAdvertiserId, token: SEED.otherToken });
		const otherPath = expectOk(other).file_path;
		expectError(
			await create({ file_paths: [otherPath] }),
			40905,
			`file_paths[0]: The file ${otherPath} does not exist.`,
		);
		emu.clock.advance(7 * 24 * HOUR + 1);
		expectError(await create({}), 40910, `file_paths[0]: The file ${fp} has expired.`);
	});
});

describe('update', () => {
	test('APPEND adds only new rows; REMOVE removes matches; REPLACE replaces; history records each', async () => {
		const all = emailHashes(3000);
		const id = await createAudience(emu, all.slice(0, 2000));
		emu.clock.advance(HOUR);

		const appendPath = await uploadHashes(emu, all.slice(1500, 2500));
		expectOk(await post(emu, '/dmp/custom_audience/update/', { advertiser_id: ADV, custom_audience_id: id, action: 'APPEND', file_paths: [appendPath] }));
		expect((await members(id)).length).toBe(2500);
		// While recalculating, cover_num shows the previous value and is_valid is false.
		expect((await getOne(id)).audience_details).toMatchObject({ cover_num: 1000, is_valid: false });
		emu.clock.advance(HOUR);
		expect((await getOne(id)).audience_details).toMatchObject({ cover_num: 1250, is_valid: true });

		const removePath = await uploadHashes(emu, all.slice(0, 500));
		expectOk(await post(emu, '/dmp/custom_audience/update/', { advertiser_id: ADV, custom_audience_id: id, action: 'REMOVE', file_paths: [removePath] }));
		expect(await members(id)).toEqual(all.slice(500, 2500).sort());

		const replacePath = await uploadHashes(emu, all.slice(1000, 3000));
		expectOk(await post(emu, '/dmp/custom_audience/update/', { advertiser_id: ADV, custom_audience_id: id, action: 'REPLACE', file_paths: [replacePath] }));
		expect(await members(id)).toEqual(all.slice(1000, 3000).sort());

		expectOk(await post(emu, '/dmp/custom_audience/update/', { advertiser_id: ADV, custom_audience_id: id, custom_audience_name: 'Renamed' }));
		const got = await getOne(id, { history_size: 3 });
		expect(got.audience_details.name).toBe('Renamed');
		expect(got.audience_history).toEqual([
			{ action: 'rename', action_detail: 'Renamed', editor: 'open_api', msg: null, opt_time: '2025-03-01 10:00:00' },
			{ action: 'replace', action_detail: '2000', editor: 'open_api', msg: null, opt_time: '2025-03-01 10:00:00' },
			{ action: 'remove', action_detail: '500', editor: 'open_api', msg: null, opt_time: '2025-03-01 10:00:00' },
		]);
		expect((await getOne(id)).audience_history.map((h: any) => h.action)).toEqual(['rename', 'replace', 'remove', 'append', 'create']);
	});

	test('action defaults to REPLACE', async () => {
		const all = emailHashes(2200);
		const id = await createAudience(emu, all.slice(0, 1100));
		const fp = await uploadHashes(emu, all.slice(1100));
		expectOk(await post(emu, '/dmp/custom_audience/update/', { advertiser_id: ADV, custom_audience_id: id, file_paths: [fp] }));
		expect(await members(id)).toEqual(all.slice(1100).sort());
	});

	test('fails when the result would have fewer than 1,000 members', async () => {
		const all = emailHashes(1200);
		const id = await createAudience(emu, all);
		const small = await uploadHashes(emu, all.slice(0, 999));
		const msg = 'The audience size after this operation would be less than 1000, which is not allowed.';
		expectError(await post(emu, '/dmp/custom_audience/update/', { advertiser_id: ADV, custom_audience_id: id, action: 'REMOVE', file_paths: [await uploadHashes(emu, all.slice(0, 201))] }), 40002, msg);
		expectError(await post(emu, '/dmp/custom_audience/update/', { advertiser_id: ADV, custom_audience_id: id, action: 'REPLACE', file_paths: [small] }), 40002, msg);
		const tiny = await createAudience(emu, all.slice(0, 10));
		expectError(await post(emu, '/dmp/custom_audience/update/', { advertiser_id: ADV, custom_audience_id: tiny, action: 'APPEND', file_paths: [small] }), 40002, msg);
		expect((await members(id)).length).toBe(1200);
	});

	test('a second REPLACE within 24 h fails with the documented error; after 24 h it works', async () => {
		const all = emailHashes(2000);
		const id = await createAudience(emu, all.slice(0, 1000));
		const fp = await uploadHashes(emu, all.slice(1000));
		const replace = () => post(emu, '/dmp/custom_audience/update/', { advertiser_id: ADV, custom_audience_id: id, action: 'REPLACE', file_paths: [fp] });
		expectOk(await replace());
		emu.clock.advance(24 * HOUR - 1);
		expectError(
			await replace(),
			40002,
			'This replace operation is rejected as there is an existing unfinished replace operation for this audience. Please wait until the current operation completes on this audience before re trying. Recommend no more than one replace operation per day.',
		);
		// APPEND is not throttled.
		expectOk(await post(emu, '/dmp/custom_audience/update/', { advertiser_id: ADV, custom_audience_id: id, action: 'APPEND', file_paths: [fp] }));
		emu.clock.advance(1);
		expectOk(await replace());
	});

	test('errors: audience id, action enum, neither name nor files, type mismatch, R&F switch', async () => {
		const id = await createAudience(emu, emailHashes(1000));
		const upd = (body: Record<string, unknown>) => post(emu, '/dmp/custom_audience/update/', { advertiser_id: ADV, custom_audience_id: id, ...body });
		expectError(await upd({ custom_audience_id: '123' , custom_audience_name: 'n' }), 40002, 'custom_audience_id: Audience 123 does not exist.');
		expectError(await upd({ custom_audience_id: undefined }), 40002, 'custom_audience_id: Missing data for required field.');
		expectError(await upd({}), 40002, 'file_paths: Either custom_audience_name or file_paths is required.');
		expectError(await upd({ action: 'DELETE', file_paths: ['0000000000000000'] }), 40002, 'action: Must be one of: APPEND, REMOVE, REPLACE.');
		expectError(await upd({ custom_audience_name: 'x'.repeat(129) }), 40002, 'custom_audience_name: Length must be between 1 and 128.');
		const phone = await uploadHashes(emu, emailHashes(1000, 'p'), 'PHONE_SHA256');
		expectError(
			await upd({ action: 'APPEND', file_paths: [phone] }),
			40909,
			"file_paths[0]: The file's calculate_type PHONE_SHA256 does not match calculate_type EMAIL_SHA256.",
		);
		expectError(await upd({ audience_sub_type: 'NORMAL' }), 40002, 'audience_sub_type: Must be one of: REACH_FREQUENCY.');
		expectOk(await upd({ audience_sub_type: 'REACH_FREQUENCY', custom_audience_name: 'ignored' }));
		expect((await getOne(id)).audience_details).toMatchObject({ audience_sub_type: 'REACH_FREQUENCY', name: 'CRM buyers' });
	});
});

describe('delete, list, get', () => {
	test('list: newest first, paginated, filtered by ids; page_size 1–100', async () => {
		const ids: string[] = [];
		for (let i = 0; i < 3; i++) ids.push(await createAudience(emu, emailHashes(5, `l${i}`), `A${i}`));
		const page1 = expectOk(await get(emu, '/dmp/custom_audience/list/', { advertiser_id: ADV, page_size: 2 }));
		expect(page1.page_info).toEqual({ page: 1, page_size: 2, total_number: 3, total_page: 2 });
		expect(page1.list.map((a: any) => a.name)).toEqual(['A2', 'A1']);
		expect(page1.list[0]).toEqual({
			audience_id: ids[2],
			name: 'A2',
			audience_type: 'Customer File Audience',
			audience_sub_type: 'NORMAL',
			calculate_type: 'EMAIL_SHA256',
			cover_num: 0,
			create_time: '2025-03-01 08:00:00',
			expired_time: '2026-03-01 08:00:00',
			is_auto_refresh: false,
			is_creator: true,
			is_expiring: false,
			is_valid: false,
			msg: null,
			error_msg: null,
			owner_id: ADV,
			rule: null,
			shared: false,
			lookalike_spec: null,
			audience_enhancement: false,
		});
		const filtered = expectOk(await get(emu, '/dmp/custom_audience/list/', { advertiser_id: ADV, custom_audience_ids: [ids[0]] }));
		expect(filtered.list.map((a: any) => a.audience_id)).toEqual([ids[0]]);
		expect(filtered.page_info).toEqual({ page: 1, page_size: 10, total_number: 1, total_page: 1 });
		expectError(
			await get(emu, '/dmp/custom_audience/list/', { advertiser_id: ADV, page_size: 101 }),
			40002,
			'page_size: Must be greater than or equal to 1 and less than or equal to 100.',
		);
		expectError(
			await get(emu, '/dmp/custom_audience/list/', { advertiser_id: ADV, custom_audience_ids: 'abc' }),
			40002,
			'custom_audience_ids: Not a valid JSON string.',
		);
		expectError(
			await get(emu, '/dmp/custom_audience/list/', { advertiser_id: ADV, custom_audience_ids: { a: 1 } }),
			40002,
			'custom_audience_ids: Not a valid list.',
		);
	});

	test('get: ids required (1–100), history_size 1–100, unknown id fails', async () => {
		const id = await createAudience(emu, emailHashes(5));
		expectError(await get(emu, '/dmp/custom_audience/get/', { advertiser_id: ADV }), 40002, 'custom_audience_ids: Missing data for required field.');
		expectError(
			await get(emu, '/dmp/custom_audience/get/', { advertiser_id: ADV, custom_audience_ids: [id], history_size: 0 }),
			40002,
			'history_size: Must be greater than or equal to 1 and less than or equal to 100.',
		);
		expectError(
			await get(emu, '/dmp/custom_audience/get/', { advertiser_id: ADV, custom_audience_ids: [id, '42'] }),
			40002,
			'custom_audience_ids[1]: Audience 42 does not exist.',
		);
	});

	test('delete: 1–100 ids, all-or-nothing', async () => {
		const a = await createAudience(emu, emailHashes(5));
		const b = await createAudience(emu, emailHashes(5));
		expectError(await post(emu, '/dmp/custom_audience/delete/', { advertiser_id: ADV, custom_audience_ids: [] }), 40002, 'custom_audience_ids: Length must be between 1 and 100.');
		expectError(
			await post(emu, '/dmp/custom_audience/delete/', { advertiser_id: ADV, custom_audience_ids: [a, '77'] }),
			40002,
			'custom_audience_ids[1]: Audience 77 does not exist.',
		);
		expect(expectOk(await post(emu, '/dmp/custom_audience/delete/', { advertiser_id: ADV, custom_audience_ids: [a] }))).toEqual({});
		const left = expectOk(await get(emu, '/dmp/custom_audience/list/', { advertiser_id: ADV }));
		expect(left.list.map((x: any) => x.audience_id)).toEqual([b]);
		expectError(
			await post(emu, '/dmp/custom_audience/delete/', { advertiser_id: ADV, custom_audience_ids: [a] }),
			40002,
			`custom_audience_ids[0]: Audience ${a} does not exist.`,
		);
	});
});

test('list-sync round trip: upload → create → APPEND → REMOVE → REPLACE → get → delete', async () => {
	const people = emailHashes(4000, 'rt');
	const create = expectOk(
		await post(emu, '/dmp/custom_audience/create/', {
			advertiser_id: ADV,
			custom_audience_name: 'Round trip',
			calculate_type: 'EMAIL_SHA256',
			file_paths: [await uploadHashes(emu, people.slice(0, 2000))],
		}),
	);
	const id = create.custom_audience_id;
	const update = async (action: string, rows: string[]) =>
		expectOk(await post(emu, '/dmp/custom_audience/update/', { advertiser_id: ADV, custom_audience_id: id, action, file_paths: [await uploadHashes(emu, rows)] }));
	await update('APPEND', people.slice(2000, 3000));
	await update('REMOVE', people.slice(0, 500));
	await update('REPLACE', people.slice(1000, 4000));
	emu.clock.advance(HOUR);
	const got = await getOne(id);
	expect(got.audience_details).toMatchObject({ audience_id: id, name: 'Round trip', cover_num: 1500, is_valid: true });
	expect(got.audience_history.map((h: any) => [h.action, h.action_detail])).toEqual([
		['replace', '3000'],
		['remove', '500'],
		['append', '1000'],
		['create', '2000'],
	]);
	expect(await members(id)).toEqual(people.slice(1000, 4000).sort());
	expectOk(await post(emu, '/dmp/custom_audience/delete/', { advertiser_id: ADV, custom_audience_ids: [id] }));
	expectError(
		await get(emu, '/dmp/custom_audience/get/', { advertiser_id: ADV, custom_audience_ids: [id] }),
		40002,
		`custom_audience_ids[0]: Audience ${id} does not exist.`,
	);
});
