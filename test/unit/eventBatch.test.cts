import { sendIsolating, type SendOutcome } from '../../nodes/shared/events/batch';
import { failureScope } from '../../nodes/shared/tiktok/events';

/** A fake TikTok: fails a batch when it contains a bad row, naming it like the emulator does (`data[i]`). */
function fakeTikTok(bad: Set<number>, opts: { message?: (i: number) => string } = {}) {
	const calls: number[][] = [];
	const delivered: number[] = [];
	const send = async (rows: number[]): Promise<SendOutcome> => {
		calls.push(rows);
		const id = `req-${calls.length}`;
		const at = rows.findIndex((r) => bad.has(r));
		if (at < 0) {
			delivered.push(...rows);
			return { ok: true, requestId: id, attempts: 1 };
		}
		const message = opts.message ? opts.message(at) : `data[${at}].event_time: too old`;
		return { ok: false, reason: message, code: 40002, requestId: id, attempts: 1, transient: false, scope: failureScope(40002, message) };
	};
	return { send, calls, delivered };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('sendIsolating', () => {
	test('2,500 good rows → 3 requests of 1000, 1000, 500', async () => {
		const t = fakeTikTok(new Set());
		const report = await sendIsolating(range(2500), t.send);
		expect(t.calls.map((c) => c.length)).toEqual([1000, 1000, 500]);
		expect(report.requests).toBe(3);
		expect(report.requestIds).toEqual(['req-1', 'req-2', 'req-3']);
		expect(report.results.every((r) => r.status === 'sent')).toBe(true);
	});

	test('one bad row in 8 is isolated by bisection; every other row is sent once', async () => {
		const t = fakeTikTok(new Set([5]));
		const report = await sendIsolating(range(8), t.send);
		expect(t.calls).toEqual([[0, 1, 2, 3, 4, 5, 6, 7], [0, 1, 2, 3], [4, 5, 6, 7], [4, 5], [6, 7], [4], [5]]);
		expect(report.requests).toBe(7);
		expect(report.results.map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent', 'failed', 'sent', 'sent']);
		expect(report.results[5]).toEqual({ status: 'failed', reason: 'data[0].event_time: too old', code: 40002, requestId: 'req-7' });
		// Rows delivered by the successful calls (req-2 [0-3], req-5 [6,7], req-6 [4]): each good row exactly once.
		expect(t.delivered.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 6, 7]);
	});

	test('one bad row in 1000 costs 1 + 2 × 10 requests', async () => {
		const t = fakeTikTok(new Set([777]));
		const report = await sendIsolating(range(1000), t.send);
		expect(report.requests).toBe(21);
		expect(report.results.filter((r) => r.status === 'failed')).toHaveLength(1);
		expect(report.results[777].status).toBe('failed');
	});

	test('two bad rows in different halves are both found even when messages look alike', async () => {
		const t = fakeTikTok(new Set([1, 6]), { message: () => 'event_time is too old' });
		const report = await sendIsolating(range(8), t.send);
		expect(report.results.map((r) => r.status)).toEqual(['sent', 'failed', 'sent', 'sent', 'sent', 'sent', 'failed', 'sent']);
	});

	test('an unattributed error that fails everything is isolated within a budget, then recognized on the next batch', async () => {
		const calls: number[][] = [];
		const send = async (rows: number[]): Promise<SendOutcome> => {
			calls.push(rows);
			return { ok: false, reason: 'Something is wrong', code: 40002, requestId: `r${calls.length}`, attempts: 1, transient: false, scope: 'unknown' };
		};
		const report = await sendIsolating(range(2000), send);
		expect(calls).toHaveLength(1 + 64 + 1);
		expect(calls[65]).toHaveLength(1000);
		expect(report.results.every((r) => r.status === 'failed')).toBe(true);
		expect(report.results[1999]).toEqual({ status: 'failed', reason: 'Something is wrong', code: 40002, requestId: 'r66' });
		expect(report.results.filter((r) => r.status === 'failed' && r.reason.endsWith('(TikTok did not say which event failed; not isolated further)')).length).toBeGreaterThan(0);
	});

	test('transient and batch-scope failures fail the batch without splitting; fatal stops the run', async () => {
		let n = 0;
		const transient = async (): Promise<SendOutcome> => ({ ok: false, reason: 'TikTok 50002', code: 50002, requestId: `t${++n}`, attempts: 4, transient: true, scope: 'batch' });
		const r1 = await sendIsolating(range(1500), transient);
		expect(r1.requests).toBe(8);
		expect(r1.results.filter((r) => r.status === 'failed')).toHaveLength(1500);

		let calls = 0;
		const fatal = async (): Promise<SendOutcome> => {
			calls++;
			return { ok: false, reason: 'TikTok 40105', code: 40105, requestId: 'f', attempts: 1, transient: false, scope: 'batch', fatal: true };
		};
		const r2 = await sendIsolating(range(2500), fatal);
		expect(calls).toBe(1);
		expect(r2.stopped).toBe('TikTok 40105');
		expect(r2.results.filter((r) => r.status === 'failed')).toHaveLength(2500);
	});

	test('after the first batch alone, up to 4 first attempts are in flight at once; outcomes are booked in batch order', async () => {
		let inFlight = 0;
		const peaks: number[] = [];
		const sizes: number[] = [];
		let n = 0;
		const send = async (rows: number[]): Promise<SendOutcome> => {
			const id = `r${++n}`;
			sizes.push(rows.length);
			peaks.push(++inFlight);
			// Later batches answer first: the report still lists them in batch order.
			await new Promise((resolve) => setTimeout(resolve, 40 - 5 * n));
			inFlight--;
			return { ok: true, requestId: id, attempts: 1 };
		};
		const report = await sendIsolating(range(5500), send);
		expect(sizes).toEqual([1000, 1000, 1000, 1000, 1000, 500]);
		expect(peaks).toEqual([1, 1, 2, 3, 4, 1]);
		expect(report.requestIds).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
		expect(report.results[4999]).toEqual({ status: 'sent', requestId: 'r5' });
		expect(report.results[5499]).toEqual({ status: 'sent', requestId: 'r6' });
	});

	test('a fatal failure in the middle of a wave: batches already sent keep their outcome, later rows are not sent', async () => {
		const calls: number[] = [];
		const send = async (rows: number[]): Promise<SendOutcome> => {
			calls.push(rows[0]);
			if (rows[0] === 2000) return { ok: false, reason: 'TikTok 40105', code: 40105, requestId: 'f', attempts: 1, transient: false, scope: 'batch', fatal: true };
			return { ok: true, requestId: `r${rows[0]}`, attempts: 1 };
		};
		const report = await sendIsolating(range(7000), send);
		expect(calls).toEqual([0, 1000, 2000, 3000, 4000]);
		expect(report.stopped).toBe('TikTok 40105');
		expect(report.results.map((r) => (r.status === 'sent' ? r.requestId : r.status)).filter((v, i, a) => a.indexOf(v) === i)).toEqual(['r0', 'r1000', 'failed', 'r3000', 'r4000']);
		expect(report.results.slice(2000, 3000).every((r) => r.status === 'failed')).toBe(true);
		expect(report.results.slice(5000).every((r) => r.status === 'failed')).toBe(true);
	});

	test('batch size option is capped at 1000 and partial-success warnings are kept', async () => {
		const sizes: number[] = [];
		const send = async (rows: number[]): Promise<SendOutcome> => {
			sizes.push(rows.length);
			return { ok: true, requestId: 'p', attempts: 2, warning: 'TikTok partial success (20001): some rows' };
		};
		const report = await sendIsolating(range(2100), send, 5000);
		expect(sizes).toEqual([1000, 1000, 100]);
		expect(report.requests).toBe(6);
		expect(report.warnings).toEqual(Array(3).fill('TikTok partial success (20001): some rows'));
		const small: number[] = [];
		await sendIsolating(range(5), async (rows) => (small.push(rows.length), { ok: true, requestId: '', attempts: 1 }), 2);
		expect(small).toEqual([2, 2, 1]);
	});
});

describe('failureScope', () => {
	test.each([
		[40002, 'data[3].event_time: Must be within the last 7 days.', 'row'],
		[40062, 'data[0].user.email: Must be hashed with SHA-256 (64 lowercase hex characters).', 'row'],
		[40061, 'data: Length must be between 1 and 1000.', 'row'],
		[40002, 'event_source_id: Pixel X does not exist.', 'batch'],
		[40002, 'test_event_code: Not a valid string.', 'batch'],
		[40002, 'Invalid parameter', 'unknown'],
		[40105, 'Access token is incorrect', 'batch'],
		[40001, 'advertiser does not grant you', 'batch'],
		[50000, 'System error.', 'batch'],
		[undefined, 'HTTP 504', 'batch'],
	])('%p %p → %p', (code, message, scope) => {
		expect(failureScope(code, message)).toBe(scope);
	});
});
