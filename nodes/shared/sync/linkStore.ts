import { sleep } from 'n8n-workflow';
import type { DeduplicationHelperFunctions, ICheckProcessedOptions, IDataObject } from 'n8n-workflow';

/**
 * The link store: which audiences this workflow must no longer sync (unlinked or deleted) and which list names must
 * not be created again (deleted). It lives in n8n's database-backed de-duplication store
 * (https://docs.n8n.io/integrations/builtin/core-nodes/n8n-nodes-base.removeduplicates/), workflow scope, so every
 * n8n process (the main, queue-mode workers, manual runs in the editor) reads and writes the same facts. Workflow
 * static data cannot be that store: queue-mode workers never load it and every execution saves the whole object
 * (last writer wins), see the README's "Scaling".
 *
 * How n8n 2.41 keeps that store shapes the protocol: each workflow has one row holding a list of MD5 hashes of the
 * recorded values; `checkProcessedAndRecord` reads the row, adds what is new and writes the whole row back, with no
 * lock (packages/cli/src/deduplication/deduplication-helper.ts), and there is no read that does not write. So:
 * - A fact is a value in that row: unlinked <audience ID>, deleted <audience ID>, deleted-name <advertiser> <name>.
 *   Relink removes the unlinked fact.
 * - Reading is "record and see": a fact that was there is reported as processed; a probe that was not there is
 *   removed again at once. Another reader could see that probe for a moment, so a fact found is looked at again a
 *   moment later (facts stay, probes do not); were it still seen, the reader would skip a sync it could have made:
 *   the safe direction.
 * - Any writer may put back a row it read a moment before another writer added a fact. So Unlink, Relink and Delete
 *   re-check their fact until it has held for two checks VERIFY_DELAY_MS apart, re-recording (or removing) it when a
 *   concurrent write undid it. A fact then stays unless one n8n process takes longer than VERIFY_DELAY_MS between
 *   reading and writing this one row.
 * The values carry no personal data: audience IDs, advertiser IDs and list names, and n8n stores only their MD5.
 */

export type LinkFact = 'unlinked' | 'deleted' | 'deleted-name';

const ENTRIES: ICheckProcessedOptions = { mode: 'entries' };
/** How long a lifecycle change waits between the checks that confirm its fact held. */
export const VERIFY_DELAY_MS = 1000;
/** How many consecutive confirmations a lifecycle change needs; each re-records (or re-removes) when undone. */
const CONFIRMATIONS = 2;
const MAX_VERIFY_ROUNDS = 10;
/** How long a reader waits before it looks again at a fact it found (see `probe`). */
const CONFIRM_DELAY_MS = 250;

export type StoreContext = { helpers: Pick<DeduplicationHelperFunctions, 'checkProcessedAndRecord' | 'removeProcessed'> } & {
	getWorkflowStaticData(type: string): IDataObject;
};

/** Audience IDs are unique across TikTok, so audience facts carry the ID alone (a recipe may lack the advertiser). */
function factValue(fact: LinkFact, advertiserId: string, key: string): string {
	return fact === 'deleted-name' ? `tiktok-audience-sync/v1/${fact}/${advertiserId}/${key}` : `tiktok-audience-sync/v1/${fact}/${key}`;
}

/** One look: which values the row holds. Values that were not there are removed again at once. */
async function look(ctx: StoreContext, values: string[]): Promise<Set<string>> {
	const seen = await ctx.helpers.checkProcessedAndRecord(values, 'workflow', ENTRIES);
	const added = seen.new.map(String);
	if (added.length > 0) await ctx.helpers.removeProcessed(added, 'workflow', ENTRIES);
	return new Set(seen.processed.map(String));
}

/**
 * Which of these facts are recorded. What a first look finds is looked at again CONFIRM_DELAY_MS later: another
 * reader's probe lives in the row only for the moment between its two calls, a fact stays.
 */
export async function probe(ctx: StoreContext, values: string[]): Promise<Set<string>> {
	const first = await look(ctx, values);
	if (first.size === 0) return first;
	await sleep(CONFIRM_DELAY_MS);
	const again = await look(ctx, [...first]);
	return new Set([...first].filter((v) => again.has(v)));
}

export interface LinkState {
	unlinked: boolean;
	deleted: boolean;
}

/** The audience's link state, as every n8n process sees it. */
export async function readLinkState(ctx: StoreContext, advertiserId: string, audienceId: string): Promise<LinkState> {
	await migrateLegacyRegistry(ctx);
	const unlinked = factValue('unlinked', advertiserId, audienceId);
	const deleted = factValue('deleted', advertiserId, audienceId);
	const found = await probe(ctx, [unlinked, deleted]);
	return { unlinked: found.has(unlinked) || found.has(deleted), deleted: found.has(deleted) };
}

