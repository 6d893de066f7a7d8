// Runs n8n's verification scanner (@n8n/scan-community-package) locally, on the source and on the packed tarball.
// Its CLI only scans published packages; analyzePackage is the same check on a folder.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { analyzePackage, SOURCE_FILE_PATTERNS } from '@n8n/scan-community-package/scanner/scanner.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

async function scan(label, dir, patterns) {
	const result = await analyzePackage(dir, patterns);
	if (result.passed) {
		console.log(`scan ${label}: PASSED`);
		return true;
	}
	console.log(`scan ${label}: FAILED: ${result.message}\n${result.details ?? ''}`);
	return false;
}

const work = mkdtempSync(path.join(tmpdir(), 'tiktok-scan-'));
try {
	const sourceOk = await scan('source', root, SOURCE_FILE_PATTERNS);
	execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
	const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
	execFileSync('tar', ['xzf', path.join(work, tarball), '-C', work]);
	const packed = readdirSync(path.join(work, 'package'), { recursive: true }).filter((f) => !String(f).includes('/')).sort();
	console.log(`tarball ${tarball}: ${packed.join(', ')}`);
	const tarballOk = await scan('tarball', path.join(work, 'package'), ['**/*.js', 'package.json']);
	process.exitCode = sourceOk && tarballOk ? 0 : 1;
} finally {
	rmSync(work, { recursive: true, force: true });
}
