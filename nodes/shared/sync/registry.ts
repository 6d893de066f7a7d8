import type { IDataObject, IExecuteFunctions, IPollFunctions } from 'n8n-workflow';

/**
 * The sync registry: what this workflow has synced, kept in workflow static data under one key.
 *
 * n8n keeps only the last writer's copy of static data, so the registry has exactly one kind of writer: the action
 * nodes, at the end of a successful run that is not manual (manual runs are never saved by n8n). The trigger only
 * reads it. Writes reassign the top-level key, because n8n does not track nested in-place changes.
 *
 * Two more facts shape the reads and writes below:
 * - An active trigger keeps the static data loaded at activation; it never sees what executions saved since.
 * - Concurrent executions each save their whole copy; the last one to finish wins.
 * So every write is also kept in a per-process "live" view (newest entry per audience, per workflow). Readers merge it
 * over their loaded copy (the trigger then sees an unlink at its next poll), and writers merge it before saving (so a
 * concurrent execution's entries are not wiped). The live view is lost at restart, which is harmless: the database
 * holds the last saved copy, and that copy already contains every entry this process wrote before it.
 */
export const REGISTRY_KEY = 'tiktokAudienceSync';
export const LOG_LIMIT = 50;

export type SyncKind = 'list' | 'event';

export interface RegistryLogEntry {
	at: string;
	event: 'created' | 'synced' | 'unlinked' | 'relinked' | 'deleted' | 'skipped' | 'refused' | 'gone';
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

type StaticDataContext = (
	| Pick<IExecuteFunctions, 'getWorkflowStaticData' | 'getMode'>
	| Pick<IPollFunctions, 'getWorkflowStaticData' | 'getMode'>
) &
	Partial<Pick<IExecuteFunctions, 'getWorkflow'>>;

/** Per process: workflow id → audience id → the newest entry an execution of this process saved. */
const liveEntries = new Map<string, Map<string, RegistryEntry>>();

function workflowKey(ctx: StaticDataContext): string | undefined {
	const id = ctx.getWorkflow?.().id;
	return id === undefined || id === null || id === '' ? undefined : String(id);
}

/** When an entry last changed: every change appends a log line, so its newest line says when. */
export function entryTime(entry: RegistryEntry): number {
	const at = entry.log[entry.log.length - 1]?.at ?? entry.createdAt;
	const ms = Date.parse(at);
	return Number.isFinite(ms) ? ms : 0;
}

/** Per audience, the newer of two entries (on a tie `b`, the later-written copy, wins). Pure. */
export function mergeRegistries(a: Registry, b: Registry): Registry {
	const audiences = { ...a.audiences };
	for (const [id, entry] of Object.entries(b.audiences)) {
		const mine = audiences[id];
		if (!mine || entryTime(entry) >= entryTime(mine)) audiences[id] = entry;
	}
	return { version: 1, audiences };
}

function liveRegistry(ctx: StaticDataContext): Registry | undefined {
	const key = workflowKey(ctx);
	const entries = key === undefined ? undefined : liveEntries.get(key);
	return entries ? { version: 1, audiences: Object.fromEntries(entries) } : undefined;
}

/** Forgets the per-process view, as a restart does (tests simulate restarts with it). */
export function forgetLiveRegistries(): void {
	liveEntries.clear();
}

function isRegistry(value: unknown): value is Registry {
	return typeof value === 'object' && value !== null && (value as Registry).version === 1 && typeof (value as Registry).audiences === 'object';
}

/** The registry as loaded, with newer entries this process saved since merged in. A deep copy, never the stored object. */
export function readRegistry(ctx: StaticDataContext): Registry {
	const stored = ctx.getWorkflowStaticData('global')[REGISTRY_KEY];
	const loaded: Registry = isRegistry(stored) ? (JSON.parse(JSON.stringify(stored)) as Registry) : { version: 1, audiences: {} };
	const live = liveRegistry(ctx);
	return live ? (JSON.parse(JSON.stringify(mergeRegistries(loaded, live))) as Registry) : loaded;
}

export function registryEntry(ctx: StaticDataContext, audienceId: string): RegistryEntry | undefined {
	return readRegistry(ctx).audiences[audienceId];
}

/**
 * The newest entry for an audience of this name: after a delete TikTok no longer knows the name, but the registry
 * does, so a sync by name can tell "deleted here, do not recreate" from "never synced, create it".
 */
export function registryEntryByName(ctx: StaticDataContext, advertiserId: string, name: string): RegistryEntry | undefined {
	return Object.values(readRegistry(ctx).audiences)
		.filter((e) => e.advertiserId === advertiserId && e.name === name)
		.sort((a, b) => entryTime(a) - entryTime(b))
		.pop();
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
export function recordInRegistry(
	ctx: Pick<IExecuteFunctions, 'getWorkflowStaticData' | 'getMode'> & Partial<Pick<IExecuteFunctions, 'getWorkflow'>>,
	updates: RegistryUpdate[],
): boolean {
	if (!persistsStaticData(ctx) || updates.length === 0) return false;
	// readRegistry merges what concurrent executions of this process saved, so this save does not wipe it.
	let registry = readRegistry(ctx);
	for (const update of updates) registry = applyUpdate(registry, update);
	const staticData = ctx.getWorkflowStaticData('global');
	staticData[REGISTRY_KEY] = registry as unknown as IDataObject;
	const key = workflowKey(ctx);
	if (key !== undefined) {
		const entries = liveEntries.get(key) ?? new Map<string, RegistryEntry>();
		for (const { audienceId } of updates) entries.set(audienceId, JSON.parse(JSON.stringify(registry.audiences[audienceId])) as RegistryEntry);
		liveEntries.set(key, entries);
	}
	return true;
}
