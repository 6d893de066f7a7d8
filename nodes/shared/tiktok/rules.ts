import type { IDataObject } from 'n8n-workflow';
import { z } from 'zod';

import { ruleFilterValue } from '../events/webEvents';
import { findAudiencesByName, getAudience } from './audiences';
import type { Audience } from './schemas';
import { sendCheckingFirst, tiktokRequest, type TransportContext } from './transport';

/**
 * Website (PIXEL) rule audiences: building the `rule_spec` TikTok's `rule/create` takes (`POST /dmp/custom_audience/rule/create/`, TikTok API for Business: https://business-api.tiktok.com/portal/docs), reading
 * back the rule TikTok stores, deciding whether two rules are the same, and upsert-by-name on top of a create that is
 * not idempotent.
 */

export const PARAMETER_FIELDS = ['URL', 'CONTENT_TYPE', 'PRICE', 'VALUE', 'CONTENT_ID', 'CONTENT_CATEGORY'] as const;
export const URL_OPERATORS = ['CONTAINS', 'DOES_NOT_CONTAIN', 'EQ'] as const;
export const PARAMETER_OPERATORS = [
	'CONTAINS',
	'DOES_NOT_CONTAIN',
	'EQ',
	'NOT_EQUAL',
	'IS_GREATER_THAN',
	'IS_GREATER_THAN_OR_EQUAL_TO',
	'IS_LESS_THAN',
	'IS_LESS_THAN_OR_EQUAL_TO',
] as const;

/** TikTok's limits on a rule (documented with `rule/create`). */
export const MAX_FILTER_VALUES = 10;
export const MAX_FILTER_VALUE_LENGTH = 100;
export const MAX_PARAMETER_FILTERS = 10;
/**
 * The lookback window (`retention_days`) of a website audience rule, in days. TikTok does not publish the range for
 * PIXEL audiences; its custom actions take 1 to 180 days (reference doc, "Rule-based audiences", UNCONFIRMED for
 * pixels), and the emulator enforces the same range.
 */
export const MIN_LOOKBACK_DAYS = 1;
export const MAX_LOOKBACK_DAYS = 180;

export interface ParameterFilter {
	field: string;
	operator: string;
	values: string[];
}

/** One side of a website rule: people who sent `event` to the pixel within `lookbackDays`, optionally filtered. */
export interface RuleInput {
	pixelId: string;
	/** Events API event name (`Purchase`); the rule filter value is derived from it. */
	event: string;
	lookbackDays: number;
	parameterFilters?: ParameterFilter[];
}

export interface WebsiteRuleInput {
	include: RuleInput;
	exclude?: RuleInput;
}

export interface RuleFilter {
	field: 'EVENT';
	operator: 'EQ';
	value: string;
	parameter_filters?: ParameterFilter[];
}

export interface Rule {
	event_source_ids: string[];
	retention_days: number;
	filter_set: { operator: 'OR'; filters: RuleFilter[] };
}

export interface RuleSet {
	operator: 'OR';
	rules: Rule[];
}

export interface RuleSpec {
	inclusion_rule_set: RuleSet;
	exclusion_rule_set?: RuleSet;
}

export type BuildResult = { ok: true; spec: RuleSpec } | { ok: false; problem: string };

function checkFilters(filters: ParameterFilter[], side: string): string | undefined {
	const urls = filters.filter((f) => f.field === 'URL').length;
	if (urls > 1) return `${side}: at most one URL filter is allowed`;
	if (filters.length - urls > MAX_PARAMETER_FILTERS) return `${side}: at most ${MAX_PARAMETER_FILTERS} parameter filters are allowed`;
	for (const f of filters) {
		if (!(PARAMETER_FIELDS as readonly string[]).includes(f.field)) return `${side}: unknown filter field "${f.field}"`;
		const operators: readonly string[] = f.field === 'URL' ? URL_OPERATORS : PARAMETER_OPERATORS;
		if (!operators.includes(f.operator)) return `${side}: operator ${f.operator} is not allowed on ${f.field}`;
		if (f.values.length === 0) return `${side}: the ${f.field} filter needs at least one value`;
		if (f.values.length > MAX_FILTER_VALUES) return `${side}: the ${f.field} filter takes at most ${MAX_FILTER_VALUES} values`;
		if (f.values.some((v) => v.length > MAX_FILTER_VALUE_LENGTH)) {
			return `${side}: ${f.field} filter values are limited to ${MAX_FILTER_VALUE_LENGTH} characters`;
		}
	}
	return undefined;
}

