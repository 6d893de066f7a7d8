import {
	buildRuleSpec,
	ruleEventProblem,
	canonicalRuleSpec,
	describeRuleSpec,
	matchAudience,
	sameRuleSpec,
	type RuleSpec,
} from '../../nodes/shared/tiktok/rules';
import { eventOptions, isStandardEvent, resolveEventName, ruleFilterValue, CUSTOM_EVENT } from '../../nodes/shared/events/webEvents';

const PIXEL = '7200000000000000011';

function built(input: Parameters<typeof buildRuleSpec>[0]): RuleSpec {
	const r = buildRuleSpec(input);
	if (!r.ok) throw new Error(r.problem);
	return r.spec;
}

describe('web events table', () => {
	test('Events API names map to rule filter values; custom names map to themselves', () => {
		expect(ruleFilterValue('Purchase')).toBe('COMPLETE PAYMENT');
		expect(ruleFilterValue('CompletePayment')).toBe('COMPLETE PAYMENT');
		expect(ruleFilterValue('Lead')).toBe('PIXEL SUBMIT FORM');
		expect(ruleFilterValue('PageView')).toBe('PAGE BROWSE');
		expect(ruleFilterValue('ViewContent')).toBe('PRODUCT DETAIL PAGE BROWSE');
		expect(ruleFilterValue('AudienceSync_VIP')).toBe('AudienceSync_VIP');
	});
	test('dropdown is sorted by label and resolves the custom choice', () => {
		const names = eventOptions().map((o) => o.name);
		expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
		expect(names).toHaveLength(18);
		expect(resolveEventName(CUSTOM_EVENT, '  VIP Sync ')).toBe('VIP Sync');
		expect(resolveEventName('Purchase', 'ignored')).toBe('Purchase');
	});
});

describe('buildRuleSpec', () => {
	test('builds the exact rule_spec of reference §5.1 (include with URL filter, exclude)', () => {
		expect(
			built({
				include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 30, parameterFilters: [{ field: 'URL', operator: 'CONTAINS', values: [' us ', ''] }] },
				exclude: { pixelId: PIXEL, event: 'Contact', lookbackDays: 7 },
			}),
		).toEqual({
			inclusion_rule_set: {
				operator: 'OR',
				rules: [
					{
						event_source_ids: [PIXEL],
						retention_days: 30,
						filter_set: {
							operator: 'OR',
							filters: [{ field: 'EVENT', operator: 'EQ', value: 'COMPLETE PAYMENT', parameter_filters: [{ field: 'URL', operator: 'CONTAINS', values: ['us'] }] }],
						},
					},
				],
			},
			exclusion_rule_set: {
				operator: 'OR',
				rules: [{ event_source_ids: [PIXEL], retention_days: 7, filter_set: { operator: 'OR', filters: [{ field: 'EVENT', operator: 'EQ', value: 'CONTACT' }] } }],
			},
		});
	});

	test.each([
		[{ include: { pixelId: 'CEMU0PIXEL', event: 'Purchase', lookbackDays: 30 } }, 'Rule: the pixel ID must be digits (TikTok rules take pixel_id, not pixel_code)'],
		[{ include: { pixelId: PIXEL, event: ' ', lookbackDays: 30 } }, 'Rule: the event name is empty'],
		[{ include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 0 } }, 'Rule: the lookback window must be a whole number of days from 1 to 180'],
		[{ include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 2.5 } }, 'Rule: the lookback window must be a whole number of days from 1 to 180'],
		[{ include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 181 } }, 'Rule: the lookback window must be a whole number of days from 1 to 180'],
		[
			{ include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 30, parameterFilters: [{ field: 'URL', operator: 'CONTAINS', values: ['a'] }, { field: 'URL', operator: 'EQ', values: ['b'] }] } },
			'Rule: at most one URL filter is allowed',
		],
		[{ include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 30, parameterFilters: [{ field: 'URL', operator: 'IS_LESS_THAN', values: ['a'] }] } }, 'Rule: operator IS_LESS_THAN is not allowed on URL'],
		[{ include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 30, parameterFilters: [{ field: 'VALUE', operator: 'IS_GREATER_THAN', values: [' '] }] } }, 'Rule: the VALUE filter needs at least one value'],
		[
			{ include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 30, parameterFilters: [{ field: 'CONTENT_ID', operator: 'EQ', values: Array.from({ length: 11 }, (_, i) => `s${i}`) }] } },
			'Rule: the CONTENT_ID filter takes at most 10 values',
		],
		[{ include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 30, parameterFilters: [{ field: 'URL', operator: 'EQ', values: ['x'.repeat(101)] }] } }, 'Rule: URL filter values are limited to 100 characters'],
		[{ include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 30 }, exclude: { pixelId: PIXEL, event: 'Contact', lookbackDays: -1 } }, 'Exclusion rule: the lookback window must be a whole number of days from 1 to 180'],
	])('refuses bad input %#', (input, problem) => {
		expect(buildRuleSpec(input)).toEqual({ ok: false, problem });
	});
});

