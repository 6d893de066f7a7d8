import { BINARY_ENCODING } from 'n8n-workflow';

import { ChunkChannel } from '../shared/customerFile/chunkChannel';
import type { IBinaryData, IExecuteFunctions } from 'n8n-workflow';

/**
 * Mirror's snapshot in and out of n8n's binary data. The previous snapshot arrives on the node's second input (from
 * Read/Write Files from Disk, S3, a database: whatever the workflow keeps it in) and is read as a stream each time it
 * is needed, never held whole (10 M members are about 330 MB). The new snapshot leaves as a stream written while the
 * list is read, so n8n's filesystem, S3 or database binary mode stores it chunk by chunk.
 */
export const SNAPSHOT_INPUT = 1;
const CHUNK_BYTES = 64 * 1024; // 64 KiB reads: as fast as 1 MiB here, 17 MB less peak memory at 10 M (npm run bench)

export interface PreviousSnapshot {
	fileName?: string;
	bytes?: number;
	/** Stored outside the process (filesystem, S3 or database binary mode): read as a stream. */
	stored: boolean;
	/** A fresh pass over the file's bytes. */
	open(): Promise<AsyncIterable<Uint8Array> | Uint8Array>;
}

/** The previous snapshot: the first item on the second input with this binary field, or undefined (a first sync). */
export function previousSnapshot(ctx: IExecuteFunctions, field: string): PreviousSnapshot | undefined {
	let items;
	try {
		items = ctx.getInputData(SNAPSHOT_INPUT);
	} catch {
		return undefined; // no second input connected (or the node ran from the first input alone)
	}
	const index = items.findIndex((item) => item.binary?.[field] !== undefined);
	if (index === -1) return undefined;
	const binary = items[index].binary?.[field] as IBinaryData;
	return {
		fileName: binary.fileName,
		bytes: binary.bytes,
		stored: binary.id !== undefined,
		// Stored binary (filesystem, S3, database mode) is streamed; in-memory binary is the item's base64 data.
		open: async () =>
			binary.id
				? ((await ctx.helpers.getBinaryStream(binary.id, CHUNK_BYTES)) as AsyncIterable<Uint8Array>)
				: Buffer.from(binary.data, BINARY_ENCODING),
	};
}

type PrepareInput = Parameters<IExecuteFunctions['helpers']['prepareBinaryData']>[0];
type Listener = (arg?: unknown) => void;

/**
 * The chunks as the readable stream n8n's binary data service stores: its filesystem mode writes an async iterable as
 * it comes (`fs.writeFile` takes one); the S3 and database modes collect a stream through its `data`/`end`/`error`
 * events (older n8n versions through `pipe`). Node code cannot import node:stream, so this is the small part of a
 * Readable those paths use. It is consumed once.
 */
class ByteStream {
	private readonly listeners = new Map<string, Array<{ fn: Listener; once: boolean }>>();
	private flowing = false;
	private destroyed = false;

	private readonly chunks: AsyncIterable<Uint8Array>;

	constructor(chunks: AsyncIterable<Uint8Array>) {
		this.chunks = chunks;
	}

	[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
		this.flowing = true;
		return this.chunks[Symbol.asyncIterator]();
	}

	on(event: string, fn: Listener): this {
		this.add(event, fn, false);
		if (event === 'data') this.flow();
		return this;
	}

	once(event: string, fn: Listener): this {
		this.add(event, fn, true);
		return this;
	}

	off(event: string, fn: Listener): this {
		this.listeners.set(
			event,
			(this.listeners.get(event) ?? []).filter((l) => l.fn !== fn),
		);
		return this;
	}

	removeListener(event: string, fn: Listener): this {
		return this.off(event, fn);
	}

	destroy(): this {
		this.destroyed = true;
		return this;
	}

	pipe<T extends { write(chunk: Uint8Array): unknown; end(): unknown }>(destination: T): T {
		this.on('data', (chunk) => destination.write(chunk as Uint8Array));
		this.once('end', () => destination.end());
		return destination;
	}

	private add(event: string, fn: Listener, once: boolean): void {
		this.listeners.set(event, [...(this.listeners.get(event) ?? []), { fn, once }]);
	}

	private emit(event: string, arg?: unknown): void {
		const all = this.listeners.get(event) ?? [];
		this.listeners.set(
			event,
			all.filter((l) => !l.once),
		);
		for (const l of all) l.fn(arg);
	}

	private flow(): void {
		if (this.flowing) return;
		this.flowing = true;
		void (async () => {
			try {
				for await (const chunk of this.chunks) {
					if (this.destroyed) return;
					this.emit('data', chunk);
				}
				this.emit('end');
			} catch (error) {
				this.emit('error', error);
			}
		})();
	}
}

/** Where the new snapshot goes while it is written; `stored()` gives the output's binary once it has ended. */
export interface SnapshotOutput {
	push(chunks: Uint8Array[]): Promise<void>;
	end(chunks: Uint8Array[]): Promise<void>;
	fail(error: unknown): void;
	stored(): Promise<IBinaryData>;
}

/**
 * Streamed into n8n's binary data store while it is written when the workflow's binary data is stored outside the
 * process (the list or the previous snapshot came with an ID: filesystem, S3 or database mode); else collected and
 * stored at the end (n8n's in-memory mode holds every binary in memory anyway).
 */
export function snapshotOutput(ctx: IExecuteFunctions, fileName: string, streamed: boolean): SnapshotOutput {
	if (!streamed) {
		const parts: Uint8Array[] = [];
		return {
			push: async (chunks) => void parts.push(...chunks),
			end: async (chunks) => void parts.push(...chunks),
			fail: () => undefined,
			stored: async () => await ctx.helpers.prepareBinaryData(Buffer.concat(parts), fileName, 'application/octet-stream'),
		};
	}
	const channel = new ChunkChannel();
	const storing = ctx.helpers.prepareBinaryData(new ByteStream(channel) as unknown as PrepareInput, fileName, 'application/octet-stream');
	// A store failure stops the producer at its next push; it is reported when the result is awaited.
	storing.catch((error: unknown) => channel.cancel(error));
	return {
		push: async (chunks) => await channel.push(chunks),
		end: async (chunks) => await channel.end(chunks),
		fail: (error) => channel.fail(error),
		stored: async () => await storing,
	};
}

/** Whether the binary data of this run is stored outside the process (it has IDs), so the snapshot is streamed. */
export function binaryStoredOutside(ctx: IExecuteFunctions, config: { inputSource: string; binaryPropertyName: string }, previous: PreviousSnapshot | undefined): boolean {
	if (previous?.stored) return true;
	if (config.inputSource !== 'binary') return false;
	return ctx.getInputData().some((item) => item.binary?.[config.binaryPropertyName]?.id !== undefined);
}

export const snapshotFileName = (advertiserId: string, audienceId: string): string => `tiktok-audience-${advertiserId}-${audienceId}.snapshot`;
