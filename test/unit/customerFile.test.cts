// Customer files (nodes/shared/customerFile): TikTok's published hash vectors through the row pipeline (crypto-js is
// the oracle), the pipeline, the streaming CSV reader, the compact digest set, the upload file writer, schema mapping
// and the call plan.
import { createHash } from 'node:crypto';
import CryptoJS from 'crypto-js';

import { CsvReader, splitAll } from '../../nodes/shared/customerFile/csvReader';
import { DigestSet, hexWord } from '../../nodes/shared/customerFile/dedupe';
import { UploadFileWriter, type UploadFile } from '../../nodes/shared/customerFile/fileWriter';
import { findColumn, mappingFor, mappingProblem } from '../../nodes/shared/customerFile/mapping';
import { MULTIPLE_TYPES_HEADER, RowPipeline, type PipelineOptions } from '../../nodes/shared/customerFile/pipeline';
import { planCalls } from '../../nodes/shared/customerFile/uploadPlan';
import { isSha256Hex, looksHashed, md5Hex, preHashedSha256, sha256Hex } from '../../nodes/shared/identity/hash';
import { normalizeEmail, normalizeEmailValue, normalizePhone, REJECT_REASON_TEXT } from '../../nodes/shared/identity/normalize';

const oracle = (value: string) => CryptoJS.SHA256(value).toString(CryptoJS.enc.Hex);

class Lines {
	rows: string[] = [];
	writeRow(line: string) {
		this.rows.push(line);
	}
}