function buildRule(input: RuleInput, side: string): Rule | string {
	if (!/^\d+$/.test(input.pixelId)) return `${side}: the pixel ID must be digits (TikTok rules take pixel_id, not pixel_code)`;
	const event = input.event.trim();
	if (event === '') return `${side}: the event name is empty`;
	if (!Number.isInteger(input.lookbackDays) || input.lookbackDays < MIN_LOOKBACK_DAYS || input.lookbackDays > MAX_LOOKBACK_DAYS) {
		return `${side}: the lookback window must be a whole number of days from ${MIN_LOOKBACK_DAYS} to ${MAX_LOOKBACK_DAYS}`;
	}
	const filters = (input.parameterFilters ?? []).map((f) => ({
		field: f.field,
		operator: f.operator,
		values: f.values.map((v) => v.trim()).filter((v) => v !== ''),
	}));
	const problem = checkFilters(filters, side);
	if (problem) return problem;
	const filter: RuleFilter = { field: 'EVENT', operator: 'EQ', value: ruleFilterValue(event) };
	if (filters.length > 0) filter.parameter_filters = filters;
	return { event_source_ids: [input.pixelId], retention_days: input.lookbackDays, filter_set: { operator: 'OR', filters: [filter] } };
}

/** The `rule_spec` for a website audience; problems are reported in words instead of being sent to TikTok. */
export function buildRuleSpec(input: WebsiteRuleInput): BuildResult {
	const include = buildRule(input.include, 'Rule');
	if (typeof include === 'string') return { ok: false, problem: include };
	const spec: RuleSpec = { inclusion_rule_set: { operator: 'OR', rules: [include] } };
	if (input.exclude) {
		const exclude = buildRule(input.exclude, 'Exclusion rule');
		if (typeof exclude === 'string') return { ok: false, problem: exclude };
		const nobody = excludesEveryone(include, exclude);
		if (nobody) return { ok: false, problem: nobody };
		spec.exclusion_rule_set = { operator: 'OR', rules: [exclude] };
	}
	return { ok: true, spec };
}

/**
 * An exclusion that removes everyone the rule adds: the same event (filter value) on the same pixel, with no filters
 * of its own and a window at least as long. Such an audience stays empty whatever is sent, so it is refused. A shorter
 * exclusion window is kept: "sent it in the last 30 days but not in the last 7" is a real audience.
 */
function excludesEveryone(include: Rule, exclude: Rule): string | undefined {
	const [inc] = include.filter_set.filters;
	const [exc] = exclude.filter_set.filters;
	const samePixels = exclude.event_source_ids.every((id) => include.event_source_ids.includes(id));
	if (!samePixels || inc.value !== exc.value || (exc.parameter_filters?.length ?? 0) > 0 || exclude.retention_days < include.retention_days) return undefined;
	return `The exclusion rule excludes everyone the rule adds ("${exc.value}" in the last ${exclude.retention_days} days covers "${inc.value}" in the last ${include.retention_days} days), so the audience would stay empty. Exclude another event, or a shorter window than ${include.retention_days} days, or remove the exclusion rule.`;
}

// ---- Rule equality ------------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const OPERATOR_ALIASES: Record<string, string> = { IS_GRETER_THAN_OR_EQUAL_TO: 'IS_GREATER_THAN_OR_EQUAL_TO' };

function isObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const upper = (v: unknown): string => String(v ?? '').trim().toUpperCase();
const operatorName = (v: unknown): string => OPERATOR_ALIASES[upper(v)] ?? upper(v);
/** Sorting by canonical text makes order-insensitive lists comparable. */
const sortedByText = (list: Json[]): Json[] =>
	list
		.map((item) => [JSON.stringify(item), item] as const)
		.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
		.map(([, item]) => item);

function canonicalParameterFilter(v: unknown): Json | undefined {
	if (!isObject(v) || !Array.isArray(v.values)) return undefined;
	const values = [...new Set(v.values.map((x) => String(x)))].sort();
	return { field: upper(v.field), operator: operatorName(v.operator), values };
}

function canonicalFilter(v: unknown): Json | undefined {
	if (!isObject(v) || typeof v.value !== 'string') return undefined;
	const raw = v.parameter_filters ?? [];
	if (!Array.isArray(raw)) return undefined;
	const parameterFilters = raw.map(canonicalParameterFilter);
	if (parameterFilters.some((p) => p === undefined)) return undefined;
	return { field: upper(v.field), operator: operatorName(v.operator), value: v.value, parameter_filters: sortedByText(parameterFilters as Json[]) };
}

function canonicalRule(v: unknown): Json | undefined {
	if (!isObject(v) || !Array.isArray(v.event_source_ids) || !isObject(v.filter_set)) return undefined;
	const days = Number(v.retention_days);
	const filters = v.filter_set.filters;
	if (!Number.isFinite(days) || !Array.isArray(filters)) return undefined;
	const canonicalFilters = filters.map(canonicalFilter);
	if (canonicalFilters.some((f) => f === undefined)) return undefined;
	return {
		event_source_ids: [...new Set(v.event_source_ids.map((x) => String(x)))].sort(),
		retention_days: days,
		filter_set: { operator: upper(v.filter_set.operator ?? 'OR'), filters: sortedByText(canonicalFilters as Json[]) },
	};
}

function canonicalRuleSet(v: unknown): Json | undefined {
	if (!isObject(v) || !Array.isArray(v.rules)) return undefined;
	const rules = v.rules.map(canonicalRule);
	if (rules.some((r) => r === undefined)) return undefined;
	return { operator: upper(v.operator ?? 'OR'), rules: sortedByText(rules as Json[]) };
}

/**
 * A rule spec (object or TikTok's stored JSON text) in canonical form, or undefined when it is not a readable
 * inclusion/exclusion rule spec.
 *
 * Two rules are THE SAME when their canonical forms are equal. Canonical form: every list whose order TikTok ignores
 * is sorted (rules and pixel IDs of a set are OR-ed; filters, parameter filters and their values are sets); field,
 * operator and set-operator names are upper-cased, with TikTok's `IS_GRETER_THAN_OR_EQUAL_TO` misspelling read as
 * `IS_GREATER_THAN_OR_EQUAL_TO`; IDs are strings and `retention_days` a number; a missing `parameter_filters` is an
 * empty list; a missing or null exclusion set is no exclusion. Event filter values and filter values are compared
 * exactly (custom event names are case-sensitive). Anything else TikTok may add to the stored rule is ignored.
 */
export function canonicalRuleSpec(raw: unknown): string | undefined {
	let value = raw;
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return undefined;
		}
	}
	if (isObject(value) && isObject(value.rule_spec)) value = value.rule_spec;
	if (!isObject(value)) return undefined;
	const inclusion = canonicalRuleSet(value.inclusion_rule_set);
	if (inclusion === undefined) return undefined;
	const hasExclusion = value.exclusion_rule_set !== undefined && value.exclusion_rule_set !== null;
	const exclusion = hasExclusion ? canonicalRuleSet(value.exclusion_rule_set) : null;
	if (exclusion === undefined) return undefined;
	return JSON.stringify({ inclusion_rule_set: inclusion, exclusion_rule_set: exclusion });
}

export function sameRuleSpec(a: unknown, b: unknown): boolean {
	const ca = canonicalRuleSpec(a);
	return ca !== undefined && ca === canonicalRuleSpec(b);
}

