// TikTok Upsert Customer File List in n8n's real engine against the emulator: create → append → remove → replace
// with exact member sets, dry run, upsert by name, the CSV path (CustomerLabs columns, MULTIPLE_TYPES, several
// files), guards on the emulator's clock, mapping errors before any request, privacy, Continue On Fail, registry.
import CryptoJS from 'crypto-js';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { SEED, startEmulator, type EmulatorHandle } from '../emulator/index.cts';
import { byId, dedupStore, linkFact, packageNode, recordInStore, runWorkflow, simulateRestart } from '../support/engine.cts';
import { createdFromItemsSummary } from '../support/listSummary.cts';

const NODE = 'TikTok Upsert Customer File List';
const ADV = SEED.grantedAdvertiserId;
const HOUR = 3_600_000;
const sha = (v: string) => CryptoJS.SHA256(v).toString(CryptoJS.enc.Hex);

let emu: EmulatorHandle;
beforeEach(async () => {
	simulateRestart();
	// The emulator's clock runs in the past, so its history is as old as each test needs (the node uses real time).
	emu = await startEmulator({ now: Date.now() - 72 * HOUR, processingDelayMs: 1000 });
});
afterEach(async () => {
	await emu.close();
});

const credentials = () => ({
	tikTokBusinessApi: { accessToken: SEED.validToken, environment: 'custom', baseUrl: emu.url, requestsPerSecond: 1000, maxRetries: 3, retryBaseDelayMs: 5 },
});

function node(params: IDataObject = {}) {
	return packageNode(NODE, 'tikTokUpsertCustomerFileList', {
		advertiserId: byId(ADV),
		listMode: 'create',
		listName: 'CRM buyers',
		calculateType: 'EMAIL_SHA256',
		action: 'APPEND',
		inputSource: 'items',
		...params,
	});
}

async function run(params: IDataObject, input: INodeExecutionData[], extra: { mode?: 'manual' | 'trigger'; staticData?: IDataObject; continueOnFail?: boolean } = {}) {
	const n = node(params);
	if (extra.continueOnFail) n.onError = 'continueRegularOutput';
	return await runWorkflow({ nodes: [n], connections: {}, credentials: credentials(), input, mode: extra.mode, staticData: extra.staticData });
}

const emails = (prefix: string, from: number, to: number) => Array.from({ length: to - from }, (_, i) => `${prefix}${from + i}@example.com`);
const items = (values: Array<IDataObject>) => values.map((json) => ({ json }));
const emailItems = (list: string[]) => items(list.map((email) => ({ email })));
const membersOf = (id: string) => [...(emu.state.audiences.get(id)?.members ?? [])].sort();
const hashed = (list: string[]) => list.map(sha).sort();
const paths = () => emu.state.requestLog.map((l) => l.path.replace('/open_api/v1.3/', ''));
const setClock = (hoursAgo: number) => emu.clock.set(Date.now() - hoursAgo * HOUR);

