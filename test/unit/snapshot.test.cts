// Mirror's snapshot (nodes/shared/sync/snapshot.ts): the file format byte by byte, round trips, every refusal with
// its message, joiners and leavers through the real row pipeline (single type, MULTIPLE_TYPES, duplicates), a seeded
// property test (a stale snapshot never removes someone in the list; reruns converge), and chunk splits everywhere.
import { createHash } from 'node:crypto';

import { RowPipeline, type CalculateType, type RowSink } from '../../nodes/shared/customerFile/pipeline';
import { NORMALIZATION_VERSION } from '../../nodes/shared/identity/normalize';
import {
	MirrorSink,
	readSnapshotInfo,
	SnapshotError,
	SnapshotIndex,
	SnapshotWriter,
	type SnapshotIdentity,
	type SnapshotInput,
} from '../../nodes/shared/sync/snapshot';
import { createRng } from '../emulator/rng.cts';

const h = (value: string) => createHash('sha256').update(value).digest('hex');
const EMAIL: SnapshotIdentity = { advertiserId: '7001', audienceId: '123', calculateType: 'EMAIL_SHA256' };
const MULTI: SnapshotIdentity = { advertiserId: '7001', audienceId: '123', calculateType: 'MULTIPLE_TYPES' };
const START_OVER = 'or pass no snapshot to start over with a first sync.';
const INTACT = `Use an intact copy of the file the last successful sync wrote, ${START_OVER}`;

class Lines implements RowSink {
	rows: string[] = [];
	writeRow(line: string): void {
		this.rows.push(line);
	}
}

/** A snapshot of single-type digests or MULTIPLE_TYPES rows ([email, phone], '' for a missing one). */
function snapshot(identity: SnapshotIdentity, entries: Array<string | [string, string]>, options: { chunkBytes?: number; normalizationVersion?: number } = {}): Buffer {
	const chunks: Buffer[] = [];
	const writer = new SnapshotWriter({ ...identity, ...options, onChunk: (c) => chunks.push(c) });
	for (const e of entries) {
		if (typeof e !== 'string') writer.addRow(e[0], e[1]);
		else writer.addDigest(identity.calculateType === 'PHONE_SHA256' ? 2 : 1, e);
	}
	writer.end(identity.audienceId);
	return Buffer.concat(chunks);
}

function u16(n: number): Buffer {
	const b = Buffer.alloc(2);
	b.writeUInt16BE(n);
	return b;
}
function u64(n: number): Buffer {
	const b = Buffer.alloc(8);
	b.writeBigUInt64BE(BigInt(n));
	return b;
}
/** A file with a valid checksum over `body` (for files the writer would never make). */
function sealed(body: Buffer): Buffer {
	return Buffer.concat([body, createHash('sha256').update(body).digest(), Buffer.from('TTASEND1')]);
}

async function refusal(input: SnapshotInput | (() => SnapshotInput), identity: SnapshotIdentity = EMAIL): Promise<SnapshotError> {
	const open = typeof input === 'function' ? input : () => input;
	const error = await SnapshotIndex.build(open, identity).then(
		() => undefined,
		(e: unknown) => e,
	);
	if (!(error instanceof SnapshotError)) throw new Error(`expected a SnapshotError, got ${String(error)}`);
	return error;
}

