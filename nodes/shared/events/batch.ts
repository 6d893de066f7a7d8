/**
 * Sending rows in batches and isolating bad rows. TikTok fails a whole Events API request when one event is bad, so a
 * failed batch is bisected until the failing rows stand alone; every other row is delivered. Pure: the sender is
 * injected, so the algorithm is unit-tested without HTTP.
 */

/** How far a failure reaches: `row` = some row of the batch is bad (split it); `batch` = the request itself is wrong
 * or TikTok is unavailable (splitting cannot help); `unknown` = split, but stop if both halves fail the same way. */
export type FailureScope = 'row' | 'batch' | 'unknown';

export type SendOutcome =
	| { ok: true; requestId: string; attempts: number; warning?: string }
	| {
			ok: false;
			reason: string;
			code?: number;
			requestId: string;
			attempts: number;
			transient: boolean;
			scope: FailureScope;
			/** The credential or account is unusable (auth, permission): stop, send nothing more. */
			fatal?: boolean;
	  };

type Failure = Extract<SendOutcome, { ok: false }>;

export type Sender<T> = (rows: T[]) => Promise<SendOutcome>;

export type RowResult = { status: 'sent'; requestId: string } | { status: 'failed'; reason: string; code?: number; requestId: string };

export interface BatchReport {
	/** One result per row, in input order. */
	results: RowResult[];
	/** HTTP requests made, retries included. */
	requests: number;
	/** Request IDs TikTok returned, in order, successful or not. */
	requestIds: string[];
	/** TikTok's warnings on partial success (code 20001). */
	warnings: string[];
	/** Why sending stopped early (a fatal failure); later rows were not sent. */
	stopped?: string;
}

export const MAX_EVENTS_PER_REQUEST = 1000;

/** First attempts of batches in flight at once (after the first batch); the transport keeps them within the QPS. */
export const CONCURRENT_BATCHES = 4;

/** Requests one batch may spend isolating failures TikTok did not attribute to an event (about 3 bad rows in 1,000). */
export const UNKNOWN_ISOLATION_BUDGET = 64;

export async function sendIsolating<T>(rows: T[], send: Sender<T>, batchSize = MAX_EVENTS_PER_REQUEST): Promise<BatchReport> {
	const size = Math.max(1, Math.min(MAX_EVENTS_PER_REQUEST, Math.floor(batchSize)));
	const results: RowResult[] = new Array(rows.length);
	const report: BatchReport = { results, requests: 0, requestIds: [], warnings: [] };

	/** Books an outcome: requests, request IDs and, when it went through, its rows. */
	const record = (from: number, to: number, outcome: SendOutcome): SendOutcome => {
		report.requests += outcome.attempts;
		if (outcome.requestId) report.requestIds.push(outcome.requestId);
		if (outcome.ok) {
			if (outcome.warning) report.warnings.push(outcome.warning);
			for (let i = from; i < to; i++) results[i] = { status: 'sent', requestId: outcome.requestId };
		}
		return outcome;
	};
	const attempt = async (from: number, to: number): Promise<SendOutcome> => record(from, to, await send(rows.slice(from, to)));
	const failAll = (from: number, to: number, o: Failure) => {
		for (let i = from; i < to; i++) results[i] = { status: 'failed', reason: o.reason, code: o.code, requestId: o.requestId };
	};

	/**
	 * Rows [from, to) failed with `failure`: split them, unless splitting cannot help. An `unknown` failure (TikTok did
	 * not say which event) is split within a request budget, since it may be the request's fault after all.
	 */
	const isolate = async (from: number, to: number, failure: Failure, budget: { left: number }): Promise<void> => {
		if (to - from === 1 || failure.transient || failure.fatal || failure.scope === 'batch') {
			failAll(from, to, failure);
			return;
		}
		if (failure.scope === 'unknown' && budget.left < 2) {
			failAll(from, to, { ...failure, reason: `${failure.reason} (TikTok did not say which event failed; not isolated further)` });
			return;
		}
		if (failure.scope === 'unknown') budget.left -= 2;
		const mid = from + Math.ceil((to - from) / 2);
		const left = await attempt(from, mid);
		const right = await attempt(mid, to);
		if (!left.ok) await isolate(from, mid, left, budget);
		if (!right.ok) await isolate(mid, to, right, budget);
	};

	// An unexplained failure that took a whole batch down is taken as the request's fault when it comes back word for word.
	let requestLevel: Failure | undefined;
	const starts: number[] = [];
	for (let from = 0; from < rows.length; from += size) starts.push(from);
	// The first batch goes alone (a bad token or a malformed request shows before more is sent); then up to
	// CONCURRENT_BATCHES first attempts are in flight at once, within the credential's rate limit (the transport spaces
	// the requests), and their outcomes are handled in order, as if sent one after another.
	for (let k = 0; k < starts.length; ) {
		const wave = starts.slice(k, k === 0 ? 1 : k + CONCURRENT_BATCHES);
		k += wave.length;
		const outcomes = await Promise.all(wave.map(async (from) => await send(rows.slice(from, Math.min(rows.length, from + size)))));
		for (let w = 0; w < wave.length; w++) {
			const from = wave[w];
			const to = Math.min(rows.length, from + size);
			const outcome = record(from, to, outcomes[w]);
			if (outcome.ok) continue;
			if (report.stopped) {
				failAll(from, to, outcome);
				continue;
			}
			if (outcome.fatal) {
				// Batches of this wave after it were sent already and keep their own outcome; nothing later is sent.
				failAll(from, to, outcome);
				const waveEnd = Math.min(rows.length, wave[wave.length - 1] + size);
				failAll(waveEnd, rows.length, outcome);
				report.stopped = outcome.reason;
				continue;
			}
			if (requestLevel && sameFailure(outcome, requestLevel)) {
				failAll(from, to, outcome);
				continue;
			}
			await isolate(from, to, outcome, { left: UNKNOWN_ISOLATION_BUDGET });
			if (outcome.scope === 'unknown' && results.slice(from, to).every((r) => r.status === 'failed')) requestLevel = outcome;
		}
		if (report.stopped) break;
	}
	return report;
}

function sameFailure(a: Failure, b: Failure): boolean {
	return a.code === b.code && a.reason === b.reason;
}
