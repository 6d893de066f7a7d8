import { anyParameterDependsOnItem, dependsOnItem, simpleFieldPath } from '../../nodes/shared/ui/itemParameters';

describe('simpleFieldPath', () => {
	test.each([
		['={{ $json.email }}', ['email']],
		['={{$json.user.email}}', ['user', 'email']],
		['={{ $json["e-mail"] }}', ['e-mail']],
		["={{ $json.contacts[0]['phone'] }}", ['contacts', 0, 'phone']],
	])('%s → %p', (expression, path) => {
		expect(simpleFieldPath(expression)).toEqual(path);
	});
	test.each(['={{ $json.email.toLowerCase() }}', '={{ $json.email || $json.mail }}', '={{ $json }}', 'email', '=x {{ $json.email }}', "={{ $('A').item.json.email }}"])(
		'%s is not a plain field read',
		(expression) => {
			expect(simpleFieldPath(expression)).toBeUndefined();
		},
	);
});

describe('dependsOnItem', () => {
	test.each([
		['={{ $json.email }}', true],
		["={{ $('Create').item.json.recipe }}", true],
		["={{ $('Create').itemMatching(0).json }}", true],
		['={{ $input.first().json.x }}', true],
		['={{ $node["Create"].json.recipe }}', true],
		['={{ $binary.data }}', true],
		["={{ $('TikTok Create Website Audience').first().json.recipe }}", false],
		["={{ $('Create').last().json.recipe.pixel_code }}", false],
		['={{ 1 + 1 }}', false],
	])('%s → %p', (expression, expected) => {
		expect(dependsOnItem(expression)).toBe(expected);
	});
});

test('anyParameterDependsOnItem: constant values and item-independent expressions read once; $json anywhere reads per item', () => {
	const ctx = (parameters: Record<string, unknown>) => ({ getNode: () => ({ parameters }) }) as unknown as Parameters<typeof anyParameterDependsOnItem>[0];
	expect(anyParameterDependsOnItem(ctx({ listName: 'CRM buyers', emailField: 'email', options: { maxFileMb: 100 } }))).toBe(false);
	expect(anyParameterDependsOnItem(ctx({ listName: "={{ $('Settings').first().json.name }}" }))).toBe(false);
	expect(anyParameterDependsOnItem(ctx({ listName: 'CRM buyers', options: { defaultCountryCode: '={{ $json.country }}' } }))).toBe(true);
	expect(anyParameterDependsOnItem(ctx({ emailField: '={{ $json.email }}' }))).toBe(true);
});
