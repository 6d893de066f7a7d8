import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';

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
import { readLinkState } from '../shared/sync/linkStore';
import { credentialDefaultAdvertiser } from '../shared/tiktok/advertisers';
import { trackWebEvents } from '../shared/tiktok/events';
import { pixelFinder } from '../shared/tiktok/pixels';
import { toNodeError } from '../shared/tiktok/transport';
import { parameterReader, type ParameterReader } from '../shared/ui/itemParameters';
import { readTarget, type Options, type Target } from './parameters';

interface Row {
	item: number;
	target: Target;
	testEventCode: string;
	payload: WebEventPayload;
	meta: IDataObject;
}

type ItemOutcome =
	| { status: 'skipped'; reason: string; meta: IDataObject }
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

/** One item → an event to send, or why not. Throws for bad input (a failure of this item). */
async function prepare(
	ctx: IExecuteFunctions,
	get: ParameterReader,
	i: number,
	json: IDataObject,
	nowMs: number,
	findPixel: ReturnType<typeof pixelFinder>,
	unlinked: (advertiserId: string, audienceId: string) => Promise<boolean>,
	defaultAdvertiserId: string,
): Promise<Row | ItemOutcome> {
	const node = ctx.getNode();
	const target = await readTarget(ctx, get, i, findPixel, defaultAdvertiserId);
	const options = get('options', i, {}) as Options;
	const testEventCode = String(options.testEventCode ?? '').trim();
	const meta: IDataObject = { event: target.event, pixel_code: target.pixelCode };
	if (target.audienceId) meta.audience_id = target.audienceId;
	if (testEventCode) meta.test_event_code = testEventCode;

	if (target.audienceId && (await unlinked(target.advertiserId, target.audienceId))) return { status: 'skipped', reason: 'audience_unlinked', meta };
	const consentField = String(get('consentField', i, '') ?? '').trim();
	if (consentField && !hasConsent(field(json, consentField))) return { status: 'skipped', reason: 'no_consent', meta };

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
	if (Object.keys(built.ignored).length > 0) meta.ignored_identifiers = built.ignored;
	if (!isMatchable(built.user)) return { status: 'skipped', reason: 'no_identifier', meta };
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
	meta.event_id = eventId;
	meta.event_time = eventTime;
	return { item: i, target, testEventCode, payload, meta };
}

function isRow(v: Row | ItemOutcome): v is Row {
	return (v as Row).payload !== undefined;
}

export async function executeSendSyncEvent(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const nowMs = Date.now();
	const continueOnFail = this.continueOnFail();
	const outcomes: ItemOutcome[] = new Array(items.length);
	const rows: Row[] = [];
	const findPixel = pixelFinder(this);
	const get = parameterReader(this, items);
	const defaultAdvertiserId = await credentialDefaultAdvertiser(this);
	// The link store, read once per audience and run (Unlink/Delete Audience, in any n8n process).
	const linkCache = new Map<string, Promise<boolean>>();
	const unlinked = async (advertiserId: string, audienceId: string): Promise<boolean> => {
		const key = `${advertiserId}|${audienceId}`;
		let state = linkCache.get(key);
		if (!state) {
			state = readLinkState(this, advertiserId, audienceId).then((link) => link.unlinked);
			linkCache.set(key, state);
		}
		return await state;
	};

	// 1. Build every event first: bad input stops the run before anything is sent (unless Continue On Fail).
	for (let i = 0; i < items.length; i++) {
		try {
			const prepared = await prepare(this, get, i, items[i].json, nowMs, findPixel, unlinked, defaultAdvertiserId);
			if (isRow(prepared)) rows.push(prepared);
			else outcomes[i] = prepared;
		} catch (error) {
			if (!continueOnFail) throw toNodeError(this, error, i);
			outcomes[i] = { status: 'failed', reason: (error as Error).message, meta: {} };
		}
	}

	// 2. Send per pixel and test code, in batches; a failed batch is split to isolate the bad events.
	const groups = new Map<string, Row[]>();
	for (const row of rows) {
		const key = `${row.target.pixelCode}\u0000${row.testEventCode}`;
		const group = groups.get(key);
		if (group) group.push(row);
		else groups.set(key, [row]);
	}
	const options = (items.length > 0 ? get('options', 0, {}) : {}) as Options;
	const batchSize = Number(options.batchSize ?? MAX_EVENTS_PER_REQUEST) || MAX_EVENTS_PER_REQUEST;
	let requests = 0;
	const requestIds: string[] = [];
	const warnings: string[] = [];
	for (const group of groups.values()) {
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
			outcomes[row.item] = r.status === 'sent' ? { status: 'sent', requestId: r.requestId, meta: row.meta } : { status: 'failed', reason: r.reason, meta: { ...row.meta, request_id: r.requestId } };
		});
	}

	// 3. Per-item results and a summary.
	const out: INodeExecutionData[] = [];
	const skippedByReason: Record<string, number> = {};
	let sent = 0;
	let failed = 0;
	let firstFailure: { item: number; reason: string } | undefined;
	for (let i = 0; i < items.length; i++) {
		const o = outcomes[i];
		if (o.status === 'sent') {
			sent++;
			out.push({ json: { status: 'sent', ...o.meta, request_id: o.requestId }, pairedItem: { item: i } });
		} else if (o.status === 'skipped') {
			skippedByReason[o.reason] = (skippedByReason[o.reason] ?? 0) + 1;
			out.push({ json: { status: 'skipped', reason: o.reason, ...o.meta }, pairedItem: { item: i } });
		} else {
			failed++;
			firstFailure ??= { item: i, reason: o.reason };
			out.push({ json: { status: 'failed', reason: o.reason, error: o.reason, ...o.meta }, pairedItem: { item: i } });
		}
	}
	if (firstFailure && !continueOnFail) {
		throw new NodeOperationError(this.getNode(), `${failed} of ${items.length} events failed; item ${firstFailure.item}: ${firstFailure.reason}`, {
			itemIndex: firstFailure.item,
			description: `${sent} events were sent. Turn on "Continue On Fail" to get one result per item and a summary.`,
		});
	}
	const skipped = Object.values(skippedByReason).reduce((a, b) => a + b, 0);
	const summary: IDataObject = {
		sent,
		skipped,
		skipped_by_reason: skippedByReason,
		failed,
		requests,
		request_ids: requestIds,
	};
	if (warnings.length > 0) summary.warnings = warnings;
	out.push({ json: { summary }, pairedItem: items.map((_, i) => ({ item: i })) });

	return [out];
}
