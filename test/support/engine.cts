// Runs workflows inside n8n-core's real WorkflowExecute, with the package loaded from dist/ exactly as n8n loads it
// (PackageDirectoryLoader reads package.json's n8n block). Build first: `npm run build:only`.
import 'reflect-metadata';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { DataDeduplicationService, ExecutionLifecycleHooks, PackageDirectoryLoader, WorkflowExecute } from 'n8n-core';
import { createRunExecutionData, ICredentialsHelper, NodeApiError, NodeConnectionTypes, NodeHelpers, Workflow } from 'n8n-workflow';
import type {
	DeduplicationItemTypes,
	DeduplicationScope,
	ICheckProcessedContextData,
	ICheckProcessedOptions,
	IDataDeduplicator,
	IDeduplicationOutput,
	ICredentialDataDecryptedObject,
	IConnections,
	IDataObject,
	IExecuteFunctions,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IRun,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	JsonObject,
	WorkflowExecuteMode,
} from 'n8n-workflow';

export const PACKAGE_NAME = 'n8n-nodes-tiktok-audience-sync';
export const CREDENTIAL_TYPE = 'tikTokBusinessApi';
/** The id every harness workflow gets unless a test sets one (the link store's row and the trigger's memory are per workflow id). */
export const WORKFLOW_ID = 'engine-test';
const ROOT = path.resolve(__dirname, '..', '..');

/**
 * A module of the built package, required by the same absolute path PackageDirectoryLoader resolves for the nodes, so
 * it is the very instance the nodes run with. Per-process state (the trigger's memory and link view, the
 * request limiter) lives there; importing the TypeScript source from a test gives a second, unrelated instance.
 */
export function distModule<T>(relative: string): T {
	return require(path.join(ROOT, 'dist', relative)) as T;
}

export const lifecycleModule = () => distModule<typeof import('../../nodes/shared/sync/lifecycle')>('nodes/shared/sync/lifecycle.js');
export const transportModule = () => distModule<typeof import('../../nodes/shared/tiktok/transport')>('nodes/shared/tiktok/transport.js');
export const connectModule = () => distModule<typeof import('../../nodes/shared/tiktok/connect')>('nodes/shared/tiktok/connect.js');

/**
 * n8n's database-backed de-duplication store (the link store lives there), in memory, with the semantics of n8n
 * 2.41's DeduplicationHelper (packages/cli/src/deduplication/deduplication-helper.ts): one row per workflow and scope
 * context, values stored as base64 MD5, every checkProcessedAndRecord and removeProcessed a read followed by a write
 * of the whole row. `interleave` lets a test run code between a call's read and its write, as a concurrent process
 * would. It is the "database": a simulated restart keeps it.
 */
export class MemoryDeduplicator implements IDataDeduplicator {
	readonly rows = new Map<string, { mode: string; data: string[] }>();
	/** Runs between the read and the write of the next calls (once each), to model concurrent writers. */
	interleave: Array<() => Promise<void> | void> = [];

	static hash(value: DeduplicationItemTypes): string {
		return createHash('md5').update(String(value)).digest('base64');
	}

	private key(scope: DeduplicationScope, ctx: ICheckProcessedContextData): string {
		return `${ctx.workflow.id}\u0000${scope === 'node' ? `n:${ctx.node?.id}` : ''}`;
	}

	private async between(): Promise<void> {
		const step = this.interleave.shift();
		if (step) await step();
	}

	async checkProcessedAndRecord(items: DeduplicationItemTypes[], scope: DeduplicationScope, ctx: ICheckProcessedContextData, options: ICheckProcessedOptions): Promise<IDeduplicationOutput> {
		const key = this.key(scope, ctx);
		const read = this.rows.get(key);
		const row = read ? { mode: read.mode, data: [...read.data] } : { mode: options.mode, data: [] as string[] };
		if (row.mode !== options.mode) throw new Error('Deduplication data was originally saved with an incompatible setting');
		const out: IDeduplicationOutput = { new: [], processed: [] };
		for (const item of items) {
			const h = MemoryDeduplicator.hash(item);
			if (row.data.includes(h)) out.processed.push(item);
			else {
				out.new.push(item);
				row.data.push(h);
			}
		}
		await this.between();
		this.rows.set(key, row);
		return out;
	}

	async removeProcessed(items: DeduplicationItemTypes[], scope: DeduplicationScope, ctx: ICheckProcessedContextData, _options?: ICheckProcessedOptions): Promise<void> {
		const key = this.key(scope, ctx);
		const read = this.rows.get(key);
		if (!read) return;
		const gone = new Set(items.map((i) => MemoryDeduplicator.hash(i)));
		const row = { mode: read.mode, data: read.data.filter((h) => !gone.has(h)) };
		await this.between();
		this.rows.set(key, row);
	}

