// The package as users get it, in the real n8n server (2.41.1, and 1.123 through jest.e2e.n8n1.config.cjs, which
// leaves out the editor checks): installed from its npm-pack tarball as a community package, its credential tested
// against the TikTok emulator, a workflow run through n8n, and the editor checked in headless Chromium (node panel,
// canvas, credential form).
//
// All five nodes must be in the tarball (installing fails otherwise) and every node assertion covers all five.
// Set E2E_SKIP_BROWSER=1 to leave out the browser checks (e.g. without Chromium).
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { chromiumAvailable, openCredential, openEditor, openWorkflow, screenshot, searchNodePanel, type Editor } from './browser.cts';
import {
	ALL_NODES,
	CREDENTIAL_TYPE,
	PACKAGE_NAME,
	builtNodes,
	credentialTypes,
	exportNodes,
	nodeOutput,
	nodeType,
	nodeTypes,
	testCredential,
	type WorkflowJson,
} from './n8nServer.cts';
import { codeFingerprint } from '../../nodes/shared/tiktok/credential';
import { SEED } from '../emulator/index.cts';
import { describeOnFullSuite } from './n8nVersions.cts';
import { startStack, type Stack } from './stack.cts';

const skipBrowser = process.env.E2E_SKIP_BROWSER === '1';

let stack: Stack;
const present = ALL_NODES;
let typeVersions: Record<string, number> = {};

beforeAll(async () => {
	stack = await startStack();
	const types = await nodeTypes(stack.session);
	for (const t of types) {
		if (!t.name.startsWith(`${PACKAGE_NAME}.`)) continue;
		const versions = Array.isArray(t.version) ? (t.version as number[]) : [t.version as number];
		typeVersions[t.name] = Math.max(typeVersions[t.name] ?? 0, ...versions);
	}
}, 600_000);

afterAll(async () => {
	await stack?.stop();
});

describe('installation', () => {
	test('the tarball is installed as a community package in <userFolder>/.n8n/nodes and n8n loads it', () => {
		const manifest = path.join(stack.n8n.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME, 'package.json');
		expect(fs.existsSync(manifest)).toBe(true);
		const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
		expect(pkg.n8n.credentials).toContain('dist/credentials/TikTokBusinessApi.credentials.js');
		expect(stack.n8n.logs()).not.toContain(`Failed to load package "${PACKAGE_NAME}"`);
	});

	test('n8n tried no name lookups (offline settings hold: nothing leaves 127.0.0.1)', () => {
		expect(stack.n8n.logs()).not.toMatch(/ENOTFOUND|EAI_AGAIN|getaddrinfo/);
	});

	test('all five nodes are declared in package.json and present in the installed package', () => {
		expect(builtNodes(stack.n8n.packageDir).map((n) => n.name)).toEqual(ALL_NODES.map((n) => n.name));
	});

	test('the editor lists the credential type and all five nodes (REST /types)', async () => {
		const creds = await credentialTypes(stack.session);
		const ours = creds.find((c) => c.name === CREDENTIAL_TYPE);
		expect(ours?.displayName).toBe('TikTok Business API');
		expect(ours?.properties.map((p) => p.name)).toEqual(
			expect.arrayContaining(['accessToken', 'environment', 'baseUrl', 'advertiserId', 'appId', 'appSecret', 'authorizationCode', 'accessTokenFromCode', 'exchangedCode']),
		);
		const types = await nodeTypes(stack.session);
		const listed = types.filter((t) => t.name.startsWith(`${PACKAGE_NAME}.`));
		for (const node of present) {
			const found = listed.find((t) => t.name === nodeType(node.name));
			expect(found?.displayName).toBe(node.displayName);
			expect(found?.credentials?.map((c: { name: string }) => c.name)).toContain(CREDENTIAL_TYPE);
		}
	});

	test('n8n loads each codex: Marketing, its subcategories, and aliases a user would search for (REST /types)', async () => {
		const types = await nodeTypes(stack.session);
		const codexOf = (name: string) => types.find((t) => t.name === nodeType(name))?.codex as { categories?: string[]; subcategories?: object; alias?: string[] } | undefined;
		for (const node of present) {
			const codex = codexOf(node.name);
			expect({ node: node.name, categories: codex?.categories, subcategories: codex?.subcategories }).toEqual({
				node: node.name,
				categories: ['Marketing'],
				subcategories: { Marketing: ['Advertising', 'Audiences'] },
			});
			expect(codex?.alias?.slice(0, 4)).toEqual(['audience', 'custom audience', 'customer match', 'retargeting']);
		}
		expect(codexOf('tikTokUpsertCustomerFileList')?.alias).toContain('customer file');
		expect(codexOf('tikTokSendSyncEvent')?.alias).toEqual(expect.arrayContaining(['event sync', 'pixel']));
	});

	test('n8n export:nodes (CLI) lists all five nodes', async () => {
		const exported = await exportNodes(stack.n8n);
		const names = exported.map((n) => n.name);
		expect(names.length).toBeGreaterThan(100); // n8n's own nodes too
		for (const node of present) expect(names).toContain(nodeType(node.name));
	});
});

