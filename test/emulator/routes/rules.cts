// POST /dmp/custom_audience/rule/create/: rule-based audiences. PIXEL (website traffic) audiences are modelled;
// their members are computed from events received on the pixel's code (audienceView.pixelMembers).
import { ApiError, CODE, paramError } from '../envelope.cts';
import { requireAdvertiser, type RequestCtx, type Route } from '../router.cts';
import {
	idList,
	missing,
	optBool,
	optEnum,
	optInt,
	reqEnum,
	reqInt,
	reqName,
	reqString,
	requireObject,
	type Obj,
} from '../validate.cts';

const AUDIENCE_TYPES = [
	'ENGAGEMENT',
	'APP',
	'PIXEL',
	'LEAD_GENERATION',
	'BUSINESS_ACCOUNT',
	'TIKTOK_SHOP',
	'OFFLINE',
	'ENGAGEMENT_ORGANIC_VIDEO',
	'ENGAGEMENT_LIVE_VIDEO',
] as const;
const SET_OPERATORS = ['AND', 'OR'] as const;
const OPERATORS = [
	'EQ',
	'NOT_EQUAL',
	'CONTAINS',
	'DOES_NOT_CONTAIN',
	'IS_GREATER_THAN',
	'IS_GREATER_THAN_OR_EQUAL_TO',
	'IS_LESS_THAN',
	'IS_LESS_THAN_OR_EQUAL_TO',
	'IS_GRETER_THAN_OR_EQUAL_TO', // the misspelling in TikTok's own description text
] as const;
const URL_OPERATORS = ['CONTAINS', 'DOES_NOT_CONTAIN', 'EQ'] as const;
const PARAM_FIELDS = ['URL', 'CONTENT_TYPE', 'PRICE', 'VALUE', 'CONTENT_ID', 'CONTENT_CATEGORY'] as const;
/** Lookback window for PIXEL rules: 1–180 days (UNCONFIRMED; the adgroup custom-action range). */
const PIXEL_RETENTION_MAX = 180;
const MAX_RULES = 5;

function list(v: unknown, name: string, min: number, max: number): unknown[] {
	if (v === undefined || v === null) throw missing(name);
	if (!Array.isArray(v)) throw paramError(`${name}: Not a valid list.`);
	if (v.length < min || v.length > max) throw paramError(`${name}: Length must be between ${min} and ${max}.`);
	return v;
}

function parameterFilter(v: unknown, name: string): Obj {
	const pf = requireObject(v, name);
	const field = reqEnum(pf.field, `${name}.field`, PARAM_FIELDS);
	const operator = reqEnum(pf.operator, `${name}.operator`, field === 'URL' ? URL_OPERATORS : OPERATORS);
	const values = list(pf.values, `${name}.values`, 1, 10).map((s, i) => {
		const str = reqString(s, `${name}.values[${i}]`);
		if (str.length > 100) throw paramError(`${name}.values[${i}]: Length must be between 1 and 100.`);
		return str;
	});
	return { field, operator, values };
}

function filter(v: unknown, name: string): Obj {
	const f = requireObject(v, name);
	const field = reqEnum(f.field, `${name}.field`, ['EVENT'] as const);
	const operator = reqEnum(f.operator, `${name}.operator`, ['EQ'] as const);
	const value = reqString(f.value, `${name}.value`);
	if (value.trim() === '') throw paramError(`${name}.value: Length must be between 1 and 100.`);
	const out: Obj = { field, operator, value };
	if (f.parameter_filters !== undefined && f.parameter_filters !== null) {
		const pfs = list(f.parameter_filters, `${name}.parameter_filters`, 0, 11).map((p, i) =>
			parameterFilter(p, `${name}.parameter_filters[${i}]`),
		);
		const urls = pfs.filter((p) => p.field === 'URL').length;
		if (urls > 1) throw paramError(`${name}.parameter_filters: At most 1 URL filter is allowed.`);
		if (pfs.length - urls > 10) throw paramError(`${name}.parameter_filters: At most 10 parameter filters are allowed.`);
		out.parameter_filters = pfs;
	}
	return out;
}

