// TikTok Create Website Audience in n8n's real engine against the emulator: exact rule, upsert by name, conflicts,
// recovery from a create TikTok applied but did not confirm, the recipe, and the sync log.
import type { IDataObject } from 'n8n-workflow';

import { startEmulator, type EmulatorHandle } from '../emulator/index.cts';
import { linkFact, recordInStore, runWorkflow, simulateRestart } from '../support/engine.cts';
import { ADV, createNode, emulatorCredentials, inspectAudience, MAIN_PIXEL, requestsTo } from '../support/eventSync.cts';

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

const PURCHASE_30 = {
	inclusion_rule_set: {
		operator: 'OR',
		rules: [
			{
				event_source_ids: [MAIN_PIXEL.pixel_id],
				retention_days: 30,
				filter_set: {
					operator: 'OR',
					filters: [{ field: 'EVENT', operator: 'EQ', value: 'COMPLETE PAYMENT', parameter_filters: [{ field: 'URL', operator: 'CONTAINS', values: ['/checkout', '/thanks'] }] }],
				},
			},
		],
	},
	exclusion_rule_set: {
		operator: 'OR',
		rules: [{ event_source_ids: [MAIN_PIXEL.pixel_id], retention_days: 7, filter_set: { operator: 'OR', filters: [{ field: 'EVENT', operator: 'EQ', value: 'CONTACT' }] } }],
	},
};
const withFilters = {
	filters: { url: [{ operator: 'CONTAINS', values: '/checkout, /thanks' }] },
	exclusion: { rule: { event: 'Contact', lookbackDays: 7 } },
	retentionInDays: 90,
};

test('creates a website audience with the exact rule and outputs pixel, rule and recipe', async () => {
	const r = await run(withFilters);
	expect(r.error()).toBeUndefined();
	const [out] = r.output('TikTok Create Website Audience');
	const id = pixelAudiences()[0].audienceId;
	expect(out).toEqual({
		status: 'created',
		audience_id: id,
		audience_name: 'Buyers (n8n)',
		advertiser_id: ADV,
		pixel_id: '7200000000000000011',
		pixel_code: 'CEMU0PIXEL0MAIN00001',
		pixel_name: 'Main website',
		event: 'Purchase',
		rule_filter_value: 'COMPLETE PAYMENT',
		description: 'People who bought in the last 30 days',
		lookback_days: 30,
		retention_in_days: 90,
		is_auto_refresh: true,
		rule: 'people with "COMPLETE PAYMENT" with URL CONTAINS /checkout | /thanks on pixel 7200000000000000011 in the last 30 days, excluding people with "CONTACT" on pixel 7200000000000000011 in the last 7 days',
		rule_spec: PURCHASE_30,
		recipe: {
			advertiser_id: ADV,
			audience_id: id,
			audience_name: 'Buyers (n8n)',
			event_source: 'web',
			pixel_id: '7200000000000000011',
			pixel_code: 'CEMU0PIXEL0MAIN00001',
			event: 'Purchase',
			event_must_match:
				'people with "COMPLETE PAYMENT" with URL CONTAINS /checkout | /thanks on pixel 7200000000000000011 in the last 30 days, excluding people with "CONTACT" on pixel 7200000000000000011 in the last 7 days',
		},
		request_id: emu.state.requestLog.find((l) => l.path.endsWith('rule/create/'))?.request_id,
	});
	const aud = await inspectAudience(emu, id);
	expect(aud).toMatchObject({ name: 'Buyers (n8n)', kind: 'PIXEL', pixel_ids: ['7200000000000000011'], is_auto_refresh: true, member_count: 0, rule_spec: PURCHASE_30 });
	expect(emu.state.audiences.get(id)?.retentionInDays).toBe(90);
});

test('rerun with the same name and rule returns the existing audience; nothing is created', async () => {
	const first = (await run(withFilters)).output('TikTok Create Website Audience')[0];
	// Same rule written differently: values reordered, case of the separator spaces.
	const again = await run({ ...withFilters, filters: { url: [{ operator: 'CONTAINS', values: '/thanks,/checkout' }] } });
	expect(again.error()).toBeUndefined();
	const out = again.output('TikTok Create Website Audience')[0];
	expect(out.status).toBe('existing');
	expect(out.audience_id).toBe(first.audience_id);
	expect(out.request_id).toBeUndefined();
	expect(pixelAudiences()).toHaveLength(1);
	expect(requestsTo(emu, 'dmp/custom_audience/rule/create/')).toBe(1);
});

test('same name with a different rule is a clear error and creates nothing', async () => {
	await run();
	const conflict = await run({ lookbackDays: 14 });
	expect(conflict.error()?.message).toBe('An audience named "Buyers (n8n)" already exists with a different rule');
	const id = pixelAudiences()[0].audienceId;
	expect(conflict.error()?.description).toBe(
		`Nothing was created. Requested: people with "COMPLETE PAYMENT" on pixel 7200000000000000011 in the last 14 days. Existing audience ${id}: its rule is: people with "COMPLETE PAYMENT" on pixel 7200000000000000011 in the last 30 days. Use another audience name, or change the settings to match the existing audience, or delete it first.`,
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
	expect(out).toMatchObject({ status: 'created', audience_id: pixelAudiences()[0].audienceId, recovered_transient_failures: 1 });
	expect(requestsTo(emu, 'dmp/custom_audience/rule/create/')).toBe(1);
});

test('a transient failure before TikTok created anything: looked up, then created once', async () => {
	emu.faults.script({ path: 'dmp/custom_audience/rule/create/', kind: 'http504', times: 2 });
	const r = await run();
	expect(r.error()).toBeUndefined();
	expect(r.output('TikTok Create Website Audience')[0]).toMatchObject({ status: 'created', recovered_transient_failures: 2 });
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
	expect(out[1]).toMatchObject({ status: 'created', audience_name: 'Fresh 2', lookback_days: 5 });
});

test('no run writes static data; a name this workflow deleted is skipped, not created again', async () => {
	const manual = await run({}, 'manual');
	const prod = await run({}, 'trigger');
	expect([manual.staticDataChanged, prod.staticDataChanged]).toEqual([false, false]);
	expect(prod.output('TikTok Create Website Audience')[0]).toMatchObject({ status: 'existing', audience_name: 'Buyers (n8n)' });
	await recordInStore(linkFact.deletedName(ADV, 'Buyers (n8n)'));
	const before = emu.state.audiences.size;
	const again = await run({}, 'trigger');
	expect(again.output('TikTok Create Website Audience')).toEqual([
		{
			status: 'skipped',
			reason: 'deleted_in_this_workflow',
			audience_name: 'Buyers (n8n)',
			advertiser_id: ADV,
			skip_reason: 'The audience "Buyers (n8n)" was deleted in this workflow (TikTok Unlink/Delete Audience): it is not created again. Use another audience name.',
		},
	]);
	expect(emu.state.audiences.size).toBe(before);
});
