// A new user's first week in the real n8n 2.41.1 editor (issue 14, "How it is checked"), in headless Chromium: one
// workflow with each of the five nodes, a Manual Trigger and a Code node that outputs three people with an `email`
// field. Each node's panel is opened from the canvas (double-click) and read as the user sees it: the visible
// parameter values, the notices and the hints. The credential's how-to notice is read from its form. In the Upsert
// panel the input panel's "Execute previous nodes" runs the Code node, the `email` field is dragged with the mouse
// from the input schema onto Email Field (n8n inserts the name because the parameter has requiresDataPath), and
// "Execute step" runs the node against the emulator: its output and the audience's members are asserted exactly.
//
// Screenshots: `panel-<node>.png` (and `credential-how-to.png`) in SCREENSHOT_DIR; `npm run screenshots` writes them
// to docs/screenshots/. Defined on the full suite (2.41.1) only, like the other editor checks.
import type { Page } from 'playwright-core';

import { chromiumAvailable, openCredential, openEditor, openWorkflow, screenshot, type Editor } from './browser.cts';
import { nodeType, type WorkflowJson } from './n8nServer.cts';
import { describeOnFullSuite } from './n8nVersions.cts';
import { startStack, type Stack } from './stack.cts';
import { chain, itemsNode, manualTrigger, sha } from './workflows.cts';
import { SEED } from '../emulator/index.cts';

const UPSERT = 'TikTok Upsert Customer File List';
const WEBSITE = 'TikTok Create Website Audience';
const EVENTS = 'TikTok Send Sync Event';
const LIFECYCLE = 'TikTok Unlink/Delete Audience';
const TRIGGER = 'TikTok Audience Sync Trigger';
const LIST_NAME = 'Walkthrough buyers';
const PEOPLE = ['ana@example.com', 'ben@example.com', 'cleo@example.com'];

let stack: Stack;
let editor: Editor;
let workflowId = '';

/** What the user reads in an open node panel (NDV, Parameters tab): values as shown, notices and hints, in order. */
interface Panel {
	/** parameter name → the value shown (an input's value, a dropdown's selected label, or a switch's state) */
	values: Record<string, string>;
	notices: string[];
	/** parameter name → the hint under it */
	hints: Record<string, string>;
}

async function readPanel(page: Page): Promise<Panel> {
	const ndv = page.locator('[data-test-id="ndv"]');
	// (No helper functions declared inside evaluate callbacks: tsx would wrap them in __name().)
	return ndv.evaluate((root: any) => {
		const clean = (s: unknown) => String(s ?? '').replace(/\s+/g, ' ').trim();
		const visible = (el: any) => el.offsetParent !== null;
		const values: Record<string, string> = {};
		const hints: Record<string, string> = {};
		// n8n's parameter wrapper (data-test-id="parameter-input") holds the input (parameter-input-<name>) and the hint
		for (const wrapper of (Array.from(root.querySelectorAll('[data-test-id="parameter-input"]')) as any[]).filter(visible)) {
			const el = wrapper.querySelector('[data-test-id^="parameter-input-"]');
			if (!el) continue;
			const name = String(el.getAttribute('data-test-id')).slice('parameter-input-'.length);
			if (name in values) continue;
			const input = el.querySelector('input, textarea');
			const selected = el.querySelector('.el-select__selected-item:not(.is-hidden), .el-select__placeholder');
			const toggle = el.querySelector('.el-switch');
			values[name] = toggle
				? String(toggle.classList.contains('is-checked'))
				: selected
					? clean(selected.innerText)
					: clean(input ? input.value : el.innerText);
			const hint = (Array.from(wrapper.querySelectorAll('.n8n-text')) as any[]).filter((t) => !el.contains(t)).map((t) => clean(t.innerText)).filter(Boolean);
			if (hint.length > 0) hints[name] = hint.join(' | ');
		}
		return {
			values,
			notices: (Array.from(root.querySelectorAll('.notice')) as any[]).filter(visible).map((n) => clean(n.innerText)),
			hints,
		};
	});
}

/** Opens a node's panel by double-clicking it on the canvas. */
async function openPanel(page: Page, nodeName: string): Promise<void> {
	await page.locator(`[data-test-id="canvas-node"][data-node-name="${nodeName}"]`).dblclick();
	await page.locator('[data-test-id="ndv"]').waitFor({ state: 'visible' });
	await page.locator('[data-test-id="ndv"] [data-test-id^="parameter-input-"]').first().waitFor({ state: 'visible' });
}

