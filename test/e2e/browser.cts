// Headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core) on the n8n editor, logged in with the
// `n8n-auth` cookie from /rest/login. Every request that would leave 127.0.0.1 is aborted and recorded.
// Helpers read the page's DOM (n8n's data-test-id attributes) so tests assert on text, not on pixels.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { REPO_ROOT, log } from './n8nServer.cts';

export const CHROMIUM_PATH = process.env.E2E_CHROMIUM ?? '/usr/bin/chromium';
/**
 * Where screenshots go: `.e2e/screenshots` (ignored) on every test run, so tests never change tracked files;
 * `npm run screenshots` sets E2E_SCREENSHOT_DIR=docs/screenshots to refresh the pictures the README shows.
 */
export const SCREENSHOT_DIR = path.resolve(REPO_ROOT, process.env.E2E_SCREENSHOT_DIR ?? path.join('.e2e', 'screenshots'));

/** Flags from the project's real-n8n notes (headless, offline, small machines). */
export const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
	'--window-size=1400,900',
	// belt and braces next to the request routing below: nothing but loopback resolves
	'--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

export function chromiumAvailable(): boolean {
	return fs.existsSync(CHROMIUM_PATH);
}

export interface Editor {
	browser: Browser;
	context: BrowserContext;
	page: Page;
	/** n8n's base URL */
	url: string;
	/** URLs the page tried to reach outside 127.0.0.1 (aborted). */
	blocked: string[];
	/** Uncaught page errors (console errors are in consoleErrors). */
	pageErrors: string[];
	consoleErrors: string[];
	close(): Promise<void>;
}

/** Launches Chromium and opens a page logged in to the editor at `url` (no navigation yet). */
export async function openEditor(url: string, authCookie: string): Promise<Editor> {
	if (!chromiumAvailable()) throw new Error(`${CHROMIUM_PATH} is missing: run scripts/install-chromium.sh`);
	const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
	try {
		const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, serviceWorkers: 'block' });
		await context.addCookies([{ name: 'n8n-auth', value: authCookie, url }]);
		const blocked: string[] = [];
		await context.route('**/*', (route) => {
			const target = new URL(route.request().url());
			if (target.protocol === 'data:' || target.protocol === 'blob:' || target.hostname === '127.0.0.1') {
				return route.continue();
			}
			blocked.push(target.href);
			return route.abort('blockedbyclient');
		});
		const page = await context.newPage();
		page.setDefaultTimeout(30_000);
		const pageErrors: string[] = [];
		const consoleErrors: string[] = [];
		page.on('pageerror', (error) => pageErrors.push(String(error)));
		page.on('console', (message) => {
			if (message.type() === 'error') consoleErrors.push(message.text());
		});
		return {
			browser,
			context,
			page,
			url,
			blocked,
			pageErrors,
			consoleErrors,
			close: () => browser.close(),
		};
	} catch (error) {
		await browser.close();
		throw error;
	}
}

/** Saves a screenshot as SCREENSHOT_DIR/<name>.png. Returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
	fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
	const file = path.join(SCREENSHOT_DIR, `${name}.png`);
	await page.screenshot({ path: file });
	log(`screenshot ${path.relative(REPO_ROOT, file)}`);
	return file;
}

export interface CanvasNode {
	name: string;
	type: string;
	/** an <img> icon that loaded, or an inline <svg> icon */
	hasIcon: boolean;
}

/** Opens /workflow/<id> and returns the nodes drawn on the canvas (waits until `expectedCount` are there). */
export async function openWorkflow(editor: Editor, workflowId: string, expectedCount = 1): Promise<CanvasNode[]> {
	const { page } = editor;
	await page.goto(`${editor.url}/workflow/${workflowId}`, { waitUntil: 'domcontentloaded' });
	await page.waitForFunction(
		(n) => (globalThis as any).document.querySelectorAll('[data-test-id="canvas-node"]').length >= n,
		expectedCount,
		{ timeout: 60_000 },
	);
	await waitForIcons(page, '[data-test-id="canvas-node"]');
	return page.$$eval('[data-test-id="canvas-node"]', (els) =>
		els.map((el) => {
			const img = el.querySelector('img');
			return {
				name: el.getAttribute('data-node-name') ?? '',
				type: el.getAttribute('data-node-type') ?? '',
				hasIcon: img ? img.complete && img.naturalWidth > 0 : el.querySelector('.n8n-node-icon svg') !== null,
			};
		}),
	);
}

/** Waits (up to a few seconds) until every <img> inside the matching elements has finished loading. */
async function waitForIcons(page: Page, selector: string): Promise<void> {
	await page
		.waitForFunction(
			(sel) => Array.from((globalThis as any).document.querySelectorAll(`${sel} img`)).every((img: any) => img.complete),
			selector,
			{ timeout: 10_000 },
		)
		.catch(() => undefined);
}

export interface CreatorItem {
	name: string;
	description: string;
	hasIcon: boolean;
	/** src of the icon image, if it is one */
	iconSrc: string | null;
}