function pipeline(overrides: Partial<PipelineOptions> = {}) {
	const sink = new Lines();
	const p = new RowPipeline({ calculateType: 'EMAIL_SHA256', phone: { format: 'digits' }, sink, ...overrides });
	return { p, sink };
}
describe('TikTok published hash vectors', () => {
	test('" ALICE_abc@gmail.com " → alice_abc@gmail.com → 848a…', () => {
		const n = normalizeEmail(' ALICE_abc@gmail.com ');
		expect(n).toEqual({ ok: true, value: 'alice_abc@gmail.com' });
		expect(sha256Hex('alice_abc@gmail.com')).toBe('848a771458438fc2ec420560d769fb9b9b86851ee338ec56517baabd79d3bb4f');
	});
	test('janedoe@gmail.com → d611…', () => {
		expect(sha256Hex('janedoe@gmail.com')).toBe('d6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69');
	});
	test('374-93-828222 → 37493828222 → 65b7… (digits, country code 374)', () => {
		expect(normalizePhone('374-93-828222', { format: 'digits', defaultCountryCode: '374' })).toEqual({ ok: true, value: '37493828222' });
		expect(sha256Hex('37493828222')).toBe('65b7e6dcf6f4310f8d7cbfbd78289a753062fb054d6664fb9aaac5df66a422d4');
	});
	test('the pipeline produces exactly these hashes', () => {
		const { p, sink } = pipeline();
		p.add(' ALICE_abc@gmail.com ', undefined, 1);
		p.add('janedoe@gmail.com', undefined, 2);
		p.flush();
		expect(sink.rows).toEqual([
			'848a771458438fc2ec420560d769fb9b9b86851ee338ec56517baabd79d3bb4f',
			'd6117306485ed0e50afab3ac871e98f81699151f30281527d63ff5f233656c69',
		]);
		const phones = pipeline({ calculateType: 'PHONE_SHA256', phone: { format: 'digits', defaultCountryCode: '374' } });
		phones.p.add(undefined, '374-93-828222', 1);
		phones.p.flush();
		expect(phones.sink.rows).toEqual(['65b7e6dcf6f4310f8d7cbfbd78289a753062fb054d6664fb9aaac5df66a422d4']);
	});
	test('MD5 file signature of known bytes', () => {
		expect(md5Hex('abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
	});
});

describe('crypto-js oracle', () => {
	test('every hash of 2,000 normalized values equals crypto-js', () => {
		for (let i = 0; i < 2000; i++) {
			const value = i % 2 ? `user${i}.x+${i}@example${i % 7}.com` : `${1_000_000_000 + i * 7919}`;
			expect(sha256Hex(value)).toBe(oracle(value));
		}
	});
	test('non-ASCII input is hashed as UTF-8, like crypto-js', () => {
		for (const value of ['josé@example.com', 'müller@bücher.de', '用户@例子.公司']) expect(sha256Hex(value)).toBe(oracle(value));
	});
	test('pipeline output equals crypto-js of the normalized values', () => {
		const raw = ['  Bob@Example.COM', 'carol@example.org ', 'dave@sub.example.co.uk'];
		const { p, sink } = pipeline();
		raw.forEach((r, i) => p.add(r, undefined, i + 1));
		p.flush();
		expect(sink.rows).toEqual(raw.map((r) => oracle(r.trim().toLowerCase())));
	});
});

describe('row pipeline', () => {
	test('counts invalid by reason with the first row numbers, duplicates, pre-hashed (among values sent); never hashes twice', () => {
		const hashed = oracle('pre@example.com');
		const { p, sink } = pipeline({ sampleRows: 2 });
		const rows = ['a@example.com', 'A@Example.com ', '', 'not-an-email', hashed, 'b@example.com', 'x@', '   ', hashed, 'ABCDEF0123456789ABCDEF0123456789ab'];
		rows.forEach((r, i) => p.add(r, undefined, i + 1));
		p.add(undefined, undefined, 11);
		p.flush();
		expect(sink.rows).toEqual([oracle('a@example.com'), hashed, oracle('b@example.com')]);
		expect(p.stats).toEqual({
			rowsIn: 11,
			rowsSent: 3,
			invalidTotal: 6,
			invalid: {
				empty: { count: 3, rows: [3, 8] },
				email_invalid: { count: 2, rows: [4, 7] },
				hash_wrong_length: { count: 1, rows: [10] },
			},
			droppedValues: {},
			duplicates: 2,
			preHashed: 1,
			dedupeLimited: false,
		});
	});
	test('a 64-hex value of either case is pre-hashed, sent lowercase; the check is anchored', () => {
		const { p, sink } = pipeline();
		const h = oracle('x@example.com');
		p.add(h.toUpperCase(), undefined, 1);
		p.add(` ${h} `, undefined, 2);
		p.add(`${h.slice(0, 10).toUpperCase()}${h.slice(10)}`, undefined, 3);
		p.add(oracle('y@example.com').toUpperCase(), undefined, 4);
		p.add(`${h.toUpperCase()}0`, undefined, 5);
		p.add(h.toUpperCase().slice(1), undefined, 6);
		p.add(`${h.slice(0, 63)}g`, undefined, 7);
		p.flush();
		expect(sink.rows).toEqual([h, oracle('y@example.com')]);
		expect(p.stats).toMatchObject({ rowsSent: 2, duplicates: 2, preHashed: 2, invalid: { hash_wrong_length: { count: 2, rows: [5, 6] }, email_invalid: { count: 1, rows: [7] } } });
	});
	test('pre-hashed is counted among the values sent, the same way for email, phone and MULTIPLE_TYPES lists', () => {
		const e = oracle('p@example.com');
		const ph = oracle('16577770000');
		const email = pipeline();
		[e, e.toUpperCase(), 'q@example.com', e].forEach((v, i) => email.p.add(v, undefined, i + 1));
		const phone = pipeline({ calculateType: 'PHONE_SHA256', phone: { format: 'digits', defaultCountryCode: '1' } });
		[ph, ` ${ph} `, '6577770001', ph.toUpperCase()].forEach((v, i) => phone.p.add(undefined, v, i + 1));
		const multi = pipeline({ calculateType: 'MULTIPLE_TYPES', phone: { format: 'digits', defaultCountryCode: '1' } });
		multi.p.add(e, ph, 1);
		multi.p.add(e.toUpperCase(), ph, 2);
		multi.p.add('q@example.com', ph, 3);
		multi.p.add(e, '', 4);
		for (const { p } of [email, phone, multi]) p.flush();
		for (const { p } of [email, phone, multi]) expect(p.stats.duplicates).toBe(p === multi.p ? 1 : 2);
		expect([email.p.stats.preHashed, phone.p.stats.preHashed, multi.p.stats.preHashed]).toEqual([1, 1, 4]);
		expect(multi.sink.rows).toEqual([`${e},${ph}`, `${oracle('q@example.com')},${ph}`, `${e},`]);
	});
	test('an email longer than 254 characters is rejected as too long; 254 is accepted', () => {
		const { p, sink } = pipeline();
		const at254 = `${'a'.repeat(242)}@example.com`;
		expect(at254.length).toBe(254);
		p.add(`  ${at254} `, undefined, 1);
		p.add(`a${at254}`, undefined, 2);
		p.add(`${'a'.repeat(2 * 1024 * 1024)}@example.com`, undefined, 3);
		p.add(`${'x'.repeat(300)}`, undefined, 4);
		p.flush();
		expect(sink.rows).toEqual([oracle(at254)]);
		expect(p.stats.invalid).toEqual({ email_too_long: { count: 2, rows: [2, 3] }, email_invalid: { count: 1, rows: [4] } });
		expect(REJECT_REASON_TEXT.email_too_long).toBe('email address longer than 254 characters');
		expect(normalizeEmail(`a${at254}`)).toEqual({ ok: false, reason: 'email_too_long' });
	});
	test('phones: symbols, letters, leading zeros stripped; country code added; no country code rejected', () => {
		const { p, sink } = pipeline({ calculateType: 'PHONE_SHA256', phone: { format: 'digits', defaultCountryCode: '1' } });
		p.add(undefined, '(657)777-0000', 1);
		p.add(undefined, '+44 20 7946 0958', 2);
		p.add(undefined, '0657 777 0000', 3);
		p.add(undefined, '12', 4);
		p.flush();
		expect(sink.rows).toEqual([oracle('16577770000'), oracle('442079460958')]);
		expect(p.stats.duplicates).toBe(1);
		expect(p.stats.invalid).toEqual({ phone_too_short: { count: 1, rows: [4] } });
		const none = pipeline({ calculateType: 'PHONE_SHA256', phone: { format: 'digits' } });
		none.p.add(undefined, '657-777-0000', 1);
		none.p.flush();
		expect(none.p.stats.invalid).toEqual({ phone_no_country_code: { count: 1, rows: [1] } });
	});
	test('E.164 format keeps the +', () => {
		const { p, sink } = pipeline({ calculateType: 'PHONE_SHA256', phone: { format: 'e164', defaultCountryCode: '1' } });
		p.add(undefined, '(657)777-0000', 1);
		p.flush();
		expect(sink.rows).toEqual([oracle('+16577770000')]);
	});
	test('Gmail canonicalisation is off by default and on when asked', () => {
		const off = pipeline();
		off.p.add('Jane.Doe+ads@gmail.com', undefined, 1);
		off.p.flush();
		expect(off.sink.rows).toEqual([oracle('jane.doe+ads@gmail.com')]);
		const on = pipeline({ email: { canonicalizeGmail: true } });
		on.p.add('Jane.Doe+ads@gmail.com', undefined, 1);
		on.p.flush();
		expect(on.sink.rows).toEqual([oracle('janedoe@gmail.com')]);
	});
	test('requireHashed rejects anything that is not SHA-256 hex', () => {
		const { p, sink } = pipeline({ requireHashed: true });
		p.add('a@example.com', undefined, 1);
		p.add(oracle('a@example.com'), undefined, 2);
		p.flush();
		expect(sink.rows).toEqual([oracle('a@example.com')]);
		expect(p.stats.invalid).toEqual({ hash_wrong_length: { count: 1, rows: [1] } });
	});
	test('MULTIPLE_TYPES: one row per person, a missing or invalid identifier left empty, pairs deduplicated', () => {
		const { p, sink } = pipeline({ calculateType: 'MULTIPLE_TYPES', phone: { format: 'digits', defaultCountryCode: '1' } });
		p.add('a@example.com', '6577770000', 1);
		p.add('b@example.com', '', 2);
		p.add('', '6577770001', 3);
		p.add('bad', '6577770002', 4);
		p.add('', '', 5);
		p.add('A@example.com', '+1 657 777 0000', 6);
		p.add('a@example.com', undefined, 7);
		p.add('bad', 'x', 8);
		p.flush();
		expect(sink.rows).toEqual([
			`${oracle('a@example.com')},${oracle('16577770000')}`,
			`${oracle('b@example.com')},`,
			`,${oracle('16577770001')}`,
			`,${oracle('16577770002')}`,
			`${oracle('a@example.com')},`,
		]);
		expect(p.stats).toMatchObject({
			rowsIn: 8,
			rowsSent: 5,
			duplicates: 1,
			invalidTotal: 2,
			invalid: { empty: { count: 1, rows: [5] }, email_invalid: { count: 1, rows: [8] } },
			droppedValues: { email_invalid: { count: 1, rows: [4] } },
		});
		expect(MULTIPLE_TYPES_HEADER).toBe('EMAIL_SHA256,PHONE_SHA256');
	});
	test('past the dedupe limit, duplicates are still caught against the whole-list set and within each file', () => {
		const files = { n: 0 };
		const sink = { rows: [] as string[], get files() { return files.n; }, writeRow(line: string) { this.rows.push(line); } };
		const p = new RowPipeline({ calculateType: 'EMAIL_SHA256', phone: { format: 'digits' }, sink, dedupeLimit: 2 });
		['a@x.com', 'b@x.com', 'c@x.com', 'a@x.com', 'c@x.com'].forEach((e, i) => p.add(e, undefined, i + 1));
		p.flush();
		files.n = 1; // a new upload file starts: c@x.com is no longer known
		['c@x.com', 'b@x.com'].forEach((e, i) => p.add(e, undefined, i + 6));
		p.flush();
		expect(sink.rows).toEqual(['a@x.com', 'b@x.com', 'c@x.com', 'c@x.com'].map(oracle));
		expect(p.stats).toMatchObject({ rowsIn: 7, rowsSent: 4, duplicates: 3, dedupeLimited: true });
	});
	test('dedupe: false hands every accepted row to the sink (it deduplicates: Mirror), in order, duplicates 0', () => {
		for (const calculateType of ['EMAIL_SHA256', 'MULTIPLE_TYPES'] as const) {
			const { p, sink } = pipeline({ calculateType, dedupe: false });
			['a@x.com', 'b@x.com', 'A@x.com ', 'bad', 'a@x.com'].forEach((e, i) => p.add(e, undefined, i + 1));
			p.flush();
			const rows = ['a@x.com', 'b@x.com', 'a@x.com', 'a@x.com'].map(oracle);
			expect(sink.rows).toEqual(calculateType === 'EMAIL_SHA256' ? rows : rows.map((r) => `${r},`));
			expect(p.stats).toMatchObject({ rowsIn: 5, rowsSent: 4, duplicates: 0, invalidTotal: 1, dedupeLimited: false });
		}
	});

	test('rows are processed in batches: across many batches the output equals one row at a time, in order', () => {
		// 2,000 rows (several batches): duplicates far apart and next to each other, rejections, pre-hashed values.
		const raw: Array<string | undefined> = [];
		for (let i = 0; i < 2_000; i++) {
			if (i % 7 === 3) raw.push(raw[i - 3]);
			else if (i % 11 === 5) raw.push(i % 2 ? `bad-${i}` : undefined);
			else if (i % 13 === 6) raw.push(oracle(`pre${i % 50}@example.com`).toUpperCase());
			else raw.push(i % 3 ? `user${i % 900}@example.com` : ` User${i % 900}@Example.com `);
		}
		const expected: string[] = [];
		const seen = new Set<string>();
		let invalid = 0;
		let preHashed = 0;
		for (const r of raw) {
			const n = r === undefined ? 'empty' : normalizeEmailValue(r);
			const pre = r !== undefined && preHashedSha256(r.trim()) !== undefined;
			if (!pre && !n.includes('@')) {
				invalid++;
				continue;
			}
			const digest = pre ? (preHashedSha256((r as string).trim()) as string) : oracle(n);
			if (seen.has(digest)) continue;
			seen.add(digest);
			expected.push(digest);
			if (pre) preHashed++;
		}
		const { p, sink } = pipeline();
		raw.forEach((r, i) => p.add(r, undefined, i + 1));
		expect(() => p.stats).toThrow('RowPipeline: call flush() before reading the stats');
		p.flush();
		expect(sink.rows).toEqual(expected);
		expect(p.stats).toMatchObject({ rowsIn: 2_000, rowsSent: expected.length, invalidTotal: invalid, duplicates: 2_000 - invalid - expected.length, preHashed });
		expect(expected.length).toBe(910);
		// Flushing again writes nothing more; adding after a flush goes on with the same dedupe set.
		p.flush();
		p.add('user1@example.com', undefined, 2_001);
		p.add('new@example.com', undefined, 2_002);
		p.flush();
		expect(sink.rows.slice(expected.length)).toEqual([oracle('new@example.com')]);
	});
	test('MULTIPLE_TYPES across batches: the same rows as one at a time', () => {
		const { p, sink } = pipeline({ calculateType: 'MULTIPLE_TYPES', phone: { format: 'digits', defaultCountryCode: '1' } });
		const expected: string[] = [];
		for (let i = 0; i < 700; i++) {
			const email = i % 5 === 0 ? '' : `u${i % 300}@example.com`;
			const phone = i % 4 === 0 ? 'x' : `657777${String(i % 300).padStart(4, '0')}`;
			p.add(email, phone, i + 1);
		}
		p.flush();
		const seen = new Set<string>();
		for (let i = 0; i < 700; i++) {
			const e = i % 5 === 0 ? '' : oracle(`u${i % 300}@example.com`);
			const ph = i % 4 === 0 ? '' : oracle(`1657777${String(i % 300).padStart(4, '0')}`);
			if (e === '' && ph === '') continue;
			const line = `${e},${ph}`;
			if (seen.has(line)) continue;
			seen.add(line);
			expected.push(line);
		}
		expect(sink.rows).toEqual(expected);
		expect(p.stats).toMatchObject({ rowsIn: 700, rowsSent: expected.length, invalidTotal: 35, duplicates: 700 - 35 - expected.length });
		expect(p.stats.droppedValues).toEqual({ phone_invalid: { count: 140, rows: [5, 9, 13, 17, 25] } });
	});
	test('past the dedupe limit with the real writer: the per-file set follows the file each row goes into, mid-batch', async () => {
		const values = Array.from({ length: 600 }, (_, i) => `v${(i * 7) % 40}@x.com`);
		// Reference, one row at a time: the first 10 distinct values in the whole-list set, then one set per file of 4 rows.
		const whole = new Set<string>();
		let file = new Set<string>();
		const expected: string[] = [];
		for (const v of values) {
			if (whole.size < 10) {
				if (whole.has(v)) continue;
				whole.add(v);
			} else if (whole.has(v) || file.has(v)) continue;
			else file.add(v);
			expected.push(oracle(v));
			if (expected.length % 4 === 0) file = new Set();
		}
		const files: UploadFile[] = [];
		const writer = new UploadFileWriter({ maxRows: 4, maxBytes: 1 << 20, onFile: (f) => files.push(f) });
		const p = new RowPipeline({ calculateType: 'EMAIL_SHA256', phone: { format: 'digits' }, sink: writer, dedupeLimit: 10 });
		values.forEach((v, i) => p.add(v, undefined, i + 1));
		p.flush();
		writer.end();
		const texts = await Promise.all(files.map((f) => f.blob.text()));
		expect(texts.join('')).toBe(`${expected.join('\n')}\n`);
		expect(p.stats).toMatchObject({ rowsIn: 600, rowsSent: expected.length, duplicates: 600 - expected.length, dedupeLimited: true });
		expect(expected.length).toBe(460);
	});
	test('isSha256Hex is anchored', () => {
		const h = oracle('x');
		expect(isSha256Hex(h)).toBe(true);
		expect(isSha256Hex(`${h}0`)).toBe(false);
		expect(isSha256Hex(h.toUpperCase())).toBe(false);
	});
	test('preHashedSha256: 64 hex characters of either case, lowercased; anything else is not pre-hashed', () => {
		const h = oracle('x');
		expect(preHashedSha256(h)).toBe(h);
		expect(preHashedSha256(h.toUpperCase())).toBe(h);
		expect([`${h}0`, h.slice(1), ` ${h.slice(1)}`, `${h.slice(0, 63)}G`, `${h.slice(0, 63)}\u0660`, ''].map(preHashedSha256)).toEqual([undefined, undefined, undefined, undefined, undefined, undefined]);
		expect([h.slice(0, 32), h.slice(0, 32).toUpperCase(), '0'.repeat(40), `${h.slice(0, 40)}x`, h.slice(0, 31)].map(looksHashed)).toEqual([true, true, false, false, false]);
	});
});

describe('DigestSet', () => {
	test('exact on 300,000 distinct digests, each added twice', () => {
		const set = new DigestSet();
		const digests: string[] = [];
		for (let i = 0; i < 300_000; i++) digests.push(createHash('sha256').update(String(i)).digest('hex'));
		expect(digests.every((d) => set.addHex(d))).toBe(true);
		expect(digests.every((d) => !set.addHex(d))).toBe(true);
		expect(set.size).toBe(300_000);
		expect(set.bytes).toBeLessThan(300_000 * 16);
	});
	test('sized for an expected count at once: no growth while the expected values come, still exact', () => {
		const set = new DigestSet(100_000);
		const bytes = set.bytes;
		expect(bytes).toBe(256 * 1024 * 6); // 1,024 slots of 6 bytes per shard: the smallest size at which 100,000 fit under 75 % load
		const digests = Array.from({ length: 100_000 }, (_, i) => createHash('sha256').update(`v${i}`).digest('hex'));
		expect(digests.every((d) => set.addHex(d))).toBe(true);
		expect(set.bytes).toBe(bytes);
		expect(digests.every((d) => !set.addHex(d))).toBe(true);
		expect(new DigestSet().bytes).toBe(256 * 256 * 6);
	});
	test('hexWord reads 8 hex characters as an unsigned 32-bit number', () => {
		expect(hexWord('ffffffff00000001', 0)).toBe(0xffffffff);
		expect(hexWord('ffffffff00000001', 8)).toBe(1);
	});
});

describe('CsvReader (streaming)', () => {
	function read(text: string | Buffer, chunk: number, columns = ['email', 'phone']) {
		const rows: Array<[Array<string | undefined>, number]> = [];
		const reader = new CsvReader({
			columns: (header) => columns.map((c) => header.indexOf(c)),
			// The reader reuses the values array for the next row: copied here.
			onRow: (values, n) => rows.push([[...values], n]),
		});
		const buf = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
		for (let i = 0; i < buf.length; i += chunk) reader.push(buf.subarray(i, i + chunk));
		reader.end();
		return rows;
	}
	const csv = '\ufeffid,email,"phone"\r\n1,a@x.com,+1 555\r\n\r\n2,"b,c@x.com","+44 ""7"""\n3,"multi\nline@x.com",\n4,josé@x.com\n';
	test.each([1, 2, 3, 7, 64, 1 << 20])('same rows whatever the chunk size (%i bytes)', (chunk) => {
		expect(read(csv, chunk)).toEqual([
			[['a@x.com', '+1 555'], 1],
			[['b,c@x.com', '+44 "7"'], 2],
			[['multi\nline@x.com', ''], 3],
			[['josé@x.com', undefined], 4],
		]);
	});
	test('semicolon and tab delimiters are detected from the header', () => {
		expect(read('email;phone\na@x.com;123\n', 5)).toEqual([[['a@x.com', '123'], 1]]);
		expect(read('email\tphone\na@x.com\t123', 4)).toEqual([[['a@x.com', '123'], 1]]);
	});
	test('a line longer than the record limit is refused, whether or not it has quotes, before the next row', () => {
		const huge = `${'a'.repeat(2 * 1024 * 1024)}@example.com`;
		for (const chunk of [64 * 1024, 1 << 22]) {
			const rows: number[] = [];
			const reader = new CsvReader({ columns: () => [0], onRow: (_, n) => rows.push(n) });
			const push = (text: string) => {
				const buf = Buffer.from(text);
				for (let i = 0; i < buf.length; i += chunk) reader.push(buf.subarray(i, i + chunk));
			};
			expect(() => push(`email\nann@example.com\n${huge}\nbob@example.com\n`)).toThrow('line 3 is longer than 1048576 characters: is this a CSV file?');
			expect(rows).toEqual([1]);
		}
		const small = (text: string) => {
			const reader = new CsvReader({ columns: () => [0], onRow: () => undefined, maxRecordChars: 10 });
			reader.push(Buffer.from(text));
			reader.end();
		};
		expect(() => small('email\n0123456789\n')).not.toThrow();
		expect(() => small('email\n0123456789\r\n')).not.toThrow();
		expect(() => small('email\n01234567890\n')).toThrow('line 2 is longer than 10 characters');
		expect(() => small('email\n"0123456789"\n')).toThrow('line 2 is longer than 10 characters');
		expect(() => small('email\n"01234\n56789"\n')).toThrow('the record that starts on line 2 is longer than 10 characters');
		// No newline at all: refused once the carried bytes alone prove the line too long, not at the end.
		const reader = new CsvReader({ columns: () => [0], onRow: () => undefined, maxRecordChars: 10 });
		reader.push(Buffer.from('email\n'));
		expect(() => reader.push(Buffer.from('x'.repeat(31)))).toThrow('line 2 is longer than 10 characters');
	});
	test('the values array is reused from row to row; only the wanted columns are read', () => {
		const seen: Array<Array<string | undefined>> = [];
		const reader = new CsvReader({ columns: (h) => [h.indexOf('b'), h.indexOf('zz')], onRow: (values) => seen.push(values) });
		reader.push(Buffer.from('a,b,c\n1,2,3\n4\n"5",6\n'));
		reader.end();
		expect(seen.length).toBe(3);
		expect(seen[0]).toBe(seen[2]);
		expect(seen[0]).toEqual(['6', undefined]);
	});
	test('an unclosed quote is an error naming the line', () => {
		expect(() => read('email\n"a@x.com\n', 100)).toThrow('the quoted field that starts on line 2 is never closed');
	});
	test('splitAll resolves quotes', () => {
		expect(splitAll('"a""b",c,,"d"', ',')).toEqual(['a"b', 'c', '', 'd']);
	});
	test('100,000 rows streamed in 4 KiB chunks: every row, in order', () => {
		const lines = ['email'];
		for (let i = 0; i < 100_000; i++) lines.push(`u${i}@example.com`);
		const rows = read(lines.join('\n'), 4096, ['email']);
		expect(rows.length).toBe(100_000);
		expect(rows[99_999]).toEqual([['u99999@example.com'], 100_000]);
	});
});

describe('UploadFileWriter', () => {
	test('splits at the row limit, MD5 over the exact bytes, header per file', async () => {
		const files: UploadFile[] = [];
		const w = new UploadFileWriter({ maxRows: 2, maxBytes: 1 << 20, header: 'EMAIL_SHA256,PHONE_SHA256', onFile: (f) => files.push(f) });
		for (const row of ['a,b', 'c,', ',d', 'e,f', 'g,h']) w.writeRow(row);
		w.end();
		const texts = await Promise.all(files.map((f) => f.blob.text()));
		expect(texts).toEqual(['EMAIL_SHA256,PHONE_SHA256\na,b\nc,\n', 'EMAIL_SHA256,PHONE_SHA256\n,d\ne,f\n', 'EMAIL_SHA256,PHONE_SHA256\ng,h\n']);
		expect(files.map((f) => [f.index, f.fileName, f.rows, f.bytes, f.md5])).toEqual(
			texts.map((t, i) => [i + 1, `audience-00${i + 1}.csv`, i < 2 ? 2 : 1, t.length, md5Hex(t)]),
		);
	});
	test('splits at the byte limit; large files span many 64 KiB parts', async () => {
		const files: UploadFile[] = [];
		const w = new UploadFileWriter({ maxRows: 1_000_000, maxBytes: 65 * 40_000, onFile: (f) => files.push(f) });
		const hashes: string[] = [];
		for (let i = 0; i < 50_000; i++) hashes.push(oracle(String(i)));
		hashes.forEach((h) => w.writeRow(h));
		w.end();
		expect(files.map((f) => f.rows)).toEqual([40_000, 10_000]);
		const first = Buffer.from(await files[0].blob.arrayBuffer());
		expect(first.length).toBe(65 * 40_000);
		expect(first.toString('latin1')).toBe(`${hashes.slice(0, 40_000).join('\n')}\n`);
		expect(files[0].md5).toBe(md5Hex(first));
	});
});

describe('UploadFileWriter.writeRows', () => {
	async function filesOf(write: (w: UploadFileWriter) => void, maxRows: number, maxBytes: number, header?: string) {
		const files: UploadFile[] = [];
		const w = new UploadFileWriter({ maxRows, maxBytes, header, onFile: (f) => files.push(f) });
		write(w);
		w.end();
		return await Promise.all(files.map(async (f) => ({ rows: f.rows, bytes: f.bytes, md5: f.md5, text: await f.blob.text() })));
	}
	test('the same files as writeRow one by one, whatever the limits and line lengths', async () => {
		let seed = 7;
		const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
		for (let round = 0; round < 30; round++) {
			const count = 1 + Math.floor(random() * 3_000);
			const lines = Array.from({ length: count }, (_, i) => (random() < 0.5 ? oracle(`r${round}-${i}`) : `${oracle(`e${i}`).slice(0, Math.floor(random() * 64))},${oracle(`p${i}`)}`));
			const maxRows = 1 + Math.floor(random() * 1_500);
			const maxBytes = 200 + Math.floor(random() * 150_000);
			const header = random() < 0.3 ? 'EMAIL_SHA256,PHONE_SHA256' : undefined;
			const one = await filesOf((w) => lines.forEach((l) => w.writeRow(l)), maxRows, maxBytes, header);
			const batched = await filesOf(
				(w) => {
					for (let at = 0; at < count; ) {
						const n = Math.min(count - at, 1 + Math.floor(random() * 600));
						w.writeRows(lines.slice(at, at + n).concat(['ignored past count']), n);
						at += n;
					}
				},
				maxRows,
				maxBytes,
				header,
			);
			expect(batched).toEqual(one);
			expect(one.reduce((sum, f) => sum + f.rows, 0)).toBe(count);
		}
	});
	test('an injected MD5 gets every byte, in order', async () => {
		const chunks: Buffer[] = [];
		const files: UploadFile[] = [];
		const w = new UploadFileWriter({
			maxRows: 1_000_000,
			maxBytes: 1 << 30,
			onFile: (f) => files.push(f),
			md5: () => ({ update: (bytes) => chunks.push(Buffer.from(bytes)), hex: () => md5Hex(Buffer.concat(chunks)) }),
		});
		const hashes = Array.from({ length: 3_000 }, (_, i) => oracle(String(i)));
		w.writeRows(hashes, hashes.length);
		w.end();
		const text = `${hashes.join('\n')}\n`;
		expect(Buffer.concat(chunks).toString('latin1')).toBe(text);
		expect(chunks.length).toBe(3); // 195,000 bytes in 64 KiB parts
		expect(files[0].md5).toBe(md5Hex(text));
	});
});

describe('schema mapping', () => {
	test.each([
		['EMAIL_SHA256', 'email', '', undefined],
		['PHONE_SHA256', '', 'phone', undefined],
		['MULTIPLE_TYPES', 'email', 'phone', undefined],
		// Both fields are shown (an existing audience's type comes from TikTok): a single-type list reads only its own.
		['EMAIL_SHA256', 'email', 'phone', undefined],
		['PHONE_SHA256', 'email', 'phone', undefined],
		['EMAIL_SHA256', '', '', 'Calculate Type "Email" needs "Email Field": enter the item field or CSV column that holds the email.'],
		['PHONE_SHA256', '', '', 'Calculate Type "Phone" needs "Phone Field": enter the item field or CSV column that holds the phone.'],
		[
			'MULTIPLE_TYPES',
			'email',
			'',
			'Calculate Type "Multiple Types" needs at least two identifiers mapped: set "Phone Field", or choose Calculate Type "Email" to send one.',
		],
		[
			'MULTIPLE_TYPES',
			'',
			' ',
			'Calculate Type "Multiple Types" needs at least two identifiers mapped: set "Email Field" and "Phone Field", or choose Calculate Type "Phone" to send one.',
		],
	] as const)('%s email=%j phone=%j', (type, email, phone, expected) => {
		expect(mappingProblem(type, { email, phone })).toBe(expected);
	});
	test('a single-type list reads only its own identifier field', () => {
		const mapping = { email: 'e', phone: 'p', change: 'c' };
		expect(mappingFor('EMAIL_SHA256', mapping)).toEqual({ email: 'e', phone: '', change: 'c' });
		expect(mappingFor('PHONE_SHA256', mapping)).toEqual({ email: '', phone: 'p', change: 'c' });
		expect(mappingFor('MULTIPLE_TYPES', mapping)).toEqual(mapping);
	});
	test('columns: exact, then case-insensitive, then CustomerLabs aliases', () => {
		expect(findColumn(['Email', 'email'], 'email')).toBe(1);
		expect(findColumn([' EMAIL '], 'email')).toBe(0);
		expect(findColumn(['id', 'identify_by_email'], 'email', 'identify_by_email')).toBe(1);
		expect(findColumn(['id'], 'email', 'identify_by_email')).toBe(-1);
	});
});

describe('call plan', () => {
	const paths = (n: number) => Array.from({ length: n }, (_, i) => `p${String(i).padStart(15, '0')}`);
	test('≤50 file_paths per call; create then APPEND the rest', () => {
		const plan = planCalls('create', paths(120), 500_000);
		expect(plan.map((c) => [c.kind, c.action, c.filePaths.length])).toEqual([
			['create', undefined, 50],
			['update', 'APPEND', 50],
			['update', 'APPEND', 20],
		]);
		expect(plan.flatMap((c) => c.filePaths)).toEqual(paths(120));
	});
	test('REMOVE is split; REPLACE up to 50 is one call; more is refused', () => {
		expect(planCalls('REMOVE', paths(51), 10).map((c) => c.filePaths.length)).toEqual([50, 1]);
		expect(planCalls('REPLACE', paths(50), 10)).toEqual([{ kind: 'update', action: 'REPLACE', filePaths: paths(50) }]);
		expect(() => planCalls('REPLACE', paths(51), 10)).toThrow(
			'Replace All needs 51 upload files, more than the 50 one TikTok call takes, and a replace is never split across calls (a failure half-way would leave the audience half-replaced). Raise "Max Rows per File" (now 10) so the list fits in 50 files, or use Add.',
		);
	});
});