// The credential's `authenticate` (Access-Token header) exercised by n8n's own HTTP Request node, so the run,
// execution and CLI helpers are covered even before the package's nodes exist.
const httpWorkflow = (baseUrl: string): WorkflowJson => ({
	name: 'E2E: user info through the credential',
	nodes: [
		{ id: 'n1', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
		{
			id: 'n2',
			name: 'User info',
			type: 'n8n-nodes-base.httpRequest',
			typeVersion: 4.2,
			position: [250, 0],
			parameters: {
				url: `${baseUrl}/user/info/`,
				authentication: 'predefinedCredentialType',
				nodeCredentialType: CREDENTIAL_TYPE,
				options: {},
			},
		},
	],
	connections: { Start: { main: [[{ node: 'User info', type: 'main', index: 0 }]] } },
});

/** The token the emulator's first code exchange issues (test/emulator/README.md). */
const EXCHANGED_TOKEN = 'e0a1a7e5c0de0000000000000000000000000001';

describe('credential against the emulator', () => {
	const test_ = (data: Record<string, unknown>, id = stack.credential.id) => testCredential(stack.session, { id, name: 'TikTok (test)', type: CREDENTIAL_TYPE, data });
	const callsSince = (from: number) => stack.emulator.state.requestLog.slice(from).map((r) => [r.method, r.path.replace('/open_api/v1.3/', ''), r.code]);

	test('the connection test passes for the emulator valid token: the credential check, then the test call', async () => {
		const before = stack.emulator.state.requestLog.length;
		const result = await test_(stack.credential.data);
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(callsSince(before)).toEqual([
			['GET', 'user/info/', 0],
			['GET', 'user/info/', 0],
		]);
	});

	test('the connection test fails with a helpful message for an invalid token', async () => {
		const bad = await stack.addCredential('TikTok (invalid token)', { accessToken: 'not-a-valid-token' });
		const before = stack.emulator.state.requestLog.length;
		const result = await test_({ ...stack.credential.data, accessToken: 'not-a-valid-token' }, bad.id);
		expect(result).toEqual({
			status: 'Error',
			message:
				'TikTok rejected the access token as invalid or revoked (40105: Access token is incorrect or has been revoked.). Check that the token belongs to the server at the Base URL. Otherwise create a new long-term token in the developer portal, or authorize again and paste the new Authorization Code.',
		});
		expect(callsSince(before)).toEqual([['GET', 'user/info/', 40105]]);
	});

	test('Custom Base URL with an empty Base URL: a sentence instead of ERR_INVALID_URL, and nothing is sent', async () => {
		const before = stack.emulator.state.requestLog.length;
		expect(await test_({ ...stack.credential.data, baseUrl: '' })).toEqual({
			status: 'Error',
			message:
				'Environment is "Custom Base URL" but the Base URL is empty: enter the root of the API (e.g. http://127.0.0.1:4010 for the local TikTok emulator), or choose Production or Sandbox.',
		});
		expect(callsSince(before)).toEqual([]);
	});

	test('an unreachable Base URL: a sentence instead of ECONNREFUSED', async () => {
		const closed = await new Promise<number>((resolve) => {
			const server = net.createServer().listen(0, '127.0.0.1', () => {
				const { port } = server.address() as net.AddressInfo;
				server.close(() => resolve(port));
			});
		});
		expect(await test_({ ...stack.credential.data, baseUrl: `http://127.0.0.1:${closed}` })).toEqual({
			status: 'Error',
			message: `Could not reach http://127.0.0.1:${closed}/open_api/v1.3 to check the access token: the connection was refused. Check the Base URL (and that the emulator or proxy there is running).`,
		});
	});

	test('an Authorization Code: the test exchanges it once, n8n stores the token (redacted), and workflows use it', async () => {
		const code = stack.emulator.authCode();
		const data = { ...stack.credential.data, accessToken: '', advertiserId: '', authorizationCode: code };
		const saved = await stack.addCredential('TikTok (authorization code)', data);
		let before = stack.emulator.state.requestLog.length;
		expect(await test_(data, saved.id)).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(callsSince(before)).toEqual([
			['POST', 'oauth2/access_token/', 0],
			['GET', 'user/info/', 0],
		]);
		const stored = await stack.session.rest<{ data: Record<string, unknown> }>('GET', `/credentials/${saved.id}?includeData=true`);
		expect(stored.data).toMatchObject({
			accessTokenFromCode: expect.stringMatching(/^__n8n_BLANK_VALUE_/),
			exchangedCode: codeFingerprint(SEED.app.app_id, code),
			advertiserId: SEED.grantedAdvertiserId,
		});
		expect(JSON.stringify(stored)).not.toContain(EXCHANGED_TOKEN);

		// Tested again as the editor does (the form as it loads, secrets redacted): the code is not sent again.
		before = stack.emulator.state.requestLog.length;
		expect(await test_(stored.data, saved.id)).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(callsSince(before)).toEqual([
			['GET', 'user/info/', 0],
			['GET', 'user/info/', 0],
		]);

		// n8n's HTTP Request node with this credential: the Access-Token header is the exchanged token.
		const wf = httpWorkflow(stack.emulator.baseUrl);
		wf.name = 'E2E: user info with an exchanged code';
		wf.nodes[1].credentials = { [CREDENTIAL_TYPE]: { id: saved.id, name: saved.name } };
		const id = await stack.createWorkflow(wf);
		const execution = await stack.runWorkflow(id);
		expect(execution.status).toBe('success');
		expect(nodeOutput(execution, 'User info')).toEqual([
			expect.objectContaining({ code: 0, data: expect.objectContaining({ core_user_id: '7300000000000000001' }) }),
		]);
		expect(JSON.stringify(execution)).not.toContain(EXCHANGED_TOKEN);
		expect(stack.n8n.logs()).not.toContain(EXCHANGED_TOKEN);
	});
});

describe('workflows through n8n', () => {
	test('a manual run (REST) succeeds and its execution carries the emulator answer', async () => {
		const wf = httpWorkflow(stack.emulator.baseUrl);
		wf.nodes[1].credentials = { [CREDENTIAL_TYPE]: { id: stack.credential.id, name: stack.credential.name } };
		const id = await stack.createWorkflow(wf);
		const execution = await stack.runWorkflow(id);
		expect(execution.status).toBe('success');
		expect(execution.mode).toBe('manual');
		const [item] = nodeOutput(execution, 'User info');
		expect(item).toMatchObject({ code: 0, message: 'OK', data: { display_name: expect.any(String) } });
		const listed = await stack.executions(id);
		expect(listed.map((e) => e.id)).toContain(execution.id);
	});

	test('a CLI run (n8n execute --id) succeeds', async () => {
		const wf = httpWorkflow(stack.emulator.baseUrl);
		wf.name = 'E2E: user info (CLI)';
		wf.nodes[1].credentials = { [CREDENTIAL_TYPE]: { id: stack.credential.id, name: stack.credential.name } };
		const id = await stack.createWorkflow(wf);
		const { result } = await stack.runWorkflowCli(id);
		const runs = result?.data?.resultData?.runData?.['User info'] ?? result?.resultData?.runData?.['User info'];
		expect(runs?.[0]?.data?.main?.[0]?.[0]?.json).toMatchObject({ code: 0 });
		const executions = await stack.executions(id);
		expect(executions[0]).toMatchObject({ mode: 'cli', status: 'success' });
	});
});

(skipBrowser ? describe.skip : describeOnFullSuite)('editor in headless Chromium', () => {
	let editor: Editor;

	beforeAll(async () => {
		if (!chromiumAvailable()) throw new Error('Chromium is missing: run scripts/install-chromium.sh (or set E2E_SKIP_BROWSER=1)');
		editor = await openEditor(stack.url, stack.authCookie);
	}, 120_000);

	afterAll(async () => {
		await editor?.close();
	});

	test('the node panel search for "TikTok" lists all five nodes with their icons', async () => {
		// a workflow that already has a trigger, so the panel offers actions and triggers alike
		const host = await stack.createWorkflow({
			name: 'E2E: node panel',
			nodes: [{ id: 't', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} }],
			connections: {},
		});
		const items = await searchNodePanel(editor, 'TikTok', {
			workflowId: host,
			expectNames: present.map((n) => n.displayName),
		});
		await screenshot(editor.page, 'node-panel-search');
		for (const node of present) {
			const item = items.find((i) => i.name === node.displayName);
			expect({ node: node.displayName, listed: Boolean(item), hasIcon: item?.hasIcon }).toEqual({
				node: node.displayName,
				listed: true,
				hasIcon: true,
			});
			// our icon file, served by n8n from the installed package
			expect(item?.iconSrc ?? '').toMatch(new RegExp(`icons/${PACKAGE_NAME}/`));
		}
	});

	test('a workflow using all five nodes renders on the canvas', async () => {
		const nodes: WorkflowJson['nodes'] = [
			{ id: 'start', name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 200], parameters: {} },
		];
		const connections: WorkflowJson['connections'] = {};
		let previous = 'Start';
		present.forEach((node, i) => {
			const isTrigger = /Trigger$/.test(node.name);
			nodes.push({
				id: `n${i}`,
				name: node.displayName,
				type: nodeType(node.name),
				typeVersion: typeVersions[nodeType(node.name)] ?? 1,
				position: isTrigger ? [0, 0] : [260 * nodes.length, 200],
				parameters: {},
			});
			if (!isTrigger) {
				connections[previous] = { main: [[{ node: node.displayName, type: 'main', index: 0 }]] };
				previous = node.displayName;
			}
		});
		const id = await stack.createWorkflow({ name: 'E2E: every TikTok node', nodes, connections });
		const canvas = await openWorkflow(editor, id, nodes.length);
		await screenshot(editor.page, 'workflow-canvas');
		for (const node of present) {
			const drawn = canvas.find((c) => c.name === node.displayName);
			expect({ node: node.displayName, type: drawn?.type, hasIcon: drawn?.hasIcon }).toEqual({
				node: node.displayName,
				type: nodeType(node.name),
				hasIcon: true,
			});
		}
		const text = await editor.page.locator('#app').innerText();
		for (const node of present) expect(text).toContain(node.displayName);
	});

	test('every node\'s canvas subtitle is in words (no option values; "Every day", not "Every 1 days")', async () => {
		const ours = (name: string, type: string, parameters: Record<string, unknown>, x: number, y = 200) => ({
			id: name,
			name,
			type: nodeType(type),
			typeVersion: typeVersions[nodeType(type)] ?? 1,
			position: [x, y] as [number, number],
			parameters,
		});
		const nodes: WorkflowJson['nodes'] = [
			ours('Trigger', 'tikTokAudienceSyncTrigger', {}, 0, 0),
			ours('Trigger 2h', 'tikTokAudienceSyncTrigger', { refreshInterval: 2, refreshUnit: 'hours' }, 0, 400),
			ours('List', 'tikTokUpsertCustomerFileList', { action: 'REMOVE' }, 260),
			ours('Website', 'tikTokCreateWebsiteAudience', { audienceName: 'Cart abandoners', event: 'AddToCart' }, 520),
			ours('Events', 'tikTokSendSyncEvent', { source: 'manual', event: '__custom', eventCustom: 'AudienceSync' }, 780),
			ours('Events 2', 'tikTokSendSyncEvent', { source: 'manual', event: 'AddToCart' }, 780, 400),
			ours('Status', 'tikTokUnlinkDeleteAudience', {}, 1040),
			ours('Delete', 'tikTokUnlinkDeleteAudience', { operation: 'delete' }, 1040, 400),
		];
		const id = await stack.createWorkflow({ name: 'E2E: subtitles', nodes, connections: {} });
		await openWorkflow(editor, id, nodes.length);
		await screenshot(editor.page, 'canvas-subtitles');
		// The subtitle is the element with n8n's (CSS-module) "subtitle" class inside each canvas node.
		const subtitles = await editor.page.$$eval('[data-test-id="canvas-node"]', (els) =>
			Object.fromEntries(els.map((el) => [el.getAttribute('data-node-name') ?? '', (el.parentElement?.querySelector('[class*="subtitle"]')?.textContent ?? '').trim()])),
		);
		expect(subtitles).toEqual({
			Trigger: 'Every day',
			'Trigger 2h': 'Every 2 hours',
			List: 'Remove from customer file list',
			Website: 'Cart abandoners',
			Events: 'AudienceSync event',
			'Events 2': 'Add to Cart event',
			Status: 'Get Status',
			Delete: 'Delete',
		});
	});

	test('the node panel finds all five nodes by an alias ("customer match")', async () => {
		const items = await searchNodePanel(editor, 'customer match', { expectNames: present.map((n) => n.displayName) });
		expect(present.map((n) => items.some((i) => i.name === n.displayName))).toEqual(present.map(() => true));
	});

	test('the credential form shows its fields and its connection test succeeds', async () => {
		const form = await openCredential(editor, stack.credential.id);
		await screenshot(editor.page, 'credential-form');
		expect(form.header).toContain('TikTok (emulator)');
		expect(form.header).toContain('TikTok Business API');
		expect(form.labels).toEqual(
			expect.arrayContaining(['Access Token', 'App ID', 'App Secret', 'Authorization Code', 'Environment', 'Base URL', 'Default Advertiser ID']),
		);
		expect(form.parameters).toEqual(expect.arrayContaining(['accessToken', 'appId', 'appSecret', 'authorizationCode', 'environment', 'baseUrl', 'advertiserId']));
		// The steps to connect, at the top of the form; the hidden fields of the code exchange are not shown.
		expect(form.text).toContain('Connect in four steps');
		expect(form.text).toContain('TikTok for Business developer portal');
		expect(form.text).toContain('auth_code=');
		expect(form.parameters).not.toContain('accessTokenFromCode');
		expect(form.parameters).not.toContain('exchangedCode');
		expect(form.testError).toBeNull();
		expect(form.testedOk).toBe(true);
	});

	test('the editor made no request outside 127.0.0.1', () => {
		expect(editor.blocked).toEqual([]);
	});
});
