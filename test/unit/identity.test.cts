// Identity (nodes/shared/identity/normalize.ts): email and phone normalization; the fast paths are checked against
// the regular-expression rule; extensions, URI prefixes and digits of other scripts with their exact hashes.
import { createHash } from 'node:crypto';

import { buildUser } from '../../nodes/shared/events/build';
import { sha256Hex } from '../../nodes/shared/identity/hash';
import {
	asciiPhoneText,
	normalizeEmail,
	normalizeEmailValue,
	normalizePhone,
	normalizePhoneValue,
	phoneByRegex,
	REJECT_REASON_TEXT,
} from '../../nodes/shared/identity/normalize';

/** SHA-256 computed here, independently of the package's hash module. */
const expectedHash = (normalized: string) => createHash('sha256').update(normalized, 'utf8').digest('hex');

describe('email normalization fast path', () => {
	// The rule as first written (trim, lowercase, one regular expression): the fast path must agree on every input.
	const SHAPE = /^[^\s@]+@[^\s@.]+(?:\.[^\s@.]+)+$/;
	function reference(raw: string, gmail: boolean): string {
		let value = raw.trim().toLowerCase();
		if (value === '') return 'empty';
		if (!SHAPE.test(value)) return 'email_invalid';
		if (value.length > 254) return 'email_too_long';
		if (gmail) {
			const at = value.lastIndexOf('@');
			const domain = value.slice(at + 1);
			if (domain === 'gmail.com' || domain === 'googlemail.com') {
				const local = value.slice(0, at).split('+')[0].replace(/\./g, '');
				if (local === '') return 'email_invalid';
				value = `${local}@gmail.com`;
			}
		}
		return value;
	}
	const alphabet = ['a', 'Z', '.', '@', '+', ' ', '\t', '\u00a0', 'é', '\u0001', '\u007f', '-', '_', 'gmail.com', 'x.co'];
	test('agrees with the reference rule on 40,000 generated strings and known edge cases', () => {
		let seed = 7;
		const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
		const long = `${'a'.repeat(243)}@example.com`;
		const inputs = [long, `${long} `, `${long}\u00a0`, `é${long}`, `${long}x`, `${long}.`, ` ${long}x\u00a0`, '', ' ', 'a@b.c', 'A@B.C ', '@b.c', 'a@.c', 'a@b.', 'a@b..c', 'a@@b.c', 'a b@c.d', '\u00a0a@b.c\u00a0', '.a..b@c.d', '+x@gmail.com', 'J.a+t@GoogleMail.com'];
		for (let i = 0; i < 40_000; i++) {
			let s = '';
			const n = 1 + Math.floor(random() * 8);
			for (let k = 0; k < n; k++) s += alphabet[Math.floor(random() * alphabet.length)];
			inputs.push(s);
		}
		for (const raw of inputs) {
			for (const gmail of [false, true]) {
				const expected = reference(raw, gmail);
				expect([raw, gmail, normalizeEmailValue(raw, gmail)]).toEqual([raw, gmail, expected]);
				expect(normalizeEmail(raw, { canonicalizeGmail: gmail })).toEqual(expected.includes('@') ? { ok: true, value: expected } : { ok: false, reason: expected });
			}
		}
	});
});

describe('phone normalization fast path', () => {
	const alphabet = ['0', '1', '4', '8', '6', '00', '+', '(', ')', ' ', '-', '.', 'x', '\t', '\u00a0', '٣', '86', '44', '9', '#', ',', ';', '*', 'ext', 'tel:', 'a', '６', '＋', '/'];
	test('agrees with the rule written with regular expressions on 60,000 generated strings, every format and code', () => {
		let seed = 11;
		const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
		const inputs = ['', ' ', '+', '00', '(+44) 7700-900123', '( +1 650 555 0101', '0044 7700 900123', '1234567890123456', '+1234567890123456', '+86 138 0013 8000', '8613800138000', '0000016577770000', '657-777-0000', '+1 657 777 0000 ext 12345678901', '+1 657 777 0000 +1', 'Mobile: 0044 7700 900123', '- +44 7700 900123', '0', '0 0'];
		for (let i = 0; i < 60_000; i++) {
			let s = '';
			const n = 1 + Math.floor(random() * 14);
			for (let k = 0; k < n; k++) s += alphabet[Math.floor(random() * alphabet.length)];
			inputs.push(s);
		}
		for (const raw of inputs) {
			for (const code of ['', '1', '44', '374', '86', '01']) {
				for (const format of ['digits', 'e164'] as const) {
					expect([raw, code, format, normalizePhoneValue(raw, format, code)]).toEqual([raw, code, format, phoneByRegex(raw, format, code)]);
				}
			}
		}
	});
	test('normalizePhone wraps the same rule in a result object', () => {
		expect(normalizePhone(' (657) 777-0000 ', { format: 'e164', defaultCountryCode: '+1' })).toEqual({ ok: true, value: '+16577770000' });
		expect(normalizePhone('+86 138 0013 8000', { format: 'e164' })).toEqual({ ok: true, value: '13800138000' });
		expect(normalizePhone('657', { format: 'digits' })).toEqual({ ok: false, reason: 'phone_no_country_code' });
	});
});