test('create → append → remove → replace: exact member sets after each step; rerun by name reuses the audience', async () => {
	const A = emails('a', 0, 1500);
	const B = emails('b', 0, 300);
	const C = A.slice(0, 200);
	const D = [...emails('d', 0, 1100), ...A.slice(1000, 1100)];

	setClock(70);
	const created = await run({}, emailItems(A.map((e, i) => (i % 10 === 0 ? `  ${e.toUpperCase()} ` : e))));
	expect(created.error()).toBeUndefined();
	const [summary] = created.output(NODE);
	const id = summary.audienceId as string;
	expect(membersOf(id)).toEqual(hashed(A));
	expect(summary).toEqual(
		createdFromItemsSummary({
			audienceId: id,
			audienceName: 'CRM buyers',
			advertiserId: ADV,
			rows: 1500,
			requestIds: emu.state.requestLog.filter((l) => /file\/upload|create|get/.test(l.path)).map((l) => l.request_id),
		}),
	);
	expect(paths()).toEqual(['dmp/custom_audience/list/', 'dmp/custom_audience/file/upload/', 'dmp/custom_audience/create/', 'dmp/custom_audience/get/']);

	setClock(60);
	const appended = await run({ action: 'APPEND' }, emailItems([...B, ...B.slice(0, 10)]));
	expect(appended.error()).toBeUndefined();
	expect(appended.output(NODE)[0]).toMatchObject({ audienceId: id, action: 'APPEND', created: false, rowsIn: 310, rowsSent: 300, duplicates: 10, audienceSize: 1050 });
	expect(membersOf(id)).toEqual(hashed([...A, ...B]));
	expect(emu.state.audiences.size).toBe(1);

	setClock(50);
	const removed = await run({ action: 'REMOVE' }, emailItems(C));
	expect(removed.error()).toBeUndefined();
	expect(removed.output(NODE)[0]).toMatchObject({ action: 'REMOVE', rowsSent: 200, audienceSize: 1260 });
	expect(membersOf(id)).toEqual(hashed([...A.slice(200), ...B]));

	setClock(40);
	const replaced = await run({ listMode: 'existing', audience: byId(id), action: 'REPLACE' }, emailItems(D));
	expect(replaced.error()).toBeUndefined();
	// While TikTok recalculates, cover_num still shows the size before the update (emulator: 1,600 × 0.7).
	expect(replaced.output(NODE)[0]).toMatchObject({ action: 'REPLACE', rowsSent: 1200, audienceSize: 1120, audienceValid: false });
	expect(membersOf(id)).toEqual(hashed(D));

	const updates = emu.state.requestLog.filter((l) => l.path.endsWith('update/')).length;
	expect(updates).toBe(3);
	expect(emu.state.audiences.get(id)?.history.map((h) => h.action)).toEqual(['create', 'append', 'remove', 'replace']);
});

test('dry run: validates, counts and reports, sends nothing but reads', async () => {
	setClock(70);
	const input = emailItems(['a@example.com', 'bad', '', sha('pre@example.com'), 'A@example.com ']);
	const r = await run({ options: { dryRun: true } }, input);
	expect(r.error()).toBeUndefined();
	expect(r.output(NODE)).toEqual([
		{
			audienceId: null,
			audienceName: 'CRM buyers',
			advertiserId: ADV,
			calculateType: 'EMAIL_SHA256',
			action: 'CREATE',
			created: false,
			dryRun: true,
			skipped: false,
			source: 'items',
			rowsIn: 5,
			rowsSent: 2,
			invalidTotal: 2,
			invalid: { email_invalid: { count: 1, rows: [2] }, empty: { count: 1, rows: [3] } },
			droppedValues: {},
			duplicates: 1,
			preHashed: 1,
			filesUploaded: 0,
			requestIds: [],
			audienceSize: null,
			audienceValid: null,
			wouldRefuse: [],
		},
	]);
	expect(paths()).toEqual(['dmp/custom_audience/list/']);
	expect(emu.state.audiences.size).toBe(0);
	expect(emu.state.files.size).toBe(0);
});

test('several audiences with the name: an error naming their IDs, nothing created', async () => {
	setClock(70);
	await run({}, emailItems(emails('a', 0, 1000)));
	const [first] = [...emu.state.audiences.values()];
	emu.state.audiences.set('6900000000000000099', { ...first, audienceId: '6900000000000000099', members: new Set(first.members), history: [] });
	const r = await run({}, emailItems(emails('b', 0, 10)));
	expect(r.error()?.message).toBe(
		`2 audiences are named "CRM buyers" (IDs 6900000000000000099, ${first.audienceId}). TikTok allows duplicate names and this node never creates another: choose one with List to Sync "Existing Audience", or rename or delete the others in TikTok Ads Manager.`,
	);
	expect(emu.state.audiences.size).toBe(2);
	expect(paths().filter((p) => p.includes('upload') || p.includes('create/'))).toEqual(['dmp/custom_audience/file/upload/', 'dmp/custom_audience/create/']);
});