/** A short human description of a rule spec, for outputs and conflict errors. */
export function describeRuleSpec(raw: unknown): string {
	const canonical = canonicalRuleSpec(raw);
	if (canonical === undefined) return 'a rule this node cannot read';
	const spec = JSON.parse(canonical) as { inclusion_rule_set: CanonSet; exclusion_rule_set: CanonSet | null };
	const side = (set: CanonSet) =>
		set.rules
			.map((r) => {
				const filters = r.filter_set.filters
					.map((f) => [`"${f.value}"`, ...f.parameter_filters.map((p) => `${p.field} ${p.operator} ${p.values.join(' | ')}`)].join(' with '))
					.join(' or ');
				return `${filters} on pixel ${r.event_source_ids.join(', ')} in the last ${r.retention_days} days`;
			})
			.join('; or ');
	const include = `people with ${side(spec.inclusion_rule_set)}`;
	return spec.exclusion_rule_set ? `${include}, excluding people with ${side(spec.exclusion_rule_set)}` : include;
}

interface CanonSet {
	rules: Array<{
		event_source_ids: string[];
		retention_days: number;
		filter_set: { filters: Array<{ value: string; parameter_filters: ParameterFilter[] }> };
	}>;
}

/**
 * Why events named `event` would not fill this audience, or undefined when its rule counts them. Send Sync Event asks
 * it for the audience picked in the node, so the event it sends and the audience's rule stay in step.
 */
export function ruleEventProblem(audience: Pick<Audience, 'audience_type' | 'type' | 'rule' | 'name'>, event: string): string | undefined {
	const type = audience.audience_type ?? audience.type;
	if (type && !/website|pixel/i.test(type)) return `Audience "${audience.name}" is a ${type}, not a website audience: events do not fill it`;
	const canonical = canonicalRuleSpec(audience.rule);
	if (canonical === undefined) return undefined; // unreadable: TikTok decides
	const spec = JSON.parse(canonical) as { inclusion_rule_set: CanonSet };
	const values = spec.inclusion_rule_set.rules.flatMap((r) => r.filter_set.filters.map((f) => f.value));
	if (values.includes(ruleFilterValue(event))) return undefined;
	return `Audience "${audience.name}" counts ${values.map((v) => `"${v}"`).join(', ')} events, not "${event}" ("${ruleFilterValue(event)}"): the events would not fill it`;
}

// ---- Matching an existing audience ----------------------------------------------------------------------------------

export type Match = { kind: 'same' } | { kind: 'different'; why: string } | { kind: 'unreadable'; why: string };

export interface WantedAudience {
	spec: RuleSpec;
	autoRefresh: boolean;
}

/**
 * Whether an existing audience is the website audience wanted. Same = a website audience whose stored rule is the same
 * rule (see canonicalRuleSpec) and whose auto refresh, when TikTok reports it, matches (it cannot be changed later).
 * `retention_in_days` is not compared: TikTok does not return it.
 */
export function matchAudience(audience: Pick<Audience, 'audience_type' | 'type' | 'rule' | 'is_auto_refresh'>, wanted: WantedAudience): Match {
	const type = audience.audience_type ?? audience.type;
	if (type && !/website|pixel/i.test(type)) return { kind: 'different', why: `it is a ${type}, not a website audience` };
	if (audience.rule === undefined || audience.rule === null) return { kind: 'unreadable', why: 'TikTok returned no rule for it' };
	if (canonicalRuleSpec(audience.rule) === undefined) return { kind: 'unreadable', why: 'its rule could not be read' };
	if (!sameRuleSpec(audience.rule, wanted.spec)) return { kind: 'different', why: `its rule is: ${describeRuleSpec(audience.rule)}` };
	if (audience.is_auto_refresh !== undefined && audience.is_auto_refresh !== wanted.autoRefresh) {
		return { kind: 'different', why: `its auto refresh is ${audience.is_auto_refresh ? 'on' : 'off'}` };
	}
	return { kind: 'same' };
}

// ---- TikTok calls ---------------------------------------------------------------------------------------------------

