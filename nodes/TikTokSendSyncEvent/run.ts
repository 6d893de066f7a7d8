import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, NodeExecutionHint } from 'n8n-workflow';

import { sendIsolating, MAX_EVENTS_PER_REQUEST, type RowResult } from '../shared/events/batch';
import {
	buildProperties,
	buildUser,
	DEFAULT_DEDUP_WINDOW_HOURS,
	deterministicEventId,
	hasConsent,
	isMatchable,
	parseEventTime,
	type WebEventPayload,
} from '../shared/events/build';
import { isStandardEvent } from '../shared/events/webEvents';
import { availableAfter, instantSyncBlockedUntil, recordInstantSync, type InstantSyncKey } from '../shared/sync/instantSync';
import { cooldownMessage, MINUTE_MS } from '../shared/sync/lifecycle';
import { readLinkState } from '../shared/sync/linkStore';
import { credentialDefaultAdvertiser } from '../shared/tiktok/advertisers';
import { getAudience } from '../shared/tiktok/audiences';
import { trackWebEvents } from '../shared/tiktok/events';
import { pixelFinder } from '../shared/tiktok/pixels';
import { ruleEventProblem } from '../shared/tiktok/rules';
import { toNodeError } from '../shared/tiktok/transport';
import { parameterReader, type ParameterReader } from '../shared/ui/itemParameters';
import { cooldownMsOf, readTarget, type Options, type Target } from './parameters';

/**
 * Event Sync, part 2, step by step: build every item's event (or why not) → Instant Sync cooldown (manual runs) →
 * send per pixel in batches, isolating bad rows → record the instant sync → one result per input item on the first
 * output ("Results") and one run summary on the second ("Summary").
 */

interface Row {
	item: number;
	target: Target;
	testEventCode: string;
	payload: WebEventPayload;
	meta: IDataObject;
}

/** Documented skip reasons (README, Send Sync Event). */
type SkipReason = 'audience_unlinked' | 'no_consent' | 'no_identifier' | 'instant_sync_cooldown';

type ItemOutcome =
	| { status: 'skipped'; reason: SkipReason; message: string; meta: IDataObject }
	| { status: 'failed'; reason: string; meta: IDataObject }
	| { status: 'sent'; requestId: string; meta: IDataObject };

function field(json: IDataObject, path: string): unknown {
	let value: unknown = json;
	for (const key of path.split('.')) {
		if (typeof value !== 'object' || value === null) return undefined;
		value = (value as IDataObject)[key];
	}
	return value;
}

/** What each item needs from the run: pixels, link states and audience rules, each looked up once. */
interface RunLookups {
	findPixel: ReturnType<typeof pixelFinder>;
	unlinked: (advertiserId: string, audienceId: string) => Promise<boolean>;
	/** Why `event` would not fill the audience, or undefined. */
	ruleProblem: (advertiserId: string, audienceId: string, event: string, i: number) => Promise<string | undefined>;
}

function runLookups(ctx: IExecuteFunctions): RunLookups {
	const once = <T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> => {
		let value = cache.get(key);
		if (!value) {
			value = load();
			cache.set(key, value);
		}
		return value;
	};
	// The link store (Unlink/Delete Audience, in any n8n process) and TikTok's audiences, read once per audience and run.
	const links = new Map<string, Promise<boolean>>();
	const audiences = new Map<string, Promise<Awaited<ReturnType<typeof getAudience>>>>();
	return {
		findPixel: pixelFinder(ctx),
		unlinked: async (advertiserId, audienceId) =>
			await once(links, `${advertiserId}|${audienceId}`, async () => (await readLinkState(ctx, advertiserId, audienceId)).unlinked),
		ruleProblem: async (advertiserId, audienceId, event, i) => {
			const found = await once(audiences, `${advertiserId}|${audienceId}`, async () => await getAudience.call(ctx, advertiserId, audienceId, i));
			if (!found) return `Audience ${audienceId} does not exist in advertiser ${advertiserId}: pick a website audience of this advertiser`;
			return ruleEventProblem(found.audience, event);
		},
	};
}

