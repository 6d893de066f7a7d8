// Bad-input catalogue, List Sync from a binary CSV: wrong columns, binary garbage, header-only, unclosed quotes, huge
// fields, a REPLACE over the configured file limit, a file over TikTok's size limit, a missing binary property. Each
// gets a clear error (or per-row rejections) and nothing changes at TikTok.
import { byId } from '../support/engine.cts';
import { csvItem, lastRequestId, leaks, listNode, membersOf, mutations, rngBytes, runNode, seedListAudience, sha, useEmulator } from './catalogue.cts';

const f = useEmulator();

const binaryList = (params: Record<string, unknown> = {}) => listNode({ inputSource: 'binary', binaryPropertyName: 'data', emailField: 'email', ...params });

test('wrong CSV columns: the error names the missing column and the header row, nothing is uploaded', async () => {
	const o = await runNode(f, binaryList(), csvItem('id,mail,telephone\n1,ann@example.com,+16505550101\n'));
	expect(o.error).toBe(
		'The CSV file cannot be read: The CSV has no column "email" (Email Field). Its header row is: "id", "mail", "telephone". Set the field names to the CSV\'s column names; the first row must be a header.',
	);
	expect(o.calls).toEqual(['dmp/custom_audience/list/']);
	expect(leaks(o, ['ann@example.com'])).toEqual([]);
});

test('a CSV without a header row: data cells are never echoed in the error', async () => {
	const o = await runNode(f, binaryList(), csvItem('ann@example.com\nbob@example.com\n'));
	expect(o.error).toBe(
		'The CSV file cannot be read: The CSV has no column "email" (Email Field). Its header row is: (a cell that looks like data). Set the field names to the CSV\'s column names; the first row must be a header.',
	);
	expect(o.calls).toEqual(['dmp/custom_audience/list/']);
	expect(leaks(o, ['ann@example.com', 'bob@example.com'])).toEqual([]);
});

test('binary garbage: a clear error, nothing uploaded', async () => {
	const o = await runNode(f, binaryList(), csvItem(rngBytes(4096, 7), 'list.csv'));
	const cells = Array.from({ length: 10 }, () => '(a cell that looks like data)').join(', ');
	expect(o.error).toBe(
		`The CSV file cannot be read: The CSV has no column "email" (Email Field). Its header row is: ${cells}. Set the field names to the CSV's column names; the first row must be a header.`,
	);
	expect(o.calls).toEqual(['dmp/custom_audience/list/']);
});

test('a header-only CSV: no rows, nothing created', async () => {
	const o = await runNode(f, binaryList(), csvItem('email,phone\r\n'));
	expect(o.error).toBe('No valid rows to send (0 rows in; invalid: none). Nothing was sent. Check Email Field / Phone Field and the values.');
	expect(o.calls).toEqual(['dmp/custom_audience/list/']);
	expect(f.emu.state.audiences.size).toBe(0);
});

test('an empty file: no rows, nothing created', async () => {
	const o = await runNode(f, binaryList(), csvItem(''));
	expect(o.error).toBe('No valid rows to send (0 rows in; invalid: none). Nothing was sent. Check Email Field / Phone Field and the values.');
	expect(o.calls).toEqual(['dmp/custom_audience/list/']);
});

test('a huge field (2 MiB in one cell): refused, nothing uploaded', async () => {
	const o = await runNode(f, binaryList(), csvItem(`email\nann@example.com\n${'a'.repeat(2 * 1024 * 1024)}@example.com\n`));
	expect(o.error).toBe('The CSV file cannot be read: line 3 is longer than 1048576 characters: is this a CSV file?');
	expect(mutations(o)).toEqual([]);
	expect(o.calls).toEqual(['dmp/custom_audience/list/']);
	expect(leaks(o, ['ann@example.com'])).toEqual([]);
});

test('an unclosed quote: refused, nothing created', async () => {
	const o = await runNode(f, binaryList(), csvItem('email\nann@example.com\n"bob@example.com\ncy@example.com\n'));
	expect(o.error).toBe('The CSV file cannot be read: the quoted field that starts on line 3 is never closed');
	expect(mutations(o)).toEqual([]);
	expect(leaks(o, ['ann@example.com', 'bob@example.com', 'cy@example.com'])).toEqual([]);
});

