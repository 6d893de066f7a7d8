import type { INodeProperties } from 'n8n-workflow';

/** Reusable resource locators: "From list" first, as n8n's UX guidelines ask, then "By ID". */
/**
 * Not required: left empty, a node uses its credential's Default Advertiser ID (nodes/shared/tiktok/advertisers.ts,
 * advertiserOrDefault), which the list also shows first, marked "(default)".
 */
export const advertiserLocator: INodeProperties = {
	displayName: 'Advertiser',
	name: 'advertiserId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	description: "TikTok advertiser account the audience belongs to. Left empty, the credential's Default Advertiser ID is used.",
	hint: "Leave empty to use the credential's Default Advertiser ID",
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchAdvertisers', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 7012345678901234567',
			validation: [{ type: 'regex', properties: { regex: '^\\d+$', errorMessage: 'An advertiser ID has digits only' } }],
		},
	],
};

export const pixelLocator: INodeProperties = {
	displayName: 'Pixel',
	name: 'pixel',
	type: 'resourceLocator',
	required: true,
	default: { mode: 'list', value: '' },
	description: 'TikTok pixel whose events feed the audience. By ID accepts the pixel ID or the pixel code.',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchPixels', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 7234567890123456789 or CABC123DEF456',
		},
	],
};

export const audienceLocator: INodeProperties = {
	displayName: 'Audience',
	name: 'audience',
	type: 'resourceLocator',
	required: true,
	default: { mode: 'list', value: '' },
	description: 'TikTok custom audience',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchAudiences', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 6987654321012345678',
			validation: [{ type: 'regex', properties: { regex: '^\\d+$', errorMessage: 'An audience ID has digits only' } }],
		},
	],
};

/** The audience picker limited to customer-file audiences (List Sync cannot update other types). */
export const customerFileAudienceLocator: INodeProperties = {
	...audienceLocator,
	description: 'TikTok customer-file audience to update',
	modes: (audienceLocator.modes ?? []).map((mode) =>
		mode.name === 'list' ? { ...mode, typeOptions: { ...mode.typeOptions, searchListMethod: 'searchCustomerFileAudiences' } } : mode,
	),
};

/** The audience picker limited to website (pixel rule) audiences, the ones Event Sync fills. */
export const websiteAudienceLocator: INodeProperties = {
	...audienceLocator,
	description: 'TikTok website audience (a pixel rule audience)',
	modes: (audienceLocator.modes ?? []).map((mode) =>
		mode.name === 'list' ? { ...mode, typeOptions: { ...mode.typeOptions, searchListMethod: 'searchWebsiteAudiences' } } : mode,
	),
};
