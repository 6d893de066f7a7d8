import type { CalculateType } from './pipeline';

/**
 * Schema mapping: which item field or CSV column holds the email and which the phone. Checked before any network
 * call, with errors that say how to fix the mapping (CustomerLabs' rule: a single schema maps exactly one
 * identifier, Multiple Types at least two).
 */
export interface SchemaMapping {
	/** Field or column holding the email; empty when not mapped. */
	email: string;
	/** Field or column holding the phone; empty when not mapped. */
	phone: string;
	/** From Each Row: the field or column saying add or remove. */
	change?: string;
	/** Fields given as an expression that reads the item: the parameter's value per item is the value itself. */
	byValue?: { email?: boolean; phone?: boolean; change?: boolean };
}

/**
 * The mapping a list of this type reads: a single-type list reads only its own identifier, whatever the other field
 * says (both fields are shown, with defaults, because an existing audience's type is only known from TikTok).
 */
export function mappingFor(calculateType: CalculateType, mapping: SchemaMapping): SchemaMapping {
	if (calculateType === 'EMAIL_SHA256') return { ...mapping, phone: '' };
	if (calculateType === 'PHONE_SHA256') return { ...mapping, email: '' };
	return mapping;
}

/** CustomerLabs' export names for the two traits, recognized when the configured name is absent. */
export const CUSTOMERLABS_ALIASES = { email: 'identify_by_email', phone: 'identify_by_phone' } as const;

const TYPE_LABEL: Record<CalculateType, string> = {
	EMAIL_SHA256: 'Email',
	PHONE_SHA256: 'Phone',
	MULTIPLE_TYPES: 'Multiple Types',
};

/** A message saying what is wrong with the mapping and how to fix it, or undefined when it is valid. */
export function mappingProblem(calculateType: CalculateType, mapping: SchemaMapping): string | undefined {
	const email = mapping.email.trim() !== '';
	const phone = mapping.phone.trim() !== '';
	const label = TYPE_LABEL[calculateType];
	if (calculateType === 'EMAIL_SHA256' || calculateType === 'PHONE_SHA256') {
		const wanted = calculateType === 'EMAIL_SHA256' ? 'Email' : 'Phone';
		const ok = calculateType === 'EMAIL_SHA256' ? email : phone;
		return ok ? undefined : `Calculate Type "${label}" needs "${wanted} Field": enter the item field or CSV column that holds the ${wanted.toLowerCase()}.`;
	}
	if (!email || !phone) {
		const missing = !email && !phone ? '"Email Field" and "Phone Field"' : !email ? '"Email Field"' : '"Phone Field"';
		return `Calculate Type "Multiple Types" needs at least two identifiers mapped: set ${missing}, or choose Calculate Type "${email ? 'Email' : 'Phone'}" to send one.`;
	}
	return undefined;
}

/** Index of a column: the exact name, then ignoring case and spaces, then CustomerLabs' alias; -1 when absent. */
export function findColumn(header: string[], name: string, alias?: string): number {
	const exact = header.indexOf(name);
	if (exact !== -1) return exact;
	const want = name.trim().toLowerCase();
	const loose = header.findIndex((h) => h.trim().toLowerCase() === want);
	if (loose !== -1 || alias === undefined) return loose;
	return header.findIndex((h) => h.trim().toLowerCase() === alias);
}
