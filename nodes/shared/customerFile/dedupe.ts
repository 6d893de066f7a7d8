/**
 * A compact set of SHA-256 digests, to collapse duplicates in very large lists (10 M rows in a 256 MB process).
 *
 * Keeping the hex strings would cost about 100 bytes a row (1 GB for 10 M). A digest's bits are uniformly random,
 * so 56 of them identify a value well enough: 8 bits pick one of 256 shards, 16 bits are kept per slot and give the
 * home slot, 32 bits are kept as a fingerprint. Two distinct values share all 56 bits with probability 2^-56: for
 * 10 M distinct values, about once in 1,400 runs one value would be counted as a duplicate and not sent. A slot
 * costs 6 bytes, about 11 bytes per distinct value at the average load; shards grow one at a time (the home slot
 * is rebuilt from the kept bits), so a resize never needs a second copy of the whole set.
 */
const SHARD_BITS = 8;
const SHARDS = 1 << SHARD_BITS;
/** Slots per shard of a set made without a size hint (grown as values come). */
const INITIAL_SLOTS = 256;
const MAX_LOAD = 0.75;

const HEX_VALUE = new Int8Array(128);
for (let i = 0; i < 10; i++) HEX_VALUE[48 + i] = i;
for (let i = 0; i < 6; i++) HEX_VALUE[97 + i] = 10 + i;

/** The 32-bit number written by 8 lowercase hex characters at `offset` (digests are lowercase hex). */
export function hexWord(hex: string, offset: number): number {
	let n = 0;
	for (let i = offset; i < offset + 8; i++) n = (n << 4) | HEX_VALUE[hex.charCodeAt(i) & 127];
	return n >>> 0;
}

interface Shard {
	/** Low 16 bits of the place word: the home slot while the table has at most 65,536 slots. */
	place: Uint16Array;
	/** The fingerprint word; 0 marks an empty slot. */
	print: Uint32Array;
	count: number;
}

function home(place16: number, print: number, mask: number): number {
	// Past 65,536 slots the fingerprint's low bits extend the home: both are kept, so a rebuild finds the same slot.
	return mask <= 0xffff ? place16 & mask : (place16 | ((print & 0xffff) << 16)) & mask;
}

function newShard(slots: number): Shard {
	return { place: new Uint16Array(slots), print: new Uint32Array(slots), count: 0 };
}

export class DigestSet {
	private readonly shards: Shard[] = [];
	private total = 0;

	/**
	 * `expectedValues`: how many distinct values are expected (a hint, e.g. the number of input rows). The tables
	 * are then made at their final size at once: growing shard by shard would write (and, in a fresh process, fault
	 * in) about twice the memory.
	 */
	constructor(expectedValues = 0) {
		let slots = INITIAL_SLOTS;
		while (slots * MAX_LOAD * SHARDS < expectedValues) slots *= 2;
		for (let s = 0; s < SHARDS; s++) this.shards.push(newShard(slots));
	}

	/** Distinct values added. */
	get size(): number {
		return this.total;
	}

	/** Bytes held by the tables. */
	get bytes(): number {
		let sum = 0;
		for (const s of this.shards) sum += s.place.byteLength + s.print.byteLength;
		return sum;
	}

	/** Adds a lowercase hex digest (at least 16 characters); false when it was already there. */
	addHex(hex: string): boolean {
		return this.add(hexWord(hex, 0), hexWord(hex, 8));
	}

	/** Whether a key given as two random 32-bit words is in the set. */
	has(place: number, print: number): boolean {
		const shard = this.shards[place >>> (32 - SHARD_BITS)];
		const place16 = place & 0xffff;
		const fingerprint = print === 0 ? 1 : print;
		const { place: places, print: prints } = shard;
		const mask = prints.length - 1;
		for (let slot = home(place16, fingerprint, mask); ; slot = (slot + 1) & mask) {
			const stored = prints[slot];
			if (stored === 0) return false;
			if (stored === fingerprint && places[slot] === place16) return true;
		}
	}

	/** Adds a key given as two random 32-bit words; false when it was already there. */
	add(place: number, print: number): boolean {
		const shard = this.shards[place >>> (32 - SHARD_BITS)];
		const place16 = place & 0xffff;
		const fingerprint = print === 0 ? 1 : print;
		const { place: places, print: prints } = shard;
		const mask = prints.length - 1;
		let slot = home(place16, fingerprint, mask);
		for (;;) {
			const stored = prints[slot];
			if (stored === 0) break;
			if (stored === fingerprint && places[slot] === place16) return false;
			slot = (slot + 1) & mask;
		}
		prints[slot] = fingerprint;
		places[slot] = place16;
		this.total++;
		if (++shard.count > prints.length * MAX_LOAD) this.grow(place >>> (32 - SHARD_BITS));
		return true;
	}

	private grow(index: number): void {
		const old = this.shards[index];
		const next = newShard(old.print.length * 2);
		const mask = next.print.length - 1;
		for (let i = 0; i < old.print.length; i++) {
			const fingerprint = old.print[i];
			if (fingerprint === 0) continue;
			let slot = home(old.place[i], fingerprint, mask);
			while (next.print[slot] !== 0) slot = (slot + 1) & mask;
			next.print[slot] = fingerprint;
			next.place[slot] = old.place[i];
		}
		next.count = old.count;
		this.shards[index] = next;
	}
}