test('short rows and bad cells are rejected per row; the rest syncs exactly', async () => {
	const o = await runNode(f, binaryList(), csvItem('id;email\n1;ann@example.com\n2\n3;not-an-email\n4;"BOB@Example.com "\n'));
	expect(o.error).toBeUndefined();
	const [summary] = o.output;
	expect({ rowsIn: summary.rowsIn, rowsSent: summary.rowsSent, invalid: summary.invalid }).toEqual({
		rowsIn: 4,
		rowsSent: 2,
		invalid: { empty: { count: 1, rows: [2] }, email_invalid: { count: 1, rows: [3] } },
	});
	expect(membersOf(f, String(summary.audienceId))).toEqual([sha('ann@example.com'), sha('bob@example.com')].sort());
	expect(leaks(o, ['not-an-email'])).toEqual([]);
});

test('phones in a UTF-8 CSV: tel: URIs and other scripts are one number each, extensions are rejected per row', async () => {
	const csv = [
		'phone',
		'tel:+1-650-555-0131',
		'"＋１ ６５０ ５５５ ０１３２"',
		'+٩٧١ ٥٠ ١٢٣ ٠١٣٣',
		'"+1 650 555 0134 ext. 23"',
		'"tel:+1-650-555-0135;ext=23"',
		'"+1 650 555 0136, +1 650 555 0137"',
		'+1 650 555 0138 x23',
	].join('\n');
	const o = await runNode(f, binaryList({ calculateType: 'PHONE_SHA256', emailField: '', phoneField: 'phone' }), csvItem(`${csv}\n`));
	expect(o.error).toBeUndefined();
	const [summary] = o.output;
	expect({ rowsIn: summary.rowsIn, rowsSent: summary.rowsSent, invalid: summary.invalid }).toEqual({
		rowsIn: 7,
		rowsSent: 3,
		invalid: { phone_extension: { count: 3, rows: [4, 5, 7] }, phone_ambiguous: { count: 1, rows: [6] } },
	});
	expect(membersOf(f, String(summary.audienceId))).toEqual([sha('16505550131'), sha('16505550132'), sha('971501230133')].sort());
	expect(leaks(o, ['tel:+1-650-555-0131', '+1 650 555 0134 ext. 23', 'tel:+1-650-555-0135;ext=23', '+1 650 555 0138 x23'])).toEqual([]);
});

test('a REPLACE over the configured file limit (more than 50 files): refused before the audience changes', async () => {
	const id = await seedListAudience(f, 'Big list', 1200);
	f.emu.clock.advance(3_600_000);
	const rows = Array.from({ length: 1100 }, (_, i) => `r${i}@example.com`);
	const o = await runNode(f, binaryList({ listMode: 'existing', audience: byId(id), action: 'REPLACE', options: { maxRowsPerFile: 20 } }), csvItem(`email\n${rows.join('\n')}\n`));
	expect(o.error).toBe(
		'Replace All needs 51 upload files, more than the 50 one TikTok call takes, and a replace is never split across calls (a failure half-way would leave the audience half-replaced). Raise "Max Rows per File" (now 20) so the list fits in 50 files, or use Add.',
	);
	expect(mutations(o)).toEqual([]);
	expect(membersOf(f, id)).toEqual(Array.from({ length: 1200 }, (_, i) => sha(`m${i}@example.com`)).sort());
});

test('a file over TikTok\'s size limit: TikTok 40907, nothing created', async () => {
	f.emu.config.maxFileBytes = 10_000;
	const rows = Array.from({ length: 400 }, (_, i) => `r${i}@example.com`);
	const o = await runNode(f, binaryList(), csvItem(`email\n${rows.join('\n')}\n`));
	expect(o.error).toBe('TikTok 40907: The customer file is too large');
	expect(o.description).toBe(
		`Lower the "Max Rows per File" option. TikTok said: "file: The file must be smaller than 10000 bytes." (request_id ${lastRequestId(f, 'dmp/custom_audience/file/upload/')}, POST /dmp/custom_audience/file/upload/).`,
	);
	expect(o.calls).toEqual(['dmp/custom_audience/list/', 'dmp/custom_audience/file/upload/']);
	expect(f.emu.state.audiences.size).toBe(0);
	expect(leaks(o, rows)).toEqual([]);
});

test('the binary property is missing', async () => {
	const o = await runNode(f, binaryList({ binaryPropertyName: 'file' }), csvItem('email\nann@example.com\n'));
	expect(o.error).toBe("The item has no binary field 'file' [item 0]");
	expect(mutations(o)).toEqual([]);
});