describe('format v1, byte by byte', () => {
	const a = h('a@example.com');
	const b = h('b@example.com');
	const file = snapshot(EMAIL, [a, b]);

	test('header, two email entries, trailer: 168 bytes laid out as documented', () => {
		const header = Buffer.concat([Buffer.from('TTASNAP1'), u16(1), u16(NORMALIZATION_VERSION), u16(12), Buffer.from('EMAIL_SHA256'), u16(4), Buffer.from('7001')]);
		const entries = Buffer.concat([Buffer.from([1]), Buffer.from(a, 'hex'), Buffer.from([1]), Buffer.from(b, 'hex')]);
		const trailer = Buffer.concat([Buffer.from([0]), u64(2), u64(0), u64(0), u16(3), Buffer.from('123')]);
		expect(file.equals(sealed(Buffer.concat([header, entries, trailer])))).toBe(true);
		expect(file.length).toBe(168);
		expect(file.subarray(0, 32).toString('hex')).toBe('545441534e415031' + '0001' + '0002' + '000c' + '454d41494c5f534841323536' + '0004' + '37303031');
		expect([file[32], file[65], file.subarray(33, 65).toString('hex'), file.subarray(66, 98).toString('hex')]).toEqual([1, 1, a, b]);
		expect(file.subarray(98, 128).toString('hex')).toBe('00' + '0000000000000002' + '0'.repeat(32) + '0003' + '313233');
		expect(file.subarray(128, 160).equals(createHash('sha256').update(file.subarray(0, 128)).digest())).toBe(true);
		expect(file.subarray(160).toString('latin1')).toBe('TTASEND1');
		expect(NORMALIZATION_VERSION).toBe(2); // 2: phone extensions, tel: and other scripts' digits (issue 14)
	});

	test('no raw identifier anywhere: only digests', () => {
		expect(file.includes(Buffer.from('a@example.com'))).toBe(false);
		expect(file.includes(Buffer.from(a, 'hex'))).toBe(true);
	});

	test('MULTIPLE_TYPES rows: one entry each, 33 bytes for one identifier, 65 for both; counts per type', async () => {
		const e = h('e@example.com');
		const p = h('15551234567');
		const multi = snapshot(MULTI, [[e, p], [e, ''], ['', p]]);
		const headerBytes = 8 + 2 + 2 + 2 + 14 + 2 + 4;
		expect(multi.length).toBe(headerBytes + 65 + 33 + 33 + 1 + 24 + 2 + 3 + 32 + 8);
		expect(multi.subarray(headerBytes, headerBytes + 65).equals(Buffer.concat([Buffer.from([3]), Buffer.from(e, 'hex'), Buffer.from(p, 'hex')]))).toBe(true);
		expect(multi[headerBytes + 65]).toBe(1);
		expect(multi[headerBytes + 98]).toBe(2);
		expect(await readSnapshotInfo(multi, MULTI)).toEqual({
			formatVersion: 1,
			normalizationVersion: 2,
			calculateType: 'MULTIPLE_TYPES',
			advertiserId: '7001',
			audienceId: '123',
			emails: 1,
			phones: 1,
			pairs: 1,
			entries: 3,
			bytes: multi.length,
			checksum: createHash('sha256').update(multi.subarray(0, multi.length - 40)).digest('hex'),
		});
	});

	test('chunks: 4 KiB chunks, handed out or taken, make the same bytes as one', () => {
		const digests = Array.from({ length: 500 }, (_, i) => h(`p${i}@example.com`));
		const whole = snapshot(EMAIL, digests);
		const small: Buffer[] = [];
		const writer = new SnapshotWriter({ ...EMAIL, chunkBytes: 4096, onChunk: (c) => small.push(c) });
		const taker = new SnapshotWriter({ ...EMAIL, chunkBytes: 4096 });
		const taken: Buffer[] = [];
		for (const d of digests) {
			writer.addDigest(1, d);
			taker.addDigest(1, d);
			taken.push(...taker.takeChunks());
		}
		writer.end('123');
		taker.end('123');
		taken.push(...taker.takeChunks());
		expect(whole.length).toBe(32 + 500 * 33 + 70);
		expect(small.length).toBe(5);
		expect(small.map((c) => c.length)).toEqual([4091, 4092, 4092, 4092, 235]);
		expect(Buffer.concat(small).equals(whole)).toBe(true);
		expect(Buffer.concat(taken).equals(whole)).toBe(true);
		expect(writer.bytes).toBe(whole.length);
		expect(writer.entries).toEqual({ emails: 500, phones: 0, pairs: 0 });
	});

	test('the writer refuses what a valid file cannot hold', () => {
		const writer = new SnapshotWriter(EMAIL);
		expect(() => writer.addDigest(2, h('x'))).toThrow('snapshot: entry type does not match the calculate type');
		expect(() => writer.addDigest(1, 'abc')).toThrow('snapshot: a digest must be 64 lowercase hex characters');
		expect(() => writer.addDigest(1, 'z'.repeat(64))).toThrow('snapshot: a digest must be 64 lowercase hex characters');
		writer.end('1');
		expect(() => writer.addDigest(1, h('x'))).toThrow('snapshot: written after end()');
	});
});

