// Bad-input catalogue, List Sync (TikTok Upsert Customer File List), items path: malformed identifiers rejected per
// row with their reason (the valid rows still sync, exactly), bad settings refused before any request, and refusals
// after reading TikTok that change nothing. Every case also checks that no raw value or token leaks.
import type { IDataObject } from 'n8n-workflow';

import { SEED } from '../emulator/index.cts';
import { byId } from '../support/engine.cts';
import { ADV, deleteAudience, items, lastRequestId, leaks, listNode, membersOf, mutations, OTHER_ADV, runNode, seedListAudience, sha, useEmulator, websiteNode } from './catalogue.cts';

const f = useEmulator();

const CREATE_CALLS = ['dmp/custom_audience/list/', 'dmp/custom_audience/file/upload/', 'dmp/custom_audience/create/', 'dmp/custom_audience/get/'];
const VALID_EMAILS = ['ann@example.com', 'bob@example.com', 'cy@example.com'];
const VALID_PHONES = ['+1 650 555 0101', '+44 7700 900123', '+49 30 1234567'];
const PHONE_DIGITS = ['16505550101', '447700900123', '49301234567'];

interface RowCase {
	name: string;
	value: unknown;
	reason: string;
	/** Which list type and field the value goes into (default: email list). */
	phone?: boolean;
	options?: IDataObject;
}

const ROW_CASES: RowCase[] = [
	{ name: 'email without @', value: 'ann.example.com', reason: 'email_invalid' },
	{ name: 'email with two @', value: 'ann@@example.com', reason: 'email_invalid' },
	{ name: 'email without a dotted domain', value: 'ann@localhost', reason: 'email_invalid' },
	{ name: 'email with a space inside', value: 'an n@example.com', reason: 'email_invalid' },
	{ name: 'email with an empty domain label', value: 'ann@example..com', reason: 'email_invalid' },
	{ name: 'email with nothing before @', value: '@example.com', reason: 'email_invalid' },
	{ name: 'email that is a number', value: 12345, reason: 'email_invalid' },
	{ name: 'empty email', value: '', reason: 'empty' },
	{ name: 'whitespace-only email', value: '   \t ', reason: 'empty' },
	{ name: 'email field that is an object', value: { address: 'ann@example.com' }, reason: 'empty' },
	{ name: 'email field that is null', value: null, reason: 'empty' },
	{ name: 'pre-hashed value one character short (63 hex)', value: sha('x@example.com').slice(0, 63), reason: 'hash_wrong_length' },
	{ name: 'pre-hashed value one character long (65 hex)', value: `${sha('x@example.com')}0`, reason: 'hash_wrong_length' },
	{ name: 'MD5 hex where SHA-256 is expected', value: 'b58996c504c5638798eb6b511e6f49af', reason: 'hash_wrong_length' },
	{ name: 'email with a trailing dot', value: 'ann@example.com.', reason: 'email_invalid' },
	{ name: 'phone without country code', value: '0755 123 4567', reason: 'phone_no_country_code', phone: true },
	{ name: 'phone too short', value: '+1 234 56', reason: 'phone_too_short', phone: true },
	{ name: 'phone too long', value: '+1 234 567 890 123 456', reason: 'phone_too_long', phone: true },
	{ name: 'phone without digits', value: '+call me', reason: 'phone_invalid', phone: true },
	{ name: 'phone that is only the international prefix', value: '00', reason: 'phone_too_short', phone: true },
	{ name: 'phone with an extension (ext.)', value: '+1 650 555 0199 ext. 23', reason: 'phone_extension', phone: true },
	{ name: 'phone with an extension (x)', value: '+1 650 555 0199 x23', reason: 'phone_extension', phone: true },
	{ name: 'phone with an extension (#)', value: '+1 650 555 0199 #23', reason: 'phone_extension', phone: true },
	{ name: 'tel: URI with an ;ext= parameter', value: 'tel:+1-650-555-0199;ext=23', reason: 'phone_extension', phone: true },
	{ name: 'phone with pause dial characters', value: '+16505550199,,23', reason: 'phone_extension', phone: true },
	{ name: 'full-width phone with a full-width extension', value: '＋１ ６５０ ５５５ ０１９９ ｅｘｔ．２３', reason: 'phone_extension', phone: true },
	{ name: 'two phone numbers in one field', value: '+1 650 555 0199 or +1 650 555 0198', reason: 'phone_ambiguous', phone: true },
	{ name: 'phone with letters between its digits', value: '+49 30 FLOW 1234', reason: 'phone_ambiguous', phone: true },
];