function csvItem(text: string, fileName = 'customerlabs-export.csv'): INodeExecutionData[] {
	return [{ json: {}, binary: { data: { data: Buffer.from(text, 'utf8').toString('base64'), mimeType: 'text/csv', fileName } } }];
}

test('CSV (CustomerLabs columns), MULTIPLE_TYPES, split into several files: exact member pairs, same as the items path', async () => {
	setClock(70);
	const people = Array.from({ length: 1200 }, (_, i) => ({ email: `p${i}@example.com`, phone: `+1 555 01${String(i).padStart(5, '0')}` }));
	const lines = ['user_id,identify_by_email,identify_by_phone', ...people.map((p, i) => `${i},${i % 7 === 0 ? `"${p.email.toUpperCase()}"` : p.email},${p.phone}`), '9999,,', '10000,not-mail,12'];
	const r = await run({ calculateType: 'MULTIPLE_TYPES', inputSource: 'binary', binaryPropertyName: 'data', options: { maxRowsPerFile: 500 } }, csvItem(lines.join('\r\n')));
	expect(r.error()).toBeUndefined();
	const [out] = r.output(NODE);
	expect(out).toMatchObject({
		action: 'CREATE',
		source: 'binary',
		rowsIn: 1202,
		rowsSent: 1200,
		invalidTotal: 2,
		invalid: { empty: { count: 1, rows: [1201] }, email_invalid: { count: 1, rows: [1202] } },
		filesUploaded: 3,
	});
	const expected = people.map((p) => `EMAIL_SHA256:${sha(p.email)}|PHONE_SHA256:${sha(`1555${p.phone.slice(-7)}`)}`).sort();
	expect(membersOf(out.audienceId as string)).toEqual(expected);
	expect([...emu.state.files.values()].map((f) => f.rows)).toEqual([500, 500, 200]);

	// The items path with the same people produces the same upload.
	emu.reset();
	setClock(70);
	const viaItems = await run({ calculateType: 'MULTIPLE_TYPES', listName: 'Same list' }, items(people));
	expect(membersOf(viaItems.output(NODE)[0].audienceId as string)).toEqual(expected);
});

test('a REPLACE that needs more than 50 files is refused before anything is applied', async () => {
	setClock(70);
	const first = await run({}, emailItems(emails('a', 0, 1000)));
	const id = first.output(NODE)[0].audienceId as string;
	setClock(60);
	const r = await run({ action: 'REPLACE', options: { maxRowsPerFile: 20 } }, emailItems(emails('r', 0, 1100)));
	expect(r.error()?.message).toBe(
		'Replace All needs 51 upload files, more than the 50 one TikTok call takes, and a replace is never split across calls (a failure half-way would leave the audience half-replaced). Raise "Max Rows per File" (now 20) so the list fits in 50 files, or use Add.',
	);
	expect(paths().filter((p) => p.endsWith('update/'))).toEqual([]);
	expect(membersOf(id)).toEqual(hashed(emails('a', 0, 1000)));
});

