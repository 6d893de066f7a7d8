// npm run test:queue: our nodes in a real n8n 2.41.1 queue-mode cluster (Postgres 15, Redis, a main and two workers
// with --concurrency=2, see cluster.cts) against the TikTok emulator. Scenarios (issue 12):
//   canary    core-only static-data counter on workers: printed, never asserted (so we notice when n8n changes)
//   concurrent-unlinks  bursts of four Unlinks released together on both workers: every one holds, on every worker
//   overlaps  10 seeded overlaps of an Unlink of A_r with a slow sync of B, finishing in either order, then two syncs
//             of A_r: never sent; B exactly synced; Get Status (on a worker) says unlinked; processed_data holds it
//   delete    a Delete of C overlapping a slow sync of C, then two Create-New-List syncs by C's name: nothing created
//   trigger   the trigger active over several 1-minute intervals with its syncs on workers: one sync per interval,
//             a main restart re-emits nothing, an emitted sync after an Unlink sends nothing
//   kill      kill -9 of a worker mid-upload and a main restart, then the sync again: exact members, no doubles
//   mirror    Mirror on the workers with its snapshot in Postgres (n8n's Postgres, Convert to File and Extract from
//             File nodes; README "Keep an audience equal to a segment"), three runs, one per simulated day, people
//             joining and leaving: exact members each day, the stored snapshot holds exactly the segment's hashes
// Every scenario runs even when an earlier one fails; figures print as `name: value unit` lines; the exit code is 1
// when any assertion failed. QUEUE_SEED changes the overlaps' draw (default 12).
import assert from 'node:assert/strict';

import { createRng } from '../emulator/rng.cts';
import { createAudience } from '../emulator/testClient.cts';
import { withCredential } from '../e2e/stack.cts';
import {
	activateWorkflow,
	createCredential,
	createWorkflow,
	deactivateWorkflow,
	getExecution,
	log,
	nodeOutput,
	waitFor,
	type WorkflowJson,
} from '../e2e/n8nServer.cts';
import { postWebhookOnceRegistered, sha } from '../e2e/workflows.cts';
import { parseSnapshot } from '../support/snapshotFile.cts';
import { startCluster, type Cluster } from './cluster.cts';
import { canaryWorkflow, lifecycleWorkflow, mirrorWorkflow, SNAPSHOT_TABLE, SNAPSHOT_TABLE_SQL, triggerWorkflow } from './workflows.cts';

const SEED = process.env.QUEUE_SEED ?? '12';
const OVERLAPS = 10;
const INTERVAL_MS = 60_000;
/** The trigger's poll times in the test workflow: every 15 s (test/queue/workflows.cts). */
const POLL_TICK_MS = 15_000;

const figures: string[] = [];
/** Collected and printed once at the end (stdout); logged as they come (stderr). */
function figure(name: string, value: string | number, unit = ''): void {
	const line = `${name}: ${value}${unit ? ` ${unit}` : ''}`;
	figures.push(line);
	log(line);
}
const failures: string[] = [];

async function scenario(name: string, fn: () => Promise<void>): Promise<void> {
	const started = Date.now();
	log(`scenario ${name}: start`);
	try {
		await fn();
		log(`scenario ${name}: PASS`);
	} catch (error) {
		const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
		failures.push(`${name}: ${message.split('\n').slice(0, 40).map((line) => line.slice(0, 400)).join('\n')}`);
		log(`scenario ${name}: FAIL ${message.split('\n')[0]}`);
	} finally {
		figure(`queue_scenario_${name}_s`, ((Date.now() - started) / 1000).toFixed(1), 's');
	}
}

let cluster: Cluster;
const emu = () => cluster.emulator;

/** The hashes TikTok stores for `<prefix><from + i>@example.com` (crypto-js SHA-256: not the nodes' own hashing). */
const hashes = (prefix: string, from: number, count: number) => Array.from({ length: count }, (_, i) => sha(`${prefix}${from + i}@example.com`));
const audience = (id: string) => emu().state.audiences.get(id);
const members = (id: string) => [...(audience(id)?.members ?? [])].sort();
const actions = (id: string) => (audience(id)?.history ?? []).map((h) => h.action);
const sorted = (values: string[]) => [...new Set(values)].sort();
const named = (name: string) => [...emu().state.audiences.values()].filter((a) => a.name === name);