describe('round trip', () => {
	test('10,000 digests: every one found, others not; counts and identity read back', async () => {
		const digests = Array.from({ length: 10_000 }, (_, i) => h(`person${i}@example.com`));
		const file = snapshot(EMAIL, digests);
		const index = await SnapshotIndex.build(() => file, EMAIL);
		expect(index.size).toBe(10_000);
		expect(index.info).toMatchObject({ emails: 10_000, phones: 0, pairs: 0, audienceId: '123', advertiserId: '7001', bytes: file.length });
		expect(digests.every((d) => index.has(d, ''))).toBe(true);
		expect(Array.from({ length: 1000 }, (_, i) => h(`other${i}@example.com`)).some((d) => index.has(d, ''))).toBe(false);
		// The same digest as a phone is another entry.
		expect(index.has('', digests[0])).toBe(false);
		expect(index.seen).toBe(0);
		expect(index.markSeen(digests[7], '')).toBe(1);
		expect(index.markSeen(digests[7], '')).toBe(2);
		expect(index.markSeen(h('nobody'), '')).toBe(0);
		expect(index.seen).toBe(1);
		const left = new Lines();
		expect(await index.writeLeavers(file, left)).toBe(9_999);
		expect(left.rows).toEqual(digests.filter((_, i) => i !== 7));
	});

	test('70,000 digests (past 65,536: the full 2^20-bucket table): every one found, leavers exact', async () => {
		const digests = Array.from({ length: 70_000 }, (_, i) => h(`big${i}@example.com`));
		const file = snapshot(EMAIL, digests);
		const index = await SnapshotIndex.build(() => file, EMAIL);
		expect(index.size).toBe(70_000);
		const answers = new Set<number>();
		for (let i = 0; i < 70_000; i += 2) answers.add(index.markSeen(digests[i], ''));
		expect([...answers]).toEqual([1]);
		expect(index.seen).toBe(35_000);
		expect(index.has(h('big70000@example.com'), '')).toBe(false);
		const left = new Lines();
		expect(await index.writeLeavers(file, left)).toBe(35_000);
		expect(left.rows).toEqual(digests.filter((_, i) => i % 2 === 1));
	});

	test('pairs: (a, b) and (b, a) and a alone are three members', async () => {
		const a = h('a');
		const b = h('b');
		const file = snapshot(MULTI, [[a, b]]);
		const index = await SnapshotIndex.build(() => file, MULTI);
		expect([index.has(a, b), index.has(b, a), index.has(a, ''), index.has('', b)]).toEqual([true, false, false, false]);
	});

	test('an empty list makes a valid snapshot of 0 entries', async () => {
		const file = snapshot(EMAIL, []);
		const index = await SnapshotIndex.build(() => file, EMAIL);
		expect(index.size).toBe(0);
		expect(await index.writeLeavers(file, new Lines())).toBe(0);
	});
});