describe('guards on the emulator clock (nothing sent when refused)', () => {
	async function seedAudience(hoursAgo: number) {
		setClock(hoursAgo);
		const r = await run({}, emailItems(emails('a', 0, 2000)));
		return r.output(NODE)[0].audienceId as string;
	}
	const updatesSent = () => paths().filter((p) => p.endsWith('update/') || p.endsWith('upload/')).length;

	test('a second REPLACE within 24 h is refused with the next allowed time; after 24 h it goes through', async () => {
		const id = await seedAudience(30);
		setClock(20);
		expect((await run({ action: 'REPLACE' }, emailItems(emails('r', 0, 1500)))).error()).toBeUndefined();
		const replacedAt = emu.clock.now();
		setClock(0);
		const before = updatesSent();
		const refused = await run({ action: 'REPLACE' }, emailItems(emails('s', 0, 1500)));
		const next = new Date(Math.floor(replacedAt / 1000) * 1000 + 24 * HOUR);
		const hh = String(next.getUTCHours()).padStart(2, '0');
		const mm = String(next.getUTCMinutes()).padStart(2, '0');
		expect(refused.error()?.message).toMatch(
			new RegExp(`^Replace All is allowed once per 24 hours per audience .* The next replace is allowed at (\\d{4}-\\d\\d-\\d\\d )?${hh}:${mm} UTC \\(in (3 hours 5\\d minutes|4 hours)\\); use Add or Remove until then\\.$`),
		);
		expect(updatesSent()).toBe(before);
		expect(membersOf(id)).toEqual(hashed(emails('r', 0, 1500)));
		// A replace 25 h ago (on the emulator's clock) no longer blocks one now.
		emu.reset();
		const fresh = await seedAudience(50);
		setClock(25);
		expect((await run({ action: 'REPLACE' }, emailItems(emails('r', 0, 1500)))).error()).toBeUndefined();
		setClock(0);
		const again = await run({ action: 'REPLACE' }, emailItems(emails('t', 0, 1500)));
		expect(again.error()).toBeUndefined();
		expect(again.output(NODE)[0]).toMatchObject({ audienceId: fresh, action: 'REPLACE', rowsSent: 1500 });
		expect(membersOf(fresh)).toEqual(hashed(emails('t', 0, 1500)));
	});

	test('instant-sync cooldown: refused 10 minutes after an API change, with the time it opens; 0 turns it off', async () => {
		const id = await seedAudience(0.17);
		const createdAt = Math.floor(emu.clock.now() / 1000) * 1000;
		const before = updatesSent();
		const refused = await run({ listMode: 'existing', audience: byId(id) }, emailItems(emails('b', 0, 5)), { continueOnFail: true });
		const next = new Date(createdAt + 30 * 60_000);
		const hhmm = `${String(next.getUTCHours()).padStart(2, '0')}:${String(next.getUTCMinutes()).padStart(2, '0')}`;
		expect(refused.output(NODE)).toEqual([
			{
				error: expect.stringMatching(new RegExp(`^Instant sync is available again at ${hhmm} UTC \\(in 2\\d minutes\\): the audience was changed through the API less than 30 minutes ago\\.`)),
				nextAllowedAt: next.toISOString(),
			},
		]);
		expect(updatesSent()).toBe(before);
		const off = await run({ listMode: 'existing', audience: byId(id), options: { cooldownMinutes: 0 } }, emailItems(emails('b', 0, 5)));
		expect(off.error()).toBeUndefined();
		expect(membersOf(id)).toEqual(hashed([...emails('a', 0, 2000), ...emails('b', 0, 5)]));
	});

	test('1,000-member floor: a REMOVE that could leave fewer is refused (cover_num pre-check)', async () => {
		const id = await seedAudience(10);
		setClock(1);
		const before = updatesSent();
		const r = await run({ action: 'REMOVE' }, emailItems(emails('a', 0, 500)));
		expect(r.error()?.message).toBe(
			"Removing 500 rows from an audience of 1,400 matched users could leave 900, under TikTok's 1,000-member floor: TikTok rejects such updates. Nothing was sent. Send more rows, or turn off \"Stop Below 1,000 Members\" to try anyway.",
		);
		expect(paths().filter((p) => p.endsWith('update/')).length).toBe(0);
		expect(updatesSent()).toBe(before + 1); // the file upload; nothing applied
		expect(membersOf(id)).toEqual(hashed(emails('a', 0, 2000)));
	});
});

test('mapping errors stop the run before any request', async () => {
	const r = await run({ calculateType: 'MULTIPLE_TYPES', phoneField: '' }, emailItems(['a@example.com']));
	expect(r.error()?.message).toBe(
		'Calculate Type "Multiple Types" needs at least two identifiers mapped: set "Phone Field", or choose Calculate Type "Email" to send one.',
	);
	expect(emu.state.requestLog).toEqual([]);
});

