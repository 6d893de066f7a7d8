// TikTok Unlink/Delete Audience (nodes/TikTokUnlinkDeleteAudience): the pixel IDs Get Status reads from a rule, and
// the canvas subtitle.
import { Workflow } from 'n8n-workflow';
import type { INode, INodeType } from 'n8n-workflow';

import { pixelIdsOfRule } from '../../nodes/TikTokUnlinkDeleteAudience/actions/getStatus.operation';
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
