// The lifecycle's pure rules: due times, the cooldown message, registry merging, pixel IDs of a rule; the canvas subtitle.
import { Workflow } from 'n8n-workflow';
import type { INode, INodeType } from 'n8n-workflow';

import { applyUpdate, mergeRegistries, type Registry } from '../../nodes/shared/sync/registry';
import { cooldownMessage, DAY_MS, decideDue, instantSyncBlockedUntil, lastSync, MINUTE_MS } from '../../nodes/shared/sync/lifecycle';
import { pixelIdsOfRule } from '../../nodes/TikTokUnlinkDeleteAudience/operations';
import { TikTokUnlinkDeleteAudience } from '../../nodes/TikTokUnlinkDeleteAudience/TikTokUnlinkDeleteAudience.node';

const T = Date.UTC(2026, 2, 2, 9, 0, 0);

test('decideDue: never synced is an initial sync due now; then due one interval after the newest evidence', () => {
	expect(decideDue({ kind: 'list', now: T, intervalMs: DAY_MS })).toEqual({ due: true, reason: 'initial', dueAt: T });
	expect(decideDue({ kind: 'list', now: T + DAY_MS - 1, intervalMs: DAY_MS, tiktokLastSyncAt: T })).toEqual({
		due: false, reason: 'scheduled', lastSyncAt: T, lastSyncSource: 'tiktok', dueAt: T + DAY_MS,
	});
	expect(decideDue({ kind: 'list', now: T + DAY_MS, intervalMs: DAY_MS, tiktokLastSyncAt: T, registryLastSyncAt: T - 5 }).due).toBe(true);
	// The trigger's own emit counts: an initial sync whose run created nothing is not emitted again within the interval.
	expect(decideDue({ kind: 'list', now: T + MINUTE_MS, intervalMs: DAY_MS, lastEmitAt: T })).toEqual({ due: false, reason: 'initial', lastSyncAt: undefined, lastSyncSource: undefined, dueAt: T + DAY_MS });
});

test('lastSync: Event Sync ignores TikTok history; the newer source wins, TikTok on a tie', () => {
	expect(lastSync({ kind: 'event', tiktokLastSyncAt: T + 10, registryLastSyncAt: T })).toEqual({ at: T, source: 'registry' });
	expect(lastSync({ kind: 'list', tiktokLastSyncAt: T, registryLastSyncAt: T })).toEqual({ at: T, source: 'tiktok' });
	expect(lastSync({ kind: 'list', tiktokLastSyncAt: T, registryLastSyncAt: T + 1 })).toEqual({ at: T + 1, source: 'registry' });
	expect(lastSync({ kind: 'event' })).toEqual({});
});

test('instant sync cooldown and its message', () => {
	expect(instantSyncBlockedUntil(undefined, T, 30 * MINUTE_MS)).toBeUndefined();
	expect(instantSyncBlockedUntil(T, T + 30 * MINUTE_MS, 30 * MINUTE_MS)).toBeUndefined();
	expect(instantSyncBlockedUntil(T, T + 13 * MINUTE_MS, 30 * MINUTE_MS)).toBe(T + 30 * MINUTE_MS);
	expect(cooldownMessage(T + 30 * MINUTE_MS, T + 13 * MINUTE_MS)).toBe('Instant sync is available again at 09:30 UTC (in 17 minutes)');
	expect(cooldownMessage(T + DAY_MS, T)).toBe('Instant sync is available again at 2026-03-03 09:00 UTC (in 24 hours)');
});

test('mergeRegistries keeps the newer entry per audience, and both sides\' other audiences', () => {
	const at = (ms: number) => new Date(ms);
	const base = (id: string, event: 'synced' | 'unlinked', ms: number, registry: Registry = { version: 1, audiences: {} }) =>
		applyUpdate(registry, { audienceId: id, name: `A${id}`, advertiserId: '1', kind: 'list', event, detail: event, at: at(ms), ...(event === 'unlinked' ? { linked: false } : {}) });
	const loaded = base('2', 'synced', T, base('1', 'synced', T));
	const live = base('1', 'unlinked', T + 1000, base('3', 'synced', T));
	const merged = mergeRegistries(loaded, live);
	expect(Object.keys(merged.audiences).sort()).toEqual(['1', '2', '3']);
	expect(merged.audiences['1']).toMatchObject({ linked: false });
	expect(merged.audiences['1'].log.map((l) => l.event)).toEqual(['unlinked']);
	expect(mergeRegistries(live, loaded).audiences['1'].linked).toBe(false);
});

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