	async clearAllProcessedItems(scope: DeduplicationScope, ctx: ICheckProcessedContextData): Promise<void> {
		this.rows.delete(this.key(scope, ctx));
	}

	async getProcessedDataCount(scope: DeduplicationScope, ctx: ICheckProcessedContextData): Promise<number> {
		return this.rows.get(this.key(scope, ctx))?.data.length ?? 0;
	}

	/** Whether the workflow's row holds this value (a test's read; it writes nothing). */
	has(value: string, workflowId = WORKFLOW_ID): boolean {
		return this.rows.get(`${workflowId}\u0000`)?.data.includes(MemoryDeduplicator.hash(value)) ?? false;
	}

	clear(): void {
		this.rows.clear();
		this.interleave = [];
	}
}

export const dedupStore = new MemoryDeduplicator();
const dedupReady = DataDeduplicationService.init(dedupStore);
// Each test starts with an empty "database" (the emulator's IDs repeat from test to test).
if (typeof beforeEach === 'function') beforeEach(() => dedupStore.clear());

/** Records a value in a workflow's de-duplication row directly, as another n8n process would. */
export async function recordInStore(value: string, workflowId = WORKFLOW_ID): Promise<void> {
	await dedupStore.checkProcessedAndRecord([value], 'workflow', { workflow: { id: workflowId, active: false } }, { mode: 'entries' });
}

/** The link store's fact values (nodes/shared/sync/linkStore.ts), for tests that read the store. */
export const linkFact = {
	unlinked: (audienceId: string) => `tiktok-audience-sync/v1/unlinked/${audienceId}`,
	deleted: (audienceId: string) => `tiktok-audience-sync/v1/deleted/${audienceId}`,
	deletedName: (advertiserId: string, name: string) => `tiktok-audience-sync/v1/deleted-name/${advertiserId}/${name}`,
};

/**
 * A restart of n8n, as the nodes see it: everything they keep in process memory is gone (the
 * trigger's emit memory and published schedules, the transport's request slots). Static data, TikTok and the emulator
 * are untouched. Every module-level store in nodes/ must be cleared here (test/engine/restart.test.cts checks it).
 */
