import {
	buildRuleSpec,
	canonicalRuleSpec,
	describeRuleSpec,
	matchAudience,
	sameRuleSpec,
	type RuleSpec,
} from '../../nodes/shared/tiktok/rules';
import { eventOptions, resolveEventName, ruleFilterValue, CUSTOM_EVENT } from '../../nodes/shared/events/webEvents';

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
		[{ include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 0 } }, 'Rule: the lookback window must be a whole number of days, at least 1'],
		[{ include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 2.5 } }, 'Rule: the lookback window must be a whole number of days, at least 1'],
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
		[{ include: { pixelId: PIXEL, event: 'Purchase', lookbackDays: 30 }, exclude: { pixelId: PIXEL, event: 'Contact', lookbackDays: -1 } }, 'Exclusion rule: the lookback window must be a whole number of days, at least 1'],
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
