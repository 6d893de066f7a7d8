// The Audience Sync Trigger's and Unlink/Delete's panels in the real n8n editor (headless Chromium, test/e2e/browser.cts),
// against the emulator: what the panels explain, that no label or chosen value is cut off, that n8n offers no
// "Custom API Call" in Unlink/Delete (and explains a stored one), and the trigger's two buttons inside the Instant Sync
// cooldown: Fetch Test Event shows a sample marked `test: true` while nothing runs or is saved; Execute Workflow is
// refused by the sync node with the time it opens. Screenshots: trigger-panel, trigger-fetch-test-event,
// unlink-delete-operations (SCREENSHOT_DIR). The node types without "Custom API Call", on both n8n lines, are checked
// in lifecycle.e2e.test.cts.
import { createHash, randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';

import { SEED } from '../emulator/index.cts';
import { chromiumAvailable, openEditor, openWorkflow, screenshot, type Editor } from './browser.cts';
import { executionError, executionSettled, nodeOutput, nodeType, waitFor, type Execution } from './n8nServer.cts';
import { describeOnFullSuite } from './n8nVersions.cts';
import { startStack, type Stack } from './stack.cts';
import { storedStaticData } from './workflows.cts';

const ADV = SEED.grantedAdvertiserId;
const rl = (mode: string, value: string) => ({ __rl: true, mode, value });
const MINUTE = 60_000;
const skipBrowser = process.env.E2E_SKIP_BROWSER === '1';

let stack: Stack;
let editor: Editor;

beforeAll(async () => {
	stack = await startStack();
	if (!skipBrowser) {
		if (!chromiumAvailable()) throw new Error('Chromium is missing: run scripts/install-chromium.sh (or set E2E_SKIP_BROWSER=1)');
		editor = await openEditor(stack.url, stack.authCookie);
		// The first load of the editor's assets is slow on a busy machine; later navigations are not.
		await editor.page.goto(`${stack.url}/home/workflows`, { waitUntil: 'domcontentloaded', timeout: 180_000 });
	}
}, 600_000);

afterAll(async () => {
	await editor?.close();
	await stack?.stop();
});

/** A customer-file audience created through the emulator's API now (its history: one API change, now). */
async function seedListAudience(name: string): Promise<{ id: string; createdAt: number }> {
	const text = `${Array.from({ length: 1000 }, (_, i) => createHash('sha256').update(`seed${i}@example.com`).digest('hex')).join('\n')}\n`;
	const form = new FormData();
	form.append('advertiser_id', ADV);
	form.append('calculate_type', 'EMAIL_SHA256');
	form.append('file_signature', createHash('md5').update(text).digest('hex'));
	form.append('file', new Blob([text], { type: 'text/csv' }), 'seed.csv');
	const headers = { 'Access-Token': SEED.validToken };
	const upload = (await (await fetch(`${stack.emulator.baseUrl}/dmp/custom_audience/file/upload/`, { method: 'POST', headers, body: form })).json()) as {
		data: { file_path: string };
	};
	const created = (await (
		await fetch(`${stack.emulator.baseUrl}/dmp/custom_audience/create/`, {
			method: 'POST',
			headers: { ...headers, 'Content-Type': 'application/json' },
			body: JSON.stringify({ advertiser_id: ADV, custom_audience_name: name, calculate_type: 'EMAIL_SHA256', file_paths: [upload.data.file_path] }),
		})
	).json()) as { code: number; data: { custom_audience_id: string } };
	if (created.code !== 0) throw new Error(`seed create failed: ${JSON.stringify(created)}`);
	const id = String(created.data.custom_audience_id);
	return { id, createdAt: stack.emulator.state.audiences.get(id)?.history[0].atMs as number };
}

function triggerNode(parameters: Record<string, unknown>) {
	return {
		id: randomUUID(),
		name: 'Sync Trigger',
		type: nodeType('tikTokAudienceSyncTrigger'),
		typeVersion: 1,
		position: [0, 0],
		parameters: { syncKind: 'list', advertiserId: rl('id', ADV), status: 'active', refreshInterval: 1, refreshUnit: 'days', instantSyncCooldown: 30, ...parameters },
	};
}

function lifecycleNode(parameters: Record<string, unknown>) {
	return { id: randomUUID(), name: 'Lifecycle', type: nodeType('tikTokUnlinkDeleteAudience'), typeVersion: 1, position: [300, 0], parameters: { advertiserId: rl('id', ADV), ...parameters } };
}

/** Opens a node's panel from the canvas. */
async function openPanel(page: Page, nodeName: string): Promise<void> {
	await page.dblclick(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`);
	await page.waitForSelector('[data-test-id="ndv"] [data-test-id="node-parameters"]', { timeout: 30_000 });
	await page.waitForTimeout(500);
}

/** What the panel shows: parameter labels, notices, all its text, hints above the output; and what is cut off. */
async function readPanel(page: Page) {
	return page.evaluate(() => {
		const doc = (globalThis as any).document;
		const ndv = doc.querySelector('[data-test-id="ndv"]');
		const text = (el: any) => String(el?.innerText ?? '').trim();
		const params = ndv.querySelector('[data-test-id="node-parameters"]');
		const labels = Array.from(params.querySelectorAll('[data-test-id="input-label"] label'))
			.filter((l: any) => l.offsetParent !== null)
			.map((l: any) => text(l).split('\n')[0]);
		const notices = Array.from(params.querySelectorAll('.notice, [class*="notice"]'))
			.map(text)
			.filter((t: string, i: number, all: string[]) => t && all.indexOf(t) === i);
		const parametersText = text(params);
		const outputHints = Array.from(ndv.querySelectorAll('[data-test-id="run-data-hints"]')).map(text).filter(Boolean);
		// A label, or the value shown in a field or a list (a dropdown's chosen option, a locator's mode), wider than its box.
		const cutOff = Array.from(params.querySelectorAll('[data-test-id="input-label"] label, input'))
			.filter((el: any) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
			.map((el: any) => (el.tagName === 'INPUT' ? el.value : text(el)));
		return { labels, notices, parametersText, outputHints, cutOff };
	});
}

/** The options of a parameter's dropdown, as listed (name and description), and any whose text is cut off. */
async function dropdownOptions(page: Page, parameter: string) {
	await page.click(`[data-test-id="parameter-input-${parameter}"]`);
	await page.waitForSelector('[role="option"]:visible');
	return page.evaluate(() => {
		const doc = (globalThis as any).document;
		const visible = Array.from(doc.querySelectorAll('[role="option"]')).filter((o: any) => o.offsetParent !== null);
		return {
			options: visible.map((o: any) => String(o.innerText).trim().split('\n')),
			cutOff: visible.flatMap((o: any) => Array.from(o.querySelectorAll('*')).filter((el: any) => el.children.length === 0 && el.scrollWidth > el.clientWidth + 1).map((el: any) => String(el.innerText))),
		};
	});
}

/** Waits for the next manual execution of a workflow after `known` executions, settled, with its data. */
async function nextManualExecution(workflowId: string, known: number): Promise<Execution> {
	return waitFor(
		'the manual execution',
		async () => {
			const manual = (await stack.executions(workflowId)).filter((e) => e.mode === 'manual');
			return manual.length > known && executionSettled(manual[0]) ? manual[0] : undefined;
		},
		{ timeoutMs: 90_000, intervalMs: 500 },
	);
}

(skipBrowser ? describe.skip : describeOnFullSuite)('panels in headless Chromium', () => {
	test('Unlink/Delete: the Operation list in words, no "Custom API Call", nothing cut off; the fields stay when switching', async () => {
		const id = await stack.createWorkflow({
			name: 'E2E panels: unlink/delete',
			nodes: [lifecycleNode({ operation: 'unlink', audience: rl('id', '6900000000000000777'), confirmName: 'CRM buyers' })],
			connections: {},
		});
		const { page } = editor;
		await openWorkflow(editor, id, 1);
		await openPanel(page, 'Lifecycle');
		const listed = await dropdownOptions(page, 'operation');
		await page.waitForTimeout(600); // the list fades in
		await screenshot(page, 'unlink-delete-operations');
		expect(listed).toEqual({
			options: [
				['Get Status', 'Size, link state, last sync, next due time and the log'],
				['Unlink', 'Stop refreshing it from this workflow; it stays on TikTok'],
				['Relink', 'Refresh an unlinked audience again'],
				['Delete', 'Remove the audience from TikTok; cannot be undone'],
			],
			cutOff: [],
		});
		// Switching to Delete and back keeps the advertiser and the audience (Confirm Audience Name is asked again).
		await page.locator('[role="option"]:visible', { hasText: 'Delete' }).first().click();
		await page.waitForTimeout(500);
		const panel = await readPanel(page);
		expect(panel.labels).toEqual(['Operation', 'Advertiser', 'Audience', 'Confirm Audience Name']);
		expect(panel.parametersText).toContain('Case and spaces count: copy the name from Get Status or TikTok Ads Manager');
		expect(panel.cutOff).toEqual([]);
		expect(panel.outputHints).toEqual([]);
		expect(await page.locator('[data-test-id="resource-locator-audience"] [data-test-id="rlc-input"]').inputValue()).toBe('6900000000000000777');
	});

	test('Unlink/Delete: a stored "Custom API Call" is explained above the output, and a run says what it is', async () => {
		const id = await stack.createWorkflow({
			name: 'E2E panels: custom API call',
			nodes: [
				{ id: randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
				lifecycleNode({ operation: '__CUSTOM_API_CALL__', audience: rl('id', '6900000000000000777') }),
			],
			connections: { Start: { main: [[{ node: 'Lifecycle', type: 'main', index: 0 }]] } },
		});
		const explained =
			'"Custom API Call" is added by n8n to every node whose credential also works in the HTTP Request node. This node has no custom call: choose Get Status, Unlink, Relink or Delete, or call another TikTok endpoint with an HTTP Request node and the TikTok Business API credential.';
		const { page } = editor;
		await openWorkflow(editor, id, 2);
		await openPanel(page, 'Lifecycle');
		expect((await readPanel(page)).outputHints).toEqual([explained]);
		const run = await stack.runWorkflow(id);
		expect(executionError(run)).toMatchObject({ message: 'Custom API Call is not an operation of this node', description: explained });
	});

	test('Trigger: both schedules explained, Refresh Every hinted, nothing cut off; a warning only when the polls are rarer than the refresh', async () => {
		const id = await stack.createWorkflow({
			name: 'E2E panels: trigger',
			nodes: [
				triggerNode({ audience: rl('name', 'E2E panels: hourly'), pollTimes: { item: [{ mode: 'everyDay', hour: 3, minute: 0 }] }, refreshInterval: 1, refreshUnit: 'hours' }),
				{ ...triggerNode({ audience: rl('name', 'E2E panels: daily') }), id: randomUUID(), name: 'Daily Trigger', position: [0, 300] },
			],
			connections: {},
		});
		const { page } = editor;
		await openWorkflow(editor, id, 2);
		await openPanel(page, 'Sync Trigger');
		const hourly = await readPanel(page);
		await screenshot(page, 'trigger-panel');
		expect(hourly.labels).toEqual([
			'Poll Times',
			'Mode',
			'Hour',
			'Minute',
			'Sync Kind',
			'Advertiser',
			'Audience',
			'Status',
			'Refresh Every',
			'Refresh Unit',
			'Instant Sync Cooldown (Minutes)',
		]);
		expect(hourly.notices).toEqual([
			'Poll Times (above) is how often this trigger checks the audience; Refresh Every is how long after the last sync the next one is due. A due sync starts at the first check after it, so check at least as often as you refresh: every minute (the default) suits any interval. Connect the trigger to Upsert Customer File List or Send Sync Event.',
			'Fetch Test Event and Execute Workflow run this trigger once by hand, the same way: it returns the sync it would start now (reason "instant") and saves nothing. Inside the Instant Sync cooldown the item is a sample marked "test": true, with the time an instant sync is allowed again; the sync node refuses to sync until then.',
		]);
		// Refresh Every's hint, under the field.
		expect(hourly.parametersText).toContain('Refresh Every\nFixed\nExpression\nA due sync starts at the next Poll Time (top of this panel): check at least this often\nRefresh Unit');
		expect(hourly.outputHints).toEqual([
			'Poll Times check less often than Refresh Every: a sync starts at the first check after it is due, so the audience is refreshed less often than set. Add a Poll Time at least as frequent as Refresh Every.',
		]);
		expect(hourly.cutOff).toEqual([]);

		await page.click('[data-test-id="ndv-close-button"]');
		await openPanel(page, 'Daily Trigger');
		const daily = await readPanel(page);
		expect([daily.labels.slice(0, 2), daily.outputHints, daily.cutOff]).toEqual([['Poll Times', 'Mode'], [], []]);
		await page.click('[data-test-id="ndv-close-button"]');
	});

	test('Trigger inside the cooldown: Fetch Test Event shows a sample (test: true) and nothing runs or is saved; Execute Workflow is refused by the Upsert', async () => {
		const name = 'E2E panels: fetch test event';
		const audience = await seedListAudience(name);
		const id = await stack.createWorkflow({
			name: 'E2E panels: trigger buttons',
			nodes: [
				triggerNode({ audience: rl('name', name) }),
				{
					id: randomUUID(),
					name: 'People',
					type: 'n8n-nodes-base.code',
					typeVersion: 2,
					position: [250, 0],
					parameters: { jsCode: 'return Array.from({ length: 1000 }, (_, i) => ({ json: { email: `seed${i}@example.com` } }));' },
				},
				{
					id: randomUUID(),
					name: 'Upsert',
					type: nodeType('tikTokUpsertCustomerFileList'),
					typeVersion: 1,
					position: [500, 0],
					parameters: { advertiserId: rl('id', ADV), listMode: 'create', listName: name, calculateType: 'EMAIL_SHA256', action: 'APPEND', inputSource: 'items', emailField: 'email' },
				},
			],
			connections: {
				'Sync Trigger': { main: [[{ node: 'People', type: 'main', index: 0 }]] },
				People: { main: [[{ node: 'Upsert', type: 'main', index: 0 }]] },
			},
		});
		const opensAt = new Date(Math.floor(audience.createdAt / 1000) * 1000 + 30 * MINUTE).toISOString();
		const history = () => stack.emulator.state.audiences.get(audience.id)?.history.map((h) => h.action);
		const { page } = editor;
		await openWorkflow(editor, id, 3);
		await openPanel(page, 'Sync Trigger');
		await page.click('[data-test-id="ndv"] [data-test-id="node-execute-button"]');
		const fetched = await nextManualExecution(id, 0);
		await page.click('[data-test-id="ndv"] [data-test-id="radio-button-json"]', { timeout: 30_000 });
		await page.waitForTimeout(500);
		await screenshot(page, 'trigger-fetch-test-event');
		expect(fetched.status).toBe('success');
		const [sample] = nodeOutput(fetched, 'Sync Trigger');
		expect(sample).toEqual({
			reason: 'instant',
			test: true,
			advertiserId: ADV,
			audienceId: audience.id,
			audienceName: name,
			kind: 'List Sync',
			lastSyncAt: new Date(Math.floor(audience.createdAt / 1000) * 1000).toISOString(),
			lastSyncSource: 'TikTok history',
			dueAt: sample.triggeredAt,
			nextDueAt: new Date(Math.floor(audience.createdAt / 1000) * 1000 + 24 * 60 * MINUTE).toISOString(),
			instantSyncAvailableAt: opensAt,
			triggeredAt: sample.triggeredAt,
			message: expect.stringMatching(/^A sample, not a sync: Instant sync is available again at \d\d:\d\d UTC \(in (2[5-9]|30) minutes\); the sync node refuses an instant sync until then\.$/),
			warnings: [],
		});
		// Only the trigger ran; nothing was sent and nothing saved.
		expect(Object.keys(fetched.data?.resultData.runData ?? {})).toEqual(['Sync Trigger']);
		expect(history()).toEqual(['create']);
		expect(await storedStaticData(stack.session, id)).toBeNull();
		await page.click('[data-test-id="ndv-close-button"]');

		// Execute Workflow (the canvas button): the trigger hands over the sample, the Upsert refuses with the same time.
		await page.click('[data-test-id="execute-workflow-button"]');
		const executed = await nextManualExecution(id, 1);
		expect(executed.status).toBe('error');
		expect(nodeOutput(executed, 'Sync Trigger').map((e) => [e.test, e.instantSyncAvailableAt])).toEqual([[true, opensAt]]);
		expect(executionError(executed)?.message).toMatch(/^Instant sync is available again at \d\d:\d\d UTC \(in (2[5-9]|30) minutes\)/);
		expect(executed.data?.resultData.lastNodeExecuted).toBe('Upsert');
		expect(history()).toEqual(['create']);
		expect(await storedStaticData(stack.session, id)).toBeNull();
	});

	test('the editor made no request outside 127.0.0.1', () => {
		expect(editor.blocked).toEqual([]);
	});
});