/** One item → an event to send, or why not. Throws for bad input (a failure of this item). */
async function prepare(ctx: IExecuteFunctions, get: ParameterReader, i: number, json: IDataObject, nowMs: number, lookups: RunLookups, defaultAdvertiserId: string): Promise<Row | ItemOutcome> {
	const node = ctx.getNode();
	const target = await readTarget(ctx, get, i, lookups.findPixel, defaultAdvertiserId);
	const options = get('options', i, {}) as Options;
	const testEventCode = String(options.testEventCode ?? '').trim();
	const meta: IDataObject = { event: target.event, pixelCode: target.pixelCode };
	if (target.audienceId) meta.audienceId = target.audienceId;
	if (testEventCode) meta.testEventCode = testEventCode;

	if (target.audienceId && (await lookups.unlinked(target.advertiserId, target.audienceId))) {
		const message = `Audience ${target.audienceId} is unlinked or deleted in this workflow (TikTok Unlink/Delete Audience): no event was sent. Relink it to sync it again.`;
		return { status: 'skipped', reason: 'audience_unlinked', message, meta };
	}
	// An audience picked in this node must count the event sent (a recipe is in step by construction).
	if (target.audienceId && !target.fromRecipe && /^\d+$/.test(target.advertiserId)) {
		const problem = await lookups.ruleProblem(target.advertiserId, target.audienceId, target.event, i);
		if (problem) {
			throw new NodeOperationError(node, problem, {
				itemIndex: i,
				description: "Set Event Name to the audience's event (the event of its Create Website Audience node), or pick the audience these events are for.",
			});
		}
	}
	const consentField = String(get('consentField', i, '') ?? '').trim();
	if (consentField && !hasConsent(field(json, consentField))) {
		const message = `The field "${consentField}" does not say the person agreed (true, yes, 1 or granted): no event was sent.`;
		return { status: 'skipped', reason: 'no_consent', message, meta };
	}

	const userData = get('userData', i, {}) as IDataObject;
	const built = buildUser(
		{
			email: get('email', i, ''),
			phone: get('phone', i, ''),
			externalId: get('externalId', i, ''),
			ip: userData.ip,
			userAgent: userData.userAgent,
			ttclid: userData.ttclid,
			ttp: userData.ttp,
			locale: userData.locale,
		},
		{ defaultCountryCode: options.defaultCountryCode },
	);
	if (Object.keys(built.ignored).length > 0) meta.ignoredIdentifiers = built.ignored;
	if (!isMatchable(built.user)) {
		const unusable = Object.entries(built.ignored).map(([kind, why]) => `${kind}: ${why}`);
		const message = `No email, phone or external ID TikTok can match${unusable.length > 0 ? ` (given but not usable: ${unusable.join(', ')})` : ''}. Map Email or Phone to an expression giving this person's value, e.g. {{ $json.email }}.`;
		return { status: 'skipped', reason: 'no_identifier', message, meta };
	}
	meta.identifiers = built.used;

	const rawTime = get('eventTime', i, '');
	const eventTime = parseEventTime(rawTime, nowMs);
	if (eventTime === undefined) {
		throw new NodeOperationError(node, 'Event Time is not a date or a Unix time', { itemIndex: i, description: 'Use an ISO date (2025-01-31T12:00:00Z) or Unix seconds/milliseconds, or leave it empty for now.' });
	}
	const props = get('eventProperties', i, {}) as IDataObject;
	const properties = buildProperties({ value: props.value, currency: props.currency, contentType: props.contentType, contents: props.contents });
	if (!properties.ok) throw new NodeOperationError(node, properties.problem, { itemIndex: i });

	const givenId = String(get('eventId', i, '') ?? '').trim();
	const eventId =
		givenId ||
		deterministicEventId({
			audienceId: target.audienceId,
			pixelCode: target.pixelCode,
			event: target.event,
			userKey: built.userKey,
			eventTime,
			windowHours: Number(options.dedupWindowHours ?? DEFAULT_DEDUP_WINDOW_HOURS) || DEFAULT_DEDUP_WINDOW_HOURS,
		});
	const payload: WebEventPayload = { event: target.event, event_time: eventTime, event_id: eventId, user: built.user };
	if (properties.properties) payload.properties = properties.properties;
	const url = String(props.pageUrl ?? '').trim();
	const referrer = String(props.referrer ?? '').trim();
	if (url || referrer) payload.page = { ...(url ? { url } : {}), ...(referrer ? { referrer } : {}) };
	if (options.limitedDataUse) payload.limited_data_use = true;
	meta.eventId = eventId;
	meta.eventTime = eventTime;
	return { item: i, target, testEventCode, payload, meta };
}