test('privacy: no raw email or phone in outputs or errors; invalid rows are reported by number only', async () => {
	setClock(70);
	const secret = ['Secret.Person@example.com', 'secret-not-an-email', '+44 7700 900123'];
	const ok = await run({ calculateType: 'MULTIPLE_TYPES' }, items([...emails('a', 0, 1000).map((email) => ({ email, phone: '' })), { email: secret[0], phone: secret[2] }, { email: secret[1], phone: 'x' }]));
	const failed = await run({ listMode: 'existing', audience: byId('6900000000000000777') }, emailItems(secret));
	// What this node produced: its output items and its error (n8n itself keeps the input items in the run data).
	const text = JSON.stringify([ok.output(NODE), ok.error(), failed.output(NODE), failed.error(), failed.run.data.resultData.runData[NODE]?.[0]?.error]);
	expect(text).toContain('does not exist');
	expect(ok.output(NODE)[0]).toMatchObject({ invalid: { email_invalid: { count: 1, rows: [1002] } } });
	expect(failed.error()?.message).toBe(
		'Audience 6900000000000000777 does not exist for advertiser 7100000000000000001 (it may have been deleted). Pick another audience, or use List to Sync "Create New List".',
	);
	expect(text).not.toContain(SEED.validToken);
});

test('no run writes static data; an unlinked or deleted audience, and a deleted list name, are skipped with nothing sent', async () => {
	setClock(70);
	const r = await run({}, emailItems(emails('a', 0, 1000)), { mode: 'trigger' });
	expect(r.staticDataChanged).toBe(false);
	const id = r.output(NODE)[0].audienceId as string;

	await recordInStore(linkFact.unlinked(id));
	setClock(60);
	const skipped = await run({}, emailItems(emails('b', 0, 10)), { mode: 'trigger' });
	expect(skipped.output(NODE)[0]).toMatchObject({
		skipped: true,
		skipReason: `Audience ${id} ("CRM buyers") is unlinked in this workflow (TikTok Unlink/Delete Audience): nothing was sent. Relink it to sync again.`,
	});
	expect(paths().filter((p) => p.endsWith('update/') || p.endsWith('upload/'))).toEqual(['dmp/custom_audience/file/upload/']);

	dedupStore.clear();
	await recordInStore(linkFact.deletedName(ADV, 'Gone list'));
	const byName = await run({ listName: 'Gone list' }, emailItems(emails('c', 0, 1000)), { mode: 'trigger' });
	expect(byName.output(NODE)[0]).toMatchObject({
		skipped: true,
		skipReason: 'The list "Gone list" was deleted in this workflow (TikTok Unlink/Delete Audience): it is not created again and nothing was sent. Use another List Name.',
	});
	expect([...emu.state.audiences.values()].map((a) => a.name)).toEqual(['CRM buyers']);
});

test('an unlink that lands while the files upload: the files are never applied', async () => {
	setClock(70);
	const first = await run({}, emailItems(emails('a', 0, 1000)));
	const id = first.output(NODE)[0].audienceId as string;
	setClock(60);
	const before = paths().length;
	// The sync reads the link store twice: at its start and after its uploads. Another process's Unlink lands in between.
	const record = dedupStore.checkProcessedAndRecord.bind(dedupStore);
	let reads = 0;
	dedupStore.checkProcessedAndRecord = async (items, scope, context, options) => {
		if (++reads === 2) await recordInStore(linkFact.unlinked(id));
		return await record(items, scope, context, options);
	};
	const late = await run({}, emailItems(emails('b', 0, 1000)), { mode: 'trigger' }).finally(() => {
		dedupStore.checkProcessedAndRecord = record;
	});
	expect(paths().slice(before)).toEqual(['dmp/custom_audience/list/', 'dmp/custom_audience/get/', 'dmp/custom_audience/file/upload/']);
	expect(late.output(NODE)[0]).toMatchObject({
		skipped: true,
		filesUploaded: 0,
		skipReason: `Audience ${id} ("CRM buyers") is unlinked in this workflow (TikTok Unlink/Delete Audience): nothing was sent. Relink it to sync again. The files uploaded meanwhile were not applied.`,
	});
	expect(emu.state.audiences.get(id)?.history.map((h) => h.action)).toEqual(['create']);
});