describe('rule equality', () => {
	const base = built({
		include: {
			pixelId: PIXEL,
			event: 'Purchase',
			lookbackDays: 30,
			parameterFilters: [
				{ field: 'URL', operator: 'CONTAINS', values: ['us', 'ca'] },
				{ field: 'VALUE', operator: 'IS_GREATER_THAN_OR_EQUAL_TO', values: ['10'] },
			],
		},
	});

	test('the emulator/TikTok stored JSON text of the same rule is the same', () => {
		expect(sameRuleSpec(JSON.stringify(base), base)).toBe(true);
	});

	test('order of values, filters, rules and pixel IDs, case of names, the operator typo and string numbers do not matter', () => {
		const stored = {
			inclusion_rule_set: {
				operator: 'or',
				rules: [
					{
						event_source_ids: [PIXEL],
						retention_days: '30',
						filter_set: {
							operator: 'OR',
							filters: [
								{
									field: 'event',
									operator: 'eq',
									value: 'COMPLETE PAYMENT',
									parameter_filters: [
										{ field: 'VALUE', operator: 'IS_GRETER_THAN_OR_EQUAL_TO', values: ['10'] },
										{ field: 'url', operator: 'CONTAINS', values: ['ca', 'us', 'us'] },
									],
								},
							],
						},
						extra_field_tiktok_adds: 1,
					},
				],
			},
			exclusion_rule_set: null,
		};
		expect(sameRuleSpec(stored, base)).toBe(true);
		expect(canonicalRuleSpec(stored)).toBe(canonicalRuleSpec(base));
		expect(canonicalRuleSpec({ rule_spec: stored })).toBe(canonicalRuleSpec(base));
	});

	test('canonical form is exact', () => {
		expect(canonicalRuleSpec(built({ include: { pixelId: PIXEL, event: 'Lead', lookbackDays: 7 } }))).toBe(
			'{"inclusion_rule_set":{"operator":"OR","rules":[{"event_source_ids":["7200000000000000011"],"retention_days":7,"filter_set":{"operator":"OR","filters":[{"field":"EVENT","operator":"EQ","value":"PIXEL SUBMIT FORM","parameter_filters":[]}]}}]},"exclusion_rule_set":null}',
		);
	});

	test.each([
		['lookback', { include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 14 } }],
		['event', { include: { pixelId: PIXEL, event: 'AddToCart', lookbackDays: 30 } }],
		['pixel', { include: { pixelId: '7200000000000000012', event: 'Purchase', lookbackDays: 30 } }],
		['URL value', { include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 30, parameterFilters: [{ field: 'URL', operator: 'CONTAINS', values: ['us'] }] } }],
		['exclusion', { include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 30 }, exclude: { pixelId: PIXEL, event: 'Contact', lookbackDays: 7 } }],
	])('a different %s is a different rule', (_what, input) => {
		const plain = built({ include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 30 } });
		expect(sameRuleSpec(built(input), plain)).toBe(false);
	});

	test('custom event names are case-sensitive', () => {
		const a = built({ include: { pixelId: PIXEL, event: 'VipSync', lookbackDays: 30 } });
		const b = built({ include: { pixelId: PIXEL, event: 'vipsync', lookbackDays: 30 } });
		expect(sameRuleSpec(a, b)).toBe(false);
	});

	test('unreadable rules are never the same as anything', () => {
		expect(canonicalRuleSpec('{"inclusions": null, "exclusions": null}')).toBeUndefined();
		expect(canonicalRuleSpec('not json')).toBeUndefined();
		expect(canonicalRuleSpec(null)).toBeUndefined();
		expect(sameRuleSpec('{"inclusions": null}', '{"inclusions": null}')).toBe(false);
	});

	test('describes a rule in words', () => {
		expect(describeRuleSpec(base)).toBe(
			'people with "COMPLETE PAYMENT" with URL CONTAINS ca | us with VALUE IS_GREATER_THAN_OR_EQUAL_TO 10 on pixel 7200000000000000011 in the last 30 days',
		);
		expect(
			describeRuleSpec(built({ include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 30 }, exclude: { pixelId: PIXEL, event: 'Contact', lookbackDays: 7 } })),
		).toBe('people with "COMPLETE PAYMENT" on pixel 7200000000000000011 in the last 30 days, excluding people with "CONTACT" on pixel 7200000000000000011 in the last 7 days');
		expect(describeRuleSpec('x')).toBe('a rule this node cannot read');
	});
});