describe('refusals: what is wrong and what to do', () => {
	const good = snapshot(EMAIL, [h('a@example.com'), h('b@example.com')]);

	test('empty file', async () => {
		const e = await refusal(Buffer.alloc(0));
		expect(e.problem).toBe('empty');
		expect(e.message).toBe(`The previous snapshot is empty (0 bytes): it is not a file a sync wrote. Pass the snapshot file the last successful sync wrote, ${START_OVER}`);
	});

	test('not a snapshot: the CSV itself, or a few other bytes', async () => {
		const message = `The previous snapshot is not a snapshot file (it does not start with "TTASNAP1"): pass the snapshot file the last successful sync wrote (its binary output), not the list itself, ${START_OVER}`;
		for (const input of [Buffer.from('email\na@example.com\nb@example.com\n'), Buffer.from('TTA'.concat('X')), Buffer.from('{}')]) {
			const e = await refusal(input);
			expect([e.problem, e.message]).toEqual(['not_snapshot', message]);
		}
	});

	test('another format version', async () => {
		const file = Buffer.from(good);
		file.writeUInt16BE(2, 8);
		const e = await refusal(file);
		expect([e.problem, e.message]).toEqual([
			'format_version',
			`The previous snapshot has format version 2; this node reads version 1. It was written by another version of this node: update the node, ${START_OVER}`,
		]);
	});

	test('truncated anywhere: in the header, in an entry, in the trailer, one byte short', async () => {
		for (const length of [5, 20, 40, 100, 130, good.length - 1]) {
			const e = await refusal(good.subarray(0, length));
			expect([e.problem, e.message]).toEqual([
				'truncated',
				`The previous snapshot is incomplete: it ends after ${length} bytes, before its end marker (it was cut short while being saved or copied). Use the complete file, ${START_OVER}`,
			]);
		}
	});

	test('checksum mismatch: one digest bit flipped, or the checksum itself', async () => {
		const message = `The previous snapshot is corrupt: its checksum does not match its contents (the file was changed or damaged after it was written). ${INTACT}`;
		for (const at of [40, 70, good.length - 20]) {
			const file = Buffer.from(good);
			file[at] ^= 0x10;
			const e = await refusal(file);
			expect([e.problem, e.message]).toEqual(['checksum', message]);
		}
	});

	test('corrupt: an unknown entry type, a phone entry in an email list, counts that disagree, bytes after the end', async () => {
		const header = good.subarray(0, 32);
		const digest = Buffer.from(h('x'), 'hex');
		const trailer = (n: number) => Buffer.concat([Buffer.from([0]), u64(n), u64(0), u64(0), u16(3), Buffer.from('123')]);
		const cases: Array<[Buffer, string]> = [
			[sealed(Buffer.concat([header, Buffer.from([7]), digest, trailer(1)])), 'an entry starts with byte 7, which is no entry type'],
			[
				sealed(Buffer.concat([header, Buffer.from([2]), digest, trailer(0)])),
				'it holds an entry of type 2 (phone), which a list of Calculate Type "Email" (EMAIL_SHA256) never has',
			],
			[sealed(Buffer.concat([header, Buffer.from([1]), digest, trailer(3)])), 'its trailer counts 3 entries, it holds 1'],
			[Buffer.concat([good, Buffer.from([0])]), 'it has bytes after its end'],
			[sealed(Buffer.concat([good.subarray(0, 26), u16(5000)])), 'a text field is 5000 bytes long, more than 1024'],
		];
		for (const [file, detail] of cases) {
			const e = await refusal(file);
			expect([e.problem, e.message]).toEqual(['corrupt', `The previous snapshot is corrupt: ${detail}. ${INTACT}`]);
		}
	});

	test('another advertiser or audience', async () => {
		const other = await refusal(snapshot({ ...EMAIL, advertiserId: '7002' }, [h('a')]));
		expect([other.problem, other.message]).toEqual([
			'other_advertiser',
			`The previous snapshot belongs to advertiser 7002, not 7001. Each audience needs its own snapshot file: pass the one this audience's last successful sync wrote, ${START_OVER}`,
		]);
		const audience = await refusal(snapshot({ ...EMAIL, audienceId: '999' }, [h('a')]));
		expect([audience.problem, audience.message]).toEqual([
			'other_audience',
			`The previous snapshot belongs to audience 999, not 123. Each audience needs its own snapshot file: pass the one this audience's last successful sync wrote, ${START_OVER}`,
		]);
	});

	test('another calculate type', async () => {
		const e = await refusal(snapshot({ ...EMAIL, calculateType: 'PHONE_SHA256' }, [h('15551234567')]));
		expect([e.problem, e.message]).toEqual([
			'other_calculate_type',
			`The previous snapshot is of a list with Calculate Type "Phone" (PHONE_SHA256); this list is "Email" (EMAIL_SHA256). A snapshot only fits lists of its own type: pass this list's snapshot, ${START_OVER}`,
		]);
	});

	test('another normalization version', async () => {
		const e = await refusal(snapshot(EMAIL, [h('a')], { normalizationVersion: 0 }));
		expect([e.problem, e.message]).toEqual([
			'other_normalization',
			'The previous snapshot was written with normalization rules version 0; this node normalizes emails and phones with version 2, so the same person could hash differently and be removed and added again. Pass no snapshot to start over with a first sync, which writes a new one.',
		]);
	});

	test('a file that changes between passes is refused, never read as other people', async () => {
		const message = 'The previous snapshot changed while this sync was reading it (another run may have been writing it). Run the sync again, and let one run at a time write the snapshot.';
		// Between pass 1 and pass 2: the same identity, other members.
		let opened = 0;
		const e = await refusal(() => (opened++ === 0 ? good : snapshot(EMAIL, [h('c@example.com'), h('d@example.com')])));
		expect([e.problem, e.message, opened]).toEqual(['changed', message, 2]);
		// The same people in another order: the same buckets filled, another file (its checksum differs).
		opened = 0;
		const reordered = await refusal(() => (opened++ === 0 ? good : snapshot(EMAIL, [h('b@example.com'), h('a@example.com')])));
		expect([reordered.problem, opened]).toEqual(['changed', 2]);
		// Between pass 2 and the leavers' pass: no leaver comes out before the refusal.
		const index = await SnapshotIndex.build(() => good, EMAIL);
		const left = new Lines();
		const late = await index.writeLeavers(snapshot(EMAIL, [h('c@example.com'), h('d@example.com')]), left).then(
			() => undefined,
			(x: unknown) => x as SnapshotError,
		);
		expect([late?.problem, late?.message, left.rows]).toEqual(['changed', message, []]);
	});

	test('a change the later passes cannot see (the trailer kept) still never removes someone in the list', async () => {
		// Passes 2 and 3 read a copy with a bit flipped inside the first entry's key bits (digest byte 7).
		const damaged = Buffer.from(good);
		damaged[33 + 7] ^= 0x04;
		let opened = 0;
		const index = await SnapshotIndex.build(() => (opened++ === 0 ? good : damaged), EMAIL);
		const sink = new MirrorSink({ calculateType: 'EMAIL_SHA256', writer: new SnapshotWriter(EMAIL), index, inner: new Lines() });
		sink.writeRows([h('a@example.com'), h('b@example.com')], 2);
		const removes = new Lines();
		expect(await index.writeLeavers(damaged, removes)).toBe(1);
		// a@ is in the list: it is sent again (a joiner), and only the damaged digest, nobody's, is removed.
		const nobody = damaged.subarray(33, 65).toString('hex');
		expect([sink.joined, sink.kept, removes.rows]).toEqual([1, 1, [nobody]]);
		expect(nobody).not.toBe(h('a@example.com'));
	});
});