function isRow(v: Row | ItemOutcome): v is Row {
	return (v as Row).payload !== undefined;
}

/** Rows grouped by a key, in first-seen order. */
function groupBy(rows: Row[], key: (row: Row) => string): Map<string, Row[]> {
	const groups = new Map<string, Row[]>();
	for (const row of rows) {
		const k = key(row);
		const group = groups.get(k);
		if (group) group.push(row);
		else groups.set(k, [row]);
	}
	return groups;
}

const instantKey = (row: Row): InstantSyncKey => ({
	advertiserId: row.target.advertiserId,
	pixelCode: row.target.pixelCode,
	event: row.target.event,
	audienceId: row.target.audienceId,
});

/**
 * Instant Sync: a manual run is refused while the same pixel, event and audience had an instant sync less than the
 * cooldown ago, read from n8n's de-duplication store (instantSync.ts), so it holds across restarts and processes.
 * Events to TikTok's Test Events tool never enter audiences: they are not limited. Returns the rows still to send.
 */
async function applyCooldown(ctx: IExecuteFunctions, rows: Row[], outcomes: ItemOutcome[], cooldownMs: number, nowMs: number, continueOnFail: boolean): Promise<Row[]> {
	const live = rows.filter((r) => r.testEventCode === '');
	const blocked = new Set<Row>();
	for (const group of groupBy(live, (r) => JSON.stringify(instantKey(r))).values()) {
		const until = await instantSyncBlockedUntil(ctx, instantKey(group[0]), nowMs, cooldownMs);
		if (until === undefined) continue;
		const message = cooldownMessage(until, nowMs);
		const { event, pixelCode } = group[0].target;
		if (!continueOnFail) {
			throw new NodeOperationError(ctx.getNode(), message, {
				itemIndex: group[0].item,
				description: `"${event}" events were sent to pixel ${pixelCode} by a manual run less than ${Math.round(cooldownMs / MINUTE_MS)} minutes ago; nothing was sent. Scheduled, webhook and trigger runs are not limited; "Instant Sync Cooldown (Minutes)" in Options sets the wait (0 turns it off).`,
			});
		}
		for (const row of group) {
			outcomes[row.item] = { status: 'skipped', reason: 'instant_sync_cooldown', message: `${message}: nothing was sent.`, meta: row.meta };
			blocked.add(row);
		}
	}
	return rows.filter((r) => !blocked.has(r));
}

/** Hints in the output panel (n8n's execution hints) where a user could go wrong. */
function hints(items: INodeExecutionData[], outcomes: ItemOutcome[], rows: Row[]): NodeExecutionHint[] {
	const out: NodeExecutionHint[] = [];
	const noIdentifier = outcomes.filter((o) => o.status === 'skipped' && o.reason === 'no_identifier').length;
	if (noIdentifier > 0) {
		const looksLikeAudience = items.some((item) => typeof item.json.recipe === 'object' && item.json.recipe !== null);
		out.push({
			type: 'warning',
			location: 'outputPane',
			message:
				`${noIdentifier} of ${items.length} items were skipped: no email, phone or external ID TikTok can match. ` +
				(looksLikeAudience
					? 'The input is the output of TikTok Create Website Audience (the audience, not your people): put the node that outputs your people, one item per person, between the two nodes.'
					: "Map Email or Phone to an expression giving each person's value, e.g. drag the email field of the input into Email."),
		});
	}
	const standard = [...new Set(rows.filter((r) => r.testEventCode === '' && outcomes[r.item]?.status === 'sent' && isStandardEvent(r.target.event)).map((r) => r.target.event))];
	if (standard.length > 0) {
		out.push({
			type: 'warning',
			location: 'outputPane',
			message: `${standard.map((e) => `"${e}"`).join(', ')} is a standard event: each event sent counts as a real conversion on the pixel. Use a custom event name for audience sync.`,
		});
	}
	return out;
}