describe('matchAudience', () => {
	const spec = built({ include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 30 } });
	const wanted = { spec, autoRefresh: true };
	test('same website audience', () => {
		expect(matchAudience({ audience_type: 'Website Audience', rule: JSON.stringify(spec), is_auto_refresh: true }, wanted)).toEqual({ kind: 'same' });
		expect(matchAudience({ type: 'Website Audience', rule: JSON.stringify(spec) }, wanted)).toEqual({ kind: 'same' });
	});
	test('different type, rule, auto refresh; unreadable rule', () => {
		expect(matchAudience({ audience_type: 'Customer File Audience', rule: null }, wanted)).toEqual({ kind: 'different', why: 'it is a Customer File Audience, not a website audience' });
		expect(matchAudience({ audience_type: 'Website Audience', rule: JSON.stringify(spec), is_auto_refresh: false }, wanted)).toEqual({ kind: 'different', why: 'its auto refresh is off' });
		const other = built({ include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 14 } });
		expect(matchAudience({ audience_type: 'Website Audience', rule: JSON.stringify(other) }, wanted)).toEqual({
			kind: 'different',
			why: 'its rule is: people with "COMPLETE PAYMENT" on pixel 7200000000000000011 in the last 14 days',
		});
		expect(matchAudience({ audience_type: 'Website Audience', rule: null }, wanted)).toEqual({ kind: 'unreadable', why: 'TikTok returned no rule for it' });
		expect(matchAudience({ audience_type: 'Website Audience', rule: '{"inclusions": null}' }, wanted)).toEqual({ kind: 'unreadable', why: 'its rule could not be read' });
	});
});

describe('exclusion rules that leave nobody', () => {
	const include = { pixelId: PIXEL, event: 'AudienceSync', lookbackDays: 30 };
	test.each([
		['the same event and window', { pixelId: PIXEL, event: 'AudienceSync', lookbackDays: 30 }, 30],
		['the same event over a longer window', { pixelId: PIXEL, event: 'AudienceSync', lookbackDays: 90 }, 90],
	])('%s is refused', (_label, exclude, days) => {
		expect(buildRuleSpec({ include, exclude })).toEqual({
			ok: false,
			problem: `The exclusion rule excludes everyone the rule adds ("AudienceSync" in the last ${days} days covers "AudienceSync" in the last 30 days), so the audience would stay empty. Exclude another event, or a shorter window than 30 days, or remove the exclusion rule.`,
		});
	});
	test('Purchase and its legacy name CompletePayment are the same filter, so excluding one excludes the other', () => {
		const r = buildRuleSpec({ include: { pixelId: PIXEL, event: 'CompletePayment', lookbackDays: 30 }, exclude: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 30 } });
		expect(r.ok).toBe(false);
	});
	test.each([
		['a shorter window', { pixelId: PIXEL, event: 'AudienceSync', lookbackDays: 7 }],
		['another event', { pixelId: PIXEL, event: 'Purchase', lookbackDays: 30 }],
		['another pixel', { pixelId: '7200000000000000012', event: 'AudienceSync', lookbackDays: 30 }],
		['an event that differs only in case (custom names are case-sensitive)', { pixelId: PIXEL, event: 'audiencesync', lookbackDays: 30 }],
	])('%s is kept', (_label, exclude) => {
		expect(buildRuleSpec({ include, exclude }).ok).toBe(true);
	});
	test('an inclusion with a URL filter is still covered by the unfiltered same event', () => {
		const r = buildRuleSpec({
			include: { ...include, parameterFilters: [{ field: 'URL', operator: 'CONTAINS', values: ['/checkout'] }] },
			exclude: { pixelId: PIXEL, event: 'AudienceSync', lookbackDays: 30 },
		});
		expect(r.ok).toBe(false);
	});
});

describe('ruleEventProblem: the event sent and the audience rule in step', () => {
	const rule = JSON.stringify(built({ include: { pixelId: PIXEL, event: 'AudienceSync', lookbackDays: 30 }, exclude: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 7 } }));
	test('the rule\'s own event passes; another event (even the excluded one) is named with its filter value', () => {
		expect(ruleEventProblem({ name: 'VIP', audience_type: 'Website Audience', rule }, 'AudienceSync')).toBeUndefined();
		expect(ruleEventProblem({ name: 'VIP', audience_type: 'Website Audience', rule }, 'Purchase')).toBe(
			'Audience "VIP" counts "AudienceSync" events, not "Purchase" ("COMPLETE PAYMENT"): the events would not fill it',
		);
		const purchase = JSON.stringify(built({ include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 30 } }));
		expect(ruleEventProblem({ name: 'Buyers', audience_type: 'Website Audience', rule: purchase }, 'CompletePayment')).toBeUndefined();
	});
	test('a customer-file audience is refused; an unreadable rule is left to TikTok', () => {
		expect(ruleEventProblem({ name: 'CRM', audience_type: 'Customer File Audience', rule }, 'AudienceSync')).toBe(
			'Audience "CRM" is a Customer File Audience, not a website audience: events do not fill it',
		);
		expect(ruleEventProblem({ name: 'Odd', audience_type: 'Website Audience', rule: 'not json' }, 'AudienceSync')).toBeUndefined();
	});
	test('standard events are the documented names only (case-sensitive)', () => {
		expect(['Purchase', 'AddToCart', 'CompletePayment', 'AudienceSync', 'purchase'].map(isStandardEvent)).toEqual([true, true, true, false, false]);
	});
});