/** A Mirror sync through the real pipeline: previous snapshot + current rows → joiners, leavers, new snapshot. */
async function mirror(
	calculateType: CalculateType,
	previous: Buffer | undefined,
	rows: Array<[string | undefined, string | undefined]>,
	options: { dedupe?: boolean; dedupeLimit?: number; appends?: Lines } = {},
) {
	const identity: SnapshotIdentity = { advertiserId: '7001', audienceId: '123', calculateType };
	const chunks: Buffer[] = [];
	const writer = new SnapshotWriter({ ...identity, onChunk: (c) => chunks.push(c) });
	const index = previous ? await SnapshotIndex.build(() => previous, identity) : undefined;
	const appends = options.appends ?? new Lines();
	const sink = new MirrorSink({ calculateType, writer, index, inner: appends });
	// As Mirror runs it: the pipeline does not deduplicate, MirrorSink does (`dedupe: true` tests both together).
	const pipeline = new RowPipeline({
		calculateType,
		phone: { format: 'digits', defaultCountryCode: '1' },
		sink,
		dedupe: options.dedupe ?? false,
		dedupeLimit: options.dedupeLimit,
	});
	rows.forEach(([email, phone], i) => pipeline.add(email, phone, i + 1));
	pipeline.flush();
	const removes = new Lines();
	const left = index && previous ? await index.writeLeavers(previous, removes) : 0;
	writer.end('123');
	return { appends: appends.rows, removes: removes.rows, left, sink, stats: pipeline.stats, next: Buffer.concat(chunks) };
}

async function members(file: Buffer, identity: SnapshotIdentity): Promise<string[]> {
	const index = await SnapshotIndex.build(() => file, identity);
	const out: string[] = [];
	for await (const l of index.leavers(file)) out.push(identity.calculateType === 'MULTIPLE_TYPES' ? `${l.email},${l.phone}` : l.email || l.phone);
	return out;
}

