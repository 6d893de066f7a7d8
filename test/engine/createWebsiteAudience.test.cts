// TikTok Create Website Audience in n8n's real engine against the emulator: exact rule, upsert by name, conflicts,
// recovery from a create TikTok applied but did not confirm, the recipe, safe defaults (a custom event from version
// 1.1, version 1's Purchase kept for saved workflows), and settings refused before any request.
import type { IDataObject } from 'n8n-workflow';

import { startEmulator, type EmulatorHandle } from '../emulator/index.cts';
import { linkFact, recordInStore, runWorkflow, simulateRestart } from '../support/engine.cts';
import { ADV, createNode, DEFAULT_EVENT, emulatorCredentials, inspectAudience, MAIN_PIXEL, requestsTo } from '../support/eventSync.cts';

let emu: EmulatorHandle;
beforeEach(async () => {
	simulateRestart();
	emu = await startEmulator();
});
afterEach(async () => {
	await emu.close();
});

const run = (params: IDataObject = {}, mode: 'manual' | 'trigger' = 'manual', staticData?: IDataObject) =>
	runWorkflow({ nodes: [createNode(params)], connections: {}, credentials: emulatorCredentials(emu), mode, staticData });

const pixelAudiences = () => [...emu.state.audiences.values()].filter((a) => a.kind === 'PIXEL');

/** The default custom event, on checkout pages, leaving out people who bought in the last 7 days. */
const SYNC_30 = {
	inclusion_rule_set: {
		operator: 'OR',
		rules: [
			{
				event_source_ids: [MAIN_PIXEL.pixel_id],
				retention_days: 30,
				filter_set: {
					operator: 'OR',
					filters: [{ field: 'EVENT', operator: 'EQ', value: DEFAULT_EVENT, parameter_filters: [{ field: 'URL', operator: 'CONTAINS', values: ['/checkout', '/thanks'] }] }],
				},
			},
		],
	},
	exclusion_rule_set: {
		operator: 'OR',
		rules: [{ event_source_ids: [MAIN_PIXEL.pixel_id], retention_days: 7, filter_set: { operator: 'OR', filters: [{ field: 'EVENT', operator: 'EQ', value: 'COMPLETE PAYMENT' }] } }],
	},
};
const withFilters = {
	filters: { url: [{ operator: 'CONTAINS', values: '/checkout, /thanks' }] },
	exclusion: { rule: { event: 'Purchase', lookbackDays: 7 } },
	options: { retentionInDays: 90 },
};
const RULE_TEXT =
	'people with "AudienceSync" with URL CONTAINS /checkout | /thanks on pixel 7200000000000000011 in the last 30 days, excluding people with "COMPLETE PAYMENT" on pixel 7200000000000000011 in the last 7 days';

test('creates a website audience with the exact rule and outputs pixel, rule and recipe (camelCase keys)', async () => {
	const r = await run(withFilters);
	expect(r.error()).toBeUndefined();
	const [out] = r.output('TikTok Create Website Audience');
	const id = pixelAudiences()[0].audienceId;
	expect(out).toEqual({
		status: 'created',
		audienceId: id,
		audienceName: 'Buyers (n8n)',
		advertiserId: ADV,
		pixelId: '7200000000000000011',
		pixelCode: 'CEMU0PIXEL0MAIN00001',
		pixelName: 'Main website',
		event: DEFAULT_EVENT,
		eventKind: 'custom',
		ruleFilterValue: DEFAULT_EVENT,
		description: 'People who bought in the last 30 days',
		lookbackDays: 30,
		retentionInDays: 90,
		autoRefresh: true,
		rule: RULE_TEXT,
		ruleSpec: SYNC_30,
		recipe: {
			advertiserId: ADV,
			audienceId: id,
			audienceName: 'Buyers (n8n)',
			eventSource: 'web',
			pixelId: '7200000000000000011',
			pixelCode: 'CEMU0PIXEL0MAIN00001',
			event: DEFAULT_EVENT,
			eventMustMatch: RULE_TEXT,
		},
		requestId: emu.state.requestLog.find((l) => l.path.endsWith('rule/create/'))?.request_id,
	});
	const aud = await inspectAudience(emu, id);
	expect(aud).toMatchObject({ name: 'Buyers (n8n)', kind: 'PIXEL', pixel_ids: ['7200000000000000011'], is_auto_refresh: true, member_count: 0, rule_spec: SYNC_30 });
	expect(emu.state.audiences.get(id)?.retentionInDays).toBe(90);
});