interface PhoneCase {
	raw: string;
	/** The number TikTok's customer-file rule hashes (`digits`), or the rejection reason. */
	digits: string;
	/** The Events API form (`e164`), when different from `+` and the digits. */
	e164?: string;
	code?: string;
}

// Every case of the rule in normalizePhone: accepted ones with the exact number hashed, the others with their reason.
const PHONE_CASES: PhoneCase[] = [
	{ raw: 'tel:+1-650-555-0101', digits: '16505550101' },
	{ raw: 'tel://+16505550101', digits: '16505550101' },
	{ raw: 'TEL:+44 7700 900123', digits: '447700900123' },
	{ raw: 'tel:650-555-0101', digits: '16505550101', code: '1' },
	{ raw: 'Tel: +44 7700 900123', digits: '447700900123' },
	{ raw: 'Mobile: +44 7700 900123', digits: '447700900123', code: '1' },
	{ raw: 'Mobile: 0044 7700 900123', digits: '447700900123', code: '1' },
	{ raw: '+1 650 555 0101 (mobile)', digits: '16505550101' },
	{ raw: '+1 650 555 0101 ext.', digits: '16505550101' },
	{ raw: '＋１ ６５０ ５５５ ０１０１', digits: '16505550101' },
	{ raw: '+1 ６５０ 555 ０１０１', digits: '16505550101' },
	{ raw: '（６５０）５５５－０１０１', digits: '16505550101', code: '1' },
	{ raw: '+٩٧١ ٥٠ ١٢٣ ٤٥٦٧', digits: '971501234567' },
	{ raw: '+۹۷۱۵۰۱۲۳۴۵۶۷', digits: '971501234567' },
	{ raw: '+९१ ९८७६५ ४३२१०', digits: '919876543210' },
	{ raw: '+๖๖ ๘๑ ๒๓๔ ๕๖๗๘', digits: '66812345678' },
	{ raw: '+𝟒𝟒 𝟕𝟕𝟎𝟎 𝟗𝟎𝟎𝟏𝟐𝟑', digits: '447700900123' },
	{ raw: '+86 138 0013 8000 转', digits: '8613800138000', e164: '13800138000' },
	{ raw: '+1 650 555 0101 ext. 23', digits: 'phone_extension' },
	{ raw: '+1 650 555 0101 ext 23', digits: 'phone_extension' },
	{ raw: '+1 650 555 0101 extension 23', digits: 'phone_extension' },
	{ raw: '+1 650 555 0101 Extn: 23', digits: 'phone_extension' },
	{ raw: '+1 650 555 0101 x23', digits: 'phone_extension' },
	{ raw: '(650) 555-0101 X 23', digits: 'phone_extension', code: '1' },
	{ raw: '+1 650 555 0101 #23', digits: 'phone_extension' },
	{ raw: '+1 650 555 0101 *23', digits: 'phone_extension' },
	{ raw: 'tel:+1-650-555-0101;ext=23', digits: 'phone_extension' },
	{ raw: 'tel:+1-650-555-0101;isub=23', digits: 'phone_extension' },
	{ raw: '+16505550101,,23', digits: 'phone_extension' },
	{ raw: '+16505550101;23', digits: 'phone_extension' },
	{ raw: '+16505550101p23', digits: 'phone_extension' },
	{ raw: '+16505550101w23', digits: 'phone_extension' },
	{ raw: '+1 650 555 0101 ＃２３', digits: 'phone_extension' },
	{ raw: '＋１ ６５０ ５５５ ０１０１ ｅｘｔ．２３', digits: 'phone_extension' },
	{ raw: '+1 650 555 0101 x 12345678901', digits: 'phone_extension' },
	{ raw: '+1 650 555 0101 or +1 650 555 0102', digits: 'phone_ambiguous' },
	{ raw: '+1 650 555 0101 / +44 7700 900123', digits: 'phone_ambiguous' },
	{ raw: '+1 650 555 0101 +1', digits: 'phone_ambiguous' },
	{ raw: '+1 650 555 0101, +44 7700 900123', digits: 'phone_ambiguous' },
	{ raw: '650 555 0101 mobile 2', digits: 'phone_ambiguous', code: '1' },
	{ raw: '+49 30 FLOW 1234', digits: 'phone_ambiguous' },
	{ raw: '+٩٧١ ٥٠ ١٢٣ ٤٥٦٧ داخلي ٢٣', digits: 'phone_ambiguous' },
	{ raw: 'tel:', digits: 'phone_invalid' },
	{ raw: '＋', digits: 'phone_invalid' },
];