describe('joiners and leavers through the row pipeline', () => {
	test('email list: exact APPEND and REMOVE rows, duplicates and invalid rows ignored, the new snapshot is the list', async () => {
		const first = await mirror('EMAIL_SHA256', undefined, [['a@example.com', undefined], ['B@Example.com ', undefined], ['c@example.com', undefined], ['d@example.com', undefined]]);
		expect(first.appends).toEqual([h('a@example.com'), h('b@example.com'), h('c@example.com'), h('d@example.com')]);
		expect([first.sink.joined, first.sink.kept, first.left]).toEqual([4, 0, 0]);
		const second = await mirror('EMAIL_SHA256', first.next, [
			['c@example.com', undefined],
			['e@example.com', undefined],
			['b@example.com', undefined],
			['not an email', undefined],
			['E@example.com', undefined],
			[h('f@example.com').toUpperCase(), undefined],
			['c@example.com', undefined],
		]);
		expect(second.appends).toEqual([h('e@example.com'), h('f@example.com')]);
		expect(second.removes).toEqual([h('a@example.com'), h('d@example.com')]);
		expect([second.sink.joined, second.sink.kept, second.sink.repeated, second.left, second.stats.duplicates, second.stats.invalidTotal]).toEqual([2, 2, 2, 2, 0, 1]);
		// With the pipeline's own dedupe on as well, the same rows and snapshot; the pipeline counts the duplicates.
		const both = await mirror('EMAIL_SHA256', first.next, [['c@example.com', undefined], ['e@example.com', undefined], ['E@example.com', undefined], ['c@example.com', undefined]], { dedupe: true });
		expect([both.appends, both.sink.repeated, both.stats.duplicates]).toEqual([[h('e@example.com')], 0, 2]);
		expect(await members(second.next, EMAIL)).toEqual([h('c@example.com'), h('e@example.com'), h('b@example.com'), h('f@example.com')]);
	});

	test('duplicates: members caught by the index, joiners by MirrorSink, whatever the pipeline lets through', async () => {
		const prev = (await mirror('EMAIL_SHA256', undefined, [['a@example.com', undefined], ['b@example.com', undefined]])).next;
		// The pipeline's own dedupe on with a limit of 1 and one upload file per row: past the first value, it only
		// collapses duplicates within the file being written, so repeats reach the sink.
		const appends = new (class extends Lines {
			get files(): number {
				return this.rows.length;
			}
		})();
		const rows: Array<[string, undefined]> = ['z', 'a', 'c', 'a', 'c', 'z'].map((n) => [`${n}@example.com`, undefined]);
		const run = await mirror('EMAIL_SHA256', prev, rows, { dedupe: true, dedupeLimit: 1, appends });
		expect([run.sink.kept, run.sink.repeated, run.sink.joined, run.stats.duplicates]).toEqual([1, 2, 2, 1]);
		expect(run.appends).toEqual([h('z@example.com'), h('c@example.com')]);
		expect(run.removes).toEqual([h('b@example.com')]);
		expect(await members(run.next, EMAIL)).toEqual([h('z@example.com'), h('a@example.com'), h('c@example.com')]);
		const next = await mirror('EMAIL_SHA256', run.next, [['c@example.com', undefined], ['a@example.com', undefined], ['z@example.com', undefined]]);
		expect([next.appends, next.removes, next.sink.kept, next.sink.repeated]).toEqual([[], [], 3, 0]);
	});

	test('a snapshot holding a member twice: both copies are seen, none leaves', async () => {
		const prev = snapshot(EMAIL, [h('a@example.com'), h('c@example.com'), h('c@example.com'), h('d@example.com')]);
		const run = await mirror('EMAIL_SHA256', prev, [['c@example.com', undefined], ['a@example.com', undefined], ['c@example.com', undefined]]);
		expect([run.appends, run.removes, run.sink.kept, run.sink.repeated]).toEqual([[], [h('d@example.com')], 2, 1]);
		expect(await members(run.next, EMAIL)).toEqual([h('c@example.com'), h('a@example.com')]);
	});

	test('MirrorSink on its own: runs of 600 rows (past its 256-row batches), repeats squeezed out of the new snapshot', async () => {
		const d = (i: number) => h(`m${i}@example.com`);
		const previous = snapshot(EMAIL, Array.from({ length: 400 }, (_, i) => d(i)));
		const index = await SnapshotIndex.build(() => previous, EMAIL);
		const chunks: Buffer[] = [];
		const writer = new SnapshotWriter({ ...EMAIL, chunkBytes: 4096, onChunk: (c) => chunks.push(c) });
		const appends = new Lines();
		const sink = new MirrorSink({ calculateType: 'EMAIL_SHA256', writer, index, inner: appends });
		// Rows 0..299: people 200..499 (200..399 were members, 400..499 join); rows 300..599: members 0..99, then
		// people 200..399 again (repeats, in later batches of 256). Then d(0) again, a joiner after it (its bytes move
		// over the repeat's), and d(0) once more.
		const rows = [...Array.from({ length: 300 }, (_, i) => d(i + 200)), ...Array.from({ length: 300 }, (_, i) => d(i < 100 ? i : i + 100))];
		sink.writeRows(rows, 600);
		sink.writeRows([d(0), d(1000), d(0)], 3);
		const removes = new Lines();
		expect(await index.writeLeavers(previous, removes)).toBe(100);
		writer.end('123');
		expect([sink.kept, sink.repeated, sink.joined]).toEqual([300, 202, 101]);
		expect(appends.rows).toEqual([...Array.from({ length: 100 }, (_, i) => d(i + 400)), d(1000)]);
		expect(removes.rows).toEqual(Array.from({ length: 100 }, (_, i) => d(i + 100)));
		const next = Buffer.concat(chunks);
		expect(await members(next, EMAIL)).toEqual([...Array.from({ length: 300 }, (_, i) => d(i + 200)), ...Array.from({ length: 100 }, (_, i) => d(i)), d(1000)]);
		// The header alone; a 256-row batch needs 8,448 bytes, more than a 4 KiB chunk: it gets a chunk of its own; the
		// rest (144 rows of the second batch, none of the 88 repeats, d(1000), the 70-byte trailer) shares the last.
		expect(chunks.map((c) => c.length)).toEqual([32, 8448, 144 * 33 + 33 + 70]);
	});

	test('MULTIPLE_TYPES: a row is a member; a changed phone is a new row plus the old one removed', async () => {
		const e = (name: string) => h(`${name}@example.com`);
		const p = (digits: string) => h(`1555${digits}`);
		const first = await mirror('MULTIPLE_TYPES', undefined, [
			['a@example.com', '555 0000001'],
			['b@example.com', undefined],
			[undefined, '5550000003'],
			['d@example.com', '5550000004'],
		]);
		expect(first.appends).toEqual([`${e('a')},${p('0000001')}`, `${e('b')},`, `,${p('0000003')}`, `${e('d')},${p('0000004')}`]);
		const second = await mirror('MULTIPLE_TYPES', first.next, [
			['a@example.com', '5550000001'],
			['b@example.com', ''],
			['d@example.com', '5550000044'],
			['e@example.com', 'bad'],
			['A@example.com', '+1 555 000 0001'],
			['b@example.com', '5550000002'],
		]);
		expect(second.appends).toEqual([`${e('d')},${p('0000044')}`, `${e('e')},`, `${e('b')},${p('0000002')}`]);
		expect(second.removes).toEqual([`,${p('0000003')}`, `${e('d')},${p('0000004')}`]);
		expect([second.sink.joined, second.sink.kept, second.left, second.sink.repeated]).toEqual([3, 2, 2, 1]);
		expect(await members(second.next, MULTI)).toEqual([
			`${e('a')},${p('0000001')}`,
			`${e('b')},`,
			`${e('d')},${p('0000044')}`,
			`${e('e')},`,
			`${e('b')},${p('0000002')}`,
		]);
	});

	test('phone list', async () => {
		const PHONE: SnapshotIdentity = { ...EMAIL, calculateType: 'PHONE_SHA256' };
		const first = await mirror('PHONE_SHA256', undefined, [[undefined, '555 000 0001'], [undefined, '5550000002']]);
		const second = await mirror('PHONE_SHA256', first.next, [[undefined, '(555) 000-0002'], [undefined, '5550000003']]);
		expect([second.appends, second.removes]).toEqual([[h('15550000003')], [h('15550000001')]]);
		expect(await members(second.next, PHONE)).toEqual([h('15550000002'), h('15550000003')]);
	});
});

