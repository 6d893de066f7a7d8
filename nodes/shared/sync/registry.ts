import type { IDataObject, IExecuteFunctions, IPollFunctions } from 'n8n-workflow';

/**
 * The sync registry: what this workflow has synced, kept in workflow static data under one key.
 *
 * n8n keeps only the last writer's copy of static data, so the registry has exactly one kind of writer: the action
 * nodes, at the end of a successful run that is not manual (manual runs are never saved by n8n). The trigger only
 * reads it. Writes reassign the top-level key, because n8n does not track nested in-place changes.
 */
export const REGISTRY_KEY = 'tiktokAudienceSync';
export const LOG_LIMIT = 50;

export type SyncKind = 'list' | 'event';

export interface RegistryLogEntry {
	at: string;
	event: 'created' | 'synced' | 'unlinked' | 'deleted' | 'skipped' | 'refused' | 'gone';
	detail: string;
}

export interface RegistryEntry {
	audienceId: string;
	name: string;
	advertiserId: string;
	kind: SyncKind;
	linked: boolean;
	createdAt: string;
	lastSyncAt?: string;
	lastAction?: string;
	lastReplaceAt?: string;
	deleted?: boolean;
	log: RegistryLogEntry[];
}

export interface Registry {
	version: 1;
	audiences: Record<string, RegistryEntry>;
}

type StaticDataContext = Pick<IExecuteFunctions, 'getWorkflowStaticData' | 'getMode'> | Pick<IPollFunctions, 'getWorkflowStaticData' | 'getMode'>;

function isRegistry(value: unknown): value is Registry {
	return typeof value === 'object' && value !== null && (value as Registry).version === 1 && typeof (value as Registry).audiences === 'object';
}

/** A deep copy, so callers can never change the stored object in place. */
export function readRegistry(ctx: StaticDataContext): Registry {
	const stored = ctx.getWorkflowStaticData('global')[REGISTRY_KEY];
	return isRegistry(stored) ? (JSON.parse(JSON.stringify(stored)) as Registry) : { version: 1, audiences: {} };
}

export function registryEntry(ctx: StaticDataContext, audienceId: string): RegistryEntry | undefined {
	return readRegistry(ctx).audiences[audienceId];
}

/** Whether this run's registry changes will be kept by n8n. */
export function persistsStaticData(ctx: StaticDataContext): boolean {
	return ctx.getMode() !== 'manual';
}

export interface RegistryUpdate {
	audienceId: string;
	name: string;
	advertiserId: string;
	kind: SyncKind;
	event: RegistryLogEntry['event'];
	detail: string;
	at: Date;
	/** The sync action (APPEND, REMOVE, REPLACE, EVENTS, CREATE) when `event` is `synced` or `created`. */
	action?: string;
	linked?: boolean;
	deleted?: boolean;
}

/** Applies one change to a registry value (pure, so it is tested without n8n). */
export function applyUpdate(registry: Registry, update: RegistryUpdate): Registry {
	const at = update.at.toISOString();
	const previous = registry.audiences[update.audienceId];
	const entry: RegistryEntry = {
		audienceId: update.audienceId,
		name: update.name,
		advertiserId: update.advertiserId,
		kind: update.kind,
		linked: update.linked ?? previous?.linked ?? true,
		createdAt: previous?.createdAt ?? at,
		lastSyncAt: previous?.lastSyncAt,
		lastAction: previous?.lastAction,
		lastReplaceAt: previous?.lastReplaceAt,
		deleted: update.deleted ?? previous?.deleted,
		log: [...(previous?.log ?? []), { at, event: update.event, detail: update.detail }].slice(-LOG_LIMIT),
	};
	if (update.event === 'synced' || update.event === 'created') {
		entry.lastSyncAt = at;
		entry.lastAction = update.action ?? entry.lastAction;
		if (update.action === 'REPLACE') entry.lastReplaceAt = at;
	}
	return { version: 1, audiences: { ...registry.audiences, [update.audienceId]: entry } };
}

/**
 * Records changes at the end of a successful run. In manual runs nothing is written: n8n would not save it, and
 * a write there could only mislead later nodes of the same run.
 */
export function recordInRegistry(ctx: Pick<IExecuteFunctions, 'getWorkflowStaticData' | 'getMode'>, updates: RegistryUpdate[]): boolean {
	if (!persistsStaticData(ctx) || updates.length === 0) return false;
	let registry = readRegistry(ctx);
	for (const update of updates) registry = applyUpdate(registry, update);
	const staticData = ctx.getWorkflowStaticData('global');
	staticData[REGISTRY_KEY] = registry as unknown as IDataObject;
	return true;
}