const ruleCreateSchema = z.object({ custom_audience_id: z.union([z.string(), z.number()]).transform(String) });

export interface CreateWebsiteAudienceRequest {
	advertiserId: string;
	name: string;
	spec: RuleSpec;
	autoRefresh: boolean;
	/** Audience expiry in days (1–365); undefined = TikTok's default. */
	retentionInDays?: number;
}

/** One `rule/create` call. Not idempotent: a retry after a transient failure could make a duplicate. */
export async function createRuleAudience(
	ctx: TransportContext,
	req: CreateWebsiteAudienceRequest,
	itemIndex?: number,
): Promise<{ audienceId: string; requestId: string }> {
	const body: IDataObject = {
		advertiser_id: req.advertiserId,
		custom_audience_name: req.name,
		audience_type: 'PIXEL',
		is_auto_refresh: req.autoRefresh,
		rule_spec: req.spec as unknown as IDataObject,
	};
	if (req.retentionInDays !== undefined) body.retention_in_days = req.retentionInDays;
	const res = await tiktokRequest(ctx, {
		method: 'POST',
		path: 'dmp/custom_audience/rule/create/',
		body,
		schema: ruleCreateSchema,
		itemIndex,
		idempotent: false,
	});
	return { audienceId: res.data.custom_audience_id, requestId: res.requestId };
}

export interface ExistingCandidate {
	audienceId: string;
	match: Match;
}

export type UpsertResult =
	| {
			status: 'created';
			audienceId: string;
			requestId: string;
			/** Transient failures of `rule/create` that were checked (by name) and retried. */
			recoveredFailures: number;
	  }
	| { status: 'existing'; audienceId: string; sameNameCount: number }
	| { status: 'conflict'; candidates: ExistingCandidate[] };

async function candidatesByName(ctx: TransportContext, req: CreateWebsiteAudienceRequest, itemIndex?: number): Promise<ExistingCandidate[]> {
	const wanted: WantedAudience = { spec: req.spec, autoRefresh: req.autoRefresh };
	const out: ExistingCandidate[] = [];
	for (const audience of await findAudiencesByName.call(ctx, req.advertiserId, req.name)) {
		let view: Audience = audience;
		// list/ normally carries the rule; when it does not, get/ does.
		if (audience.rule === undefined) view = (await getAudience.call(ctx, req.advertiserId, audience.audience_id, itemIndex))?.audience ?? audience;
		out.push({ audienceId: audience.audience_id, match: matchAudience(view, wanted) });
	}
	return out;
}

function decide(candidates: ExistingCandidate[]): UpsertResult | undefined {
	const same = candidates.find((c) => c.match.kind === 'same');
	if (same) return { status: 'existing', audienceId: same.audienceId, sameNameCount: candidates.length };
	if (candidates.length > 0) return { status: 'conflict', candidates };
	return undefined;
}

/**
 * Upsert by name: an audience with this name and the same rule is returned as it is; the same name with another rule
 * is a conflict (nothing is created); otherwise the audience is created. A transient failure of the create is followed
 * by a look-up by name before any retry, so a create that TikTok applied but did not confirm is never repeated.
 */
export async function upsertWebsiteAudience(
	ctx: TransportContext,
	req: CreateWebsiteAudienceRequest,
	itemIndex?: number,
): Promise<UpsertResult> {
	const before = decide(await candidatesByName(ctx, req, itemIndex));
	if (before) return before;
	return await sendCheckingFirst(
		ctx,
		async () => await createRuleAudience(ctx, req, itemIndex),
		(created, attempt): UpsertResult => ({ status: 'created', ...created, recoveredFailures: attempt }),
		async (failedSends) => {
			// The create may have gone through before the failure: an audience with this name and rule is the one it made.
			const after = decide(await candidatesByName(ctx, req, itemIndex));
			if (after?.status === 'existing') return { done: { status: 'created', audienceId: after.audienceId, requestId: '', recoveredFailures: failedSends } };
			return after ? { done: after } : 'retry';
		},
	);
}