describe('property (seeded): REMOVE only carries snapshot members not in the list; reruns converge', () => {
	/** An audience as the emulator keeps one: a set of rows; APPEND and REMOVE are set operations. */
	const apply = (audience: Set<string>, removes: string[], appends: string[]) => {
		for (const r of removes) audience.delete(r);
		for (const a of appends) audience.add(a);
	};

	test('400 random syncs: stale, partial and drifted snapshots, duplicates, MULTIPLE_TYPES', async () => {
		const rng = createRng('snapshot-property');
		const pick = (n: number) => Math.floor(rng() * n);
		let checked = 0;
		for (let round = 0; round < 400; round++) {
			const multi = round % 2 === 1;
			const calculateType: CalculateType = multi ? 'MULTIPLE_TYPES' : 'EMAIL_SHA256';
			const identity = multi ? MULTI : EMAIL;
			const people = 5 + pick(40);
			const person = (i: number): [string, string | undefined] => [`p${i}@example.com`, multi && i % 3 !== 0 ? `555000${String(i).padStart(4, '0')}` : undefined];
			const key = (i: number) => {
				const [email, phone] = person(i);
				return multi ? `${h(email)},${phone ? h(`1${phone}`) : ''}` : h(email);
			};
			const subset = () => Array.from({ length: people }, (_, i) => i).filter(() => rng() < 0.5);
			// The previous snapshot: any subset (stale or partial relative to the audience), sometimes with repeats.
			const prevMembers = subset();
			const prevRows = prevMembers.flatMap((i) => (rng() < 0.1 ? [i, i] : [i]));
			const previous = snapshot(
				identity,
				prevRows.map((i) => {
					const [email, phone] = person(i);
					return multi ? ([h(email), phone ? h(`1${phone}`) : ''] as [string, string]) : h(email);
				}),
			);
			const current = subset();
			const rows = current.flatMap((i) => (rng() < 0.2 ? [person(i), person(i)] : [person(i)]));
			rows.sort(() => rng() - 0.5);
			const run = await mirror(calculateType, previous, rows, { dedupe: rng() < 0.5, dedupeLimit: rng() < 0.3 ? 2 : undefined });
			const inList = new Set(current.map(key));
			const inSnapshot = new Set(prevMembers.map(key));
			expect(run.removes.filter((r) => inList.has(r))).toEqual([]);
			expect(new Set(run.removes)).toEqual(new Set([...inSnapshot].filter((k) => !inList.has(k))));
			expect(new Set(run.appends)).toEqual(new Set([...inList].filter((k) => !inSnapshot.has(k))));
			expect(new Set(await members(run.next, identity))).toEqual(inList);
			// Whatever the audience held (drift): every joiner is in, every snapshot member outside the list is out, and
			// nobody else is touched.
			const before = new Set(subset().map(key));
			const audience = new Set(before);
			apply(audience, run.removes, run.appends);
			const all = new Set([...before, ...inList, ...inSnapshot]);
			for (const k of all) {
				const want = inList.has(k) && !inSnapshot.has(k) ? true : inSnapshot.has(k) && !inList.has(k) ? false : before.has(k);
				expect([k, audience.has(k)]).toEqual([k, want]);
			}
			// Audience = snapshot, then a failed sync (nothing, only REMOVE, or only APPEND applied), then a rerun from
			// the same snapshot: exactly the list.
			const exact = new Set(inSnapshot);
			const failure = pick(3);
			apply(exact, failure === 1 ? run.removes : [], failure === 2 ? run.appends : []);
			const rerun = await mirror(calculateType, previous, rows);
			apply(exact, rerun.removes, rerun.appends);
			expect(exact).toEqual(inList);
			checked++;
		}
		expect(checked).toBe(400);
	});
});

