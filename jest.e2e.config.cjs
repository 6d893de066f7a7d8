// End-to-end suite: the real n8n 2.x server (installed once per machine into the cache, see scripts/install-n8n.sh),
// this package installed from its npm-pack tarball as a community package, the TikTok emulator and headless
// Chromium. Run with `npx jest -c jest.e2e.config.cjs` under Node 24 (scripts/with-node24.sh).
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.cts'],
	moduleFileExtensions: ['ts', 'cts', 'js', 'cjs', 'json'],
	transform: {
		'^.+\\.c?ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', isolatedModules: true }],
	},
	// installs n8n (first run on a machine: ~4 min), builds and packs the package once for every test file
	globalSetup: '<rootDir>/test/e2e/globalSetup.cts',
	globalTeardown: '<rootDir>/test/e2e/globalTeardown.cts',
	maxWorkers: 1,
	testTimeout: 300000,
	slowTestThreshold: 60,
	verbose: true,
};
