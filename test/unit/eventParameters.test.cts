// What the editor shows for Create Website Audience and Send Sync Event, read from their descriptions the way n8n reads
// them (NodeHelpers.getNodeParameters): the defaults of a new node (version 1.1) and of a saved version 1 node, the
// notices and hints, short option names, Retention in Options, and the two named outputs.
import { NodeHelpers } from 'n8n-workflow';
import type { INode, INodeProperties, INodePropertyOptions, INodeTypeDescription } from 'n8n-workflow';

import { TikTokCreateWebsiteAudience } from '../../nodes/TikTokCreateWebsiteAudience/TikTokCreateWebsiteAudience.node';
import { TikTokSendSyncEvent } from '../../nodes/TikTokSendSyncEvent/TikTokSendSyncEvent.node';

const create = new TikTokCreateWebsiteAudience().description;
const send = new TikTokSendSyncEvent().description;

/** The parameters n8n stores and shows for a node of this version with nothing changed. */
function defaults(description: INodeTypeDescription, typeVersion: number, set: Record<string, unknown> = {}) {
	const node = { id: 'n', name: 'n', type: description.name, typeVersion, position: [0, 0], parameters: set } as unknown as INode;
	return NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, node, description) ?? {};
}

/** Names of the parameters the panel shows (notices included) for these values. */
function shown(description: INodeTypeDescription, typeVersion: number, set: Record<string, unknown> = {}): string[] {
	const node = { id: 'n', name: 'n', type: description.name, typeVersion, position: [0, 0], parameters: set } as unknown as INode;
	const values = defaults(description, typeVersion, set);
	return description.properties.filter((p) => NodeHelpers.displayParameter(values, p, node, description)).map((p) => p.name);
}

function allOptions(properties: INodeProperties[]): INodePropertyOptions[] {
	const out: INodePropertyOptions[] = [];
	for (const p of properties) {
		for (const o of (p.options ?? []) as Array<INodePropertyOptions | INodeProperties | { values: INodeProperties[] }>) {
			if ('values' in o && Array.isArray(o.values)) out.push(...allOptions(o.values));
			else if ('type' in o) out.push(...allOptions([o as INodeProperties]));
			else out.push(o as INodePropertyOptions);
		}
	}
	return out;
}

test('a new node (version 1.1) defaults to the custom event AudienceSync in both nodes; a saved version 1 node to Purchase', () => {
	expect(create.version).toEqual([1, 1.1]);
	expect(create.defaultVersion).toBe(1.1);
	expect(send.defaultVersion).toBe(1.1);
	const createNew = defaults(create, 1.1);
	const sendNew = defaults(send, 1.1);
	expect([createNew.event, createNew.eventCustom, sendNew.event, sendNew.eventCustom]).toEqual(['__custom', 'AudienceSync', '__custom', 'AudienceSync']);
	expect([defaults(create, 1).event, defaults(send, 1).event]).toEqual(['Purchase', 'Purchase']);
});

test('notices: real pixel events always; the conversion notice only for a standard event; the mapping notice in Send Sync Event', () => {
	expect(shown(create, 1.1).filter((n) => n.endsWith('Notice'))).toEqual(['pixelEventsNotice']);
	expect(shown(create, 1.1, { event: 'Purchase' }).filter((n) => n.endsWith('Notice'))).toEqual(['pixelEventsNotice', 'eventStandardNotice']);
	expect(shown(send, 1.1).filter((n) => /Notice$/.test(n))).toEqual(['pixelEventsNotice', 'mappingNotice']);
	expect(shown(send, 1.1, { event: 'AddToCart' }).filter((n) => /Notice$/.test(n))).toEqual(['pixelEventsNotice', 'mappingNotice', 'eventStandardNotice']);
	// From a recipe the event is the audience's own: no event fields, no conversion notice.
	expect(shown(send, 1.1, { source: 'recipe', event: 'AddToCart' })).not.toContain('eventStandardNotice');
	const notice = send.properties.find((p) => p.name === 'pixelEventsNotice');
	expect(notice?.displayName).toBe(
		'Event Sync sends real events to your pixel, as your website does. Use a custom event (the default): standard events such as Purchase count as conversions.',
	);
});

test('identifier fields say what to map; the consent field takes a field name (a drop inserts the name)', () => {
	const byName = (name: string) => send.properties.find((p) => p.name === name);
	expect(byName('email')?.hint).toBe("An expression giving each person's email, e.g. drag the email field of the input here");
	expect(byName('phone')?.hint).toBe("An expression giving each person's phone number, e.g. drag the phone field of the input here");
	expect(byName('externalId')?.hint).toBe("Optional: an expression giving each person's ID in your system");
	expect(byName('consentField')).toMatchObject({ requiresDataPath: 'single', hint: 'The name of the field (not its value): drag the field here' });
});

test('Retention is an option from version 1.1 (a main field in version 1); lookback windows are 1 to 180 days', () => {
	expect(shown(create, 1.1)).not.toContain('retentionInDays');
	expect(shown(create, 1.1)).toContain('options');
	const options = create.properties.find((p) => p.name === 'options');
	expect(options?.options?.map((o) => (o as INodeProperties).name)).toEqual(['retentionInDays']);
	expect(shown(create, 1)).toContain('retentionInDays');
	expect(shown(create, 1)).not.toContain('options');
	expect(create.properties.find((p) => p.name === 'lookbackDays')?.typeOptions).toMatchObject({ minValue: 1, maxValue: 180 });
});

test('every option name fits the dropdown (at most 26 characters); details are in descriptions', () => {
	const names = [...allOptions(create.properties), ...allOptions(send.properties)].map((o) => o.name);
	expect(names.filter((n) => n.length > 26)).toEqual([]);
	expect(names).toEqual(expect.arrayContaining(['From Recipe', 'Set Here', 'At Least', 'At Most', 'Complete Payment (Legacy)', 'Custom Event']));
});

test('Send Sync Event has two outputs, Results and Summary; its audience picker lists website audiences only', () => {
	expect(send.outputs).toEqual(['main', 'main']);
	expect(send.outputNames).toEqual(['Results', 'Summary']);
	const audience = send.properties.find((p) => p.name === 'audience');
	expect(audience?.modes?.find((m) => m.name === 'list')?.typeOptions?.searchListMethod).toBe('searchWebsiteAudiences');
	expect(Object.keys(new TikTokSendSyncEvent().methods.listSearch)).toEqual(['searchAdvertisers', 'searchPixels', 'searchWebsiteAudiences']);
});
