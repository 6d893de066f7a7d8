// TikTok Upsert Customer File List, action Mirror, in n8n's engine against the emulator: the previous snapshot on the
// node's second input, the new one on the output; exact member sets, exact requests, refusals that send nothing.
import CryptoJS from 'crypto-js';
import type { IBinaryData, IDataObject, INodeExecutionData } from 'n8n-workflow';

import { SEED, startEmulator, type EmulatorHandle } from './../emulator/index.cts';
import { byId, packageNode, runWorkflow, simulateRestart } from '../support/engine.cts';

const NODE = 'Mirror';
const ADV = SEED.grantedAdvertiserId;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const sha = (v: string) => CryptoJS.SHA256(v).toString(CryptoJS.enc.Hex);

let emu: EmulatorHandle;
beforeEach(async () => {
	simulateRestart();
	emu = await startEmulator({ now: Date.now() - 40 * DAY, processingDelayMs: 1000 });
});
afterEach(async () => {
	await emu.close();
});

const credentials = () => ({
	tikTokBusinessApi: { accessToken: SEED.validToken, environment: 'custom', baseUrl: emu.url, requestsPerSecond: 1000, maxRetries: 2, retryBaseDelayMs: 5 },
});

const emails = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}@example.com`);
const membersOf = (id: string) => [...(emu.state.audiences.get(id)?.members ?? [])].sort();
const hashed = (list: string[]) => list.map(sha).sort();
const paths = () => emu.state.requestLog.map((l) => l.path.replace('/open_api/v1.3/', ''));
const daysAgo = (days: number) => emu.clock.set(Date.now() - days * DAY);

async function mirror(list: string[], snapshot: IBinaryData | undefined, params: IDataObject = {}, mode: 'trigger' | 'manual' = 'trigger') {
	const node = packageNode(NODE, 'tikTokUpsertCustomerFileList', {
		advertiserId: byId(ADV),
		listMode: 'create',
		listName: 'Segment',
		calculateType: 'EMAIL_SHA256',
		action: 'MIRROR',
		inputSource: 'items',
		...params,
	});
	const listItems: INodeExecutionData[] = list.map((email) => ({ json: { email } }));
	const snapshotItems: INodeExecutionData[] = snapshot ? [{ json: { fileName: snapshot.fileName }, binary: { snapshot } }] : [];
	const r = await runWorkflow({ nodes: [node], connections: {}, credentials: credentials(), inputs: [listItems, snapshotItems], mode });
	const [item] = r.items(NODE);
	return { r, summary: item?.json, snapshot: item?.binary?.snapshot };
}

const bytesOf = (binary: IBinaryData) => Buffer.from(binary.data, 'base64');

test('days 1–3: a first sync creates the list; then only joiners and leavers are sent; the snapshot holds only hashes', async () => {
	const day1 = emails('p', 0, 1500);
	daysAgo(3);
	const first = await mirror(day1, undefined);
	expect(first.r.error()).toBeUndefined();
	const id = first.summary.audienceId as string;
	expect(first.summary).toMatchObject({ action: 'CREATE', created: true, rowsSent: 1500 });
	expect(first.summary.mirror).toEqual({ firstSync: true, sentAs: 'CREATE', reason: 'new_list', joined: 1500, left: 0, members: 1500, previousMembers: null, snapshotField: 'snapshot' });
	expect(membersOf(id)).toEqual(hashed(day1));
	const snap1 = first.snapshot as IBinaryData;
	expect(snap1.fileName).toBe(`tiktok-audience-${ADV}-new.snapshot`);
	const raw1 = bytesOf(snap1);
	// Header (magic, versions, type, advertiser) + 1,500 × (1 type byte + 32 hash bytes) + trailer with the audience ID.
	expect(raw1.subarray(0, 8).toString('latin1')).toBe('TTASNAP1');
	expect(raw1.length).toBe(14 + 'EMAIL_SHA256'.length + 2 + ADV.length + 1500 * 33 + 1 + 24 + 2 + id.length + 32 + 8);
	expect(raw1.includes(Buffer.from('p0@example.com'))).toBe(false);
	expect(raw1.includes(Buffer.from(sha('p0@example.com'), 'hex'))).toBe(true);

	// Day 2: 30 join, 15 leave.
	const day2 = [...day1.slice(15), ...emails('j', 0, 30)];
	daysAgo(2);
	const before = emu.state.requestLog.length;
	const second = await mirror(day2, snap1);
	expect(second.r.error()).toBeUndefined();
	expect(second.summary).toMatchObject({ audienceId: id, action: 'MIRROR', rowsIn: 1515, rowsSent: 1515, filesUploaded: 2 });
	expect(second.summary.mirror).toEqual({ firstSync: false, sentAs: 'CHANGES', joined: 30, left: 15, members: 1515, previousMembers: 1500, snapshotField: 'snapshot' });
	expect(membersOf(id)).toEqual(hashed(day2));
	expect(emu.state.requestLog.slice(before).map((l) => l.path.replace('/open_api/v1.3/', ''))).toEqual([
		'dmp/custom_audience/list/',
		'dmp/custom_audience/get/',
		'dmp/custom_audience/file/upload/',
		'dmp/custom_audience/file/upload/',
		'dmp/custom_audience/update/',
		'dmp/custom_audience/update/',
		'dmp/custom_audience/get/',
	]);
	expect(emu.state.audiences.get(id)?.history.map((h) => [h.action, h.action_detail])).toEqual([
		['create', '1500'],
		['append', '30'],
		['remove', '15'],
	]);

	// Day 3 with an unchanged segment: nothing to send, the snapshot is carried on.
	daysAgo(1);
	const third = await mirror(day2, second.snapshot);
	expect(third.r.error()).toBeUndefined();
	expect(third.summary.mirror).toMatchObject({ sentAs: 'CHANGES', joined: 0, left: 0, members: 1515 });
	expect(third.summary.filesUploaded).toBe(0);
	expect(emu.state.audiences.get(id)?.history).toHaveLength(3);
	expect(bytesOf(third.snapshot as IBinaryData).length).toBe(bytesOf(second.snapshot as IBinaryData).length);
});

test('a stale snapshot (two days old) never removes anyone in the list; the audience converges to the list', async () => {
	const day1 = emails('p', 0, 2000);
	daysAgo(3);
	const first = await mirror(day1, undefined);
	const id = first.summary.audienceId as string;
	daysAgo(2);
	const day2 = [...day1.slice(100), ...emails('j', 0, 50)];
	await mirror(day2, first.snapshot);
	// Day 3 with day 1's snapshot: the 100 who left on day 2 are removed again (harmless), the day-2 joiners who are
	// still in the list are appended again (harmless), and nobody in the list is removed.
	daysAgo(1);
	const day3 = [...day2.slice(10), ...emails('k', 0, 20)];
	const third = await mirror(day3, first.snapshot);
	expect(third.r.error()).toBeUndefined();
	expect(third.summary.mirror).toMatchObject({ sentAs: 'CHANGES', joined: 70, left: 110, members: 1960 });
	expect(membersOf(id)).toEqual(hashed(day3));
});

test('a failed sync outputs no snapshot; rerunning with the old one converges exactly', async () => {
	daysAgo(3);
	const day1 = emails('p', 0, 2000);
	const first = await mirror(day1, undefined);
	const id = first.summary.audienceId as string;
	daysAgo(2);
	const day2 = [...day1.slice(20), ...emails('j', 0, 40)];
	// The APPEND goes through (slowly), the REMOVE fails every attempt: a partly applied sync.
	emu.faults.script({ path: 'dmp/custom_audience/update/', kind: 'slow', delayMs: 50 });
	emu.faults.script({ path: 'dmp/custom_audience/update/', kind: 'http500', times: 3 });
	const failed = await mirror(day2, first.snapshot);
	expect(failed.r.error()?.message).toMatch(/500/);
	expect(emu.state.audiences.get(id)?.history.map((h) => h.action)).toEqual(['create', 'append']);
	expect(failed.snapshot).toBeUndefined();
	expect(failed.r.items(NODE)).toEqual([]);
	const rerun = await mirror(day2, first.snapshot);
	expect(rerun.r.error()).toBeUndefined();
	expect(rerun.summary.mirror).toMatchObject({ sentAs: 'CHANGES', joined: 40, left: 20 });
	expect(membersOf(id)).toEqual(hashed(day2));
});

test('another audience’s, another type’s or a corrupt snapshot is refused and nothing is sent', async () => {
	daysAgo(3);
	const a = await mirror(emails('a', 0, 1100), undefined, { listName: 'A' });
	const b = await mirror(emails('b', 0, 1100), undefined, { listName: 'B' });
	daysAgo(2);
	const sent = () => paths().filter((p) => p.endsWith('upload/') || p.endsWith('update/')).length;
	const before = sent();
	const other = await mirror(emails('a', 0, 1100), b.snapshot, { listName: 'A' });
	expect(other.r.error()?.message).toMatch(/^The previous snapshot belongs to audience \d+, not \d+\. .+ Nothing was sent\.$/);
	const broken = bytesOf(a.snapshot as IBinaryData);
	broken[200] ^= 0xff;
	const corrupt = await mirror(emails('a', 0, 1100), { ...(a.snapshot as IBinaryData), data: broken.toString('base64') }, { listName: 'A' });
	expect(corrupt.r.error()?.message).toMatch(/^The previous snapshot .*(corrupt|checksum).* Nothing was sent\.$/);
	const truncated = await mirror(emails('a', 0, 1100), { ...(a.snapshot as IBinaryData), data: bytesOf(a.snapshot as IBinaryData).subarray(0, 500).toString('base64') }, { listName: 'A' });
	expect(truncated.r.error()?.message).toMatch(/Nothing was sent\.$/);
	expect(sent()).toBe(before);
	expect(membersOf(a.summary.audienceId as string)).toEqual(hashed(emails('a', 0, 1100)));
});

test('an empty list is refused (it would remove everyone); a first sync of an existing audience replaces, or adds within 24 h of a replace', async () => {
	daysAgo(3);
	const first = await mirror(emails('p', 0, 1200), undefined);
	const id = first.summary.audienceId as string;
	daysAgo(2);
	const empty = await mirror(['not-an-email'], first.snapshot);
	expect(empty.r.error()?.message).toBe('The list has no valid rows (1 rows in), so Mirror would remove everyone. Nothing was sent. Check the input and Email Field / Phone Field.');
	// No snapshot: the whole list as Replace All (the last replace is older than 24 hours), an hour ago.
	emu.clock.set(Date.now() - HOUR);
	const replaced = await mirror(emails('q', 0, 1100), undefined, { listMode: 'existing', audience: byId(id) });
	expect(replaced.summary.mirror).toMatchObject({ firstSync: true, sentAs: 'REPLACE', reason: 'first_sync' });
	expect(membersOf(id)).toEqual(hashed(emails('q', 0, 1100)));
	// Again without a snapshot, now: Replace is not allowed yet, so the whole list is added.
	emu.clock.set(Date.now());
	const added = await mirror(emails('r', 0, 1000), undefined, { listMode: 'existing', audience: byId(id) });
	expect(added.summary.mirror).toMatchObject({ firstSync: true, sentAs: 'APPEND', reason: 'first_sync' });
	expect(membersOf(id)).toEqual(hashed([...emails('q', 0, 1100), ...emails('r', 0, 1000)]));
});

test('drift correction: a Replace All of the whole list when the last whole list is at least N days old', async () => {
	// The node reads real time; the emulator's clock is set in the past, so the create is 6.5 days old.
	daysAgo(6.5);
	const first = await mirror(emails('p', 0, 1200), undefined);
	const id = first.summary.audienceId as string;
	// Someone added a member outside this workflow: only a replace repairs it.
	emu.state.audiences.get(id)?.members.add(sha('stray@example.com'));
	daysAgo(1);
	const diff = await mirror(emails('p', 0, 1200), first.snapshot, { options: { driftCorrectionDays: 7 } });
	expect(diff.summary.mirror).toMatchObject({ sentAs: 'CHANGES', joined: 0, left: 0 });
	expect(membersOf(id)).toEqual([...hashed(emails('p', 0, 1200)), sha('stray@example.com')].sort());
	const corrected = await mirror(emails('p', 0, 1200), diff.snapshot, { options: { driftCorrectionDays: 6 } });
	expect(corrected.summary.mirror).toMatchObject({ sentAs: 'REPLACE', reason: 'drift_correction', firstSync: false, joined: 1200, left: 0, members: 1200 });
	expect(membersOf(id)).toEqual(hashed(emails('p', 0, 1200)));
});
