/**
 * A one-way channel of byte chunks from a producer (a sync writing its snapshot as it reads the list) to a consumer
 * (n8n's binary data store, which pulls an async iterable). The producer waits after each push until the consumer
 * has taken everything, so at most one batch of chunks is in memory; a consumer failure stops the producer, and a
 * producer failure reaches the consumer as the stream's error.
 */
export class ChunkChannel implements AsyncIterable<Uint8Array> {
	private readonly queue: Uint8Array[] = [];
	private ended = false;
	private failure: { error: unknown } | undefined;
	private cancelled: { error: unknown } | undefined;
	private wakeConsumer: (() => void) | undefined;
	private wakeProducer: (() => void) | undefined;

	/** Hands chunks over, then waits until the consumer has taken them all. */
	async push(chunks: Uint8Array[]): Promise<void> {
		if (this.cancelled) throw this.cancelled.error;
		if (chunks.length === 0) return;
		this.queue.push(...chunks);
		this.wake();
		while (this.queue.length > 0 && !this.cancelled) await new Promise<void>((resolve) => (this.wakeProducer = resolve));
		const cancelled = this.cancelled as { error: unknown } | undefined;
		if (cancelled) throw cancelled.error;
	}

	/** The last chunks; the stream ends after them. */
	async end(chunks: Uint8Array[] = []): Promise<void> {
		this.queue.push(...chunks);
		this.ended = true;
		this.wake();
	}

	/** The producer failed: the consumer's next read throws `error`. */
	fail(error: unknown): void {
		this.failure = { error };
		this.wake();
	}

	/** The consumer failed: the producer's next push throws `error`. */
	cancel(error: unknown): void {
		this.cancelled = { error };
		const wake = this.wakeProducer;
		this.wakeProducer = undefined;
		wake?.();
	}

	[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
		return {
			next: async (): Promise<IteratorResult<Uint8Array>> => {
				for (;;) {
					if (this.failure) throw this.failure.error;
					const chunk = this.queue.shift();
					if (chunk) {
						if (this.queue.length === 0) this.wakeUp('producer');
						return { value: chunk, done: false };
					}
					if (this.ended) return { value: undefined, done: true };
					await new Promise<void>((resolve) => (this.wakeConsumer = resolve));
				}
			},
		};
	}

	private wake(): void {
		this.wakeUp('consumer');
	}

	private wakeUp(who: 'consumer' | 'producer'): void {
		const wake = who === 'consumer' ? this.wakeConsumer : this.wakeProducer;
		if (who === 'consumer') this.wakeConsumer = undefined;
		else this.wakeProducer = undefined;
		wake?.();
	}
}
