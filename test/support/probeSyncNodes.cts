// Stand-ins for the sync nodes in lifecycle engine tests: they follow the sync-node contract (read the link store and
// skip an unlinked or deleted audience with a reason; change TikTok through the transport; never write static data)
// and nothing else, so the trigger and the link store are tested without depending on List Sync's or Event Sync's
// internals.
import { createHash } from 'node:crypto';
import { NodeConnectionTypes } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { z } from 'zod';

import { anyDataSchema } from '../../nodes/shared/tiktok/schemas';
import { distModule, transportModule } from './engine.cts';

// The transport and link store as the package's nodes load them (dist/), so the request limiter is shared with them,
// as in one n8n process.
const tiktokRequest: typeof import('../../nodes/shared/tiktok/transport').tiktokRequest = async (ctx, req) => await transportModule().tiktokRequest(ctx, req);
const linkStore = () => distModule<typeof import('../../nodes/shared/sync/linkStore')>('nodes/shared/sync/linkStore.js');

export const PROBE_LIST = 'test.probeListSync';
export const PROBE_EVENT = 'test.probeEventSync';

/** 1,000 distinct SHA-256 email hashes (the emulator's floor for updates), shifted by `offset`. */
export function memberFile(offset: number, count = 1000): Buffer {
	const lines: string[] = [];
	for (let i = 0; i < count; i++) lines.push(createHash('sha256').update(`member${offset + i}@example.com`).digest('hex'));
	return Buffer.from(lines.join('\n') + '\n');
}

function base(name: string, displayName: string): INodeType['description'] {
	return {
		displayName,
		name,
		group: ['transform'],
		version: 1,
		description: 'test stand-in',
		defaults: { name: displayName },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tikTokBusinessApi', required: true }],
		properties: [{ displayName: 'Offset', name: 'offset', type: 'number', default: 0 }],
	};
}

export const probeListSync: INodeType = {
	description: base('probeListSync', 'Probe List Sync'),
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const out: INodeExecutionData[] = [];
		const items = this.getInputData();
		for (let i = 0; i < items.length; i++) {
			const j = items[i].json as IDataObject;
			const advertiserId = String(j.advertiserId);
			let audienceId = j.audienceId ? String(j.audienceId) : undefined;
			const name = String(j.audienceName);
			if (audienceId && (await linkStore().readLinkState(this, advertiserId, audienceId)).unlinked) {
				out.push({ json: { skipped: true, reason: `Audience ${audienceId} is unlinked` }, pairedItem: { item: i } });
				continue;
			}
			if (!audienceId && (await linkStore().isDeletedName(this, advertiserId, name))) {
				out.push({ json: { skipped: true, reason: `List "${name}" was deleted` }, pairedItem: { item: i } });
				continue;
			}
			const file = memberFile(Number(this.getNodeParameter('offset', i)));
			const upload = await tiktokRequest(this, {
				method: 'POST',
				path: 'dmp/custom_audience/file/upload/',
				body: () => {
					const form = new FormData();
					form.append('advertiser_id', advertiserId);
					form.append('calculate_type', 'EMAIL_SHA256');
					form.append('file_signature', createHash('md5').update(file).digest('hex'));
					form.append('file', new Blob([file], { type: 'text/csv' }), 'members.csv');
					return form;
				},
				schema: z.object({ file_path: z.string() }),
			});
			let action: string;
			if (audienceId) {
				action = 'APPEND';
				await tiktokRequest(this, {
					method: 'POST',
					path: 'dmp/custom_audience/update/',
					body: { advertiser_id: advertiserId, custom_audience_id: audienceId, action, file_paths: [upload.data.file_path] },
					schema: anyDataSchema,
				});
			} else {
				action = 'CREATE';
				const created = await tiktokRequest(this, {
					method: 'POST',
					path: 'dmp/custom_audience/create/',
					body: { advertiser_id: advertiserId, custom_audience_name: name, calculate_type: 'EMAIL_SHA256', file_paths: [upload.data.file_path] },
					schema: z.object({ custom_audience_id: z.string() }),
				});
				audienceId = created.data.custom_audience_id;
			}
			out.push({ json: { audienceId, action }, pairedItem: { item: i } });
		}
		return [out];
	},
};

export const probeEventSync: INodeType = {
	description: base('probeEventSync', 'Probe Event Sync'),
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const out: INodeExecutionData[] = [];
		const items = this.getInputData();
		for (let i = 0; i < items.length; i++) {
			const j = items[i].json as IDataObject;
			const audienceId = String(j.audienceId);
			if ((await linkStore().readLinkState(this, String(j.advertiserId), audienceId)).unlinked) {
				out.push({ json: { skipped: true, reason: `Audience ${audienceId} is unlinked` }, pairedItem: { item: i } });
				continue;
			}
			out.push({ json: { audienceId, action: 'EVENTS' }, pairedItem: { item: i } });
		}
		return [out];
	},
};
