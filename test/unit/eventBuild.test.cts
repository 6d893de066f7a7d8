import CryptoJS from 'crypto-js';

import {
	buildProperties,
	buildUser,
	deterministicEventId,
	hasConsent,
	isMatchable,
	parseEventTime,
} from '../../nodes/shared/events/build';

const sha = (s: string) => CryptoJS.SHA256(s).toString(CryptoJS.enc.Hex);

describe('buildUser', () => {
	test("TikTok's documented examples (reference §4.1) hash exactly", () => {
		const built = buildUser({ email: ' ALICE_abc@gmail.com ', phone: '(+1)2133734253', externalId: 'user_123' });
		expect(built.user).toEqual({
			email: ['848a771458438fc2ec420560d769fb9b9b86851ee338ec56517baabd79d3bb4f'],
			phone: ['9f7ec22d72092cd3c0b58726ed9c2d91b92e51a3f29837508fb2948bb22dd2fd'],
			external_id: ['80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b'],
		});
		expect(built.user.email).toEqual([sha('alice_abc@gmail.com')]);
		expect(built.user.phone).toEqual([sha('+12133734253')]);
		expect(built.userKey).toBe(sha('alice_abc@gmail.com'));
		expect(built.used).toEqual(['email', 'phone', 'external_id']);
		expect(built.ignored).toEqual({});
	});

	test('phones: E.164 with +, default country code, and the China 86 rule', () => {
		expect(buildUser({ phone: '0612 345 678' }, { defaultCountryCode: '31' }).user.phone).toEqual([sha('+31612345678')]);
		expect(buildUser({ phone: '+86 138 0013 8000' }).user.phone).toEqual([sha('13800138000')]);
		expect(buildUser({ phone: '612 345 678' }).ignored).toEqual({ phone: 'phone_no_country_code' });
	});

	test('pre-hashed values pass unchanged (lower-cased), never re-hashed; duplicates collapse', () => {
		const h = sha('bob@example.com');
		expect(buildUser({ email: [h.toUpperCase(), 'Bob@Example.com', ''] }).user.email).toEqual([h]);
	});

	test('the pre-hashed rule is the one List Sync uses: 64 hex characters of either case, anchored', () => {
		const h = sha('bob@example.com');
		const mixed = `${h.slice(0, 32).toUpperCase()}${h.slice(32)}`;
		expect(buildUser({ phone: [` ${h.toUpperCase()} `], externalId: mixed }).user).toEqual({ phone: [h], external_id: [h] });
		// 65 or 63 hex characters are not pre-hashed: hashed as an external ID, refused as an email.
		expect(buildUser({ externalId: `${h}0` }).user.external_id).toEqual([sha(`${h}0`)]);
		expect(buildUser({ email: h.slice(1) }).ignored).toEqual({ email: 'email_invalid' });
	});

	test('an email longer than 254 characters is ignored as too long', () => {
		expect(buildUser({ email: `${'a'.repeat(243)}@example.com` }).ignored).toEqual({ email: 'email_too_long' });
	});

	test('raw fields are sent as given; invalid hashed fields are reported by reason, never by value', () => {
		const built = buildUser({ email: 'not-an-email', ip: ' 13.57.97.131 ', userAgent: 'Mozilla/5.0', ttclid: 'E.C.P.x', ttp: 'ttp-1', locale: 'en-US' });
		expect(built.user).toEqual({ ip: '13.57.97.131', user_agent: 'Mozilla/5.0', ttclid: 'E.C.P.x', ttp: 'ttp-1', locale: 'en-US' });
		expect(built.ignored).toEqual({ email: 'email_invalid' });
		expect(JSON.stringify(built)).not.toContain('not-an-email');
		expect(built.userKey).toBe('ttp-1');
		expect(built.used).toEqual(['ttclid', 'ttp', 'ip', 'user_agent']);
	});

	test('numbers are identifiers too (external IDs from databases)', () => {
		expect(buildUser({ externalId: 12345 }).user.external_id).toEqual([sha('12345')]);
	});

	test('isMatchable needs a hashed ID, a click/cookie ID, or IP plus user agent', () => {
		expect(isMatchable({})).toBe(false);
		expect(isMatchable({ ip: '1.2.3.4' })).toBe(false);
		expect(isMatchable({ ip: '1.2.3.4', user_agent: 'UA' })).toBe(true);
		expect(isMatchable({ ttp: 'x' })).toBe(true);
		expect(isMatchable({ email: [sha('a@b.co')] })).toBe(true);
	});
});

