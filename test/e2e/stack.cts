// The whole e2e stack in one call: the TikTok emulator (in this process, plain node:http), the real n8n server with
// this package installed from its tarball, an owner session (cookie + API key) and a TikTok credential whose
// Custom base URL points at the emulator.
//
//   const stack = await startStack();
//   const id = await stack.createWorkflow(workflowJson);     // our nodes get the credential automatically
//   const execution = await stack.runWorkflow(id);           // manual run, waits, returns the execution with data
//   expect(nodeOutput(execution, 'TikTok Upsert Customer File List')).toEqual(...);
//   expect(stack.emulator.state.audiences.size).toBe(1);
//   await stack.stop();
//
// Everything n8n does between the calls happens in its own process; every helper here is asynchronous, so the
// in-process emulator keeps answering while a test awaits (never block the event loop, e.g. with spawnSync).
import { SEED, startEmulator, type EmulatorHandle, type EmulatorOptions } from '../emulator/index.cts';
import {
	cleanupStack,
	CREDENTIAL_TYPE,
	PACKAGE_NAME,
	createCredential,
	createN8n,
	createWorkflow,
	importWorkflowCli,
	listExecutions,
	log,
	login,
	runWorkflow,
	runWorkflowCli,
	type CreateN8nOptions,
	type Execution,
	type N8nInstance,
	type Session,
	type WorkflowJson,
} from './n8nServer.cts';

export interface StackOptions {
	emulator?: EmulatorOptions;
	n8n?: CreateN8nOptions;
	/** Overrides of the default credential's data (accessToken, advertiserId, ...). */
	credentialData?: Record<string, unknown>;
}

export interface Stack {
	n8n: N8nInstance;
	emulator: EmulatorHandle;
	session: Session;
	/** http://127.0.0.1:<port> of n8n */
	url: string;
	/** the `n8n-auth` cookie value (browser) */
	authCookie: string;
	apiKey: string;
	/** the default credential (valid token, Custom base URL → emulator) */
	credential: { id: string; name: string; data: Record<string, unknown> };
	/** Creates a credential of our type (defaults to the emulator's settings, `data` overrides them). */
	addCredential(name: string, data?: Record<string, unknown>): Promise<{ id: string; name: string }>;
	/** Public API create; our nodes without credentials get the default credential. Returns the id. */
	createWorkflow(workflow: WorkflowJson): Promise<string>;
	/** CLI import (keeps the id); for poll-trigger workflows do it while n8n is stopped. */
	importWorkflow(workflow: WorkflowJson): Promise<string>;
	/** Manual run (POST /rest/workflows/:id/run), waits for the execution and returns it with data. */
	runWorkflow(id: string, options?: { triggerNode?: string; destinationNode?: string; timeoutMs?: number }): Promise<Execution>;
	/** `n8n execute --id` (mode cli; static data is persisted). */
	runWorkflowCli(id: string): Promise<{ result: any }>;
	/** Executions of a workflow, newest first, with data. */
	executions(workflowId?: string): Promise<Execution[]>;
	/** Stops n8n and the emulator and removes the user folder (E2E_KEEP=1 keeps it). */
	stop(): Promise<void>;
}

/** The credential data that points at an emulator, with its seeded valid token, advertiser and app. */
export function emulatorCredentialData(emulator: EmulatorHandle): Record<string, unknown> {
	return {
		accessToken: SEED.validToken,
		environment: 'custom',
		baseUrl: emulator.baseUrl,
		advertiserId: SEED.grantedAdvertiserId,
		appId: SEED.app.app_id,
		appSecret: SEED.app.secret,
	};
}

/** Sets `credentials.tikTokBusinessApi` on every node of this package that has none. */
export function withCredential(workflow: WorkflowJson, credential: { id: string; name: string }): WorkflowJson {
	return {
		...workflow,
		nodes: workflow.nodes.map((n) => {
			const type = String(n.type ?? '');
			const ours = type.startsWith(`${PACKAGE_NAME}.`) || type.startsWith('CUSTOM.');
			if (!ours || (n.credentials && n.credentials[CREDENTIAL_TYPE])) return n;
			return { ...n, credentials: { ...(n.credentials ?? {}), [CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } } };
		}),
	};
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
	const cleanups = cleanupStack();
	const stopAll = cleanups.stopAll;
	try {
		const emulator = await startEmulator(options.emulator);
		cleanups.push(() => emulator.close());
		log(`emulator at ${emulator.url}`);
		const n8n = await createN8n(options.n8n);
		cleanups.push(() => n8n.dispose());
		await n8n.start();
		const session = await login(n8n.url);

		const addCredential = async (name: string, data: Record<string, unknown> = {}) => {
			const id = await createCredential(session, {
				name,
				type: CREDENTIAL_TYPE,
				data: { ...emulatorCredentialData(emulator), ...data },
			});
			return { id, name };
		};
		const credentialData = { ...emulatorCredentialData(emulator), ...options.credentialData };
		const credential = { ...(await addCredential('TikTok (emulator)', credentialData)), data: credentialData };

		return {
			n8n,
			emulator,
			session,
			url: n8n.url,
			authCookie: session.authCookie,
			apiKey: session.apiKey,
			credential,
			addCredential,
			createWorkflow: (workflow) => createWorkflow(session, withCredential(workflow, credential)),
			importWorkflow: (workflow) => importWorkflowCli(n8n, withCredential(workflow, credential)),
			runWorkflow: (id, runOptions) => runWorkflow(session, id, runOptions),
			runWorkflowCli: (id) => runWorkflowCli(n8n, id),
			executions: (workflowId) => listExecutions(session, workflowId),
			stop: stopAll,
		};
	} catch (error) {
		await stopAll();
		throw error;
	}
}