function rule(ctx: RequestCtx, v: unknown, name: string, advertiserId: string): Obj {
	const r = requireObject(v, name);
	const ids = idList(r.event_source_ids, `${name}.event_source_ids`, 1, 100);
	for (const [i, id] of ids.entries()) {
		const pixel = ctx.emu.seed.pixels.find((p) => p.pixel_id === id && p.advertiser_id === advertiserId);
		if (!pixel) throw paramError(`${name}.event_source_ids[${i}]: Pixel ${id} does not exist.`);
	}
	const retentionDays = reqInt(r.retention_days, `${name}.retention_days`, 1, PIXEL_RETENTION_MAX);
	const fs = requireObject(r.filter_set, `${name}.filter_set`);
	const fsOperator = reqEnum(fs.operator, `${name}.filter_set.operator`, SET_OPERATORS);
	const filters = list(fs.filters, `${name}.filter_set.filters`, 1, 1).map((f, i) =>
		filter(f, `${name}.filter_set.filters[${i}]`),
	);
	return { event_source_ids: ids, retention_days: retentionDays, filter_set: { operator: fsOperator, filters } };
}

function ruleSet(ctx: RequestCtx, v: unknown, name: string, advertiserId: string): Obj {
	const s = requireObject(v, name);
	const operator = reqEnum(s.operator, `${name}.operator`, SET_OPERATORS);
	const rules = list(s.rules, `${name}.rules`, 1, MAX_RULES).map((r, i) =>
		rule(ctx, r, `${name}.rules[${i}]`, advertiserId),
	);
	return { operator, rules };
}

function ruleCreate(ctx: RequestCtx): unknown {
	const b = ctx.body;
	const advertiserId = requireAdvertiser(ctx, b.advertiser_id);
	const name = reqName(b.custom_audience_name, 'custom_audience_name');
	const audienceType = reqEnum(b.audience_type, 'audience_type', AUDIENCE_TYPES);
	const subType = optEnum(b.audience_sub_type, 'audience_sub_type', ['NORMAL', 'REACH_FREQUENCY'] as const) ?? 'NORMAL';
	const retention = optInt(b.retention_in_days, 'retention_in_days', 1, 365);
	const isAutoRefresh = optBool(b.is_auto_refresh, 'is_auto_refresh') ?? true;
	const enhancement = optBool(b.audience_enhancement, 'audience_enhancement') ?? false;
	if (audienceType !== 'PIXEL') {
		throw new ApiError(CODE.NOT_IMPL, `audience_type: ${audienceType} audiences are not implemented by the emulator.`);
	}
	const spec = requireObject(b.rule_spec, 'rule_spec');
	const ruleSpec: Obj = {
		inclusion_rule_set: ruleSet(ctx, spec.inclusion_rule_set, 'rule_spec.inclusion_rule_set', advertiserId),
	};
	if (spec.exclusion_rule_set !== undefined && spec.exclusion_rule_set !== null) {
		ruleSpec.exclusion_rule_set = ruleSet(ctx, spec.exclusion_rule_set, 'rule_spec.exclusion_rule_set', advertiserId);
	}
	const pixelIds = new Set<string>();
	for (const setName of ['inclusion_rule_set', 'exclusion_rule_set']) {
		for (const r of ((ruleSpec[setName] as Obj | undefined)?.rules as Obj[] | undefined) ?? []) {
			for (const id of r.event_source_ids as string[]) pixelIds.add(id);
		}
	}
	const now = ctx.emu.clock.now();
	const id = ctx.emu.state.nextAudienceId();
	ctx.emu.state.audiences.set(id, {
		audienceId: id,
		advertiserId,
		name,
		kind: 'PIXEL',
		calculateType: null,
		subType,
		enhancement,
		members: new Set(),
		createdAt: now,
		modifiedAt: now,
		retentionInDays: retention,
		readyAt: now + ctx.emu.config.processingDelayMs,
		coverBeforeReady: 0,
		history: [{ action: 'create', action_detail: '0', msg: null, atMs: now }],
		isAutoRefresh,
		ruleSpec,
		pixelIds: [...pixelIds],
	});
	return { custom_audience_id: id };
}

export const ruleRoutes: Route[] = [
	{ method: 'POST', path: '/dmp/custom_audience/rule/create/', body: 'json', handler: ruleCreate },
];
