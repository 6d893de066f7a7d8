// Runs workflows inside n8n-core's real WorkflowExecute, with the package loaded from dist/ exactly as n8n loads it
// (PackageDirectoryLoader reads package.json's n8n block). Build first: `npm run build:only`.
import 'reflect-metadata';
import path from 'node:path';
import { ExecutionLifecycleHooks, PackageDirectoryLoader, WorkflowExecute } from 'n8n-core';
import { createRunExecutionData, ICredentialsHelper, NodeHelpers, Workflow } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IConnections,
	IDataObject,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRun,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';

export const PACKAGE_NAME = 'n8n-nodes-tiktok-audience-sync';
export const CREDENTIAL_TYPE = 'tikTokBusinessApi';
/** The id every harness workflow gets unless a test sets one (the registry's live view is kept per workflow id). */
export const WORKFLOW_ID = 'engine-test';
const ROOT = path.resolve(__dirname, '..', '..');

/**
 * A module of the built package, required by the same absolute path PackageDirectoryLoader resolves for the nodes, so
 * it is the very instance the nodes run with. Per-process state (the registry's live view, the trigger's memory, the
 * request limiter) lives there; importing the TypeScript source from a test gives a second, unrelated instance.
 */
export function distModule<T>(relative: string): T {
	return require(path.join(ROOT, 'dist', relative)) as T;
}

export const registryModule = () => distModule<typeof import('../../nodes/shared/sync/registry')>('nodes/shared/sync/registry.js');
export const lifecycleModule = () => distModule<typeof import('../../nodes/shared/sync/lifecycle')>('nodes/shared/sync/lifecycle.js');
export const transportModule = () => distModule<typeof import('../../nodes/shared/tiktok/transport')>('nodes/shared/tiktok/transport.js');

/** Forgets the registry's per-process view the nodes use (not the static data: that is the "database"). */
export function forgetLiveRegistries(): void {
	registryModule().forgetLiveRegistries();
}

/** What the nodes' registry holds in process memory for a workflow: its live view alone, without any static data. */
export function liveRegistry(workflowId = WORKFLOW_ID): import('../../nodes/shared/sync/registry').Registry {
	const registry = registryModule();
	const ctx = { getWorkflowStaticData: () => ({}), getMode: () => 'trigger', getWorkflow: () => ({ id: workflowId }) };
	return registry.readRegistry(ctx as unknown as Parameters<typeof registry.readRegistry>[0]);
}

/**
 * A restart of n8n, as the nodes see it: everything they keep in process memory is gone (the registry's live view, the
 * trigger's emit memory and published schedules, the transport's request slots). Static data, TikTok and the emulator
 * are untouched. Every module-level store in nodes/ must be cleared here (test/engine/restart.test.cts checks it).
 */
export function simulateRestart(): void {
	registryModule().forgetLiveRegistries();
	lifecycleModule().forgetTriggerMemory();
	transportModule().forgetRequestSlots();
}

let loaderPromise: Promise<PackageDirectoryLoader> | undefined;
export function packageLoader(): Promise<PackageDirectoryLoader> {
	loaderPromise ??= (async () => {
		const loader = new PackageDirectoryLoader(ROOT);
		await loader.loadAll();
		return loader;
	})();
	return loaderPromise;
}

/** Resolves `={{$credentials.x}}` templates of a generic authenticator, the way n8n's credentials helper does. */
function resolveTemplate(template: string, creds: ICredentialDataDecryptedObject): string {
	return template.replace(/^=/, '').replace(/\{\{\s*\$credentials\??\.(\w+)\s*\}\}/g, (_m, key: string) => String(creds[key] ?? ''));
}

export class TestCredentialsHelper extends ICredentialsHelper {
	private readonly loader: PackageDirectoryLoader;
	private readonly data: Record<string, ICredentialDataDecryptedObject>;
	constructor(loader: PackageDirectoryLoader, data: Record<string, ICredentialDataDecryptedObject>) {
		super();
		this.loader = loader;
		this.data = data;
	}
	getParentTypes(): string[] {
		return [];
	}
	isCredentialUsableByNode(): boolean {
		return true;
	}
	async authenticate(creds: ICredentialDataDecryptedObject, type: string, req: IHttpRequestOptions): Promise<IHttpRequestOptions> {
		const { authenticate } = this.loader.getCredential(type).type;
		if (typeof authenticate === 'function') return await authenticate(creds, req);
		if (authenticate?.type === 'generic') {
			const headers = (authenticate.properties.headers ?? {}) as Record<string, string>;
			req.headers = { ...req.headers, ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, resolveTemplate(v, creds)])) };
		}
		return req;
	}
	async preAuthentication(): Promise<undefined> {
		return undefined;
	}
	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}
	async getCredentials(): Promise<never> {
		throw new Error('not used by the harness');
	}
	async getDecrypted(_a: unknown, _n: unknown, type: string): Promise<ICredentialDataDecryptedObject> {
		return this.data[type] ?? {};
	}
	async updateCredentials(): Promise<void> {}
	async updateCredentialsOauthTokenData(): Promise<void> {}
	getCredentialsProperties(): [] {
		return [];
	}
}