test('a new node (version 1.1) defaults to the custom event; a saved version 1 node keeps Purchase and its Retention field', async () => {
	const fresh = await runWorkflow({
		nodes: [createNode({ audienceName: 'Fresh', description: '' })],
		connections: {},
		credentials: emulatorCredentials(emu),
	});
	expect(fresh.output('TikTok Create Website Audience')[0]).toMatchObject({ event: 'AudienceSync', eventKind: 'custom', ruleFilterValue: 'AudienceSync', retentionInDays: null });
	const saved = await runWorkflow({
		nodes: [createNode({ audienceName: 'Saved', description: '', retentionInDays: 45 }, { typeVersion: 1 })],
		connections: {},
		credentials: emulatorCredentials(emu),
	});
	const out = saved.output('TikTok Create Website Audience')[0];
	expect(out).toMatchObject({ event: 'Purchase', eventKind: 'standard', ruleFilterValue: 'COMPLETE PAYMENT', retentionInDays: 45 });
	expect(emu.state.audiences.get(String(out.audienceId))?.retentionInDays).toBe(45);
	expect(pixelAudiences().map((a) => [a.name, (a.ruleSpec as { inclusion_rule_set: { rules: Array<{ filter_set: { filters: Array<{ value: string }> } }> } }).inclusion_rule_set.rules[0].filter_set.filters[0].value])).toEqual([
		['Fresh', 'AudienceSync'],
		['Saved', 'COMPLETE PAYMENT'],
	]);
});

test('an exclusion that leaves nobody is refused; a shorter exclusion window of the same event is kept', async () => {
	const same = await run({ event: 'Purchase', exclusion: { rule: { event: 'Purchase', lookbackDays: 30 } } });
	expect(same.error()?.message).toBe(
		'The exclusion rule excludes everyone the rule adds ("COMPLETE PAYMENT" in the last 30 days covers "COMPLETE PAYMENT" in the last 30 days), so the audience would stay empty. Exclude another event, or a shorter window than 30 days, or remove the exclusion rule.',
	);
	// CompletePayment is Purchase's legacy name: the same rule filter, so the same people.
	const legacy = await run({ event: 'Purchase', exclusion: { rule: { event: 'CompletePayment', lookbackDays: 60 } } });
	expect(legacy.error()?.message).toContain('The exclusion rule excludes everyone the rule adds ("COMPLETE PAYMENT" in the last 60 days covers');
	expect(requestsTo(emu, 'dmp/custom_audience/rule/create/')).toBe(0);
	const lapsed = await run({ audienceName: 'Lapsed buyers', event: 'Purchase', exclusion: { rule: { event: 'Purchase', lookbackDays: 7 } } });
	expect(lapsed.output('TikTok Create Website Audience')[0].rule).toBe(
		'people with "COMPLETE PAYMENT" on pixel 7200000000000000011 in the last 30 days, excluding people with "COMPLETE PAYMENT" on pixel 7200000000000000011 in the last 7 days',
	);
});

test('lookback, retention and an empty custom event name are checked against their ranges before any request', async () => {
	const long = await run({ lookbackDays: 181 });
	expect(long.error()?.message).toBe('Rule: the lookback window must be a whole number of days from 1 to 180');
	const excl = await run({ exclusion: { rule: { event: 'Purchase', lookbackDays: 0 } } });
	expect(excl.error()?.message).toBe('Exclusion rule: the lookback window must be a whole number of days from 1 to 180');
	const retention = await run({ options: { retentionInDays: 366 } });
	expect(retention.error()?.message).toBe('Audience Retention must be 1 to 365 days');
	const unnamed = await run({ event: '__custom', eventCustom: '  ' });
	expect(unnamed.error()?.message).toBe('Enter a custom event name');
	expect(emu.state.requestLog.filter((l) => l.path.includes('/dmp/'))).toEqual([]);
});

test('rerun with the same name and rule returns the existing audience; nothing is created', async () => {
	const first = (await run(withFilters)).output('TikTok Create Website Audience')[0];
	// Same rule written differently: values reordered, case of the separator spaces.
	const again = await run({ ...withFilters, filters: { url: [{ operator: 'CONTAINS', values: '/thanks,/checkout' }] } });
	expect(again.error()).toBeUndefined();
	const out = again.output('TikTok Create Website Audience')[0];
	expect(out.status).toBe('existing');
	expect(out.audienceId).toBe(first.audienceId);
	expect(out.requestId).toBeUndefined();
	expect(pixelAudiences()).toHaveLength(1);
	expect(requestsTo(emu, 'dmp/custom_audience/rule/create/')).toBe(1);
});

test('same name with a different rule is a clear error and creates nothing', async () => {
	await run();
	const conflict = await run({ lookbackDays: 14 });
	expect(conflict.error()?.message).toBe('An audience named "Buyers (n8n)" already exists with a different rule');
	const id = pixelAudiences()[0].audienceId;
	expect(conflict.error()?.description).toBe(
		`Nothing was created. Requested: people with "AudienceSync" on pixel 7200000000000000011 in the last 14 days. Existing audience ${id}: its rule is: people with "AudienceSync" on pixel 7200000000000000011 in the last 30 days. Use another audience name, or change the settings to match the existing audience, or delete it first.`,
	);
	expect(pixelAudiences()).toHaveLength(1);
	// Auto refresh cannot be changed later, so a different setting is a conflict too.
	const refresh = await run({ autoRefresh: false });
	expect(refresh.error()?.description).toContain(`Existing audience ${id}: its auto refresh is on.`);
	expect(pixelAudiences()).toHaveLength(1);
});