/**
 * Opens the node panel ("+" on the canvas of workflow `workflowId`, or of a new workflow) and searches `term`.
 * Returns the node items listed. Waits until every name in `expectNames` is listed (or times out and returns what
 * is there, so the test's assertion shows the difference).
 */
export async function searchNodePanel(
	editor: Editor,
	term: string,
	options: { workflowId?: string; expectNames?: string[] } = {},
): Promise<CreatorItem[]> {
	const { page } = editor;
	await page.goto(`${editor.url}/workflow/${options.workflowId ?? 'new'}`, { waitUntil: 'domcontentloaded' });
	await page.waitForSelector('[data-test-id="node-creator-plus-button"]', { timeout: 60_000 });
	await page.click('[data-test-id="node-creator-plus-button"]');
	const search = page.locator('[data-test-id="node-creator-search-bar"]');
	await search.waitFor({ state: 'visible' });
	await search.fill(term);
	const expected = options.expectNames ?? [];
	await page
		.waitForFunction(
			(names) => {
				const listed = Array.from((globalThis as any).document.querySelectorAll('[data-test-id="node-creator-item-name"]')).map(
					(e: any) => (e.textContent ?? '').trim(),
				);
				return listed.length > 0 && names.every((n) => listed.includes(n));
			},
			expected,
			{ timeout: 15_000 },
		)
		.catch(() => undefined);
	await waitForIcons(page, '[data-test-id^="node-creator-"]');
	// An item is the element around a name: node-creator-node-item for plain nodes, other *-item kinds for nodes n8n
	// lists with their actions. (No helper functions inside evaluate callbacks: tsx would wrap them in __name().)
	return page.$$eval('[data-test-id="node-creator-item-name"]', (names: any[]) =>
		names.map((nameEl) => {
			let el = nameEl.parentElement;
			while (el && !/^node-creator-.*item$/.test(el.getAttribute('data-test-id') ?? '')) el = el.parentElement;
			el = el ?? nameEl.parentElement;
			const img = el.querySelector('img');
			const description = el.querySelector('[data-test-id="node-creator-item-description"]');
			return {
				name: (nameEl.textContent ?? '').trim(),
				description: (description?.textContent ?? '').trim(),
				hasIcon: img ? img.complete && img.naturalWidth > 0 : el.querySelector('.n8n-node-icon svg') !== null,
				iconSrc: img ? img.getAttribute('src') : null,
			};
		}),
	);
}

export interface CredentialForm {
	/** the dialog's title (the credential's name) and subtitle (the type's display name) */
	header: string;
	/** labels of the connection parameters, in order */
	labels: string[];
	/** the parameter names rendered (data-test-id="parameter-input-<name>") */
	parameters: string[];
	/** the editor's automatic connection test succeeded ("Connection tested successfully") */
	testedOk: boolean;
	/** the connection test's message when it failed */
	testError: string | null;
	text: string;
}

/** Opens the credential's edit dialog (/home/credentials/<id>) and reads the form. */
export async function openCredential(editor: Editor, credentialId: string): Promise<CredentialForm> {
	const { page } = editor;
	await page.goto(`${editor.url}/home/credentials/${credentialId}`, { waitUntil: 'domcontentloaded' });
	const dialog = page.locator('[data-test-id="credential-edit-dialog"]');
	await dialog.waitFor({ state: 'visible', timeout: 60_000 });
	await page.waitForSelector('[data-test-id="credential-connection-parameter"]');
	// the editor tests a saved credential when it opens; wait for its verdict
	await page
		.waitForSelector(
			'[data-test-id="credentials-config-container-test-success"], [data-test-id="credentials-config-container-test-error"]',
			{ timeout: 20_000 },
		)
		.catch(() => undefined);
	await waitForIcons(page, '[data-test-id="credential-edit-dialog"]');
	return dialog.evaluate((root: any) => {
		const modal = root.closest('[role="dialog"]') ?? root.closest('.el-dialog') ?? root;
		const labels = Array.from(root.querySelectorAll('[data-test-id="credential-connection-parameter"]')).map((p: any) =>
			String((p.querySelector('label') ?? p).innerText ?? '')
				.trim()
				.split('\n')[0]
				.replace(/\s*\*$/, '')
				.trim(),
		);
		const parameters = Array.from(root.querySelectorAll('[data-test-id^="parameter-input-"]'))
			.map((e: any) => String(e.getAttribute('data-test-id') ?? '').slice('parameter-input-'.length))
			.filter((n: string) => n && n !== 'field');
		const error = root.querySelector('[data-test-id="credentials-config-container-test-error"]');
		const header = modal.querySelector('.el-dialog__header') ?? modal.querySelector('[class*="header"]');
		return {
			header: String(header?.innerText ?? '').trim(),
			labels,
			parameters,
			testedOk: root.querySelector('[data-test-id="credentials-config-container-test-success"]') !== null,
			testError: error ? String(error.innerText ?? '').trim() : null,
			text: String(modal.innerText ?? '').trim(),
		};
	});
}