export async function executeSendSyncEvent(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const nowMs = Date.now();
	const continueOnFail = this.continueOnFail();
	const outcomes: ItemOutcome[] = new Array(items.length);
	let rows: Row[] = [];
	const get = parameterReader(this, items);
	const defaultAdvertiserId = await credentialDefaultAdvertiser(this);
	const lookups = runLookups(this);

	// 1. Build every event first: bad input stops the run before anything is sent (unless Continue On Fail).
	for (let i = 0; i < items.length; i++) {
		try {
			const prepared = await prepare(this, get, i, items[i].json, nowMs, lookups, defaultAdvertiserId);
			if (isRow(prepared)) rows.push(prepared);
			else outcomes[i] = prepared;
		} catch (error) {
			if (!continueOnFail) throw toNodeError(this, error, i);
			outcomes[i] = { status: 'failed', reason: (error as Error).message, meta: {} };
		}
	}

	// 2. Instant Sync (a manual run): the cooldown, from what persists.
	const options = (items.length > 0 ? get('options', 0, {}) : {}) as Options;
	const cooldownMs = cooldownMsOf(options);
	const instant = this.getMode() === 'manual' && cooldownMs > 0;
	if (instant) rows = await applyCooldown(this, rows, outcomes, cooldownMs, nowMs, continueOnFail);

	// 3. Send per pixel and test code, in batches; a failed batch is split to isolate the bad events.
	const batchSize = Number(options.batchSize ?? MAX_EVENTS_PER_REQUEST) || MAX_EVENTS_PER_REQUEST;
	let requests = 0;
	const requestIds: string[] = [];
	const warnings: string[] = [];
	for (const group of groupBy(rows, (r) => `${r.target.pixelCode}\u0000${r.testEventCode}`).values()) {
		const { pixelCode } = group[0].target;
		const testEventCode = group[0].testEventCode;
		const report = await sendIsolating(
			group,
			(batch) => trackWebEvents(this, { pixelCode, testEventCode, events: batch.map((r) => r.payload) }),
			batchSize,
		);
		requests += report.requests;
		requestIds.push(...report.requestIds);
		warnings.push(...report.warnings);
		group.forEach((row, k) => {
			const r: RowResult = report.results[k];
			outcomes[row.item] = r.status === 'sent' ? { status: 'sent', requestId: r.requestId, meta: row.meta } : { status: 'failed', reason: r.reason, meta: { ...row.meta, requestId: r.requestId } };
		});
	}

	// 4. Record the instant syncs that sent events (before any error below: the events went out).
	let nextInstantSyncAt: number | undefined;
	if (instant) {
		for (const group of groupBy(rows, (r) => JSON.stringify(instantKey(r))).values()) {
			if (group[0].testEventCode !== '' || !group.some((r) => outcomes[r.item].status === 'sent')) continue;
			await recordInstantSync(this, instantKey(group[0]), nowMs);
			nextInstantSyncAt = availableAfter(Math.floor(nowMs / MINUTE_MS), cooldownMs);
		}
	}

	// 5. One result per input item, and the run summary.
	const results: INodeExecutionData[] = [];
	const skippedByReason: Record<string, number> = {};
	let sent = 0;
	let failed = 0;
	let firstFailure: { item: number; reason: string } | undefined;
	for (let i = 0; i < items.length; i++) {
		const o = outcomes[i];
		if (o.status === 'sent') {
			sent++;
			results.push({ json: { status: 'sent', ...o.meta, requestId: o.requestId }, pairedItem: { item: i } });
		} else if (o.status === 'skipped') {
			skippedByReason[o.reason] = (skippedByReason[o.reason] ?? 0) + 1;
			results.push({ json: { status: 'skipped', reason: o.reason, message: o.message, ...o.meta }, pairedItem: { item: i } });
		} else {
			failed++;
			firstFailure ??= { item: i, reason: o.reason };
			results.push({ json: { status: 'failed', reason: o.reason, error: o.reason, ...o.meta }, pairedItem: { item: i } });
		}
	}
	if (firstFailure && !continueOnFail) {
		throw new NodeOperationError(this.getNode(), `${failed} of ${items.length} events failed; item ${firstFailure.item}: ${firstFailure.reason}`, {
			itemIndex: firstFailure.item,
			description: `${sent} events were sent. Turn on "Continue On Fail" to get one result per item and a summary.`,
		});
	}
	const skipped = Object.values(skippedByReason).reduce((a, b) => a + b, 0);
	const summary: IDataObject = { sent, skipped, skippedByReason, failed, requests, requestIds };
	if (warnings.length > 0) summary.warnings = warnings;
	if (nextInstantSyncAt !== undefined) summary.nextInstantSyncAt = new Date(nextInstantSyncAt).toISOString();
	const found = hints(items, outcomes, rows);
	if (found.length > 0) this.addExecutionHints(...found);

	return [results, [{ json: summary, pairedItem: items.map((_, i) => ({ item: i })) }]];
}