export interface RunOptions {
	nodes: INode[];
	connections: IConnections;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	/** Items fed to the start node (the first node, or `startNode`). */
	input?: INodeExecutionData[];
	startNode?: string;
	/** `manual` runs are what the editor does; `trigger`/`webhook`/`cli` are production runs whose static data n8n saves. */
	mode?: WorkflowExecuteMode;
	/** Static data as loaded from the database; the returned `staticData` is what n8n would save. */
	staticData?: IDataObject;
	/** Extra node types for tests (e.g. a probe node that calls the transport), keyed by type name. */
	extraNodeTypes?: Record<string, INodeType>;
	/** Workflow id (the sync registry's per-process view is kept per workflow). */
	workflowId?: string;
}

export interface RunResult {
	run: IRun;
	staticData: IDataObject;
	/** Whether n8n would save static data after this run (it does only when changed and the mode is not manual). */
	staticDataChanged: boolean;
	/** JSON of every item a node output on its first run, per output index 0. */
	output(nodeName: string): IDataObject[];
	/** The error a node threw, if any. */
	error(): { message: string; description?: string | null; node?: string } | undefined;
}

export async function runWorkflow(o: RunOptions): Promise<RunResult> {
	const loader = await packageLoader();
	const shortName = (t: string) => t.slice(t.lastIndexOf('.') + 1);
	const resolve = (t: string): INodeType => {
		if (o.extraNodeTypes?.[t]) return o.extraNodeTypes[t];
		return loader.getNode(shortName(t)).type as INodeType;
	};
	const nodeTypes: INodeTypes = {
		getByName: (t: string) => resolve(t),
		getByNameAndVersion: (t: string, v?: number) => NodeHelpers.getVersionedNodeType(resolve(t), v),
		getKnownTypes: () => ({}),
	};
	const workflowId = o.workflowId ?? WORKFLOW_ID;
	const workflow = new Workflow({
		id: workflowId,
		nodes: o.nodes,
		connections: o.connections,
		nodeTypes,
		active: false,
		staticData: o.staticData ? JSON.parse(JSON.stringify(o.staticData)) : undefined,
	});
	const mode = o.mode ?? 'manual';
	const workflowData = { id: workflowId, name: 'engine test', nodes: o.nodes, connections: o.connections } as unknown as IWorkflowBase;
	const hooks = new ExecutionLifecycleHooks(mode, '1', workflowData);
	let done!: (r: IRun) => void;
	const finished = new Promise<IRun>((r) => (done = r));
	hooks.addHandler('workflowExecuteAfter', (run: IRun) => done(run));
	const additionalData = {
		hooks,
		credentialsHelper: new TestCredentialsHelper(loader, o.credentials),
		executionId: '1',
		restApiUrl: 'http://localhost/rest',
		instanceBaseUrl: 'http://localhost',
		webhookBaseUrl: 'http://localhost/webhook',
		webhookWaitingBaseUrl: 'http://localhost/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost/webhook-test',
		formWaitingBaseUrl: 'http://localhost/form-waiting',
		variables: {},
		currentNodeParameters: undefined,
	} as unknown as IWorkflowExecuteAdditionalData;
	const start = (o.startNode ? workflow.getNode(o.startNode) : workflow.getStartNode()) as INode;
	const runData = createRunExecutionData({
		executionData: { nodeExecutionStack: [{ node: start, data: { main: [o.input ?? [{ json: {} }]] }, source: null }] },
	});
	await new WorkflowExecute(additionalData, mode, runData).processRunExecutionData(workflow);
	const run = await finished;
	const staticData = workflow.staticData as IDataObject & { __dataChanged?: boolean };
	return {
		run,
		staticData: JSON.parse(JSON.stringify(staticData)) as IDataObject,
		staticDataChanged: staticData.__dataChanged === true,
		output(nodeName: string) {
			const taskData = run.data.resultData.runData[nodeName]?.[0];
			return (taskData?.data?.main?.[0] ?? []).map((item) => item.json);
		},
		error() {
			const e = run.data.resultData.error as unknown as { message: string; description?: string | null; node?: { name: string } } | undefined;
			return e ? { message: e.message, description: e.description, node: e.node?.name } : undefined;
		},
	};
}

/** A workflow node of this package with credentials attached. */
export function packageNode(
	name: string,
	nodeName: string,
	parameters: IDataObject,
	extra: Partial<INode> = {},
): INode {
	return {
		id: name.replace(/\W+/g, '-').toLowerCase(),
		name,
		type: `${PACKAGE_NAME}.${nodeName}`,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: { [CREDENTIAL_TYPE]: { id: '1', name: 'TikTok' } },
		...extra,
	} as INode;
}

/** Connects nodes in a straight line: a → b → c. */
export function chain(...names: string[]): IConnections {
	const connections: IConnections = {};
	for (let i = 0; i < names.length - 1; i++) {
		connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main' as never, index: 0 }]] };
	}
	return connections;
}

/** A resource-locator value as stored in workflow JSON. */
export function byId(value: string): IDataObject {
	return { __rl: true, mode: 'id', value };
}