test('a create TikTok applied but answered with a transient error is found by name, not repeated', async () => {
	emu.faults.script({ path: 'dmp/custom_audience/rule/create/', kind: '50002', afterHandling: true });
	const r = await run();
	expect(r.error()).toBeUndefined();
	const out = r.output('TikTok Create Website Audience')[0];
	expect(pixelAudiences()).toHaveLength(1);
	expect(out).toMatchObject({ status: 'created', audienceId: pixelAudiences()[0].audienceId, recoveredTransientFailures: 1 });
	expect(requestsTo(emu, 'dmp/custom_audience/rule/create/')).toBe(1);
});

test('a transient failure before TikTok created anything: looked up, then created once', async () => {
	emu.faults.script({ path: 'dmp/custom_audience/rule/create/', kind: 'http504', times: 2 });
	const r = await run();
	expect(r.error()).toBeUndefined();
	expect(r.output('TikTok Create Website Audience')[0]).toMatchObject({ status: 'created', recoveredTransientFailures: 2 });
	expect(pixelAudiences()).toHaveLength(1);
	expect(requestsTo(emu, 'dmp/custom_audience/rule/create/')).toBe(3);
	// One list before the first create and one before each retry.
	expect(requestsTo(emu, 'dmp/custom_audience/list/')).toBe(3);
});

test('a name used by a customer-file audience is a conflict', async () => {
	const id = emu.state.nextAudienceId();
	emu.state.audiences.set(id, {
		audienceId: id,
		advertiserId: ADV,
		name: 'Buyers (n8n)',
		kind: 'CUSTOMER_FILE',
		calculateType: 'EMAIL_SHA256',
		subType: 'NORMAL',
		enhancement: false,
		members: new Set(),
		createdAt: Date.now(),
		modifiedAt: Date.now(),
		readyAt: Date.now(),
		coverBeforeReady: 0,
		history: [],
		isAutoRefresh: false,
	});
	const r = await run();
	expect(r.error()?.description).toContain(`Existing audience ${id}: it is a Customer File Audience, not a website audience.`);
	expect(pixelAudiences()).toHaveLength(0);
});

test('bad settings are refused before any TikTok call', async () => {
	const unknownPixel = await run({ pixel: { __rl: true, mode: 'id', value: '7200000000000000099' } });
	expect(unknownPixel.error()?.message).toBe('Pixel 7200000000000000099 not found in advertiser 7100000000000000001');
	const twoUrl = await run({ filters: { url: [{ operator: 'CONTAINS', values: 'a' }, { operator: 'EQ', values: 'b' }] } });
	expect(twoUrl.error()?.message).toBe('Rule: at most one URL filter is allowed');
	expect(requestsTo(emu, 'dmp/custom_audience/rule/create/')).toBe(0);
});

test('Continue On Fail: the conflicting item reports its error, the other item is created', async () => {
	await run({ audienceName: 'Taken' });
	const r = await runWorkflow({
		nodes: [createNode({ audienceName: '={{ $json.name }}', lookbackDays: '={{ $json.days }}' }, { continueOnFail: true })],
		connections: {},
		credentials: emulatorCredentials(emu),
		input: [{ json: { name: 'Taken', days: 5 } }, { json: { name: 'Fresh 2', days: 5 } }],
	});
	const out = r.output('TikTok Create Website Audience');
	expect(out[0]).toEqual({ error: 'An audience named "Taken" already exists with a different rule' });
	expect(out[1]).toMatchObject({ status: 'created', audienceName: 'Fresh 2', lookbackDays: 5 });
});

test('no run writes static data; a name this workflow deleted is skipped, not created again', async () => {
	const manual = await run({}, 'manual');
	const prod = await run({}, 'trigger');
	expect([manual.staticDataChanged, prod.staticDataChanged]).toEqual([false, false]);
	expect(prod.output('TikTok Create Website Audience')[0]).toMatchObject({ status: 'existing', audienceName: 'Buyers (n8n)' });
	await recordInStore(linkFact.deletedName(ADV, 'Buyers (n8n)'));
	const before = emu.state.audiences.size;
	const again = await run({}, 'trigger');
	expect(again.output('TikTok Create Website Audience')).toEqual([
		{
			status: 'skipped',
			reason: 'deleted_in_this_workflow',
			audienceName: 'Buyers (n8n)',
			advertiserId: ADV,
			message: 'The audience "Buyers (n8n)" was deleted in this workflow (TikTok Unlink/Delete Audience): it is not created again. Use another audience name.',
		},
	]);
	expect(emu.state.audiences.size).toBe(before);
});