async function closePanel(page: Page): Promise<void> {
	await page.keyboard.press('Escape');
	await page.locator('[data-test-id="ndv"]').waitFor({ state: 'hidden' });
}

beforeAll(async () => {
	if (!chromiumAvailable()) throw new Error('Chromium is missing: run scripts/install-chromium.sh');
	stack = await startStack();
	const ours = (name: string, type: string, parameters: Record<string, unknown>, position: [number, number], typeVersion = 1) => ({
		id: name,
		name,
		type: nodeType(type),
		typeVersion,
		position,
		parameters,
	});
	const workflow: WorkflowJson = {
		name: 'E2E: first week walkthrough',
		nodes: [
			{ ...manualTrigger('Start'), position: [0, 200] },
			{ ...itemsNode('People', PEOPLE.map((email, i) => ({ email, name: `Person ${i + 1}` }))), position: [220, 200] },
			// A new list by name; Email Field starts empty so the drop is what fills it.
			ours(UPSERT, 'tikTokUpsertCustomerFileList', { listMode: 'create', listName: LIST_NAME, emailField: '' }, [460, 200]),
			ours(WEBSITE, 'tikTokCreateWebsiteAudience', {}, [460, 420], 1.1),
			ours(EVENTS, 'tikTokSendSyncEvent', {}, [700, 420], 1.1),
			ours(LIFECYCLE, 'tikTokUnlinkDeleteAudience', {}, [940, 420]),
			ours(TRIGGER, 'tikTokAudienceSyncTrigger', {}, [0, 0]),
		],
		connections: chain('Start', 'People', UPSERT),
	};
	workflowId = await stack.createWorkflow(workflow);
	editor = await openEditor(stack.url, stack.authCookie);
	await openWorkflow(editor, workflowId, workflow.nodes.length);
}, 600_000);

afterAll(async () => {
	await editor?.close();
	await stack?.stop();
});

const ADVERTISER_HINT = "Leave empty to use the credential's Default Advertiser ID";
const PIXEL_EVENTS_NOTICE =
	'Event Sync sends real events to your pixel, as your website does. Use a custom event (the default): standard events such as Purchase count as conversions.';
const ONE_EVENT_PER_AUDIENCE_HINT = 'Use one event name per audience: every audience whose rule uses this event on this pixel gets these people';

