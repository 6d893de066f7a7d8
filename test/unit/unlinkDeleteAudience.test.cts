// TikTok Unlink/Delete Audience (nodes/TikTokUnlinkDeleteAudience): the pixel IDs Get Status reads from a rule, the
// canvas subtitle, history actions in words, and the panel's explanation of n8n's "Custom API Call".
import { Workflow } from 'n8n-workflow';
import type { INode, INodeType } from 'n8n-workflow';

import { historyActionWords, pixelIdsOfRule } from '../../nodes/TikTokUnlinkDeleteAudience/actions/getStatus.operation';
import { CUSTOM_API_CALL } from '../../nodes/TikTokUnlinkDeleteAudience/actions/router';
import { TikTokUnlinkDeleteAudience } from '../../nodes/TikTokUnlinkDeleteAudience/TikTokUnlinkDeleteAudience.node';

test('pixelIdsOfRule reads event_source_ids wherever they are nested; bad JSON gives none', () => {
	const rule = JSON.stringify({ inclusion_rule_set: { rules: [{ event_source_ids: ['72', '73'] }, { event_source_ids: ['72'] }] }, exclusion_rule_set: { rules: [{ event_source_ids: [74] }] } });
	expect(pixelIdsOfRule(rule)).toEqual(['72', '73', '74']);
	expect(pixelIdsOfRule('{"inclusions": null}')).toEqual([]);
	expect(pixelIdsOfRule('not json')).toEqual([]);
	expect(pixelIdsOfRule(null)).toEqual([]);
});

test('the Unlink/Delete node\'s subtitle names the operation the way its options do', () => {
	const type: INodeType = new TikTokUnlinkDeleteAudience();
	const operation = type.description.properties.find((p) => p.name === 'operation')!;
	const subtitleOf = (value: string) => {
		const node = { id: '1', name: 'Lifecycle', type: 'n8n-nodes-tiktok-audience-sync.tikTokUnlinkDeleteAudience', typeVersion: 1, position: [0, 0], parameters: { operation: value } } as INode;
		const nodeTypes = { getByName: () => type, getByNameAndVersion: () => type, getKnownTypes: () => ({}) };
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
		// What the editor does to draw a node's subtitle on the canvas.
		return workflow.expression.getSimpleParameterValue(node, type.description.subtitle as string, 'internal', {});
	};
	const options = (operation.options as Array<{ name: string; value: string }>).map((o) => [o.value, o.name]);
	expect(options).toEqual([
		['getStatus', 'Get Status'],
		['unlink', 'Unlink'],
		['relink', 'Relink'],
		['delete', 'Delete'],
	]);
	expect(options.map(([value]) => [value, subtitleOf(value)])).toEqual(options);
});

test("TikTok's history actions read in the Upsert node's words; unknown ones as TikTok wrote them, capitalized", () => {
	expect(['create', 'append', 'REMOVE', 'replace', 'update', 'rename', 'auto_refresh', '', null].map(historyActionWords)).toEqual([
		'Create',
		'Add',
		'Remove',
		'Replace All',
		'Update',
		'Rename',
		'Auto refresh',
		'',
		'',
	]);
});

test('"Custom API Call", should n8n add it to the operations, is explained in the panel only when it is selected', () => {
	const base: INodeType = new TikTokUnlinkDeleteAudience();
	// What n8n's server does at start to a node whose credential defines `authenticate` and whose description has a
	// single version number (packages/cli load-nodes-and-credentials.ts injectCustomApiCallOptions). This node declares
	// a version list, which n8n 2.41 and 1.123 leave alone (test/e2e/lifecyclePanels.e2e.test.cts); this is the fallback.
	const properties = base.description.properties.map((p) =>
		p.name === 'operation' ? { ...p, options: [...(p.options ?? []), { name: 'Custom API Call', value: CUSTOM_API_CALL }] } : p,
	);
	const type: INodeType = { ...base, description: { ...base.description, properties } };
	const [hint] = type.description.hints ?? [];
	const shown = (operation: string) => {
		const node = { id: '1', name: 'Lifecycle', type: 'n8n-nodes-tiktok-audience-sync.tikTokUnlinkDeleteAudience', typeVersion: 1, position: [0, 0], parameters: { operation } } as INode;
		const nodeTypes = { getByName: () => type, getByNameAndVersion: () => type, getKnownTypes: () => ({}) };
		return new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes }).expression.getSimpleParameterValue(node, hint.displayCondition as string, 'internal', {});
	};
	expect(CUSTOM_API_CALL).toBe('__CUSTOM_API_CALL__');
	expect([hint.type, hint.location, hint.whenToDisplay]).toEqual(['warning', 'ndv', 'always']);
	expect(hint.message).toBe(
		'"Custom API Call" is added by n8n to every node whose credential also works in the HTTP Request node. This node has no custom call: choose Get Status, Unlink, Relink or Delete, or call another TikTok endpoint with an HTTP Request node and the TikTok Business API credential.',
	);
	expect(['getStatus', 'unlink', 'relink', 'delete', CUSTOM_API_CALL].map(shown)).toEqual([false, false, false, false, true]);
});