interface Answer {
	status: number;
	json: any;
	/** the worker that ran it (index), from the executionId the workflow adds to its answer */
	worker?: number;
	finishedAt: number;
}

async function call(path: string, body: unknown): Promise<Answer> {
	const res = await postWebhookOnceRegistered(cluster.main.url, path, body, 60_000);
	const executionId = res.json && typeof res.json === 'object' ? res.json.executionId : undefined;
	return { ...res, worker: executionId ? cluster.workerOf(String(executionId)) : undefined, finishedAt: Date.now() };
}

/** Waits until the emulator has taken the scripted fault (the request is inside the emulator, being delayed). */
async function faultTaken(what: string): Promise<void> {
	await waitFor(`the ${what} request to reach the emulator`, async () => emu().faults.pending().length === 0, { timeoutMs: 60_000, intervalMs: 50 });
}

/**
 * Waits until the trigger (polls at seconds 0, 15, 30 and 45) is between polls, so that a slow fault scripted now on
 * get/ is taken by the request the scenario sends next, not by the trigger's own get/ call.
 */
async function awayFromTriggerPolls(): Promise<void> {
	await waitFor('a moment between trigger polls', async () => Date.now() % 15_000 >= 3000 && Date.now() % 15_000 <= 9000, { timeoutMs: 20_000, intervalMs: 100 });
}

async function addWorkflow(workflow: WorkflowJson): Promise<string> {
	const id = await createWorkflow(cluster.session, withCredential(workflow, cluster.credential));
	await activateWorkflow(cluster.session, id);
	return id;
}

/** processed_data rows of a workflow (n8n's de-duplication store): [context, value]. */
async function processedData(workflowId: string): Promise<string[][]> {
	return cluster.postgres.query(`SELECT context, value::text FROM processed_data WHERE "workflowId" = '${workflowId}' ORDER BY context`);
}

/**
 * How many values the store holds for a workflow, over all its contexts. n8n keeps only MD5 hashes of recorded values
 * (DeduplicationHelper.createValueHash), so the test counts them rather than reading them.
 */
async function storedEntries(workflowId: string): Promise<number> {
	const rows = await processedData(workflowId);
	return rows
		.map(([, value]) => {
			const data = (JSON.parse(value) as { data?: unknown }).data;
			return Array.isArray(data) ? data.length : 1;
		})
		.reduce((a, b) => a + b, 0);
}

async function lightExecutions(workflowId: string): Promise<Array<{ id: string; mode: string; status: string; startedAt: string; stoppedAt: string | null }>> {
	const page = await cluster.session.api<{ data: any[] }>('GET', `/executions?workflowId=${workflowId}&includeData=false&limit=250`);
	return page.data;
}

const rounds = (n: number) => Array.from({ length: n }, (_, i) => i);
const text = (json: unknown) => JSON.stringify(json).slice(0, 600);