describe('non-idempotent calls under faults', () => {
	test('create applied but not confirmed (reset after handling): found by name, not created twice', async () => {
		setClock(70);
		emu.faults.script({ path: 'dmp/custom_audience/create/', kind: 'reset', afterHandling: true });
		const r = await run({}, emailItems(emails('a', 0, 1000)));
		expect(r.error()).toBeUndefined();
		expect(emu.state.audiences.size).toBe(1);
		const [audience] = [...emu.state.audiences.values()];
		expect(r.output(NODE)[0]).toMatchObject({ audienceId: audience.audienceId, created: true, rowsSent: 1000 });
		expect(paths().filter((p) => p.endsWith('create/') || p.endsWith('list/'))).toEqual([
			'dmp/custom_audience/list/',
			'dmp/custom_audience/create/',
			'dmp/custom_audience/list/',
		]);
	});

	test('REPLACE applied but not confirmed (50002 after handling): history shows it, not sent twice', async () => {
		setClock(70);
		const id = (await run({}, emailItems(emails('a', 0, 1000)))).output(NODE)[0].audienceId as string;
		setClock(60);
		emu.faults.script({ path: 'dmp/custom_audience/update/', kind: '50002', afterHandling: true });
		const r = await run({ action: 'REPLACE' }, emailItems(emails('r', 0, 1200)));
		expect(r.error()).toBeUndefined();
		expect(paths().filter((p) => p.endsWith('update/')).length).toBe(1);
		expect(membersOf(id)).toEqual(hashed(emails('r', 0, 1200)));
	});

	test('upload failing transiently is retried with a fresh multipart body', async () => {
		setClock(70);
		emu.faults.script({ path: 'dmp/custom_audience/file/upload/', kind: 'http503', times: 2 });
		const r = await run({}, emailItems(emails('a', 0, 1000)));
		expect(r.error()).toBeUndefined();
		expect(paths().filter((p) => p.endsWith('upload/')).length).toBe(3);
		expect(membersOf(r.output(NODE)[0].audienceId as string)).toEqual(hashed(emails('a', 0, 1000)));
	});
});

describe('From Each Row (Changes): one APPEND and one REMOVE per run, the later row wins', () => {
	test('entered/exited rows: exact members, counts, one update of each kind; unknown values rejected per row', async () => {
		setClock(70);
		const base = emails('a', 0, 2000);
		const created = await run({}, emailItems(base));
		const id = created.output(NODE)[0].audienceId as string;
		setClock(60);
		const before = emu.state.requestLog.length;
		const rows = items([
			...emails('n', 0, 5).map((email) => ({ email, event: 'segment_entered', change: 'entered' })),
			{ email: base[0], change: 'exited' },
			{ email: base[1], change: 'EXITED ' },
			// The same person exits, then enters again in the same run: the later row wins (stays in).
			{ email: base[2], change: 'exited' },
			{ email: base[2].toUpperCase(), change: 'entered' },
			// Enters, then exits: the later row wins (removed; they were not a member anyway).
			{ email: 'late@example.com', change: 'add' },
			{ email: 'late@example.com', change: 'remove' },
			{ email: base[3], change: 'maybe' },
			{ email: base[4], change: 'exited' },
			{ email: base[4], change: 'exited' },
		]);
		const r = await run({ listMode: 'existing', audience: byId(id), action: 'CHANGES', changeField: 'change' }, rows);
		expect(r.error()).toBeUndefined();
		expect(r.output(NODE)[0]).toMatchObject({
			action: 'CHANGES',
			rowsIn: 14,
			rowsSent: 10,
			appended: 6,
			removed: 4,
			overridden: 2,
			duplicates: 1,
			invalidTotal: 1,
			invalid: { unknown_change: { count: 1, rows: [12] } },
			filesUploaded: 2,
		});
		// base[2] stays (re-entered); late@ ends removed; base[3] untouched (its row was rejected).
		expect(membersOf(id)).toEqual(hashed([...base.filter((e) => ![base[0], base[1], base[4]].includes(e)), ...emails('n', 0, 5)]));
		const calls = emu.state.requestLog.slice(before).map((l) => l.path.replace('/open_api/v1.3/', ''));
		expect(calls).toEqual([
			'dmp/custom_audience/get/',
			'dmp/custom_audience/file/upload/',
			'dmp/custom_audience/file/upload/',
			'dmp/custom_audience/update/',
			'dmp/custom_audience/update/',
			'dmp/custom_audience/get/',
		]);
		expect(emu.state.audiences.get(id)?.history.map((h) => [h.action, h.action_detail])).toEqual([
			['create', '2000'],
			['append', '6'],
			['remove', '4'],
		]);
	});

	test('a CSV of changes with a change column; a new list is created from its additions only', async () => {
		setClock(70);
		const lines = ['email,status', ...emails('c', 0, 1001).map((e) => `${e},joined`), 'gone@example.com,left', `${emails('c', 0, 1)[0]},left`];
		const r = await run({ action: 'CHANGES', inputSource: 'binary', changeField: 'status' }, csvItem(lines.join('\n')));
		expect(r.error()).toBeUndefined();
		const [summary] = r.output(NODE);
		expect(summary).toMatchObject({ action: 'CREATE', created: true, rowsIn: 1003, appended: 1000, removed: 0, overridden: 1, filesUploaded: 1 });
		expect(membersOf(summary.audienceId as string)).toEqual(hashed(emails('c', 1, 1001)));
		const missing = await run({ action: 'CHANGES', inputSource: 'binary', changeField: 'state' }, csvItem(lines.join('\n')));
		expect(missing.error()?.message).toMatch(/^The CSV file cannot be read: The CSV has no column "state" \(Change Field\)\./);
	});
});