export function simulateRestart(): void {
	lifecycleModule().forgetTriggerMemory();
	transportModule().forgetRequestSlots();
	connectModule().forgetExchangedCodes();
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

/**
 * Resolves `={{$credentials.x}}` and `={{$credentials.x || $credentials.y}}` templates of a generic authenticator,
 * the way n8n's credentials helper evaluates them.
 */
function resolveTemplate(template: string, creds: ICredentialDataDecryptedObject): string {
	return template.replace(/^=/, '').replace(/\{\{\s*([^}]+?)\s*\}\}/g, (whole, expression: string) => {
		const keys = expression.split('||').map((part) => /^\$credentials\??\.(\w+)$/.exec(part.trim())?.[1]);
		if (keys.some((k) => k === undefined)) throw new Error(`the harness cannot resolve ${whole}`);
		for (const key of keys) if (creds[key as string]) return String(creds[key as string]);
		return '';
	});
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
	/**
	 * n8n 2.41's CredentialsHelper.preAuthentication (packages/cli/src/credentials-helper.ts): the credential's
	 * preAuthentication runs when its `expirable` hidden field is empty (or after a 401); its output is stored in the
	 * credential (here: the harness's credential data, the "database") and used for the request.
	 */
	async preAuthentication(
		helpers: IHttpRequestHelper,
		creds: ICredentialDataDecryptedObject,
		type: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.loader.getCredential(type).type;
		const expirable = credentialType.properties.find((p) => p.type === 'hidden' && p.typeOptions?.expirable === true);
		if (expirable === undefined || typeof credentialType.preAuthentication !== 'function') return undefined;
		if (creds[expirable.name] !== '' && !credentialsExpired) return undefined;
		const output = await credentialType.preAuthentication.call(helpers, creds);
		if (output[expirable.name] === undefined || !node.credentials) return undefined;
		Object.assign((this.data[type] ??= {}), output);
		return Object.assign(creds, output);
	}
	async runPreAuthentication(): Promise<undefined> {
		return undefined;
	}
	async getCredentials(): Promise<never> {
		throw new Error('not used by the harness');
	}
	/** A fresh copy per call, as n8n decrypts the stored credential anew: what preAuthentication stored shows up here. */
	async getDecrypted(_a: unknown, _n: unknown, type: string): Promise<ICredentialDataDecryptedObject> {
		return { ...(this.data[type] ?? {}) };
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
	/** Items per input of the start node (e.g. Mirror's list and previous snapshot); overrides `input`. */
	inputs?: INodeExecutionData[][];
	startNode?: string;
	/** `manual` runs are what the editor does; `trigger`/`webhook`/`cli` are production runs whose static data n8n saves. */
	mode?: WorkflowExecuteMode;
	/** Static data as loaded from the database; the returned `staticData` is what n8n would save. */
	staticData?: IDataObject;
	/** Extra node types for tests (e.g. a probe node that calls the transport), keyed by type name. */
	extraNodeTypes?: Record<string, INodeType>;
	/** Workflow id (the link store and the trigger's per-process views are kept per workflow). */
	workflowId?: string;
}

export interface RunResult {
	run: IRun;
	staticData: IDataObject;
	/** Whether n8n would save static data after this run (it does only when changed and the mode is not manual). */
	staticDataChanged: boolean;
	/** JSON of every item a node output on its first run, per output index 0. */
	output(nodeName: string): IDataObject[];
	/** JSON of every item on one output (0 the first) of a node's first run. */
	outputAt(nodeName: string, index: number): IDataObject[];
	/** Items of one output of a node's first run, with pairedItem. */
	items(nodeName: string, index?: number): INodeExecutionData[];
	/** The execution hints a node's first run added (n8n shows them in the output panel). */
	hints(nodeName: string): Array<{ message: string; type?: string; location?: string }>;
	/** The error a node threw, if any. */
	error(): { message: string; description?: string | null; node?: string } | undefined;
}

export async function runWorkflow(o: RunOptions): Promise<RunResult> {
	await dedupReady;
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
		executionData: { nodeExecutionStack: [{ node: start, data: { main: o.inputs ?? [o.input ?? [{ json: {} }]] }, source: null }] },
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
		outputAt(nodeName: string, index: number) {
			const taskData = run.data.resultData.runData[nodeName]?.[0];
			return (taskData?.data?.main?.[index] ?? []).map((item) => item.json);
		},
		items(nodeName: string, index = 0) {
			return run.data.resultData.runData[nodeName]?.[0]?.data?.main?.[index] ?? [];
		},
		hints(nodeName: string) {
			return (run.data.resultData.runData[nodeName]?.[0]?.hints ?? []) as Array<{ message: string; type?: string; location?: string }>;
		},
		error() {
			const e = run.data.resultData.error as unknown as { message: string; description?: string | null; node?: { name: string } } | undefined;
			return e ? { message: e.message, description: e.description, node: e.node?.name } : undefined;
		},
	};
}

export const CREDENTIAL_CHECK_NODE = 'test.credentialCheck';

/** Runs the credential's preAuthentication with the node context's real n8n-core HTTP helper. */
const credentialCheckNode: INodeType = {
	description: {
		displayName: 'Credential Check',
		name: 'credentialCheck',
		group: ['transform'],
		version: 1,
		description: 'test',
		defaults: { name: 'Credential Check' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: CREDENTIAL_TYPE, required: true }],
		properties: [],
	},
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const type = (await packageLoader()).getCredential(CREDENTIAL_TYPE).type;
		const credentials = await this.getCredentials(CREDENTIAL_TYPE);
		try {
			const stored = await type.preAuthentication?.call({ helpers: this.helpers } as unknown as IHttpRequestHelper, credentials);
			return [[{ json: { stored: (stored ?? {}) as IDataObject } }]];
		} catch (error) {
			// n8n wraps it as its request helper does (httpRequestWithAuthentication), which can reword the message.
			return [[{ json: { message: new NodeApiError(this.getNode(), error as JsonObject).message } }]];
		}
	},
};

/**
 * What n8n does before a credential test (its Test button): the credential's preAuthentication, here with n8n-core's
 * real HTTP helper. Returns what n8n would store in the credential, or the message the test would show.
 */
export async function runCredentialCheck(credentials: ICredentialDataDecryptedObject): Promise<{ stored?: IDataObject; message?: string }> {
	const r = await runWorkflow({
		nodes: [{ ...packageNode('Check', 'credentialCheck', {}), type: CREDENTIAL_CHECK_NODE }],
		connections: {},
		credentials: { [CREDENTIAL_TYPE]: credentials },
		extraNodeTypes: { [CREDENTIAL_CHECK_NODE]: credentialCheckNode },
	});
	const error = r.error();
	if (error) throw new Error(`the check node failed: ${error.message}`);
	return r.output('Check')[0] as { stored?: IDataObject; message?: string };
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
