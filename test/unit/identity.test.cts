// Identity (nodes/shared/identity/normalize.ts): email and phone normalization; the fast paths are checked against
// the regular-expression rule.
import { normalizeEmail, normalizeEmailValue, normalizePhone, normalizePhoneValue, phoneByRegex } from '../../nodes/shared/identity/normalize';

describe('email normalisation fast path', () => {
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

describe('phone normalisation fast path', () => {
	const alphabet = ['0', '1', '4', '8', '6', '00', '+', '(', ')', ' ', '-', '.', 'x', '\t', '\u00a0', '٣', '86', '44', '9'];
	test('agrees with the rule written with regular expressions on 60,000 generated strings, every format and code', () => {
		let seed = 11;
		const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
		const inputs = ['', ' ', '+', '00', '(+44) 7700-900123', '( +1 650 555 0101', '0044 7700 900123', '1234567890123456', '+1234567890123456', '+86 138 0013 8000', '8613800138000', '0000016577770000', '657-777-0000', '+1 657 777 0000 ext 12345678901'];
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