describe('phone rule: extensions, URI prefixes, labels and digits of other scripts', () => {
	test.each(PHONE_CASES)('$raw → $digits', ({ raw, digits, e164, code }) => {
		const rejected = /^[a-z]/.test(digits);
		const options = { defaultCountryCode: code };
		const asDigits = normalizePhone(raw, { format: 'digits', ...options });
		const asE164 = normalizePhone(raw, { format: 'e164', ...options });
		if (rejected) {
			expect([asDigits, asE164]).toEqual([
				{ ok: false, reason: digits },
				{ ok: false, reason: digits },
			]);
		} else {
			const event = e164 ?? `+${digits}`;
			expect([asDigits, asE164]).toEqual([
				{ ok: true, value: digits },
				{ ok: true, value: event },
			]);
			// The exact digests: a customer file row, and an Events API user.
			expect(sha256Hex(digits)).toBe(expectedHash(digits));
			expect(buildUser({ phone: raw }, options).user.phone).toEqual([expectedHash(event)]);
		}
		// Both paths of the rule agree, whatever the input.
		for (const format of ['digits', 'e164'] as const) expect(normalizePhoneValue(raw, format, code ?? '')).toBe(phoneByRegex(raw, format, code ?? ''));
	});

	test('the hashes of one number written six ways are one hash; an extension is never hashed', () => {
		const ways = ['+1 650 555 0101', 'tel:+1-650-555-0101', '＋１ ６５０ ５５５ ０１０１', '+١ ٦٥٠ ٥٥٥ ٠١٠١', 'Mobile: +1 (650) 555-0101', '+1 650 555 0101 (work)'];
		expect(ways.map((raw) => buildUser({ phone: raw }).user.phone)).toEqual(ways.map(() => [expectedHash('+16505550101')]));
		expect(ways.map((raw) => normalizePhone(raw, { format: 'digits' }))).toEqual(ways.map(() => ({ ok: true, value: '16505550101' })));
		const withExtension = buildUser({ phone: '+1 650 555 0101 ext. 23' });
		expect(withExtension).toEqual({ user: {}, userKey: '', used: [], ignored: { phone: 'phone_extension' } });
	});

	test('a decimal digit of every script Unicode has counts by its value (checked against ICU numbering systems)', () => {
		const systems = Intl.supportedValuesOf('numberingSystem');
		const decimal = systems.filter((nu) => {
			const digits = [...new Intl.NumberFormat(`en-u-nu-${nu}`, { useGrouping: false }).format(1234567890)];
			return digits.length === 10 && digits.every((d) => /\p{Nd}/u.test(d));
		});
		// Arabic-Indic, Devanagari, full-width, mathematical and dozens more: every one reads as 1234567890.
		expect(decimal.length).toBeGreaterThanOrEqual(60);
		expect(decimal).toEqual(expect.arrayContaining(['arab', 'arabext', 'deva', 'fullwide', 'thai', 'mathbold', 'mathmono', 'beng', 'tamldec']));
		const misread = decimal.filter((nu) => asciiPhoneText(new Intl.NumberFormat(`en-u-nu-${nu}`, { useGrouping: false }).format(1234567890)) !== '1234567890');
		expect(misread).toEqual([]);
	});

	test('the reasons say what is wrong and how to fix it', () => {
		expect(REJECT_REASON_TEXT.phone_extension).toBe('phone number has an extension or a dialing suffix (ext., x, #, ;ext=, a pause): remove it; TikTok matches the number alone');
		expect(REJECT_REASON_TEXT.phone_ambiguous).toBe(
			'phone number has letters or a second + between its digits (a word, letters standing for digits, or two numbers): write one number in digits',
		);
	});
});

describe('email: full-width forms are the same address; other characters stay as written', () => {
	test.each([
		['ａｎｎ＠ｅｘａｍｐｌｅ．ｃｏｍ', 'ann@example.com'],
		['ANN＠EXAMPLE.COM', 'ann@example.com'],
		['　Ann@Example.com　', 'ann@example.com'],
		['Ｊ.Ａ+ｔａｇ＠ｇｍａｉｌ．ｃｏｍ', 'j.a+tag@gmail.com'],
		['josé@example.com', 'josé@example.com'],
		['ﬁ@example.com', 'ﬁ@example.com'],
		['①@example.com', '①@example.com'],
	])('%s → %s', (raw, expected) => {
		expect(normalizeEmail(raw)).toEqual({ ok: true, value: expected });
		expect(buildUser({ email: raw }).user.email).toEqual([expectedHash(expected)]);
	});

	test('Gmail canonicalization applies after the full-width mapping; a full-width address that is not one stays invalid', () => {
		expect(normalizeEmail('Ｊ.Ａ+ｔａｇ＠ｇｍａｉｌ．ｃｏｍ', { canonicalizeGmail: true })).toEqual({ ok: true, value: 'ja@gmail.com' });
		expect(normalizeEmail('ａｎｎ＠＠ｅｘａｍｐｌｅ．ｃｏｍ')).toEqual({ ok: false, reason: 'email_invalid' });
		expect(normalizeEmail('ａｎｎ．ｅｘａｍｐｌｅ．ｃｏｍ')).toEqual({ ok: false, reason: 'email_invalid' });
	});
});
