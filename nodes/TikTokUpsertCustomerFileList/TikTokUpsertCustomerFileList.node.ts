import { NodeConnectionTypes } from 'n8n-workflow';
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';

import { advertiserLocator, customerFileAudienceLocator } from '../shared/ui/locators';
import { searchAdvertisers, searchCustomerFileAudiences } from '../shared/ui/listSearch';
import { executeUpsert } from './execute';

export class TikTokUpsertCustomerFileList implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'TikTok Upsert Customer File List',
		name: 'tikTokUpsertCustomerFileList',
		icon: { light: 'file:../../icons/tiktok.svg', dark: 'file:../../icons/tiktok.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ {"APPEND": "Add to", "REMOVE": "Remove from", "REPLACE": "Replace"}[$parameter["action"]] + " customer file list" }}',
		description: 'Sync hashed emails and phone numbers to a TikTok customer-file audience (List Sync)',
		defaults: { name: 'TikTok Upsert Customer File List' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'tikTokBusinessApi', required: true }],
		properties: [
			advertiserLocator,
			{
				displayName: 'List to Sync',
				name: 'listMode',
				type: 'options',
				noDataExpression: true,
				default: 'existing',
				options: [
					{ name: 'Existing Audience', value: 'existing', description: 'Update a customer-file audience you pick' },
					{
						name: 'Create New List',
						value: 'create',
						description: 'Use the audience with this exact name, or create it when there is none',
					},
				],
			},
			{ ...customerFileAudienceLocator, displayOptions: { show: { listMode: ['existing'] } } },
			{
				displayName: 'List Name',
				name: 'listName',
				type: 'string',
				required: true,
				default: '',
				placeholder: 'e.g. CRM buyers',
				description:
					'Exact name of the audience (1–128 characters). The one audience with this name is reused; it is created when none exists; several audiences with this name are an error that lists their IDs.',
				displayOptions: { show: { listMode: ['create'] } },
			},
			{
				displayName: 'Calculate Type',
				name: 'calculateType',
				type: 'options',
				default: 'EMAIL_SHA256',
				description: 'Which identifiers the list holds. Must match the audience: TikTok fixes it at creation.',
				options: [
					{ name: 'Email', value: 'EMAIL_SHA256', description: 'One identifier: SHA-256 of the email (EMAIL_SHA256)' },
					{ name: 'Phone', value: 'PHONE_SHA256', description: 'One identifier: SHA-256 of the phone number (PHONE_SHA256)' },
					{
						name: 'Multiple Types',
						value: 'MULTIPLE_TYPES',
						description: 'Email and phone per person, so TikTok can match on either (MULTIPLE_TYPES)',
					},
				],
			},
			{
				displayName: 'Action',
				name: 'action',
				type: 'options',
				default: 'APPEND',
				description: 'What to do with the rows. Always sent explicitly: TikTok would otherwise replace the whole list.',
				options: [
					{ name: 'Add', value: 'APPEND', description: 'Add the rows to the audience (APPEND)', action: 'Add rows to a customer file list' },
					{ name: 'Remove', value: 'REMOVE', description: 'Remove the rows from the audience (REMOVE)', action: 'Remove rows from a customer file list' },
					{
						name: 'Replace All',
						value: 'REPLACE',
						description: 'Replace every member with these rows (REPLACE; at most once per 24 hours per audience)',
						action: 'Replace a customer file list',
					},
				],
			},
			{
				displayName: 'Input Data',
				name: 'inputSource',
				type: 'options',
				default: 'items',
				options: [
					{ name: 'Items', value: 'items', description: 'One input item per user, with email and/or phone fields' },
					{
						name: 'Binary CSV File',
						value: 'binary',
						description: 'A CSV file in a binary property (Read/Write File, HTTP Request, a CustomerLabs export); read as a stream for large lists',
					},
				],
			},
			{
				displayName: 'Input Binary Field',
				name: 'binaryPropertyName',
				type: 'string',
				default: 'data',
				required: true,
				description: 'Name of the binary property that holds the CSV file',
				displayOptions: { show: { inputSource: ['binary'] } },
			},
			{
				displayName: 'Email Field',
				name: 'emailField',
				type: 'string',
				default: 'email',
				description:
					'Item field or CSV column holding the email address. CustomerLabs\' identify_by_email is recognised when this field is absent.',
				displayOptions: { show: { calculateType: ['EMAIL_SHA256', 'MULTIPLE_TYPES'] } },
			},
			{
				displayName: 'Phone Field',
				name: 'phoneField',
				type: 'string',
				default: 'phone',
				description:
					'Item field or CSV column holding the phone number. CustomerLabs\' identify_by_phone is recognised when this field is absent.',
				displayOptions: { show: { calculateType: ['PHONE_SHA256', 'MULTIPLE_TYPES'] } },
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Default Country Calling Code',
						name: 'defaultCountryCode',
						type: 'string',
						default: '',
						placeholder: 'e.g. 1 or 44',
						description:
							'Added to phone numbers written without one (no leading + or 00). Without it such numbers are rejected per row.',
					},
					{
						displayName: 'Dry Run',
						name: 'dryRun',
						type: 'boolean',
						default: false,
						description: 'Whether to only validate the rows and the guards and report the counts, sending nothing to TikTok',
					},
					{
						displayName: 'Gmail-Style Email Canonicalisation',
						name: 'canonicaliseGmail',
						type: 'boolean',
						default: false,
						description:
							'Whether to drop dots and +tags from the local part of gmail.com and googlemail.com addresses before hashing',
					},
					{
						displayName: 'Instant Sync Cooldown (Minutes)',
						name: 'cooldownMinutes',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 30,
						description:
							'Refuse to change the audience when it was changed through the API less than this long ago (read from TikTok\'s audience history). 0 turns the check off.',
					},
					{
						displayName: 'Max File Size (MB)',
						name: 'maxFileMb',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 900 },
						default: 100,
						description: 'Upload files are split at this size (TikTok accepts files under 1 GB). One file is held in memory at a time.',
					},
					{
						displayName: 'Max Rows per File',
						name: 'maxRowsPerFile',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: 250000,
						description: 'Upload files are split at this many rows (250,000 hashes ≈ 16 MB). One file is held in memory at a time. Replace All sends at most 50 files, so it takes up to 50 × this many rows.',
					},
					{
						displayName: 'Phone Hash Format',
						name: 'phoneFormat',
						type: 'options',
						default: 'digits',
						description: 'How phone numbers are written before hashing',
						options: [
							{
								name: 'Digits With Country Code',
								value: 'digits',
								description: 'TikTok\'s current customer-file rule: (657)777-0000 becomes 16577770000',
							},
							{
								name: 'E.164 With +',
								value: 'e164',
								description: 'TikTok\'s Events API rule: +16577770000 (China, 86, without the prefix)',
							},
						],
					},
					{
						displayName: 'Retention (Days)',
						name: 'retentionInDays',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 365 },
						default: 365,
						description: 'For a new list only: the audience expires this many days after creation (1–365)',
					},
					{
						displayName: 'Stop Below 1,000 Members',
						name: 'stopBelowFloor',
						type: 'boolean',
						default: true,
						description:
							'Whether to refuse an update that could leave the audience under TikTok\'s 1,000-member floor (estimated from its matched size), instead of letting TikTok reject it',
					},
					{
						displayName: 'Values Already Hashed',
						name: 'hashedInput',
						type: 'options',
						default: 'auto',
						options: [
							{
								name: 'Auto-Detect',
								value: 'auto',
								description: 'Values that are SHA-256 hex (exactly 64 hex characters, either case) are sent as they are, lowercased; others are normalised and hashed',
							},
							{
								name: 'All Values',
								value: 'all',
								description: 'Every value must be SHA-256 hex; anything else is rejected, never hashed here',
							},
						],
						description: 'Whether the input carries SHA-256 hashes already. A value is never hashed twice.',
					},
				],
			},
		],
	};

	methods = { listSearch: { searchAdvertisers, searchCustomerFileAudiences } };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [await executeUpsert.call(this)];
	}
}
