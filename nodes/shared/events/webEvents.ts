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
	{ event: 'CompletePayment', filterValue: 'COMPLETE PAYMENT', label: 'Complete Payment (Legacy)' },
	{ event: 'CompleteRegistration', filterValue: 'COMPLETE REGISTRATION', label: 'Complete Registration' },
	{ event: 'Contact', filterValue: 'CONTACT', label: 'Contact' },
	{ event: 'Download', filterValue: 'DOWNLOAD', label: 'Download' },
	{ event: 'InitiateCheckout', filterValue: 'INITIATE CHECKOUT', label: 'Initiate Checkout' },
	{ event: 'Lead', filterValue: 'PIXEL SUBMIT FORM', label: 'Lead' },
	{ event: 'PageView', filterValue: 'PAGE BROWSE', label: 'Page View' },
	{ event: 'PlaceAnOrder', filterValue: 'PLACE AN ORDER', label: 'Place an Order' },
	{ event: 'Purchase', filterValue: 'COMPLETE PAYMENT', label: 'Purchase' },
	{ event: 'Search', filterValue: 'PIXEL SEARCH', label: 'Search' },
	{ event: 'SubmitForm', filterValue: 'PIXEL SUBMIT FORM', label: 'Submit Form (Legacy)' },
	{ event: 'Subscribe', filterValue: 'PIXEL SUBSCRIBE', label: 'Subscribe' },
	{ event: 'ViewContent', filterValue: 'PRODUCT DETAIL PAGE BROWSE', label: 'View Content' },
];

/** Parameter value of the "custom event" choice in event dropdowns. */
export const CUSTOM_EVENT = '__custom';

/**
 * The custom event name both Event Sync nodes default to (from node version 1.1), so a new Create Website Audience and
 * a new Send Sync Event are in step without touching either. A custom event is not a conversion: standard events
 * (Purchase, AddToCart, …) sent for a segment's people would count as real conversions of the pixel, in reporting and
 * in the bidding of campaigns optimized for them. CustomerLabs also lets the user choose the event name
 * (https://www.customerlabs.com/docs/, "Sync CustomerLabs Audience with TikTok Ads", Event Sync).
 */
export const DEFAULT_CUSTOM_EVENT = 'AudienceSync';

/** Events API name → rule filter value. A custom event is filtered on its own name. */
export function ruleFilterValue(event: string): string {
	return WEB_EVENTS.find((e) => e.event === event)?.filterValue ?? event;
}

/** Whether TikTok counts this event name as a standard event (a conversion), not a custom one. Case-sensitive. */
export function isStandardEvent(event: string): boolean {
	return WEB_EVENTS.some((e) => e.event === event);
}

/** Resolves an event dropdown (`Purchase`, or CUSTOM_EVENT plus a typed name) to the Events API name. */
export function resolveEventName(choice: string, customName: string): string {
	return (choice === CUSTOM_EVENT ? customName : choice).trim();
}

/** Dropdown options, sorted by label (as n8n's lint asks); standard events say they count as conversions. */
export function eventOptions(): Array<{ name: string; value: string; description?: string }> {
	return [
		...WEB_EVENTS.map((e) => ({
			name: e.label,
			value: e.event,
			description: `Standard event "${e.event}": counts as a real conversion on the pixel (rule filter "${e.filterValue}")`,
		})),
		{ name: 'Custom Event', value: CUSTOM_EVENT, description: 'An event name of your own: not a conversion. Recommended for audience sync.' },
	].sort((a, b) => a.name.localeCompare(b.name));
}
