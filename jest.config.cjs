// Tests and tools are CommonJS TypeScript (.cts): n8n-node lint only lints **/*.ts, and tests need Node built-ins.
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.cts'],
	// The real-server suite has its own config (jest.e2e.config.cjs): it installs and starts n8n.
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/'],
	moduleFileExtensions: ['ts', 'cts', 'js', 'cjs', 'json'],
	transform: {
		'^.+\\.c?ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json', isolatedModules: true }],
	},
	testTimeout: 60000,
};
