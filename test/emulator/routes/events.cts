// POST /event/track/ (Events API 2.0, web events). Validates the whole batch before storing anything: one bad event
// fails the request, as at TikTok. Stores events per pixel_code, test events apart, deduplicated.
import { ApiError, CODE, paramError } from '../envelope.cts';
import { assertGranted, type RequestCtx, type Route } from '../router.cts';
import type { StoredEvent } from '../state.cts';
import { optBool, optString, reqEnum, reqInt, reqString, requireObject, type Obj } from '../validate.cts';

const MAX_EVENTS = 1000;
const SHA256_RE = /^[0-9a-f]{64}$/;
const EVENT_SOURCES = ['web', 'app', 'offline', 'crm'] as const;

/** email/phone/external_id: a string or an array of strings, each a lowercase SHA-256 hex. Empty values are absent. */
function hashedList(v: unknown, name: string): string[] {
	if (v === undefined || v === null || v === '') return [];
	const items = Array.isArray(v) ? v : [v];
	return items
		.map((item, i) => {
			const label = Array.isArray(v) ? `${name}[${i}]` : name;
			if (typeof item !== 'string') throw paramError(`${label}: Not a valid string.`);
			if (item !== '' && !SHA256_RE.test(item)) {
				throw new ApiError(CODE.PII_NOT_HASHED, `${label}: Must be hashed with SHA-256 (64 lowercase hex characters).`);
			}
			return item;
		})
		.filter((s) => s !== '');
}

function parseEvent(ctx: RequestCtx, v: unknown, name: string, nowMs: number): StoredEvent {
	const e = requireObject(v, name);
	const event = reqString(e.event, `${name}.event`);
	if (event.trim() === '') throw paramError(`${name}.event: Length must be between 1 and 100.`);
	const eventTime = reqInt(e.event_time, `${name}.event_time`, 0, Number.MAX_SAFE_INTEGER);
	const cfg = ctx.emu.config;
	if (eventTime * 1000 > nowMs + cfg.eventMaxFutureMs) {
		throw paramError(`${name}.event_time: Must be a Unix timestamp in seconds, not in the future.`);
	}
	if (eventTime * 1000 < nowMs - cfg.eventMaxAgeMs) {
		throw paramError(`${name}.event_time: Must be within the last ${Math.round(cfg.eventMaxAgeMs / 86_400_000)} days.`);
	}
	const eventId = optString(e.event_id, `${name}.event_id`) ?? null;
	const user = e.user === undefined || e.user === null ? {} : requireObject(e.user, `${name}.user`);
	const email = hashedList(user.email, `${name}.user.email`);
	const phone = hashedList(user.phone, `${name}.user.phone`);
	const externalId = hashedList(user.external_id, `${name}.user.external_id`);
	for (const key of ['ttclid', 'ttp', 'ip', 'user_agent', 'locale']) optString(user[key], `${name}.user.${key}`);
	const properties = e.properties === undefined || e.properties === null ? {} : requireObject(e.properties, `${name}.properties`);
	const page = e.page === undefined || e.page === null ? {} : requireObject(e.page, `${name}.page`);
	const url = optString(page.url, `${name}.page.url`) ?? null;
	optString(page.referrer, `${name}.page.referrer`);
	optBool(e.limited_data_use, `${name}.limited_data_use`);
	return {
		event,
		event_id: eventId,
		event_time: eventTime,
		received_at: nowMs,
		user_key: email[0] ?? phone[0] ?? externalId[0] ?? null,
		email,
		phone,
		external_id: externalId,
		url,
		properties: properties as Obj,
	};
}

function track(ctx: RequestCtx): unknown {
	const b = ctx.body;
	const source = reqEnum(b.event_source, 'event_source', EVENT_SOURCES);
	const sourceId = reqString(b.event_source_id, 'event_source_id');
	if (source !== 'web') {
		throw new ApiError(CODE.NOT_IMPL, `event_source: ${source} events are not implemented by the emulator.`);
	}
	const pixel = ctx.emu.seed.pixels.find((p) => p.pixel_code === sourceId);
	if (!pixel) throw paramError(`event_source_id: Pixel ${sourceId} does not exist.`);
	assertGranted(ctx, pixel.advertiser_id);
	const testCode = optString(b.test_event_code, 'test_event_code');
	optString(b.partner_name, 'partner_name');
	if (b.data === undefined || b.data === null) throw paramError('data: Missing data for required field.');
	if (!Array.isArray(b.data)) throw paramError('data: Not a valid list.');
	if (b.data.length === 0 || b.data.length > MAX_EVENTS) {
		throw new ApiError(CODE.INVALID_BATCH_SIZE, `data: Length must be between 1 and ${MAX_EVENTS}.`);
	}
	const now = ctx.emu.clock.now();
	const events = b.data.map((e, i) => parseEvent(ctx, e, `data[${i}]`, now));

	const state = ctx.emu.state;
	const store = state.pixelEvents(sourceId);
	const bucket = testCode === undefined || testCode === '' ? store.live : store.test;
	for (const ev of events) {
		if (ev.event_id !== null) {
			const key = `${bucket === store.live ? 'live' : 'test'}\u0000${sourceId}\u0000${ev.event_id}\u0000${ev.event}`;
			const seen = state.dedup.get(key);
			if (seen !== undefined && now - seen < ctx.emu.config.dedupWindowMs) continue;
			state.dedup.set(key, now);
		}
		bucket.push(ev);
	}
	return {};
}

export const eventRoutes: Route[] = [{ method: 'POST', path: '/event/track/', body: 'json', handler: track }];

