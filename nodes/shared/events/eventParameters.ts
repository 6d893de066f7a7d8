import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

import { CUSTOM_EVENT, DEFAULT_CUSTOM_EVENT, eventOptions } from './webEvents';

/**
 * The event-name parameters both Event Sync nodes show, declared once here. Node version 1.1 changed their defaults
 * (version 1 defaulted to the standard event Purchase): n8n leaves a parameter that equals its default out of the saved
 * workflow, so a new default would silently change what a saved version-1 node sends. Each version therefore keeps
 * its own default, the way n8n's own nodes change defaults
 * (https://docs.n8n.io/integrations/creating-nodes/build/reference/node-versioning/).
 */

/** Node versions: 1 (first release) and 1.1 (custom event by default, Retention in Options, Summary output). */
export const NODE_VERSIONS = [1, 1.1];
export const LATEST_VERSION = 1.1;
/** Display conditions for parameters of one node version. */
export const onlyVersion1: IDisplayOptions['show'] = { '@version': [1] };
export const fromVersion1_1: IDisplayOptions['show'] = { '@version': [{ _cnd: { gte: 1.1 } }] };

/** Shown on both nodes: what Event Sync does to the pixel. */
export const pixelEventsNotice = {
	displayName:
		'Event Sync sends real events to your pixel, as your website does. Use a custom event (the default): standard events such as Purchase count as conversions.',
	name: 'pixelEventsNotice',
	type: 'notice',
	default: '',
} satisfies INodeProperties;

/**
 * Event Name (a dropdown) and Custom Event Name, with `show` added to their display conditions. `name` is the stored
 * parameter name (`event`); the custom name is stored as `<name>Custom`.
 */
export function eventNameProperties(name: string, description: string, show: IDisplayOptions['show'] = {}): INodeProperties[] {
	const choice = (defaultValue: string, version: IDisplayOptions['show']): INodeProperties => ({
		displayName: 'Event Name',
		name,
		type: 'options',
		options: eventOptions(),
		default: defaultValue,
		description,
		displayOptions: { show: { ...show, ...version } },
	});
	const custom = (defaultValue: string, version: IDisplayOptions['show']): INodeProperties => ({
		displayName: 'Custom Event Name',
		name: `${name}Custom`,
		type: 'string',
		default: defaultValue,
		placeholder: `e.g. ${DEFAULT_CUSTOM_EVENT}`,
		description: 'Name of your own event (case-sensitive). Create Website Audience and Send Sync Event must use exactly the same name.',
		hint: 'Use one event name per audience: every audience whose rule uses this event on this pixel gets these people',
		displayOptions: { show: { ...show, ...version, [name]: [CUSTOM_EVENT] } },
	});
	return [
		choice('Purchase', onlyVersion1),
		choice(CUSTOM_EVENT, fromVersion1_1),
		custom('', onlyVersion1),
		custom(DEFAULT_CUSTOM_EVENT, fromVersion1_1),
		{
			displayName:
				'A standard event counts as a real conversion: conversion reports and campaigns that optimize for it will count every person you sync. Choose Custom Event unless you mean that.',
			name: `${name}StandardNotice`,
			type: 'notice',
			default: '',
			displayOptions: { ...(Object.keys(show ?? {}).length > 0 ? { show } : {}), hide: { [name]: [CUSTOM_EVENT] } },
		},
	];
}