/** Whether a list of this name was deleted by this workflow (so a sync by name must not create it again). */
export async function isDeletedName(ctx: StoreContext, advertiserId: string, name: string): Promise<boolean> {
	await migrateLegacyRegistry(ctx);
	const value = factValue('deleted-name', advertiserId, name);
	return (await probe(ctx, [value])).has(value);
}

/** Records facts, then confirms they held (see above). Returns whether any of them was new. */
export async function recordVerified(ctx: StoreContext, values: string[]): Promise<boolean> {
	const first = await ctx.helpers.checkProcessedAndRecord(values, 'workflow', ENTRIES);
	let confirmed = 0;
	for (let round = 0; confirmed < CONFIRMATIONS && round < MAX_VERIFY_ROUNDS; round++) {
		await sleep(VERIFY_DELAY_MS);
		const check = await ctx.helpers.checkProcessedAndRecord(values, 'workflow', ENTRIES);
		confirmed = check.new.length === 0 ? confirmed + 1 : 0;
	}
	return first.new.length > 0;
}

/** Removes facts, then confirms they stayed removed: a probe that finds one again removes it again. */
async function removeVerified(ctx: StoreContext, values: string[]): Promise<void> {
	await ctx.helpers.removeProcessed(values, 'workflow', ENTRIES);
	let confirmed = 0;
	for (let round = 0; confirmed < CONFIRMATIONS && round < MAX_VERIFY_ROUNDS; round++) {
		await sleep(VERIFY_DELAY_MS);
		const back = await probe(ctx, values);
		if (back.size > 0) await ctx.helpers.removeProcessed([...back], 'workflow', ENTRIES);
		confirmed = back.size === 0 ? confirmed + 1 : 0;
	}
}

/** Unlink: returns false when it was unlinked already. */
export async function recordUnlink(ctx: StoreContext, advertiserId: string, audienceId: string): Promise<boolean> {
	return await recordVerified(ctx, [factValue('unlinked', advertiserId, audienceId)]);
}

/** Relink; `clearDeleted` also removes a "deleted" fact, for an audience TikTok still has. */
export async function recordRelink(ctx: StoreContext, advertiserId: string, audienceId: string, clearDeleted = false): Promise<void> {
	const facts = [factValue('unlinked', advertiserId, audienceId)];
	if (clearDeleted) facts.push(factValue('deleted', advertiserId, audienceId));
	await removeVerified(ctx, facts);
}

export async function recordDelete(ctx: StoreContext, advertiserId: string, audienceId: string, name: string): Promise<void> {
	await recordVerified(ctx, [factValue('deleted', advertiserId, audienceId), factValue('deleted-name', advertiserId, name)]);
}

/**
 * Version 0.1.0 kept unlinked and deleted audiences in workflow static data (key `tiktokAudienceSync`). Where that
 * copy is loaded (regular mode), its facts are moved into the store once, so an upgrade never resumes syncing an
 * audience the user unlinked; after that, static data is only read, never written.
 */
const LEGACY_KEY = 'tiktokAudienceSync';
const MIGRATED = 'tiktok-audience-sync/v1/migrated-static-data';

interface LegacyEntry {
	audienceId?: string;
	advertiserId?: string;
	name?: string;
	linked?: boolean;
	deleted?: boolean;
}

export function legacyFacts(staticData: IDataObject): string[] {
	const registry = staticData[LEGACY_KEY] as { audiences?: Record<string, LegacyEntry> } | undefined;
	const facts: string[] = [];
	for (const e of Object.values(registry?.audiences ?? {})) {
		if (!e.audienceId || !e.advertiserId) continue;
		if (e.deleted === true) {
			facts.push(factValue('deleted', e.advertiserId, e.audienceId));
			if (e.name) facts.push(factValue('deleted-name', e.advertiserId, e.name));
		} else if (e.linked === false) {
			facts.push(factValue('unlinked', e.advertiserId, e.audienceId));
		}
	}
	return facts;
}

async function migrateLegacyRegistry(ctx: StoreContext): Promise<void> {
	const facts = legacyFacts(ctx.getWorkflowStaticData('global'));
	if (facts.length === 0) return;
	if ((await probe(ctx, [MIGRATED])).size > 0) return;
	await recordVerified(ctx, [...facts, MIGRATED]);
}