describe('chunks split anywhere', () => {
	const e = h('e@example.com');
	const p = h('15551234567');
	const file = snapshot(MULTI, [[e, p], [e, ''], ['', p], [h('x@example.com'), h('15550000000')]]);
	const seen = async (input: SnapshotInput) => {
		const index = await SnapshotIndex.build(() => input, MULTI);
		index.markSeen(e, '');
		const left: string[] = [];
		for await (const l of index.leavers(input)) left.push(`${l.type}:${l.email},${l.phone}`);
		return left;
	};

	test('every split into two chunks, and one byte at a time, reads the same', async () => {
		const expected = [`3:${e},${p}`, `2:,${p}`, `3:${h('x@example.com')},${h('15550000000')}`];
		expect(await seen(file)).toEqual(expected);
		for (let at = 1; at < file.length; at++) {
			expect([at, await seen([file.subarray(0, at), file.subarray(at)])]).toEqual([at, expected]);
		}
		const bytes = Array.from(file, (_, i) => file.subarray(i, i + 1));
		expect(await seen(bytes)).toEqual(expected);
		expect(await readSnapshotInfo(bytes, MULTI)).toMatchObject({ entries: 4, pairs: 2, emails: 1, phones: 1, bytes: file.length });
	});

	test('every split into three chunks reads the same', async () => {
		const want = await readSnapshotInfo(file, MULTI);
		let splits = 0;
		for (let i = 1; i < file.length; i += 3) {
			for (let j = i + 1; j < file.length; j += 2) {
				expect(await readSnapshotInfo([file.subarray(0, i), file.subarray(i, j), file.subarray(j)], MULTI)).toEqual(want);
				splits++;
			}
		}
		expect(splits).toBeGreaterThan(2000);
	});

	test('any one byte changed, anywhere, is refused', async () => {
		const problems = new Set<string>();
		for (let at = 0; at < file.length; at++) {
			for (const flip of [0x01, 0x80]) {
				const bad = Buffer.from(file);
				bad[at] ^= flip;
				const error = await readSnapshotInfo([bad.subarray(0, at), bad.subarray(at)], MULTI).then(
					() => undefined,
					(x: unknown) => x,
				);
				expect([at, flip, error instanceof SnapshotError]).toEqual([at, flip, true]);
				problems.add((error as SnapshotError).problem);
			}
		}
		// The audience ID is covered by the checksum, which is checked first: one changed byte there is a checksum error.
		expect([...problems].sort()).toEqual(['checksum', 'corrupt', 'format_version', 'not_snapshot', 'other_advertiser', 'other_calculate_type', 'other_normalization', 'truncated']);
	});
});
