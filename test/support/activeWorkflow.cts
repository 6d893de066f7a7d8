// An active n8n workflow with a polling trigger, simulated the way n8n 2.41 runs one (real-n8n.md, "Workflow static
// data"): static data lives in a "database" row; activation loads it once into the trigger's long-lived Workflow;
// each poll that returns items starts an execution that loads the row afresh and, unless the mode is manual, saves
// its whole copy back (last writer wins). A restart forgets everything in process memory and re-activates.
import { PollContext } from 'n8n-core';
import { NodeHelpers, Workflow } from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IConnections,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeType,
	INodeTypes,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { packageLoader, runWorkflow, simulateRestart, TestCredentialsHelper, WORKFLOW_ID, type RunResult } from './engine.cts';

export interface ActiveWorkflowOptions {
	nodes: INode[];
	connections: IConnections;
	credentials: Record<string, ICredentialDataDecryptedObject>;
	triggerName: string;
	extraNodeTypes?: Record<string, INodeType>;
	staticData?: IDataObject;
}

export interface Logged {
	level: string;
	message: string;
}

export class ActiveWorkflow {
	/** The database row's static data (`{ global: {...} }`). */
	db: IDataObject;
	/** Every static-data save, in order, with who saved it. */
	readonly saves: Array<{ by: string; data: IDataObject }> = [];
	readonly logs: Logged[] = [];
	private workflow!: Workflow;
	private readonly o: ActiveWorkflowOptions;

	constructor(o: ActiveWorkflowOptions) {
		this.o = o;
		this.db = JSON.parse(JSON.stringify(o.staticData ?? {})) as IDataObject;
	}

	private async nodeTypes(): Promise<INodeTypes> {
		const loader = await packageLoader();
		const resolve = (t: string): INodeType =>
			this.o.extraNodeTypes?.[t] ?? (loader.getNode(t.slice(t.lastIndexOf('.') + 1)).type as INodeType);
		return {
			getByName: (t: string) => resolve(t),
			getByNameAndVersion: (t: string, v?: number) => NodeHelpers.getVersionedNodeType(resolve(t), v),
			getKnownTypes: () => ({}),
		};
	}

	/** Changes a node's parameters, as editing and saving the workflow would. */
	setParameters(nodeName: string, patch: IDataObject): void {
		const node = this.o.nodes.find((n) => n.name === nodeName);
		if (!node) throw new Error(`no node ${nodeName}`);
		node.parameters = { ...node.parameters, ...patch } as INode['parameters'];
	}

	/** Publishing the workflow: the trigger gets its own copy of static data, as loaded now. */
	async activate(): Promise<void> {
		this.workflow = new Workflow({
			id: WORKFLOW_ID,
			nodes: this.o.nodes,
			connections: this.o.connections,
			nodeTypes: await this.nodeTypes(),
			active: true,
			staticData: JSON.parse(JSON.stringify(this.db)) as IDataObject,
		});
	}

	/** A restart: process memory is gone; the workflow is activated again from the database. */
	async restart(): Promise<void> {
		simulateRestart();
		await this.activate();
	}

	/** One scheduled poll (mode `trigger`), as n8n's cron does. */
	async poll(): Promise<INodeExecutionData[][] | null> {
		const node = this.workflow.getNode(this.o.triggerName) as INode;
		const type = this.workflow.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
		const logger = {
			debug: () => {},
			info: (m: string) => this.logs.push({ level: 'info', message: m }),
			warn: (m: string) => this.logs.push({ level: 'warn', message: m }),
			error: (m: string) => this.logs.push({ level: 'error', message: m }),
		};
		const additionalData = {
			credentialsHelper: new TestCredentialsHelper(await packageLoader(), this.o.credentials),
			restApiUrl: 'http://localhost/rest',
			instanceBaseUrl: 'http://localhost',
			webhookBaseUrl: 'http://localhost/webhook',
			variables: {},
			currentNodeParameters: undefined,
		} as unknown as IWorkflowExecuteAdditionalData;
		const ctx = new PollContext(this.workflow, node, additionalData, 'trigger', 'activate');
		Object.defineProperty(ctx, 'logger', { value: logger });
		const result = (await type.poll!.call(ctx)) as INodeExecutionData[][] | null;
		// n8n saves the trigger's copy when a poll emits and the copy changed (the trigger's own emit memory).
		const staticData = this.workflow.staticData as IDataObject & { __dataChanged?: boolean };
		if (result && staticData.__dataChanged) {
			const data = JSON.parse(JSON.stringify(staticData)) as IDataObject;
			delete data.__dataChanged;
			this.saves.push({ by: 'trigger', data });
			this.db = data;
			staticData.__dataChanged = false;
		}
		return result;
	}

	/** An execution of the workflow: loads static data from the database and saves it back unless manual. */
	async execute(mode: WorkflowExecuteMode, input?: INodeExecutionData[], startNode = this.o.triggerName, loaded?: IDataObject): Promise<RunResult> {
		const result = await runWorkflow({
			nodes: this.o.nodes,
			connections: this.o.connections,
			credentials: this.o.credentials,
			mode,
			input,
			startNode,
			staticData: loaded ?? this.db,
			extraNodeTypes: this.o.extraNodeTypes,
		});
		this.save(result, mode);
		return result;
	}

	/**
	 * The editor's "Fetch Test Event" on the trigger: a manual run that executes the trigger alone (n8n-core
	 * WorkflowExecute.executePollNode, mode `manual`); nothing after it runs and n8n saves nothing of it.
	 */
	async fetchTestEvent(): Promise<RunResult> {
		return await runWorkflow({
			nodes: this.o.nodes,
			connections: {},
			credentials: this.o.credentials,
			mode: 'manual',
			startNode: this.o.triggerName,
			staticData: this.db,
			extraNodeTypes: this.o.extraNodeTypes,
		});
	}

	/** What n8n's workflowExecuteAfter hook does with an execution's static data. */
	save(result: RunResult, mode: WorkflowExecuteMode): void {
		if (mode === 'manual' || !result.staticDataChanged) return;
		const data = JSON.parse(JSON.stringify(result.staticData)) as IDataObject;
		delete data.__dataChanged;
		this.db = data;
		this.saves.push({ by: `execution (${mode})`, data });
	}

	/** A poll and, when it emits, the execution it starts. */
	async tick(): Promise<{ emitted: IDataObject[]; run?: RunResult }> {
		const items = await this.poll();
		if (!items) return { emitted: [] };
		const run = await this.execute('trigger', items[0]);
		return { emitted: items[0].map((i) => i.json), run };
	}
}