describe('instant-sync cooldown: manual runs only; one run is one sync', () => {
	test('a scheduled (trigger) run right after a change goes through; a manual run is refused', async () => {
		setClock(70);
		const created = await run({}, emailItems(emails('a', 0, 1200)));
		const id = created.output(NODE)[0].audienceId as string;
		setClock(0.1); // an API change 6 minutes ago
		await run({ listMode: 'existing', audience: byId(id) }, emailItems(emails('b', 0, 1)), { mode: 'trigger' });
		const scheduled = await run({ listMode: 'existing', audience: byId(id) }, emailItems(emails('b', 0, 5)), { mode: 'trigger' });
		expect(scheduled.error()).toBeUndefined();
		expect(scheduled.output(NODE)[0]).toMatchObject({ action: 'APPEND', rowsSent: 5 });
		const manual = await run({ listMode: 'existing', audience: byId(id) }, emailItems(emails('c', 0, 5)));
		expect(manual.error()?.message).toMatch(/^Instant sync is available again at \d\d:\d\d UTC \(in \d+ minutes\): the audience was changed through the API less than 30 minutes ago\./);
		expect(membersOf(id)).toEqual(hashed([...emails('a', 0, 1200), ...emails('b', 0, 5)]));
	});
});

describe('an existing audience: its calculate type is read from TikTok', () => {
	test('a phone audience synced with the parameter left at Email: hashed as phones, no mismatch possible', async () => {
		setClock(70);
		const phones = Array.from({ length: 1000 }, (_, i) => `+1 415 555 ${String(i).padStart(4, '0')}`);
		const created = await run({ calculateType: 'PHONE_SHA256' }, items(phones.map((phone) => ({ phone }))));
		const id = created.output(NODE)[0].audienceId as string;
		setClock(60);
		const r = await run({ listMode: 'existing', audience: byId(id), calculateType: 'EMAIL_SHA256' }, items([{ phone: '+1 415 555 9999', email: 'x@example.com' }]));
		expect(r.error()).toBeUndefined();
		expect(r.output(NODE)[0]).toMatchObject({ calculateType: 'PHONE_SHA256', rowsSent: 1 });
		expect(membersOf(id)).toEqual([...phones, '+1 415 555 9999'].map((p) => sha(p.replace(/\D/g, ''))).sort());
		const unmapped = await run({ listMode: 'existing', audience: byId(id), phoneField: '' }, items([{ phone: '+1 415 555 9998' }]));
		expect(unmapped.error()?.message).toBe(
			`Audience ${id} ("CRM buyers") holds phone numbers: Calculate Type "Phone" needs "Phone Field": enter the item field or CSV column that holds the phone.`,
		);
	});
});

