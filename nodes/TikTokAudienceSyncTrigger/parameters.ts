import { NodeOperationError } from 'n8n-workflow';
import type { INodeProperties, IPollFunctions, NodeHint } from 'n8n-workflow';

import { durationMs, type SyncKind } from '../shared/sync/lifecycle';
import { longestPollGapMs, type PollTime } from '../shared/sync/pollTimes';
import { advertiserOrDefault, NO_ADVERTISER_HINT } from '../shared/tiktok/advertisers';

import { advertiserLocator, audienceLocator } from '../shared/ui/locators';

/**
 * The audience picker plus a "Name" mode (stored as `name`): a List Sync audience that does not exist yet is created by
 * name. Labeled "Name", not "By Name": the editor's mode box is narrow and cut "By Name" off (lifecyclePanels e2e).
 */
const audienceByPickerIdOrName: INodeProperties = {
	...audienceLocator,
	description:
		'Audience to keep synced. Name also works before the audience exists: the first sync (reason "initial") lets the sync node create it.',
	modes: [
		...(audienceLocator.modes ?? []),
		{
			displayName: 'Name',
			name: 'name',
			type: 'string',
			placeholder: 'e.g. CRM buyers',
		},
	],
};

const syncKindOptions = [
	{ name: 'List Sync', value: 'list', description: 'A customer-file audience, refreshed from a list of people' },
	{ name: 'Event Sync', value: 'event', description: 'A website audience, kept full by events sent to its pixel' },
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
	hint: 'A due sync starts at the next Poll Time (top of this panel): check at least this often',
} satisfies INodeProperties;

const refreshUnit = {
	displayName: 'Refresh Unit',
	name: 'refreshUnit',
	type: 'options',
	options: [
		{ name: 'Minutes', value: 'minutes', description: 'To try the trigger out, or for frequent Event Sync' },
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
	description:
		'Minimum time between the last sync and an instant sync (a run by hand). Inside it, a run by hand returns a sample marked "test": true.',
} satisfies INodeProperties;

/**
 * Poll Times (n8n's, added above our parameters) vs Refresh Every. n8n offers no way to change Poll Times' default
 * (every minute), which suits any refresh interval at one or two TikTok requests a check.
 */
const schedulesNotice = {
	displayName:
		'Poll Times (above) is how often this trigger checks the audience; Refresh Every is how long after the last sync the next one is due. A due sync starts at the first check after it, so check at least as often as you refresh: every minute (the default) suits any interval. Connect the trigger to Upsert Customer File List or Send Sync Event.',
	name: 'notice',
	type: 'notice',
	default: '',
} satisfies INodeProperties;

/**
 * n8n runs a poll trigger the same way for "Fetch Test Event" and for "Execute workflow": mode `manual`, with no sign
 * of which button was used (n8n-core WorkflowExecute.executePollNode gives the poll context only the mode). So both
 * return what the trigger would start now, and the sync node downstream enforces the Instant Sync cooldown.
 */
const manualRunNotice = {
	displayName:
		'Fetch Test Event and Execute Workflow run this trigger once by hand, the same way: it returns the sync it would start now (reason "instant") and saves nothing. Inside the Instant Sync cooldown the item is a sample marked "test": true, with the time an instant sync is allowed again; the sync node refuses to sync until then.',
	name: 'manualRunNotice',
	type: 'notice',
	default: '',
} satisfies INodeProperties;

const MINUTES_PER_UNIT = { minutes: 1, hours: 60, days: 1440 };
const MINUTES_PER_POLL = { everyMinute: 1, everyHour: 60, everyDay: 1440, everyWeek: 10_080, everyMonth: 44_640 };

/**
 * Shown in the panel when even the most frequent Poll Time is rarer than Refresh Every. An editor expression (n8n
 * node hints: `displayCondition`), so it reads only what the panel holds; Custom cron times are not judged. The run
 * itself computes the exact longest gap (pollTimes.ts) and reports it in a manual run's `warnings`.
 */
export const triggerHints: NodeHint[] = [
	{
		message:
			'Poll Times check less often than Refresh Every: a sync starts at the first check after it is due, so the audience is refreshed less often than set. Add a Poll Time at least as frequent as Refresh Every.',
		type: 'warning',
		location: 'ndv',
		whenToDisplay: 'always',
		displayCondition: `={{ (() => { const items = ($parameter.pollTimes && $parameter.pollTimes.item) || []; const per = ${JSON.stringify(MINUTES_PER_POLL)}; const mins = items.map((i) => (i.mode === 'everyX' ? Number(i.value) * (i.unit === 'minutes' ? 1 : 60) : per[i.mode])); const refresh = Number($parameter.${refreshInterval.name}) * ${JSON.stringify(MINUTES_PER_UNIT)}[$parameter.${refreshUnit.name}]; return items.length > 0 && mins.every((m) => m > 0) && Math.min(...mins) > refresh; })() }}`,
	},
];

export const triggerProperties: INodeProperties[] = [
	schedulesNotice,
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
	manualRunNotice,
];

export interface Settings {
	kind: SyncKind;
	advertiserId: string;
	by: 'list' | 'id' | 'name';
	audienceRef: string;
	status: 'active' | 'paused';
	intervalMs: number;
	cooldownMs: number;
	/** Longest wait between two of n8n's polls; undefined when it cannot be told (a Custom cron). */
	pollGapMs: number | undefined;
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
		// n8n's own parameter (every minute unless changed), present on every polling node.
		pollGapMs: longestPollGapMs(((ctx.getNodeParameter('pollTimes', {}) as { item?: PollTime[] }).item ?? [])),
	};
}