describeOnFullSuite('first week in the n8n editor (panels, credential, drag a field, run)', () => {
	test('Upsert panel: Create New List shows Calculate Type, Add is the action, the field hints and the 24-48 hours notice', async () => {
		const { page } = editor;
		await openPanel(page, UPSERT);
		await screenshot(page, 'panel-upsert');
		expect(await readPanel(page)).toEqual({
			values: {
				advertiserId: 'From list',
				listMode: 'Create New List',
				listName: LIST_NAME,
				calculateType: 'Email',
				action: 'Add',
				inputSource: 'Items',
				emailField: '',
				phoneField: 'phone',
			},
			notices: ['TikTok matches an uploaded list in 24 to 48 hours, and an audience needs at least 1,000 matched people before ads can use it'],
			hints: {
				advertiserId: ADVERTISER_HINT,
				emailField: 'Drag the email field here from the input (its name is inserted), or write an expression that gives the email for each item',
				phoneField: 'Drag the phone field here from the input, or write an expression that gives the phone number for each item',
			},
		});
		await closePanel(page);
	});

	test('Create Website Audience panel (1.1): the custom event AudienceSync by default and the real pixel events notice', async () => {
		const { page } = editor;
		await openPanel(page, WEBSITE);
		await screenshot(page, 'panel-create-website-audience');
		expect(await readPanel(page)).toEqual({
			values: {
				advertiserId: 'From list',
				pixel: 'From list',
				audienceName: '',
				event: 'Custom Event',
				eventCustom: 'AudienceSync',
				description: '',
				lookbackDays: '30',
				autoRefresh: 'true',
			},
			notices: [PIXEL_EVENTS_NOTICE],
			hints: { advertiserId: ADVERTISER_HINT, eventCustom: ONE_EVENT_PER_AUDIENCE_HINT },
		});
		await closePanel(page);
	});

	test('Send Sync Event panel (1.1): the same custom event, the pixel events and mapping notices, expression defaults', async () => {
		const { page } = editor;
		await openPanel(page, EVENTS);
		await screenshot(page, 'panel-send-sync-event');
		expect(await readPanel(page)).toEqual({
			values: {
				source: 'Set Here',
				advertiserId: 'From list',
				pixel: 'From list',
				event: 'Custom Event',
				eventCustom: 'AudienceSync',
				audience: 'From list',
				email: '{{ $json.email }}',
				phone: '{{ $json.phone }}',
				externalId: '',
				consentField: '',
				eventTime: '',
				eventId: '',
			},
			notices: [
				PIXEL_EVENTS_NOTICE,
				'Sends one event per input item: put this node after the one that outputs your people (one item per person), and map their email, phone or ID below',
			],
			// Email and Phone hold expressions by default: n8n shows no hint under an expression (seen in 2.41.1), so
			// their hints appear once the user types a fixed value.
			hints: {
				advertiserId: ADVERTISER_HINT,
				eventCustom: ONE_EVENT_PER_AUDIENCE_HINT,
				externalId: "Optional: an expression giving each person's ID in your system",
				consentField: 'The name of the field (not its value): drag the field here',
			},
		});
		await closePanel(page);
	});

	test('Unlink/Delete panel: Get Status by default (no Custom API Call), no link notice until a changing operation', async () => {
		const { page } = editor;
		await openPanel(page, LIFECYCLE);
		await screenshot(page, 'panel-unlink-delete');
		expect(await readPanel(page)).toEqual({
			values: { operation: 'Get Status', advertiserId: 'From list', audience: 'From list' },
			notices: [],
			hints: { advertiserId: ADVERTISER_HINT },
		});
		await closePanel(page);
	});

	test('Trigger panel: List Sync every day, Instant Sync cooldown 30 minutes, Poll Times vs Refresh Every and runs by hand explained', async () => {
		const { page } = editor;
		await openPanel(page, TRIGGER);
		await screenshot(page, 'panel-trigger');
		expect(await readPanel(page)).toEqual({
			values: {
				mode: 'Every Minute',
				syncKind: 'List Sync',
				advertiserId: 'From list',
				audience: 'From list',
				status: 'Active',
				refreshInterval: '1',
				refreshUnit: 'Days',
				instantSyncCooldown: '30',
			},
			notices: [
				'Poll Times (above) is how often this trigger checks the audience; Refresh Every is how long after the last sync the next one is due. A due sync starts at the first check after it, so check at least as often as you refresh: every minute (the default) suits any interval. Connect the trigger to Upsert Customer File List or Send Sync Event.',
				'Fetch Test Event and Execute Workflow run this trigger once by hand, the same way: it returns the sync it would start now (reason "instant") and saves nothing. Inside the Instant Sync cooldown the item is a sample marked "test": true, with the time an instant sync is allowed again; the sync node refuses to sync until then.',
			],
			hints: {
				advertiserId: ADVERTISER_HINT,
				refreshInterval: 'A due sync starts at the next Poll Time (top of this panel): check at least this often',
			},
		});
		await closePanel(page);
	});

	test('Upsert: drag `email` from the input onto Email Field (the name is inserted), Execute step: 3 rows in, 3 sent, members exact', async () => {
		const { page } = editor;
		await openPanel(page, UPSERT);
		// n8n's input panel: "Execute previous nodes" runs Start and People, then lists People's fields (schema view)
		await page.locator('[data-test-id="ndv-input-panel"] [data-test-id="execute-previous-node"]').click();
		const source = page.locator('[data-test-id="ndv-input-panel"] [data-target="mappable"][data-name="email"]');
		await source.waitFor({ state: 'visible' });
		expect(await source.getAttribute('data-node-name')).toBe('People');
		const target = page.locator('[data-test-id="parameter-input-emailField"]');
		await target.scrollIntoViewIfNeeded();
		expect((await readPanel(page)).values.emailField).toBe('');

		// The user's gesture, with the mouse: n8n's mapping starts on mousedown + move over a mappable pill and
		// drops on mouseup over the parameter input (playwright's mouse sends real pointer events to Chromium).
		const from = (await source.boundingBox())!;
		const to = (await target.boundingBox())!;
		await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
		await page.mouse.down();
		await page.mouse.move(from.x + from.width / 2 + 40, from.y + from.height / 2, { steps: 5 });
		await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 20 });
		await page.mouse.up();
		await page.waitForFunction(
			() => ((globalThis as any).document.querySelector('[data-test-id="parameter-input-emailField"] input')?.value ?? '') !== '',
			undefined,
			{ timeout: 10_000 },
		);
		// requiresDataPath: 'single' → the field's name, not the expression {{ $json.email }}
		expect((await readPanel(page)).values.emailField).toBe('email');
		await screenshot(page, 'panel-upsert-mapped');

		const mark = stack.emulator.state.requestLog.length;
		const before = (await stack.executions(workflowId)).length;
		await page.locator('[data-test-id="ndv"] [data-test-id="node-execute-button"]').click();
		// the output panel of the step: one summary item (the input panel says "3 items")
		await page.waitForFunction(
			() => /\b1\s+item\b/.test(String((globalThis as any).document.querySelector('[data-test-id="ndv"]')?.innerText ?? '')),
			undefined,
			{ timeout: 60_000 },
		).catch(async (error) => {
			console.log(await page.locator('[data-test-id="ndv"]').innerText());
			await screenshot(page, 'panel-upsert-run-failed');
			throw error;
		});
		await screenshot(page, 'panel-upsert-run');

		const executions = await stack.executions(workflowId);
		expect(executions.length).toBe(before + 1);
		const [execution] = executions;
		expect({ mode: execution.mode, status: execution.status }).toEqual({ mode: 'manual', status: 'success' });
		const calls = stack.emulator.state.requestLog.slice(mark);
		// look up by name (none), upload the file, create the list from it, read the new audience
		expect(calls.map((c) => [c.method, c.path.replace('/open_api/v1.3/', ''), c.code])).toEqual([
			['GET', 'dmp/custom_audience/list/', 0],
			['POST', 'dmp/custom_audience/file/upload/', 0],
			['POST', 'dmp/custom_audience/create/', 0],
			['GET', 'dmp/custom_audience/get/', 0],
		]);
		const audiences = [...stack.emulator.state.audiences.values()].filter((a) => a.name === LIST_NAME);
		expect(audiences.length).toBe(1);
		const [audience] = audiences;
		expect(execution.data?.resultData.runData[UPSERT]?.[0]?.data?.main[0]?.map((item) => item.json)).toEqual([
			{
				audienceId: audience.audienceId,
				audienceName: LIST_NAME,
				advertiserId: SEED.grantedAdvertiserId,
				calculateType: 'EMAIL_SHA256',
				action: 'CREATE',
				created: true,
				dryRun: false,
				skipped: false,
				source: 'items',
				rowsIn: 3,
				rowsSent: 3,
				invalidTotal: 0,
				invalid: {},
				droppedValues: {},
				duplicates: 0,
				preHashed: 0,
				filesUploaded: 1,
				requestIds: calls.slice(1).map((c) => c.request_id),
				audienceSize: 0,
				audienceValid: false,
			},
		]);
		expect([...(audience.members ?? [])].sort()).toEqual(PEOPLE.map(sha).sort());
		await closePanel(page);
	});

	test('the credential form opens with the four-step how-to notice', async () => {
		const { page } = editor;
		await openCredential(editor, stack.credential.id);
		await screenshot(page, 'panel-credential');
		const notices = await page.locator('[data-test-id="credential-edit-dialog"] .notice').allInnerTexts();
		expect(notices).toEqual([
			[
				'Connect in four steps',
				'In the TikTok for Business developer portal, create an app (My Apps) with the Audience Management scope (and Pixel / Events for Event Sync). Its page shows the App ID, the Secret and the authorization URL.',
				"The advertiser opens the authorization URL and approves. TikTok redirects to the app's redirect URL with auth_code=… in the address.",
				'Either paste that code in Authorization Code with the App ID and App Secret (the credential exchanges it for the long-term token when you save), or paste a long-term Access Token (My Apps can generate one for the advertisers who authorized the app).',
				'Save: the test checks the connection and says what to fix.',
				'TikTok: obtain a long-term access token',
			].join('\n'),
		]);
		expect(
			await page.locator('[data-test-id="credential-edit-dialog"] .notice a').evaluateAll((links: any[]) => links.map((a) => a.getAttribute('href'))),
		).toEqual(['https://business-api.tiktok.com/portal', 'https://business-api.tiktok.com/portal/docs?id=1738373164380162']);
	});

	test('the editor made no request outside 127.0.0.1 and threw no page error', () => {
		expect(editor.blocked).toEqual([]);
		expect(editor.pageErrors).toEqual([]);
	});
});
