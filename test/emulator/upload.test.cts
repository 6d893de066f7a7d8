// Contract: /dmp/custom_audience/file/upload/ (multipart) and its errors.
import axios from 'axios';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { startEmulator, type EmulatorHandle } from './index.cts';
import { SEED } from './seed.cts';
import { emailHashes, expectError, expectOk, md5, post, sha256, upload } from './testClient.cts';
import { fetchJson } from './testClient.cts';

let emu: EmulatorHandle;
beforeAll(async () => {
	emu = await startEmulator({ seed: 'upload', freezeClock: true, now: Date.UTC(2025, 0, 1) });
});
afterAll(() => emu.close());
beforeEach(() => emu.reset());

const ADV = SEED.grantedAdvertiserId;
const filesView = async () => (await fetchJson(`${emu.url}/__emulator/files`)).files;

describe('successful uploads', () => {
	test('one SHA-256 per line → a 16-character file_path bound to the advertiser', async () => {
		const content = emailHashes(3).join('\n');
		const data = expectOk(await upload(emu, { content }));
		expect(data).toEqual({ file_path: expect.stringMatching(/^[0-9a-f]{16}$/) });
		expect(await filesView()).toEqual([
			{
				file_path: data.file_path,
				advertiser_id: ADV,
				calculate_type: 'EMAIL_SHA256',
				bytes: Buffer.byteLength(content),
				rows: 3,
				md5: md5(content),
				upload_time: '2025-01-01 00:00:00',
			},
		]);
	});

	test('file paths are deterministic under a seed and unique per upload', async () => {
		const a = expectOk(await upload(emu, { content: emailHashes(1).join('\n') })).file_path;
		const b = expectOk(await upload(emu, { content: emailHashes(1).join('\n') })).file_path;
		expect(a).not.toBe(b);
		emu.reset();
		expect(expectOk(await upload(emu, { content: emailHashes(1).join('\n') })).file_path).toBe(a);
	});

	test('optional header row, CRLF line ends, blank lines and .txt are accepted', async () => {
		const content = ['email_sha256', ...emailHashes(2), '', ''].join('\r\n');
		expectOk(await upload(emu, { content, filename: 'list.txt' }));
		expect((await filesView())[0].rows).toBe(2);
	});

	test('MD5 types take 32-hex lines; MAID_* upload aliases are accepted', async () => {
		const maids = [md5('A'), md5('B')];
		expectOk(await upload(emu, { content: maids.join('\n'), calculateType: 'IDFA_MD5' }));
		expectOk(await upload(emu, { content: maids.join('\n'), calculateType: 'MAID_MD5' }));
	});

	test('MULTIPLE_TYPES: a header names each column, empty cells allowed', async () => {
		const [e1, e2] = emailHashes(2);
		const p1 = sha256('+15551230000');
		const content = `EMAIL_SHA256,phone_sha256\n${e1},${p1}\n${e2},\n,${p1}\n`;
		expectOk(await upload(emu, { content, calculateType: 'MULTIPLE_TYPES' }));
		expect((await filesView())[0].rows).toBe(3);
	});

	test('the file part may come before the other fields', async () => {
		expectOk(await upload(emu, { content: emailHashes(2).join('\n'), fileFirst: true }));
		expectError(
			await upload(emu, { content: 'not-a-hash\n', fileFirst: true }),
			40909,
			'file: line 1: not a valid EMAIL_SHA256 value (expected 64 lowercase hex characters).',
		);
	});

	test('axios with Node FormData/Blob (how our node sends it) works', async () => {
		const content = emailHashes(5).join('\n');
		const form = new FormData();
		form.append('advertiser_id', ADV);
		form.append('calculate_type', 'EMAIL_SHA256');
		form.append('file_signature', md5(content));
		form.append('file', new Blob([content], { type: 'text/csv' }), 'audience.csv');
		const res = await axios.post(`${emu.baseUrl}/dmp/custom_audience/file/upload/`, form, {
			headers: { 'Access-Token': SEED.validToken },
		});
		expect(res.status).toBe(200);
		expect(res.data).toEqual({ code: 0, message: 'OK', request_id: expect.any(String), data: { file_path: expect.stringMatching(/^[0-9a-f]{16}$/) } });
	});

	test('a large upload is streamed (40 MB through a stream body)', async () => {
		const line = Buffer.from(`${sha256('x')}\n`);
		const lines = 40 * 1024 * 1024 / line.length;
		const block = Buffer.concat(Array.from({ length: 1024 }, () => line));
		const boundary = 'emulatorBoundary123';
		const head = Buffer.from(
			`--${boundary}\r\nContent-Disposition: form-data; name="advertiser_id"\r\n\r\n${ADV}\r\n` +
				`--${boundary}\r\nContent-Disposition: form-data; name="calculate_type"\r\n\r\nEMAIL_SHA256\r\n`,
		);
		// Signature of the repeated block content, computed incrementally like a streaming client would.
		const h = createHash('md5');
		const blocks = Math.floor(lines / 1024);
		for (let i = 0; i < blocks; i++) h.update(block);
		const sig = h.digest('hex');
		const sigPart = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file_signature"\r\n\r\n${sig}\r\n`);
		const fileHead = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\nContent-Type: text/csv\r\n\r\n`);
		const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
		async function* body() {
			yield head;
			yield sigPart;
			yield fileHead;
			for (let i = 0; i < blocks; i++) yield block;
			yield tail;
		}
		const res = await fetch(`${emu.baseUrl}/dmp/custom_audience/file/upload/`, {
			method: 'POST',
			headers: { 'Access-Token': SEED.validToken, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
			body: Readable.toWeb(Readable.from(body())) as any,
			duplex: 'half',
		} as RequestInit);
		const json = (await res.json()) as any;
		expect(json.code).toBe(0);
		expect((await filesView())[0]).toMatchObject({ rows: blocks * 1024, bytes: blocks * 1024 * line.length });
	}, 60_000);
});

describe('upload time (uploadMinMs / uploadMaxMs)', () => {
	afterEach(() => {
		emu.config.uploadMinMs = 0;
		emu.config.uploadMaxMs = 0;
	});

	test('off by default: an upload takes no emulator time', async () => {
		const before = emu.clock.now();
		expectOk(await upload(emu, { content: emailHashes(2).join('\n') }));
		expect(emu.clock.now()).toBe(before);
	});

	test('a fixed duration moves the frozen clock by exactly that much per upload; the file lands at the end', async () => {
		emu.config.uploadMinMs = 45_000;
		emu.config.uploadMaxMs = 45_000;
		const before = emu.clock.now();
		expectOk(await upload(emu, { content: emailHashes(2).join('\n') }));
		expectOk(await upload(emu, { content: emailHashes(3).join('\n') }));
		expect(emu.clock.now()).toBe(before + 90_000);
		expect((await filesView()).map((f: { upload_time: string }) => f.upload_time)).toEqual(['2025-01-01 00:00:45', '2025-01-01 00:01:30']);
	});

	test('a range gives seeded draws inside it, the same sequence again after a reset', async () => {
		const durations = async () => {
			const out: number[] = [];
			for (let k = 0; k < 6; k++) {
				const before = emu.clock.now();
				expectOk(await upload(emu, { content: emailHashes(1).join('\n') }));
				out.push(emu.clock.now() - before);
			}
			return out;
		};
		emu.config.uploadMinMs = 5_000;
		emu.config.uploadMaxMs = 120_000;
		const first = await durations();
		emu.reset();
		expect(await durations()).toEqual(first);
		expect(first.every((ms) => Number.isInteger(ms) && ms >= 5_000 && ms <= 120_000)).toBe(true);
		expect(new Set(first).size).toBe(6);
	});

	test('a failed upload still took its time (the bytes were sent); settable through /__emulator/config', async () => {
		const res = await fetch(`${emu.url}/__emulator/config`, { method: 'POST', body: JSON.stringify({ uploadMinMs: 7_000, uploadMaxMs: 7_000 }) });
		expect(((await res.json()) as Record<string, number>).uploadMaxMs).toBe(7_000);
		const before = emu.clock.now();
		expectError(await upload(emu, { content: emailHashes(1).join('\n'), signature: '0'.repeat(32) }), 40900, 'file_signature: The file signature does not match the MD5 of the file.');
		expect(emu.clock.now()).toBe(before + 7_000);
	});
});

describe('upload errors', () => {
	test('only .csv/.txt → 40908', async () => {
		expectError(await upload(emu, { content: emailHashes(1)[0], filename: 'a.xlsx' }), 40908, 'file: Only .csv or .txt files are supported.');
		expectError(await upload(emu, { content: emailHashes(1)[0], filename: 'a.CSV' }), 40908, 'file: Only .csv or .txt files are supported.');
	});
	test('empty file → 40906; a header with no identifiers → 40906', async () => {
		expectError(await upload(emu, { content: '' }), 40906, 'file: The file is empty.');
		expectError(await upload(emu, { content: 'email_sha256\n' }), 40906, 'file: The file contains no identifiers.');
	});
	test('file_signature must be the lowercase MD5 of the bytes → 40900', async () => {
		const content = emailHashes(1)[0];
		expectError(
			await upload(emu, { content, signature: md5('other') }),
			40900,
			'file_signature: The file signature does not match the MD5 of the file.',
		);
		expectError(
			await upload(emu, { content, signature: md5(content).toUpperCase() }),
			40900,
			'file_signature: The file signature does not match the MD5 of the file.',
		);
	});
	test('lines must match the calculate type → 40909 naming the line', async () => {
		const [a, b] = emailHashes(2);
		expectError(
			await upload(emu, { content: `${a}\n${md5('x')}\n` }),
			40909,
			'file: line 2: not a valid EMAIL_SHA256 value (expected 64 lowercase hex characters).',
		);
		expectError(
			await upload(emu, { content: `${a}\n${b.toUpperCase()}\n` }),
			40909,
			'file: line 2: not a valid EMAIL_SHA256 value (expected 64 lowercase hex characters).',
		);
		expectError(
			await upload(emu, { content: `${a}\n`, calculateType: 'GAID_MD5' }),
			40909,
			'file: line 1: not a valid GAID_MD5 value (expected 32 lowercase hex characters).',
		);
		expectError(
			await upload(emu, { content: `${a}\nalice@example.com\n` }),
			40909,
			'file: line 2: not a valid EMAIL_SHA256 value (expected 64 lowercase hex characters).',
		);
	});
	test('MULTIPLE_TYPES needs a known header and matching cells', async () => {
		const [a] = emailHashes(1);
		expectError(
			await upload(emu, { content: `${a}\n`, calculateType: 'MULTIPLE_TYPES' }),
			40909,
			'file: line 1: MULTIPLE_TYPES header column "' + a.toUpperCase() + '" is not one of EMAIL_SHA256, PHONE_SHA256, MAID_SHA256, MAID_MD5, IDFA_SHA256, IDFA_MD5, GAID_SHA256, GAID_MD5.',
		);
		expectError(
			await upload(emu, { content: `EMAIL_SHA256,MAID_MD5\n${a},${a}\n`, calculateType: 'MULTIPLE_TYPES' }),
			40909,
			'file: line 2: column 2 is not a valid MAID_MD5 value.',
		);
		expectError(
			await upload(emu, { content: `EMAIL_SHA256,MAID_MD5\n${a}\n`, calculateType: 'MULTIPLE_TYPES' }),
			40909,
			'file: line 2: expected 2 columns.',
		);
		expectError(
			await upload(emu, { content: `EMAIL,PHONE\n${a},\n`, calculateType: 'MULTIPLE_TYPES' }),
			40909,
			'file: line 1: MULTIPLE_TYPES header column "EMAIL" is not one of EMAIL_SHA256, PHONE_SHA256, MAID_SHA256, MAID_MD5, IDFA_SHA256, IDFA_MD5, GAID_SHA256, GAID_MD5.',
		);
	});
	test('required form fields and enums → 40002; advertiser permission → 40001', async () => {
		const content = emailHashes(1)[0];
		expectError(await upload(emu, { content, advertiserId: undefined }), 40002, 'advertiser_id: Missing data for required field.');
		expectError(await upload(emu, { content, signature: null }), 40002, 'file_signature: Missing data for required field.');
		expectError(
			await upload(emu, { content, calculateType: 'EMAIL' }),
			40002,
			'calculate_type: Must be one of: EMAIL_SHA256, PHONE_SHA256, IDFA_SHA256, IDFA_MD5, GAID_SHA256, GAID_MD5, FIRST_SHA256, FIRST_MD5, MAID_SHA256, MAID_MD5, MULTIPLE_TYPES.',
		);
		expectError(
			await upload(emu, { content, advertiserId: SEED.otherAdvertiserId }),
			40001,
			'advertiser does not grant you /dmp/custom_audience/file/upload/:POST permission',
		);
		expectError(await post(emu, '/dmp/custom_audience/file/upload/', { advertiser_id: ADV }), 40002, 'Content-Type: Must be multipart/form-data.');
		const noFile = new FormData();
		noFile.append('advertiser_id', ADV);
		noFile.append('calculate_type', 'EMAIL_SHA256');
		noFile.append('file_signature', md5(''));
		const res = await fetch(`${emu.baseUrl}/dmp/custom_audience/file/upload/`, {
			method: 'POST',
			headers: { 'Access-Token': SEED.validToken },
			body: noFile,
		});
		expect(await res.json()).toEqual({ code: 40002, message: 'file: Missing data for required field.', request_id: expect.any(String), data: {} });
	});
	test('files above maxFileBytes → 40907', async () => {
		emu.config.maxFileBytes = 100;
		try {
			expectError(await upload(emu, { content: emailHashes(2).join('\n') }), 40907, 'file: The file must be smaller than 100 bytes.');
		} finally {
			emu.config.maxFileBytes = 1024 * 1024 * 1024;
		}
	});
	test('failed uploads leave no file behind', async () => {
		await upload(emu, { content: 'garbage\n' });
		expect(await filesView()).toEqual([]);
	});
});
