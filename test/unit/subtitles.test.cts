// The line n8n draws under each node on the canvas (nodes/shared/ui/subtitles.ts), evaluated the way the editor does
// (getNodeSubtitle: workflow.expression.getSimpleParameterValue on the node's parameters, defaults filled in as the
// editor fills them): words for every option, never a stored value (`getStatus`, `APPEND`, `__custom`), and "Every
// day", not "Every 1 days".
import { NodeHelpers, Workflow } from 'n8n-workflow';
import type { INode, INodeParameters, INodeType } from 'n8n-workflow';

import { WEB_EVENTS } from '../../nodes/shared/events/webEvents';
import { TikTokAudienceSyncTrigger } from '../../nodes/TikTokAudienceSyncTrigger/TikTokAudienceSyncTrigger.node';
import { TikTokCreateWebsiteAudience } from '../../nodes/TikTokCreateWebsiteAudience/TikTokCreateWebsiteAudience.node';
import { TikTokSendSyncEvent } from '../../nodes/TikTokSendSyncEvent/TikTokSendSyncEvent.node';
import { TikTokUnlinkDeleteAudience } from '../../nodes/TikTokUnlinkDeleteAudience/TikTokUnlinkDeleteAudience.node';
import { TikTokUpsertCustomerFileList } from '../../nodes/TikTokUpsertCustomerFileList/TikTokUpsertCustomerFileList.node';

function subtitleOf(type: INodeType, parameters: INodeParameters): unknown {
	const node = { id: '1', name: 'Node', type: `n8n-nodes-tiktok-audience-sync.${type.description.name}`, typeVersion: 1, position: [0, 0], parameters } as INode;
	// The editor keeps a node's parameters with their defaults (NodeHelpers.getNodeParameters, returnDefaults).
	node.parameters = NodeHelpers.getNodeParameters(type.description.properties, parameters, true, false, node, type.description) ?? {};
	const nodeTypes = { getByName: () => type, getByNameAndVersion: () => type, getKnownTypes: () => ({}) };
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	// The editor shows no subtitle when the expression fails (a parameter set by an expression has no value yet).
	try {
		return workflow.expression.getSimpleParameterValue(node, type.description.subtitle as string, 'internal', {});
	} catch {
		return undefined;
	}
}

const optionsOf = (type: INodeType, name: string) =>
	(type.description.properties.find((p) => p.name === name)?.options as Array<{ name: string; value: string }>).map((o) => o.value);

test('Upsert Customer File List: the action in words', () => {
	const type = new TikTokUpsertCustomerFileList();
	const words: Record<string, string> = {
		APPEND: 'Add to customer file list',
		REMOVE: 'Remove from customer file list',
		REPLACE: 'Replace customer file list',
		CHANGES: 'Add and remove by row in customer file list',
		MIRROR: 'Mirror to customer file list',
	};
	expect(Object.keys(words).map((action) => [action, subtitleOf(type, { action })])).toEqual(Object.entries(words));
	// Every action the node offers has its words (a new one would read "Sync customer file list").
	expect(optionsOf(type, 'action').filter((action) => subtitleOf(type, { action }) !== words[action])).toEqual([]);
	expect(subtitleOf(type, { action: 'MERGE' })).toBe('Sync customer file list');
});

test('Unlink/Delete: the operation as its option names it, also when it is the default', () => {
	const type = new TikTokUnlinkDeleteAudience();
	expect(subtitleOf(type, {})).toBe('Get Status');
	expect(optionsOf(type, 'operation').map((operation) => [operation, subtitleOf(type, { operation })])).toEqual([
		['getStatus', 'Get Status'],
		['unlink', 'Unlink'],
		['relink', 'Relink'],
		['delete', 'Delete'],
	]);
});

test('Audience Sync Trigger: "Every day", "Every 2 days", "Every 30 minutes", "Paused"', () => {
	const type = new TikTokAudienceSyncTrigger();
	const cases: Array<[INodeParameters, string]> = [
		[{}, 'Every day'],
		[{ refreshInterval: 1, refreshUnit: 'days' }, 'Every day'],
		[{ refreshInterval: 2, refreshUnit: 'days' }, 'Every 2 days'],
		[{ refreshInterval: 1, refreshUnit: 'hours' }, 'Every hour'],
		[{ refreshInterval: 12, refreshUnit: 'hours' }, 'Every 12 hours'],
		[{ refreshInterval: 1, refreshUnit: 'minutes' }, 'Every minute'],
		[{ refreshInterval: 30, refreshUnit: 'minutes' }, 'Every 30 minutes'],
		[{ status: 'paused', refreshInterval: 2, refreshUnit: 'days' }, 'Paused'],
	];
	expect(cases.map(([parameters]) => [parameters, subtitleOf(type, parameters)])).toEqual(cases);
});

test('Send Sync Event: the event in words, the custom name, or the recipe', () => {
	const type = new TikTokSendSyncEvent();
	expect(subtitleOf(type, { source: 'manual', event: 'AddToCart' })).toBe('Add to Cart event');
	expect(subtitleOf(type, { source: 'manual', event: 'CompletePayment' })).toBe('Complete Payment event');
	expect(subtitleOf(type, { source: 'manual', event: '__custom', eventCustom: 'AudienceSync' })).toBe('AudienceSync event');
	expect(subtitleOf(type, { source: 'manual', event: '__custom', eventCustom: '' })).toBe('Custom event');
	expect(subtitleOf(type, { source: 'recipe' })).toBe('Event from the recipe');
	// Every standard event reads as its label, never as the Events API name in camel case.
	const words = WEB_EVENTS.map((e) => subtitleOf(type, { source: 'manual', event: e.event }));
	expect(words).toEqual(WEB_EVENTS.map((e) => `${e.label.replace(/ \(.*\)$/, '')} event`));
	expect(words.filter((w) => /__custom|[a-z][A-Z]/.test(String(w)))).toEqual([]);
});

test('Create Website Audience: the audience name, else the event it is built on', () => {
	const type = new TikTokCreateWebsiteAudience();
	expect(subtitleOf(type, { audienceName: 'Cart abandoners' })).toBe('Cart abandoners');
	expect(subtitleOf(type, { audienceName: '', event: 'InitiateCheckout' })).toBe('Initiate Checkout audience');
	expect(subtitleOf(type, { audienceName: '', event: '__custom', eventCustom: 'AudienceSync' })).toBe('AudienceSync audience');
	// A name given by an expression has no value on the canvas: the editor shows no subtitle (never the expression).
	expect(subtitleOf(type, { audienceName: '={{ $json.name }}' })).toBeUndefined();
});