// Phones written another way that are still one number: each is hashed as exactly that number (TikTok's customer-file
// rule: country code and digits, no +).
const SAME_NUMBER_CASES = [
	{ name: 'tel: URI', value: 'tel:+1-650-555-0199', digits: '16505550199' },
	{ name: 'tel:// URI', value: 'tel://+16505550199', digits: '16505550199' },
	{ name: 'a label before the number', value: 'Mobile: +44 7700 900199', digits: '447700900199' },
	{ name: 'a label after the number', value: '+1 650 555 0199 (work)', digits: '16505550199' },
	{ name: 'full-width digits and plus', value: '＋１ ６５０ ５５５ ０１９９', digits: '16505550199' },
	{ name: 'Arabic-Indic digits', value: '+٩٧١ ٥٠ ١٢٣ ٤٥٦٧', digits: '971501234567' },
	{ name: 'Devanagari digits', value: '+९१ ९८७६५ ४३२१०', digits: '919876543210' },
];

describe('phones written another way: hashed as exactly the number written', () => {
	test.each(SAME_NUMBER_CASES)('$name', async ({ value, digits }) => {
		const o = await runNode(f, listNode({ calculateType: 'PHONE_SHA256', phoneField: 'phone' }), items([...VALID_PHONES.map((p) => ({ phone: p })), { phone: value }]));
		expect(o.error).toBeUndefined();
		const [summary] = o.output;
		expect({ rowsIn: summary.rowsIn, rowsSent: summary.rowsSent, invalidTotal: summary.invalidTotal }).toEqual({ rowsIn: 4, rowsSent: 4, invalidTotal: 0 });
		expect(membersOf(f, String(summary.audienceId))).toEqual([...PHONE_DIGITS, digits].map(sha).sort());
		expect(leaks(o, [value])).toEqual([]);
	});
});

describe('malformed identifiers: rejected per row with the reason; the valid rows sync exactly', () => {
	test.each(ROW_CASES)('$name', async ({ value, reason, phone, options }) => {
		const rows: IDataObject[] = phone ? [...VALID_PHONES.map((p) => ({ phone: p })), { phone: value as string }] : [...VALID_EMAILS.map((e) => ({ email: e })), { email: value as string }];
		const o = await runNode(f, listNode({ calculateType: phone ? 'PHONE_SHA256' : 'EMAIL_SHA256', ...(phone ? { phoneField: 'phone' } : {}), options: options ?? {} }), items(rows));
		expect(o.error).toBeUndefined();
		const [summary] = o.output;
		expect({ rowsIn: summary.rowsIn, rowsSent: summary.rowsSent, invalidTotal: summary.invalidTotal, invalid: summary.invalid, duplicates: summary.duplicates }).toEqual({
			rowsIn: 4,
			rowsSent: 3,
			invalidTotal: 1,
			invalid: { [reason]: { count: 1, rows: [4] } },
			duplicates: 0,
		});
		expect(o.calls).toEqual(CREATE_CALLS);
		expect(membersOf(f, String(summary.audienceId))).toEqual((phone ? PHONE_DIGITS : VALID_EMAILS).map(sha).sort());
		expect(leaks(o, typeof value === 'string' ? [value] : [])).toEqual([]);
	});

	test('hashed-only mode: plain values are all rejected, nothing is created', async () => {
		const o = await runNode(f, listNode({ options: { hashedInput: 'all' } }), items(VALID_EMAILS.map((email) => ({ email }))));
		expect(o.error).toBe(
			'No valid rows to send (3 rows in; invalid: 3 looks pre-hashed but is not a 64-character SHA-256 hex digest (rows 1, 2, 3)). Nothing was sent. Check Email Field / Phone Field and the values.',
		);
		expect(o.calls).toEqual(['dmp/custom_audience/list/']);
		expect(f.emu.state.audiences.size).toBe(0);
	});

	test('multiple types: a row whose email and phone are both bad is rejected; a half-bad row is sent with the good half', async () => {
		const o = await runNode(
			f,
			listNode({ calculateType: 'MULTIPLE_TYPES', emailField: 'email', phoneField: 'phone' }),
			items([
				{ email: 'ann@example.com', phone: '+1 650 555 0101' },
				{ email: 'not-an-email', phone: '+44 7700 900123' },
				{ email: 'bad@', phone: '12' },
			]),
		);
		expect(o.error).toBeUndefined();
		const [summary] = o.output;
		expect({ rowsSent: summary.rowsSent, invalid: summary.invalid, droppedValues: summary.droppedValues }).toEqual({
			rowsSent: 2,
			invalid: { email_invalid: { count: 1, rows: [3] } },
			droppedValues: { email_invalid: { count: 1, rows: [2] } },
		});
		expect(membersOf(f, String(summary.audienceId))).toEqual(
			[`EMAIL_SHA256:${sha('ann@example.com')}|PHONE_SHA256:${sha('16505550101')}`, `PHONE_SHA256:${sha('447700900123')}`].sort(),
		);
	});
});