describe('parseEventTime', () => {
	const now = Date.UTC(2025, 0, 15, 12, 0, 0, 500);
	test.each([
		[undefined, 1736942400],
		['', 1736942400],
		[1736900000, 1736900000],
		[1736900000123, 1736900000],
		['1736900000', 1736900000],
		['2025-01-15T10:00:00Z', 1736935200],
		['2025-01-15T10:00:00+01:00', 1736931600],
		[new Date('2025-01-15T10:00:00Z'), 1736935200],
	])('%p → %p', (raw, expected) => {
		expect(parseEventTime(raw, now)).toBe(expected);
	});
	test.each([['yesterday'], [{}], [true], [-5]])('%p is not a time', (raw) => {
		expect(parseEventTime(raw, now)).toBeUndefined();
	});
});

describe('deterministicEventId', () => {
	const parts = { audienceId: '6900000000000000001', pixelCode: 'CEMU0PIXEL0MAIN00001', event: 'Purchase', userKey: sha('a@b.co'), windowHours: 24 };
	test('is sha256(audience|pixel|event|user|bucket), bucket = day number for a 24 h window', () => {
		const t = Date.UTC(2025, 0, 15, 12) / 1000;
		expect(deterministicEventId({ ...parts, eventTime: t })).toBe(sha(`6900000000000000001|CEMU0PIXEL0MAIN00001|Purchase|${parts.userKey}|20103`));
	});
	test('same window → same ID; next window, other user, other audience → other IDs', () => {
		const morning = Date.UTC(2025, 0, 15, 1) / 1000;
		const evening = Date.UTC(2025, 0, 15, 23) / 1000;
		const nextDay = Date.UTC(2025, 0, 16, 1) / 1000;
		const id = deterministicEventId({ ...parts, eventTime: morning });
		expect(deterministicEventId({ ...parts, eventTime: evening })).toBe(id);
		expect(deterministicEventId({ ...parts, eventTime: nextDay })).not.toBe(id);
		expect(deterministicEventId({ ...parts, eventTime: morning, userKey: sha('c@d.co') })).not.toBe(id);
		expect(deterministicEventId({ ...parts, eventTime: morning, audienceId: '6900000000000000002' })).not.toBe(id);
		expect(deterministicEventId({ ...parts, eventTime: morning, windowHours: 1 })).toBe(
			sha(`6900000000000000001|CEMU0PIXEL0MAIN00001|Purchase|${parts.userKey}|${Math.floor(morning / 3600)}`),
		);
	});
});

describe('buildProperties', () => {
	test('value, currency, content type and contents (object list or JSON text)', () => {
		expect(buildProperties({ value: '46.5', currency: 'usd', contentType: 'product', contents: '[{"content_id":"1077218","quantity":2}]' })).toEqual({
			ok: true,
			properties: { value: 46.5, currency: 'USD', content_type: 'product', contents: [{ content_id: '1077218', quantity: 2 }] },
		});
		expect(buildProperties({ value: '', currency: '', contents: '' })).toEqual({ ok: true, properties: undefined });
	});
	test.each([
		[{ value: 'abc' }, 'Value is not a number'],
		[{ currency: 'dollars' }, 'Currency must be a 3-letter ISO 4217 code such as USD'],
		[{ contents: '{oops' }, 'Contents is not valid JSON'],
		[{ contents: '{"content_id":"1"}' }, 'Contents must be a list of objects, e.g. [{"content_id": "sku-1", "quantity": 1}]'],
	])('refuses %p', (input, problem) => {
		expect(buildProperties(input)).toEqual({ ok: false, problem });
	});
});

test('consent values', () => {
	for (const yes of [true, 1, 'true', 'YES', ' granted ', 'opt-in', '1']) expect(hasConsent(yes)).toBe(true);
	for (const no of [false, 0, 'false', 'no', '', undefined, null, 'denied', {}]) expect(hasConsent(no)).toBe(false);
});