describe('mapping: a field name (what dragging a field inserts) or an expression giving the value', () => {
	test('{{ $json.contact.mail }} as Email Field: one sync of every item, exact members', async () => {
		setClock(70);
		const list = emails('v', 0, 1000);
		const r = await run({ emailField: '={{ $json.contact.mail }}' }, items(list.map((mail, i) => ({ contact: { mail }, n: i }))));
		expect(r.error()).toBeUndefined();
		expect(r.output(NODE)).toHaveLength(1);
		expect(r.output(NODE)[0]).toMatchObject({ rowsIn: 1000, rowsSent: 1000, created: true });
		expect(membersOf(r.output(NODE)[0].audienceId as string)).toEqual(hashed(list));
		const byName = await run({ action: 'APPEND', emailField: 'contact.mail' }, items([{ contact: { mail: 'dragged@example.com' } }]));
		expect(byName.output(NODE)[0]).toMatchObject({ rowsSent: 1 });
		const csv = await run({ inputSource: 'binary', emailField: '={{ $json.email }}' }, csvItem('email\na@example.com'));
		expect(csv.error()?.message).toBe('With a CSV file, "Email Field" is the name of a column (e.g. email), not an expression.');
	});
});

describe('Replace All waits for the 24-hour window when it opens within the wait', () => {
	test('the previous replace 23 h 59 min 55 s ago: uploads, waits, replaces; refused when the window is further', async () => {
		setClock(50);
		const created = await run({}, emailItems(emails('a', 0, 1200)));
		const id = created.output(NODE)[0].audienceId as string;
		// The previous daily replace: 24 hours minus 5 seconds ago on the emulator's clock.
		emu.clock.set(Date.now() - 24 * HOUR + 5000);
		expect((await run({ listMode: 'existing', audience: byId(id), action: 'REPLACE' }, emailItems(emails('r', 0, 1100)), { mode: 'trigger' })).error()).toBeUndefined();
		const replacedAt = Math.floor((emu.state.audiences.get(id)?.history[1].atMs as number) / 1000) * 1000;
		emu.clock.set(Date.now()); // the clock moves with real time from here (not frozen)
		const started = Date.now();
		const r = await run({ listMode: 'existing', audience: byId(id), action: 'REPLACE' }, emailItems(emails('s', 0, 1100)), { mode: 'trigger' });
		expect(r.error()).toBeUndefined();
		expect(r.output(NODE)[0]).toMatchObject({ action: 'REPLACE', rowsSent: 1100, waitedForWindowUntil: new Date(replacedAt + 24 * HOUR).toISOString() });
		expect(Date.now()).toBeGreaterThanOrEqual(replacedAt + 24 * HOUR);
		expect(Date.now() - started).toBeLessThan(20_000);
		expect(membersOf(id)).toEqual(hashed(emails('s', 0, 1100)));
		const history = emu.state.audiences.get(id)?.history ?? [];
		expect(history.map((h) => h.action)).toEqual(['create', 'replace', 'replace']);
		expect((history[2].atMs as number) - (history[1].atMs as number)).toBeGreaterThanOrEqual(24 * HOUR - 1000);
		// With the window 3 hours away, or the wait set to 0, it is refused before any upload.
		const uploads = paths().filter((p) => p.endsWith('upload/')).length;
		const refused = await run({ listMode: 'existing', audience: byId(id), action: 'REPLACE', options: { replaceWaitMinutes: 0 } }, emailItems(emails('t', 0, 1100)), { mode: 'trigger' });
		expect(refused.error()?.message).toMatch(/^Replace All is allowed once per 24 hours per audience/);
		expect(paths().filter((p) => p.endsWith('upload/')).length).toBe(uploads);
	}, 60_000);
});
