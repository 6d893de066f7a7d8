import { NodeOperationError } from 'n8n-workflow';
import type { INodeProperties, IPollFunctions } from 'n8n-workflow';

import { durationMs, type SyncKind } from '../shared/sync/lifecycle';
import { advertiserOrDefault, NO_ADVERTISER_HINT } from '../shared/tiktok/advertisers';

import { advertiserLocator, audienceLocator } from '../shared/ui/locators';

/** The audience picker plus a "By Name" mode: a List Sync audience that does not exist yet is created by name. */
const audienceByPickerIdOrName: INodeProperties = {
	...audienceLocator,
	description:
		'Audience to keep synced. By Name also works before the audience exists: the first sync (reason "initial") lets the sync node create it.',
	modes: [
		...(audienceLocator.modes ?? []),
		{
			displayName: 'By Name',
			name: 'name',
			type: 'string',
			placeholder: 'e.g. CRM buyers',
		},
	],
};

const syncKindOptions = [
	{ name: 'List Sync', value: 'list', description: 'A customer-file audience refreshed from a list of people' },
	{ name: 'Event Sync', value: 'event', description: 'A website audience kept full by events sent to its pixel' },
];

const status = {
	displayName: 'Status',
	name: 'status',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Active', value: 'active', description: 'Emit a sync whenever one is due' },
		{ name: 'Paused', value: 'paused', description: 'Emit nothing, not even an instant sync' },
	],
	default: 'active',
} satisfies INodeProperties;

const refreshInterval = {
	displayName: 'Refresh Every',
	name: 'refreshInterval',
	type: 'number',
	typeOptions: { minValue: 1, numberPrecision: 0 },
	default: 1,
	description: 'How long after the last sync the next one is due',
} satisfies INodeProperties;

const refreshUnit = {
	displayName: 'Refresh Unit',
	name: 'refreshUnit',
	type: 'options',
	options: [
		{ name: 'Minutes', value: 'minutes', description: 'For frequent Event Sync refreshes and for trying the trigger out' },
		{ name: 'Hours', value: 'hours' },
		{ name: 'Days', value: 'days' },
	],
	default: 'days',
} satisfies INodeProperties;

const instantSyncCooldown = {
	displayName: 'Instant Sync Cooldown (Minutes)',
	name: 'instantSyncCooldown',
	type: 'number',
	typeOptions: { minValue: 0, numberPrecision: 0 },
	default: 30,
	description: 'Minimum time between the last sync and an instant sync (running this trigger by hand)',
} satisfies INodeProperties;

export const triggerProperties: INodeProperties[] = [
	{
		displayName:
			'Connect this trigger to the sync node (Upsert Customer File List or Send Sync Event). It emits one item when a sync is due; running it by hand ("Execute workflow") is Instant Sync.',
		name: 'notice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Sync Kind',
		name: 'syncKind',
		type: 'options',
		noDataExpression: true,
		options: syncKindOptions,
		default: 'list',
	},
	advertiserLocator,
	audienceByPickerIdOrName,
	status,
	refreshInterval,
	refreshUnit,
	instantSyncCooldown,
];

export interface Settings {
	kind: SyncKind;
	advertiserId: string;
	by: 'list' | 'id' | 'name';
	audienceRef: string;
	status: 'active' | 'paused';
	intervalMs: number;
	cooldownMs: number;
}

/** `defaultAdvertiserId`: the credential's Default Advertiser ID, used when Advertiser is left empty. */
export function readSettings(ctx: IPollFunctions, defaultAdvertiserId: string): Settings {
	const advertiserId = advertiserOrDefault(ctx.getNodeParameter('advertiserId', '', { extractValue: true }), defaultAdvertiserId);
	const audience = ctx.getNodeParameter('audience', {}) as { mode?: string; value?: unknown };
	const audienceRef = String(audience.value ?? '').trim();
	if (!advertiserId) throw new NodeOperationError(ctx.getNode(), 'No advertiser is selected', { description: NO_ADVERTISER_HINT });
	if (!audienceRef) throw new NodeOperationError(ctx.getNode(), 'No audience is selected', { description: 'Pick the audience from the list, or enter its ID or name.' });
	const unit = ctx.getNodeParameter(refreshUnit.name, refreshUnit.default) as 'minutes' | 'hours' | 'days';
	return {
		kind: ctx.getNodeParameter('syncKind', 'list') as SyncKind,
		advertiserId,
		by: audience.mode === 'name' ? 'name' : audience.mode === 'id' ? 'id' : 'list',
		audienceRef,
		status: ctx.getNodeParameter(status.name, status.default) as 'active' | 'paused',
		intervalMs: durationMs(Math.max(refreshInterval.typeOptions.minValue, Number(ctx.getNodeParameter(refreshInterval.name, refreshInterval.default))), unit),
		cooldownMs: durationMs(Math.max(instantSyncCooldown.typeOptions.minValue, Number(ctx.getNodeParameter(instantSyncCooldown.name, instantSyncCooldown.default))), 'minutes'),
	};
}