interface ConfigCase {
	name: string;
	params: IDataObject;
	error: string;
}

const CONFIG_CASES: ConfigCase[] = [
	{ name: 'no mapping (Email Field empty)', params: { emailField: '' }, error: 'Calculate Type "Email" needs "Email Field": enter the item field or CSV column that holds the email.' },
	{
		// Phone Field is hidden for Email lists, so n8n drops it: only the missing Email Field counts.
		name: 'wrong calculate type for the mapping (Email list, only a phone mapped)',
		params: { emailField: '', phoneField: 'phone' },
		error: 'Calculate Type "Email" needs "Email Field": enter the item field or CSV column that holds the email.',
	},
	{
		name: 'multiple types with nothing mapped',
		params: { calculateType: 'MULTIPLE_TYPES', emailField: '', phoneField: '' },
		error: 'Calculate Type "Multiple Types" needs at least two identifiers mapped: set "Email Field" and "Phone Field", or choose Calculate Type "Phone" to send one.',
	},
	{
		name: 'multiple types with only an email mapped',
		params: { calculateType: 'MULTIPLE_TYPES', emailField: 'email', phoneField: '' },
		error: 'Calculate Type "Multiple Types" needs at least two identifiers mapped: set "Phone Field", or choose Calculate Type "Email" to send one.',
	},
	{ name: 'phone list without a phone field', params: { calculateType: 'PHONE_SHA256', phoneField: '' }, error: 'Calculate Type "Phone" needs "Phone Field": enter the item field or CSV column that holds the phone.' },
	{ name: 'audience name over 128 characters', params: { listName: 'x'.repeat(129) }, error: 'List Name must be 1 to 128 characters long.' },
	{ name: 'empty audience name', params: { listName: '   ' }, error: 'List Name must be 1 to 128 characters long.' },
	// n8n itself refuses to start: the resource locator's ID mode checks the value.
	{ name: 'non-numeric advertiser ID', params: { advertiserId: byId('adv-7100') }, error: "The 'List' node has issues:\n- An advertiser ID has digits only" },
	{
		name: 'non-numeric audience ID',
		params: { listMode: 'existing', audience: byId('69000000000000000x1') },
		error: "The 'List' node has issues:\n- An audience ID has digits only",
	},
	{ name: 'retention over 365 days', params: { options: { retentionInDays: 400 } }, error: 'Retention (Days) must be a whole number from 1 to 365.' },
	{ name: 'default country code with letters', params: { calculateType: 'PHONE_SHA256', phoneField: 'phone', options: { defaultCountryCode: 'UK' } }, error: 'Default Country Calling Code must be 1 to 4 digits, e.g. 1 or 44.' },
	{ name: 'max rows per file zero', params: { options: { maxRowsPerFile: 0 } }, error: 'Max Rows per File must be a whole number of at least 1.' },
];

describe('bad settings: a clear error before any request', () => {
	test.each(CONFIG_CASES)('$name', async ({ params, error }) => {
		const o = await runNode(f, listNode(params), items(VALID_EMAILS.map((email) => ({ email, phone: '+1 650 555 0101' }))));
		expect(o.error).toBe(error);
		expect(o.calls).toEqual([]);
		expect(leaks(o, VALID_EMAILS)).toEqual([]);
	});
});

