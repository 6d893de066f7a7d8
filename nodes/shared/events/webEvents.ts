/**
 * Website events a pixel audience can be built on: the Events API name (what Send Sync Event sends) and the rule
 * filter value TikTok's `rule/create` expects for it (documented with `rule/create`; the pairing is inferred from TikTok's filter
 * enum, UNCONFIRMED, and is the emulator's pairing too). Events API names are case-sensitive.
 */
export interface WebEvent {
	/** Events API 2.0 name, e.g. `Purchase`. */
	event: string;
	/** `rule_spec` filter value, e.g. `COMPLETE PAYMENT`. */
	filterValue: string;
	label: string;
}

export const WEB_EVENTS: readonly WebEvent[] = [
	{ event: 'AddPaymentInfo', filterValue: 'PIXEL ADD PAYMENT INFO', label: 'Add Payment Info' },
	{ event: 'AddToCart', filterValue: 'PIXEL ADD TO CART', label: 'Add to Cart' },
	{ event: 'AddToWishlist', filterValue: 'PIXEL ADD TO WISHLIST', label: 'Add to Wishlist' },
	{ event: 'ClickButton', filterValue: 'CLICK BUTTON', label: 'Click Button' },
	{ event: 'CompletePayment', filterValue: 'COMPLETE PAYMENT', label: 'Complete Payment (Legacy Name of Purchase)' },
	{ event: 'CompleteRegistration', filterValue: 'COMPLETE REGISTRATION', label: 'Complete Registration' },
	{ event: 'Contact', filterValue: 'CONTACT', label: 'Contact' },
	{ event: 'Download', filterValue: 'DOWNLOAD', label: 'Download' },
	{ event: 'InitiateCheckout', filterValue: 'INITIATE CHECKOUT', label: 'Initiate Checkout' },
	{ event: 'Lead', filterValue: 'PIXEL SUBMIT FORM', label: 'Lead' },
	{ event: 'PageView', filterValue: 'PAGE BROWSE', label: 'Page View' },
	{ event: 'PlaceAnOrder', filterValue: 'PLACE AN ORDER', label: 'Place an Order' },
	{ event: 'Purchase', filterValue: 'COMPLETE PAYMENT', label: 'Purchase' },
	{ event: 'Search', filterValue: 'PIXEL SEARCH', label: 'Search' },
	{ event: 'SubmitForm', filterValue: 'PIXEL SUBMIT FORM', label: 'Submit Form (Legacy Name of Lead)' },
	{ event: 'Subscribe', filterValue: 'PIXEL SUBSCRIBE', label: 'Subscribe' },
	{ event: 'ViewContent', filterValue: 'PRODUCT DETAIL PAGE BROWSE', label: 'View Content' },
];

/** Parameter value of the "custom event" choice in event dropdowns. */
export const CUSTOM_EVENT = '__custom';

/** Events API name → rule filter value. A custom event is filtered on its own name. */
export function ruleFilterValue(event: string): string {
	return WEB_EVENTS.find((e) => e.event === event)?.filterValue ?? event;
}

/** Resolves an event dropdown (`Purchase`, or CUSTOM_EVENT plus a typed name) to the Events API name. */
export function resolveEventName(choice: string, customName: string): string {
	return (choice === CUSTOM_EVENT ? customName : choice).trim();
}

/** Dropdown options, sorted by label, with the custom choice last. */
export function eventOptions(): Array<{ name: string; value: string; description?: string }> {
	return [
		...WEB_EVENTS.map((e) => ({ name: e.label, value: e.event, description: `Events API "${e.event}"; rule filter "${e.filterValue}"` })),
		{ name: 'Custom Event', value: CUSTOM_EVENT, description: 'An event name of your own' },
	].sort((a, b) => a.name.localeCompare(b.name));
}
