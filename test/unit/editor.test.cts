// The pure parts of `npm run editor` (scripts/editor.cts): the printed curl command, including a webhook with Header
// Auth (what every example webhook requires), and the source fingerprint that decides whether to rebuild.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { SAMPLE_CUSTOMERLABS_BODY, WEBHOOK_AUTH_HEADER, sourceFingerprint, webhookCurl } from '../../scripts/editor.cts';

const hook = { parameters: { httpMethod: 'POST', path: 'customerlabs-tiktok-event-sync' } };

test('the curl of an open webhook posts the JSON body to the production URL', () => {
	expect(webhookCurl('http://127.0.0.1:5678', hook, SAMPLE_CUSTOMERLABS_BODY)).toBe(
		[
			`curl -sS -X POST 'http://127.0.0.1:5678/webhook/customerlabs-tiktok-event-sync' \\`,
			`     -H 'Content-Type: application/json' \\`,
			`     -d '{"users":[{"identify_by_email":"shopper@example.com","identify_by_phone":"+1 415 555 0100","consent":true}]}'`,
		].join('\n'),
	);
});

test('a Header Auth webhook gets its credential header; quotes in values survive the shell', () => {
	const secured = {
		parameters: { ...hook.parameters, authentication: 'headerAuth' },
		credentials: { httpHeaderAuth: { id: 'x', name: 'CustomerLabs webhook header' } },
	};
	const curl = webhookCurl('http://127.0.0.1:5678', secured, { note: "it's" }, {
		'CustomerLabs webhook header': { name: WEBHOOK_AUTH_HEADER, value: 'abc123' },
	});
	expect(curl).toBe(
		[
			`curl -sS -X POST 'http://127.0.0.1:5678/webhook/customerlabs-tiktok-event-sync' \\`,
			`     -H 'X-Webhook-Token: abc123' \\`,
			`     -H 'Content-Type: application/json' \\`,
			`     -d '{"note":"it'\\''s"}'`,
		].join('\n'),
	);
	// what bash passes to curl: the body exactly as JSON.stringify made it
	const argv = execFileSync('bash', ['-c', curl.replace(/^curl/, 'printf "%s\\n"')], { encoding: 'utf8' }).trim().split('\n');
	expect(argv.slice(-4)).toEqual(['-H', 'Content-Type: application/json', '-d', '{"note":"it\'s"}']);
	expect(() => webhookCurl('http://127.0.0.1:5678', secured, {}, {})).toThrow('no value for the Header Auth credential "CustomerLabs webhook header"');
});

test('the fingerprint changes with a build input and not with anything else', () => {
	const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tiktok-editor-fp-'));
	try {
		fs.mkdirSync(path.join(root, 'nodes', 'A'), { recursive: true });
		fs.writeFileSync(path.join(root, 'package.json'), '{}');
		fs.writeFileSync(path.join(root, 'nodes', 'A', 'A.node.ts'), 'export const a = 1;');
		const before = sourceFingerprint(root);
		expect(before).toMatch(/^[0-9a-f]{64}$/);
		fs.writeFileSync(path.join(root, 'README.md'), 'not a build input');
		expect(sourceFingerprint(root)).toBe(before);
		fs.writeFileSync(path.join(root, 'nodes', 'A', 'A.node.ts'), 'export const a = 2;');
		const changed = sourceFingerprint(root);
		expect(changed).not.toBe(before);
		fs.renameSync(path.join(root, 'nodes', 'A', 'A.node.ts'), path.join(root, 'nodes', 'A', 'B.node.ts'));
		expect(sourceFingerprint(root)).not.toBe(changed);
	} finally {
		fs.rmSync(root, { recursive: true, force: true });
	}
});
