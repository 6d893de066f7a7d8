import { NodeApiError, NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';

import { recordInRegistry, registryEntry, registryEntryByName, type RegistryUpdate } from '../shared/sync/registry';
import { jobKey, readConfig, type SyncConfig } from './config';
import { runSync, SyncRefusal } from './sync';

interface Job {
	config: SyncConfig;
	items: number[];
}

/** Groups items into syncs, runs each, and records every successful sync in the registry once at the end. */
export async function executeUpsert(this: IExecuteFunctions): Promise<INodeExecutionData[]> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	const jobs = new Map<string, Job>();
	for (let i = 0; i < items.length; i++) {
		let config: SyncConfig;
		try {
			config = readConfig(this, i);
		} catch (error) {
			if (this.continueOnFail()) {
				out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
				continue;
			}
			throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: i });
		}
		const key = jobKey(config, i);
		const job = jobs.get(key);
		if (job) job.items.push(i);
		else jobs.set(key, { config, items: [i] });
	}

	const updates: RegistryUpdate[] = [];
	for (const job of jobs.values()) {
		const paired = job.items.map((item) => ({ item }));
		try {
			const result = await runSync(this, job.config, job.items, {
				byId: (id) => registryEntry(this, id),
				byName: (advertiserId, name) => registryEntryByName(this, advertiserId, name),
			});
			out.push({ json: result.summary as unknown as IDataObject, pairedItem: paired });
			if (result.registry) updates.push(result.registry);
		} catch (error) {
			if (this.continueOnFail()) {
				const extra = error instanceof SyncRefusal && error.nextAllowedAt ? { nextAllowedAt: error.nextAllowedAt.toISOString() } : {};
				out.push({ json: { error: (error as Error).message, ...extra }, pairedItem: paired });
				continue;
			}
			if (error instanceof NodeApiError) throw new NodeApiError(this.getNode(), error as unknown as JsonObject);
			throw new NodeOperationError(this.getNode(), error as Error, { itemIndex: job.items[0] });
		}
	}
	if (updates.length > 0) recordInRegistry(this, updates);
	return out;
}