async function main(): Promise<void> {
	const startedAll = Date.now();
	cluster = await startCluster({ emulator: { seed: 12, matchRate: 1, processingDelayMs: 0 } });
	figure('queue_cluster_start_s', ((Date.now() - startedAll) / 1000).toFixed(1), 's');
	const lifecycleId = await addWorkflow(lifecycleWorkflow());

	// The trigger runs in the background from here on: the other scenarios fill its first intervals.
	const T = 'Queue T';
	const TRIGGER_PEOPLE = 1000;
	const triggerActivatedAt = Date.now();
	const triggerId = await addWorkflow(triggerWorkflow(T, TRIGGER_PEOPLE));

	await scenario('canary', async () => {
		const canaryId = await addWorkflow(canaryWorkflow());
		const answers: Answer[] = [];
		for (const _ of rounds(4)) answers.push(await call('q-canary', {}));
		for (const a of answers) assert.equal(a.status, 200, text(a.json));
		figure('queue_static_data_counter', answers.map((a) => a.json.counter).join(','));
		figure('queue_static_data_counter_workers', answers.map((a) => a.worker ?? '?').join(','));
		const [[stored] = []] = await cluster.postgres.query(`SELECT "staticData"::text FROM workflow_entity WHERE id = '${canaryId}'`);
		log(`canary: workflow_entity.staticData = ${stored}`);
		for (const a of answers) assert.equal(typeof a.json.counter, 'number');
		await deactivateWorkflow(cluster.session, canaryId);
	});

	// Bursts of four Unlinks of different audiences (every execution slot of the two workers) released at about the
	// same moment, three times; the first burst is the workflow's first write to the store. n8n's
	// checkProcessedAndRecord (packages/cli/src/deduplication/deduplication-helper.ts) reads the row, adds, and writes it
	// whole with no lock, and the row's first insert has a primary key (workflowId, context): here writers meet.
	await scenario('concurrent-unlinks', async () => {
		const BURSTS = 3;
		const SIZE = 4;
		const D = await Promise.all(rounds(BURSTS * SIZE).map(async (i) => createAudience(emu(), hashes(`d${i}-`, 0, 1000), `Queue D${i}`)));
		const lost = new Set<number>();
		let bothWorkers = 0;
		const problems: string[] = [];
		const unlinked = (status: Answer) => status.status === 200 && status.json?.linked === false && status.json?.linkStatus === 'unlinked';
		for (const b of rounds(BURSTS)) {
			const burst = rounds(SIZE).map((k) => b * SIZE + k);
			// every get/ call is held 3 s from its arrival, so the nodes go on to record at about the same time
			await awayFromTriggerPolls();
			emu().faults.script({ path: 'dmp/custom_audience/get/', method: 'GET', kind: 'slow', delayMs: 3000, times: SIZE });
			const answers = await Promise.all(burst.map((i) => call('q-unlink', { audienceId: D[i], confirmName: `Queue D${i}` })));
			emu().faults.clear();
			if (new Set(answers.map((a) => a.worker)).size === 2) bothWorkers++;
			for (const [k, a] of answers.entries()) {
				if (a.status !== 200 || a.json?.unlinked !== true) problems.push(`burst ${b}: unlink of D${burst[k]} on worker ${a.worker}: ${a.status} ${text(a.json)}`);
			}
			for (const i of burst) {
				const status = await call('q-status', { audienceId: D[i] });
				if (!unlinked(status)) {
					lost.add(i);
					problems.push(`burst ${b}: Get Status of D${i} on worker ${status.worker}: ${status.status} linked=${status.json?.linked} linkStatus=${status.json?.linkStatus}`);
				}
			}
			log(`concurrent unlinks ${b}: on workers ${answers.map((a) => a.worker).join('+')}, answers ${answers.map((a) => a.status).join('+')}`);
		}
		// after all bursts: every audience asked on both workers at once (a later writer may have dropped an earlier entry)
		for (const [i, id] of D.entries()) {
			for (const status of await Promise.all(rounds(2).map(() => call('q-status', { audienceId: id })))) {
				if (unlinked(status)) continue;
				lost.add(i);
				problems.push(`at the end: Get Status of D${i} on worker ${status.worker}: ${status.status} linked=${status.json?.linked} linkStatus=${status.json?.linkStatus}`);
			}
		}
		figure('queue_concurrent_unlinks', BURSTS * SIZE);
		figure('queue_concurrent_unlink_bursts_on_both_workers', bothWorkers);
		figure('queue_concurrent_unlinks_lost', lost.size);
		assert.deepEqual(problems, []);
	});

	await scenario('overlaps', async () => {
		const rng = createRng(`queue:${SEED}`);
		const B = await createAudience(emu(), hashes('b', 0, 1200), 'Queue B');
		const expectedB = hashes('b', 0, 1200);
		const A = await Promise.all(rounds(OVERLAPS).map(async (r) => createAudience(emu(), hashes(`a${r}-`, 0, 1000), `Queue A${r}`)));
		const lost = new Set<number>();
		let sentAfterUnlink = 0;
		let crossWorker = 0;
		let bothWorkersSyncedA = 0;
		const orders: string[] = [];
		const problems: string[] = [];
		for (const r of rounds(OVERLAPS)) {
			const unlinkFinishesFirst = rng() < 0.5;
			const delayMs = 4000 + Math.floor(rng() * 3000);
			const unlinkBody = { audienceId: A[r], confirmName: `Queue A${r}` };
			const syncBody = { audienceId: B, prefix: `b-r${r}-`, from: 0, count: 50 };
			let unlink: Answer;
			let syncB: Answer;
			if (unlinkFinishesFirst) {
				// B's sync is held inside its update/ call; the Unlink starts and ends meanwhile
				emu().faults.script({ path: 'dmp/custom_audience/update/', method: 'POST', kind: 'slow', delayMs });
				const pendingSync = call('q-sync-id', syncBody);
				await faultTaken('sync update');
				unlink = await call('q-unlink', unlinkBody);
				syncB = await pendingSync;
			} else {
				// the Unlink is held inside its get/ call; B's sync starts and ends meanwhile
				await awayFromTriggerPolls();
				emu().faults.script({ path: 'dmp/custom_audience/get/', method: 'GET', kind: 'slow', delayMs });
				const pendingUnlink = call('q-unlink', unlinkBody);
				await faultTaken('unlink get');
				syncB = await call('q-sync-id', syncBody);
				unlink = await pendingUnlink;
			}
			orders.push(unlink.finishedAt <= syncB.finishedAt ? 'U' : 'S');
			if (unlink.worker !== undefined && syncB.worker !== undefined && unlink.worker !== syncB.worker) crossWorker++;
			expectedB.push(...hashes(`b-r${r}-`, 0, 50));

			const roundProblems: string[] = [];
			if (unlink.status !== 200 || unlink.json?.unlinked !== true) roundProblems.push(`unlink answered ${unlink.status} ${text(unlink.json)}`);
			if (syncB.status !== 200 || syncB.json?.skipped !== false || syncB.json?.rowsSent !== 50) roundProblems.push(`sync of B answered ${syncB.status} ${text(syncB.json)}`);
			const status = await call('q-status', { audienceId: A[r] });
			const unlinkedNow = status.status === 200 && status.json?.linked === false && status.json?.linkStatus === 'unlinked';
			if (!unlinkedNow) {
				lost.add(r);
				roundProblems.push(`Get Status of A${r} on worker ${status.worker}: ${status.status} linked=${status.json?.linked} linkStatus=${status.json?.linkStatus}`);
			}
			// two syncs of the unlinked audience at once, so both workers get one
			const before = { members: members(A[r]).length, history: actions(A[r]).length };
			const late = await Promise.all(rounds(2).map((k) => call('q-sync-id', { audienceId: A[r], prefix: `a${r}-late${k}-`, from: 0, count: 20 })));
			if (new Set(late.map((l) => l.worker)).size === 2) bothWorkersSyncedA++;
			for (const l of late) {
				if (l.status !== 200 || l.json?.skipped !== true || !/unlink/i.test(String(l.json?.skipReason))) {
					roundProblems.push(`sync of unlinked A${r} on worker ${l.worker}: ${l.status} ${text(l.json)}`);
				}
			}
			const sent = actions(A[r]).length - before.history;
			sentAfterUnlink += sent;
			if (sent !== 0 || members(A[r]).length !== before.members) roundProblems.push(`A${r} changed after the unlink: ${actions(A[r]).join(',')}`);
			log(
				`overlap ${r}: ${unlinkFinishesFirst ? 'unlink held by the sync' : 'sync inside the slow unlink'} (${delayMs} ms), finished ${orders[r] === 'U' ? 'unlink first' : 'sync first'}, ` +
					`unlink on worker ${unlink.worker}, sync B on worker ${syncB.worker}, status on worker ${status.worker}, syncs of A on workers ${late.map((l) => l.worker).join('+')}` +
					`${roundProblems.length ? ` -- ${roundProblems.length} problem(s)` : ''}`,
			);
			problems.push(...roundProblems.map((p) => `overlap ${r}: ${p}`));
		}
		// after all rounds (later syncs of B ran on both workers since): every A asked on both workers at once
		for (const r of rounds(OVERLAPS)) {
			const statuses = await Promise.all(rounds(2).map(() => call('q-status', { audienceId: A[r] })));
			for (const status of statuses) {
				if (status.status === 200 && status.json?.linked === false && status.json?.linkStatus === 'unlinked') continue;
				lost.add(r);
				problems.push(`at the end: Get Status of A${r} on worker ${status.worker}: ${status.status} linked=${status.json?.linked} linkStatus=${status.json?.linkStatus}`);
			}
		}
		figure('queue_overlaps', OVERLAPS);
		figure('queue_overlaps_finish_order', orders.join(''));
		figure('queue_overlaps_cross_worker', crossWorker);
		figure('queue_overlaps_unlinked_synced_from_both_workers', bothWorkersSyncedA);
		figure('queue_lifecycle_lost', lost.size);
		figure('queue_syncs_after_unlink', sentAfterUnlink);
		// B: every round's 50 people, exactly, one APPEND per round
		const bProblems: string[] = [];
		if (JSON.stringify(members(B)) !== JSON.stringify(sorted(expectedB))) bProblems.push(`B has ${members(B).length} members, expected ${sorted(expectedB).length}`);
		if (actions(B).join(',') !== ['create', ...rounds(OVERLAPS).map(() => 'append')].join(',')) bProblems.push(`B history ${actions(B).join(',')}`);
		// what n8n's de-duplication store holds for this workflow
		const rows = await processedData(lifecycleId);
		const entries = rows.map(([, value]) => {
			const data = (JSON.parse(value) as { data?: unknown }).data;
			return Array.isArray(data) ? data.length : 1;
		});
		log(`processed_data of the lifecycle workflow: ${rows.map(([context], i) => `context "${context}" ${entries[i]} entries`).join('; ') || 'no rows'}`);
		figure('queue_processed_data_rows', rows.length);
		figure('queue_processed_data_entries', entries.reduce((a, b) => a + b, 0));
		assert.deepEqual([...problems, ...bProblems], []);
		assert.ok(rows.length > 0, 'processed_data holds nothing for the lifecycle workflow');
	});

	await scenario('delete', async () => {
		const C = 'Queue C';
		const created = await call('q-sync-name', { listName: C, prefix: 'c', from: 0, count: 1000 });
		assert.equal(created.status, 200, text(created.json));
		const cId = String(created.json.audienceId);
		assert.deepEqual(members(cId), sorted(hashes('c', 0, 1000)));
		emu().faults.script({ path: 'dmp/custom_audience/update/', method: 'POST', kind: 'slow', delayMs: 5000 });
		const pendingSync = call('q-sync-id', { audienceId: cId, prefix: 'c-more-', from: 0, count: 30 });
		await faultTaken('sync update');
		const entriesBefore = await storedEntries(lifecycleId);
		const deleted = await call('q-delete', { audienceId: cId, confirmName: C });
		const entriesAfter = await storedEntries(lifecycleId);
		log(`delete: processed_data entries of the lifecycle workflow ${entriesBefore} → ${entriesAfter}`);
		const overlapped = await pendingSync;
		log(`delete: delete on worker ${deleted.worker} → ${deleted.status}; the overlapping sync on worker ${overlapped.worker} → ${overlapped.status} ${text(overlapped.json)}`);
		assert.equal(deleted.status, 200, text(deleted.json));
		assert.equal(deleted.json.deleted, true);
		assert.equal(audience(cId), undefined);
		const again = await Promise.all(rounds(2).map(() => call('q-sync-name', { listName: C, prefix: 'c', from: 0, count: 1000 })));
		const recreated = named(C).length;
		figure('queue_recreated_after_delete', recreated);
		const status = await call('q-status', { audienceId: cId });
		log(`delete: syncs by name on workers ${again.map((a) => a.worker).join('+')}; Get Status on worker ${status.worker}: ${text(status.json)}`);
		assert.equal(recreated, 0, `recreated: ${named(C).map((a) => a.audienceId).join(', ')}`);
		for (const a of again) {
			assert.equal(a.status, 200, text(a.json));
			assert.equal(a.json.skipped, true, text(a.json));
			assert.match(String(a.json.skipReason), /delete/i);
		}
		assert.equal(status.status, 200, text(status.json));
		assert.equal(status.json.exists, false);
		assert.equal(status.json.linkStatus, 'deleted', text(status.json));
		assert.ok(entriesAfter > entriesBefore, `the Delete recorded nothing in processed_data (${entriesBefore} → ${entriesAfter} entries)`);
	});

	// Three days of a segment: day 2, 30 leave and 40 join; day 3, 20 more leave, 5 come back and 25 join. The
	// emulator's clock is not moved (the trigger scenario runs beside this one and reads it): Mirror's changes do not
	// depend on time. Each run is a production webhook execution on a worker; the snapshot lives only in Postgres.
	await scenario('mirror', async () => {
		const M = 'Queue M';
		await cluster.postgres.query(SNAPSHOT_TABLE_SQL);
		const pgName = 'Snapshots (Postgres)';
		const pgId = await createCredential(cluster.session, {
			name: pgName,
			type: 'postgres',
			data: { host: '127.0.0.1', port: cluster.postgres.port, database: 'n8n', user: 'postgres', password: 'unused', ssl: 'disable', allowUnauthorizedCerts: false, maxConnections: 10 },
		});
		await addWorkflow(mirrorWorkflow({ id: pgId, name: pgName }));
		const days: Array<Array<[number, number]>> = [
			[[0, 1200]],
			[[30, 1240]],
			[
				[0, 5],
				[50, 1265],
			],
		];
		const people = (ranges: Array<[number, number]>) => ranges.flatMap(([from, to]) => rounds(to - from).map((k) => from + k));
		let mId = '';
		const workers: Array<number | undefined> = [];
		for (const [day, ranges] of days.entries()) {
			const segment = people(ranges);
			const previous = day === 0 ? [] : people(days[day - 1]);
			const answer = await call('q-mirror', { listName: M, ranges });
			workers.push(answer.worker);
			assert.equal(answer.status, 200, text(answer.json));
			mId ||= String(answer.json.audienceId);
			const expectedMirror =
				day === 0
					? { firstSync: true, sentAs: 'CREATE', reason: 'new_list', joined: 1200, left: 0, members: 1200, previousMembers: null, snapshotField: 'snapshot' }
					: {
							firstSync: false,
							sentAs: 'CHANGES',
							joined: segment.filter((i) => !previous.includes(i)).length,
							left: previous.filter((i) => !segment.includes(i)).length,
							members: segment.length,
							previousMembers: previous.length,
							snapshotField: 'snapshot',
						};
			assert.deepEqual({ day: day + 1, audienceId: answer.json.audienceId, mirror: answer.json.mirror, saved: answer.json.saved }, { day: day + 1, audienceId: mId, mirror: expectedMirror, saved: M });
			const expected = sorted(segment.map((i) => sha(`mirror${i}@example.com`)));
			assert.deepEqual(members(mId), expected, `day ${day + 1}: the audience is not the segment`);
			// The row holds the new snapshot: exactly the segment's hashes, for this audience, intact.
			const [[stored] = []] = await cluster.postgres.query(`SELECT snapshot FROM ${SNAPSHOT_TABLE} WHERE list_key = '${M}'`);
			const snapshot = parseSnapshot(Buffer.from(stored ?? '', 'base64'));
			assert.deepEqual({ audienceId: snapshot.audienceId, checksumOk: snapshot.checksumOk, calculateType: snapshot.calculateType }, { audienceId: mId, checksumOk: true, calculateType: 'EMAIL_SHA256' });
			assert.deepEqual(snapshot.members, expected, `day ${day + 1}: the stored snapshot is not the segment`);
			log(`mirror day ${day + 1}: on worker ${answer.worker}, joined ${answer.json.mirror?.joined}, left ${answer.json.mirror?.left}, snapshot ${snapshot.bytes} bytes`);
		}
		figure('queue_mirror_days', days.length);
		figure('queue_mirror_workers', workers.map((w) => w ?? '?').join(','));
		assert.deepEqual(actions(mId), ['create', 'append', 'remove', 'append', 'remove']);
		assert.ok(workers.every((w) => w !== undefined), `a Mirror run did not run on a worker: ${workers.join(',')}`);
		assert.equal(named(M).length, 1);
	});

	// The trigger has been active since before the canary; let it reach three syncs (create + two refreshes).
	const triggerAudience = async () => waitFor('the trigger to create its audience', async () => named(T)[0], { timeoutMs: 120_000, intervalMs: 500 });
	let tId = '';
	const triggerSyncTimes = () => (audience(tId)?.history ?? []).map((h) => h.atMs);
	let restartedAt = 0;

	await scenario('kill', async () => {
		tId = (await triggerAudience()).audienceId;
		await waitFor('three trigger syncs', async () => triggerSyncTimes().length >= 3, { timeoutMs: 5 * 60_000, intervalMs: 1000 });
		const K = await createAudience(emu(), hashes('k', 0, 1000), 'Queue K');
		const body = { audienceId: K, prefix: 'k-new-', from: 0, count: 40 };
		const offsets = cluster.workers.map((w) => w.logs().length);
		emu().faults.script({ path: 'dmp/custom_audience/file/upload/', method: 'POST', kind: 'slow', delayMs: 20_000 });
		const pending = call('q-sync-id', body).catch((error: unknown) => ({ status: -1, json: String(error), finishedAt: Date.now() }) as Answer);
		await faultTaken('sync upload');
		// the one execution of this workflow a worker has started and not finished (a trigger sync may run meanwhile)
		const running = await waitFor('the uploading execution in a worker log', async () => {
			const open = cluster.workers.flatMap((_, i) => cluster.runningOn(i, offsets[i]).map((id) => ({ id, worker: i })));
			const ours = [];
			for (const o of open) if ((await getExecution(cluster.session, o.id)).workflowId === lifecycleId) ours.push(o);
			return ours.length > 0 ? ours : undefined;
		});
		assert.equal(running.length, 1, `running executions: ${text(running)}`);
		const victim = running[0].worker;
		log(`kill: execution ${running[0].id} is uploading on worker ${victim}: kill -9`);
		await cluster.killWorker(victim as number);
		restartedAt = Date.now();
		await cluster.main.restart();
		await cluster.startWorker(victim as number);
		const first = await pending;
		log(`kill: the killed sync's webhook answered ${first.status}`);
		// n8n runs Bull with maxStalledCount 0 (packages/cli/src/scaling/scaling.service.ts): a job whose worker died is
		// failed, not retried; wait until n8n has settled the execution so a late retry cannot race the rerun
		await waitFor(
			`execution ${running[0].id} to be settled`,
			async () => !['new', 'running'].includes((await getExecution(cluster.session, running[0].id)).status),
			{ timeoutMs: 120_000, intervalMs: 2000 },
		).catch((error: unknown) => log(`kill: ${String(error)}`));
		const rerun = await call('q-sync-id', body);
		assert.equal(rerun.status, 200, text(rerun.json));
		assert.equal(rerun.json.rowsSent, 40);
		// n8n's view of the killed execution, once the restarted main has had its say
		const killed = await getExecution(cluster.session, running[0].id);
		log(`kill: the killed execution ${killed.id} is ${killed.status}`);
		const completed = (await lightExecutions(lifecycleId)).filter((e) => e.status === 'success' && Date.parse(e.startedAt) >= restartedAt - 120_000);
		const appends = actions(K).filter((a) => a === 'append').length;
		const replaces = actions(K).filter((a) => a === 'replace').length;
		figure('queue_kill_appends', appends);
		figure('queue_kill_replaces', replaces);
		log(`kill: K history ${actions(K).join(',')}; successful lifecycle executions since then: ${completed.length}`);
		assert.deepEqual(members(K), sorted([...hashes('k', 0, 1000), ...hashes('k-new-', 0, 40)]));
		assert.equal(replaces, 0);
		// the killed run never reached update/ (it died inside the upload), so only completed runs appended
		assert.equal(appends, killed.status === 'success' ? 2 : 1, `K history ${actions(K).join(',')}`);
	});

	await scenario('trigger', async () => {
		if (!tId) tId = (await triggerAudience()).audienceId;
		// one more sync after the main restart, then an Unlink while the trigger keeps emitting
		await waitFor('a trigger sync after the main restart', async () => triggerSyncTimes().some((t) => t > restartedAt), { timeoutMs: 4 * 60_000, intervalMs: 1000 });
		const times = triggerSyncTimes();
		const gaps = times.slice(1).map((t, i) => t - times[i]);
		// Syncs land in TikTok's history a second or two after the poll tick that emitted them (ticks every 15 s), so
		// one per interval shows gaps of 60 s ± that jitter; two in one interval would be at most one tick (15 s) less.
		const doubles = gaps.filter((g) => g < INTERVAL_MS - POLL_TICK_MS / 2).length;
		figure('queue_trigger_syncs', times.length);
		figure('queue_trigger_gaps_s', gaps.map((g) => Math.round(g / 1000)).join(','));
		figure('queue_double_syncs', doubles);
		const executions = (await lightExecutions(triggerId)).filter((e) => e.mode === 'trigger');
		const triggerWorkers = executions.map((e) => cluster.workerOf(e.id));
		log(`trigger: ${executions.length} trigger executions (${executions.map((e) => e.status).join(',')}) on workers ${triggerWorkers.join(',')}; history ${actions(tId).join(',')}`);
		const unlink = await call('q-trigger-unlink', { audienceId: tId, confirmName: T });
		assert.equal(unlink.status, 200, text(unlink.json));
		const unlinkedAt = Date.now();
		const triggerEntries = await storedEntries(triggerId);
		log(`trigger: processed_data entries of the trigger workflow after the unlink: ${triggerEntries}`);
		const historyAtUnlink = actions(tId).length;
		// the next due emission comes within one interval plus a poll (75 s); give it 100 s
		const after = await waitFor(
			'a trigger execution after the unlink',
			async () => {
				const done = (await lightExecutions(triggerId)).filter((e) => e.mode === 'trigger' && Date.parse(e.startedAt) > unlinkedAt && e.status !== 'running' && e.status !== 'new');
				return done.length > 0 ? done : undefined;
			},
			{ timeoutMs: 100_000, intervalMs: 1000 },
		).catch(() => []);
		const sentAfterUnlink = actions(tId).length - historyAtUnlink;
		figure('queue_trigger_syncs_after_unlink', sentAfterUnlink);
		for (const e of after) {
			const full = await getExecution(cluster.session, e.id);
			const [summary] = nodeOutput(full, 'Upsert');
			log(`trigger: execution ${e.id} after the unlink on worker ${cluster.workerOf(e.id)}: ${e.status} ${text(summary)}`);
			assert.equal(summary?.skipped, true, text(summary));
			assert.match(String(summary?.skipReason), /unlink/i);
		}
		await deactivateWorkflow(cluster.session, triggerId);
		assert.ok(times.length >= 4, `only ${times.length} trigger syncs in ${Math.round((Date.now() - triggerActivatedAt) / 1000)} s`);
		assert.equal(actions(tId)[0], 'create');
		assert.deepEqual(members(tId), sorted(hashes('trigger', 0, TRIGGER_PEOPLE)));
		assert.equal(doubles, 0, `gaps ${gaps.join(',')} ms`);
		assert.equal(sentAfterUnlink, 0, `history after the unlink: ${actions(tId).slice(historyAtUnlink).join(',')}`);
		assert.ok(triggerEntries > 0, 'the Unlink recorded nothing in processed_data');
	});

	figure('queue_total_s', ((Date.now() - startedAll) / 1000).toFixed(1), 's');
}

main()
	.catch((error: unknown) => {
		failures.push(`setup: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
	})
	.finally(async () => {
		await cluster?.stop();
		process.stdout.write(`${figures.join('\n')}\n`);
		if (failures.length > 0) {
			process.stderr.write(`\n${failures.length} scenario(s) failed:\n${failures.join('\n\n')}\n`);
			process.exit(1);
		}
		process.stdout.write('queue: all scenarios passed\n');
		process.exit(0);
	});
