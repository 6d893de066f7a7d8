// The e2e suite on the n8n 1.x line (n8n 1.123, server on Node 22): four of the test files of jest.e2e.config.cjs,
// with the harness switched to the 1.x profile of test/e2e/n8nVersions.cts (set here, so globalSetup and the test
// workers inherit it). Run with `npm run test:e2e:n8n1`.
//
// Covered on 1.x: the package loads (five nodes, credential, CLI export), the credential test, a manual and a CLI
// run, every node with exact member sets and outputs (nodes.e2e), the trigger's initial emit with restarts, unlink
// and delete (lifecycle.e2e) and three examples (the daily CSV list sync, and the CustomerLabs and Unlink/Delete
// webhooks with their Header Auth refusing a POST without the right header; plus the import of all examples).
// Not defined on 1.x (describeOnFullSuite in test/e2e/n8nVersions.cts; they run on 2.41.1): the editor checks in
// headless Chromium (n8n 1.x has another editor) and the status report example, to keep the added CI time within
// about 5 minutes.
process.env.E2E_N8N_VERSION = process.env.E2E_N8N_VERSION || '1.123.81';
const base = require('./jest.e2e.config.cjs');

// The files that run on 1.x, named (a new e2e file joins only when added here): the editor tool's test
// (editor.e2e) is for 2.41.1.
const FILES = ['package', 'nodes', 'lifecycle', 'examples'];

module.exports = {
	...base,
	testMatch: FILES.map((name) => `**/test/e2e/${name}.e2e.test.cts`),
};
