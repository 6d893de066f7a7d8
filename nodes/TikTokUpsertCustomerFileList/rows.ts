import { sleep } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { CsvFormatError, CsvReader } from '../shared/customerFile/csvReader';
import { CUSTOMERLABS_ALIASES, findColumn, type SchemaMapping } from '../shared/customerFile/mapping';
import { parameterReader } from '../shared/ui/itemParameters';
import { MAPPED_PARAMETERS } from './parameters';

/**
 * Where the rows come from: input items (one per user) or a binary CSV read as a stream. Both feed the same row
 * callback, so both paths produce the same upload. `drain` runs between chunks, so completed upload files are sent
 * before more of the input is read (one file in memory at a time).
 */
export type RowCallback = (email: string | undefined, phone: string | undefined, rowNumber: number, change?: string) => void;

const CSV_CHUNK_BYTES = 64 * 1024;
/** A long list is processed in slices that give the event loop back, so n8n stays responsive meanwhile. */
const YIELD_EVERY_CHUNKS = 32;
const YIELD_EVERY_ITEMS = 20_000;
/** Completed upload files are sent every this many items (an await per item would cost more than the row itself). */
const DRAIN_EVERY_ITEMS = 1024;

function scalar(value: unknown): string | undefined {
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
	return undefined;
}

function field(json: IDataObject, name: string, alias: string): string | undefined {
	if (name === '') return undefined;
	if (name in json) return scalar(json[name]);
	if (name.includes('.')) {
		let current: unknown = json;
		for (const part of name.split('.')) current = current && typeof current === 'object' ? (current as IDataObject)[part] : undefined;
		if (current !== undefined) return scalar(current);
	}
	return alias !== '' && alias in json ? scalar(json[alias]) : undefined;
}

export async function readItemRows(
	ctx: IExecuteFunctions,
	itemIndexes: number[],
	mapping: SchemaMapping,
	onRow: RowCallback,
	drain: () => Promise<void>,
): Promise<void> {
	const items = ctx.getInputData();
	const read = parameterReader(ctx, items);
	// A field given by value is read through the parameter (a plain `$json.x` straight from the item); else by name.
	const from = (key: 'email' | 'phone' | 'change', alias: string) => {
		const name = mapping[key] ?? '';
		if (name === '') return () => undefined;
		if (mapping.byValue?.[key]) return (i: number) => scalar(read(MAPPED_PARAMETERS[key], i, ''));
		return (i: number) => field(items[i].json, name, alias);
	};
	const email = from('email', CUSTOMERLABS_ALIASES.email);
	const phone = from('phone', CUSTOMERLABS_ALIASES.phone);
	const change = from('change', '');
	let row = 0;
	for (const i of itemIndexes) {
		onRow(email(i), phone(i), ++row, change(i));
		if (row % DRAIN_EVERY_ITEMS === 0) await drain();
		if (row % YIELD_EVERY_ITEMS === 0) await sleep(0);
	}
	await drain();
}

/** Header cells are shown in errors only when they look like column names: a header-less file starts with data. */
function describeHeader(header: string[]): string {
	const names = header.map((h) => (/^[A-Za-z_][\w .-]{0,40}$/.test(h) ? `"${h}"` : '(a cell that looks like data)'));
	return names.slice(0, 20).join(', ');
}

export async function readCsvRows(
	ctx: IExecuteFunctions,
	itemIndex: number,
	binaryPropertyName: string,
	mapping: SchemaMapping,
	onRow: RowCallback,
	drain: () => Promise<void>,
): Promise<{ fileName?: string }> {
	const binary = ctx.helpers.assertBinaryData(itemIndex, binaryPropertyName);
	const reader = new CsvReader({
		columns: (header) => {
			const email = mapping.email ? findColumn(header, mapping.email, CUSTOMERLABS_ALIASES.email) : -1;
			const phone = mapping.phone ? findColumn(header, mapping.phone, CUSTOMERLABS_ALIASES.phone) : -1;
			const change = mapping.change ? findColumn(header, mapping.change) : -1;
			const missing = [
				mapping.email && email === -1 ? `"${mapping.email}" (Email Field)` : '',
				mapping.phone && phone === -1 ? `"${mapping.phone}" (Phone Field)` : '',
				mapping.change && change === -1 ? `"${mapping.change}" (Change Field)` : '',
			].filter(Boolean);
			if (missing.length > 0) {
				throw new CsvFormatError(
					`The CSV has no column ${missing.join(' or ')}. Its header row is: ${describeHeader(header)}. Set the field names to the CSV's column names; the first row must be a header.`,
				);
			}
			return [email, phone, change];
		},
		onRow: (values, rowNumber) => onRow(values[0], values[1], rowNumber, values[2]),
	});
	if (binary.id) {
		// Filesystem or S3 binary mode: read as a stream, never the whole file.
		const stream = await ctx.helpers.getBinaryStream(binary.id, CSV_CHUNK_BYTES);
		let chunks = 0;
		for await (const chunk of stream as AsyncIterable<Buffer | string>) {
			reader.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
			await drain();
			if (++chunks % YIELD_EVERY_CHUNKS === 0) await sleep(0);
		}
	} else {
		const buffer = await ctx.helpers.getBinaryDataBuffer(itemIndex, binaryPropertyName);
		for (let at = 0; at < buffer.length; at += CSV_CHUNK_BYTES) {
			reader.push(buffer.subarray(at, at + CSV_CHUNK_BYTES));
			await drain();
			if ((at / CSV_CHUNK_BYTES) % YIELD_EVERY_CHUNKS === YIELD_EVERY_CHUNKS - 1) await sleep(0);
		}
	}
	reader.end();
	await drain();
	return { fileName: binary.fileName };
}