describe('refusals after reading TikTok: nothing changes', () => {
	test('zero valid rows', async () => {
		const o = await runNode(f, listNode(), items([{ email: 'nope' }, { email: '' }, { name: 'no email field' }]));
		expect(o.error).toBe(
			'No valid rows to send (3 rows in; invalid: 1 not a valid email address (rows 1); 2 empty value (rows 2, 3)). Nothing was sent. Check Email Field / Phone Field and the values.',
		);
		expect(o.calls).toEqual(['dmp/custom_audience/list/']);
		expect(f.emu.state.audiences.size).toBe(0);
		expect(leaks(o, ['nope'])).toEqual([]);
	});

	test('unknown audience ID', async () => {
		const o = await runNode(f, listNode({ listMode: 'existing', audience: byId('6900000000000009999') }), items([{ email: 'ann@example.com' }]));
		expect(o.error).toBe(
			`Audience 6900000000000009999 does not exist for advertiser ${ADV} (it may have been deleted). Pick another audience, or use List to Sync "Create New List".`,
		);
		// getAudience: get/ answers "does not exist" (40002), then list/ confirms the audience is gone.
		expect(o.calls).toEqual(['dmp/custom_audience/get/', 'dmp/custom_audience/list/']);
	});

	test('an audience deleted in the meantime', async () => {
		const id = await seedListAudience(f, 'Deleted soon', 1200);
		await deleteAudience(f, id);
		const o = await runNode(f, listNode({ listMode: 'existing', audience: byId(id), action: 'APPEND' }), items([{ email: 'ann@example.com' }]));
		expect(o.error).toBe(`Audience ${id} does not exist for advertiser ${ADV} (it may have been deleted). Pick another audience, or use List to Sync "Create New List".`);
		expect(mutations(o)).toEqual([]);
		expect(f.emu.state.audiences.size).toBe(0);
	});

	test('an email audience mapped with a phone field only (its type comes from TikTok, not the parameter)', async () => {
		const id = await seedListAudience(f, 'Email list', 1200);
		const o = await runNode(f, listNode({ listMode: 'existing', audience: byId(id), calculateType: 'PHONE_SHA256', emailField: '', phoneField: 'phone' }), items([{ phone: '+1 650 555 0101' }]));
		expect(o.error).toBe(
			`Audience ${id} ("Email list") holds emails: Calculate Type "Email" needs "Email Field": enter the item field or CSV column that holds the email.`,
		);
		expect(mutations(o)).toEqual([]);
		expect(membersOf(f, id)).toHaveLength(1200);
	});

	test('remove from a list name that does not exist', async () => {
		const o = await runNode(f, listNode({ action: 'REMOVE', listName: 'Never created' }), items([{ email: 'ann@example.com' }]));
		expect(o.error).toBe('No audience is named "Never created", so there is nothing to remove from. Check List Name.');
		expect(o.calls).toEqual(['dmp/custom_audience/list/']);
	});

	test('a website audience as the target of a list sync', async () => {
		const web = await runNode(f, websiteNode(), [{ json: {} }]);
		const id = String(web.output[0].audienceId);
		const o = await runNode(f, listNode({ listMode: 'existing', audience: byId(id) }), items([{ email: 'ann@example.com' }]));
		expect(o.error).toBe(`Audience ${id} ("Catalogue buyers") is a Website Audience, not a customer-file audience: only customer-file audiences take uploaded lists.`);
		expect(mutations(o)).toEqual([]);
	});

	test('remove that would leave fewer than 1,000 members', async () => {
		const id = await seedListAudience(f, 'Small list', 1010);
		f.emu.clock.advance(3_600_000); // past the 30-minute instant-sync cooldown
		const o = await runNode(f, listNode({ listMode: 'existing', audience: byId(id), action: 'REMOVE' }), items(Array.from({ length: 20 }, (_, i) => ({ email: `m${i}@example.com` }))));
		expect(o.error).toBe(
			"Removing 20 rows from an audience of 1,010 matched users could leave 990, under TikTok's 1,000-member floor: TikTok rejects such updates. Nothing was sent. Send more rows, or turn off \"Stop Below 1,000 Members\" to try anyway.",
		);
		expect(mutations(o)).toEqual([]);
		expect(membersOf(f, id)).toHaveLength(1010);
	});

	test('expired token: TikTok 40102, nothing changes', async () => {
		const o = await runNode(f, listNode(), items([{ email: 'ann@example.com' }]), { token: SEED.expiredToken });
		expect(o.error).toBe('TikTok 40102: The access token has expired');
		expect(o.description).toBe(
			`Create a new long-term access token in the TikTok for Business developer portal (or re-authorize the app) and update the TikTok Business API credential. TikTok said: "Access token has expired, please re-authorize." (request_id ${lastRequestId(f, 'dmp/custom_audience/list/')}, GET /dmp/custom_audience/list/).`,
		);
		expect(o.calls).toEqual(['dmp/custom_audience/list/']);
		expect(leaks(o, ['ann@example.com'])).toEqual([]);
	});

	test('the advertiser is not granted to the token: TikTok 40001, nothing changes', async () => {
		const o = await runNode(f, listNode({ advertiserId: byId(OTHER_ADV) }), items([{ email: 'ann@example.com' }]));
		expect(o.error).toBe('TikTok 40001: The advertiser is not granted to this access token');
		expect(o.calls).toEqual(['dmp/custom_audience/list/']);
		expect(f.emu.state.audiences.size).toBe(0);
	});
});
