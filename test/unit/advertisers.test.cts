// The Default Advertiser ID where it matters: the picker's order and label (nodes/shared/ui/listSearch.ts) and the
// fallback every node's reader uses (nodes/shared/tiktok/advertisers.ts).
import { advertiserOrDefault } from '../../nodes/shared/tiktok/advertisers';
import { advertiserEntries } from '../../nodes/shared/ui/listSearch';

const shop = { id: '7100000000000000001', name: 'Shop' };
const brand = { id: '7100000000000000002', name: 'Brand' };
const unnamed = { id: '7100000000000000003', name: '' };

describe('advertiserEntries (the advertiser picker)', () => {
	test('without a default: TikTok order, "name (id)", the id alone when unnamed', () => {
		expect(advertiserEntries([shop, brand, unnamed], '')).toEqual([
			{ name: 'Shop (7100000000000000001)', value: '7100000000000000001' },
			{ name: 'Brand (7100000000000000002)', value: '7100000000000000002' },
			{ name: '7100000000000000003', value: '7100000000000000003' },
		]);
	});
	test('the default first, marked "(default)", the others after it in TikTok order', () => {
		expect(advertiserEntries([shop, brand, unnamed], brand.id)).toEqual([
			{ name: 'Brand (7100000000000000002) (default)', value: '7100000000000000002' },
			{ name: 'Shop (7100000000000000001)', value: '7100000000000000001' },
			{ name: '7100000000000000003', value: '7100000000000000003' },
		]);
		expect(advertiserEntries([shop, brand, unnamed], unnamed.id)[0]).toEqual({ name: '7100000000000000003 (default)', value: '7100000000000000003' });
	});
	test('a default the token does not list is still first, and says so', () => {
		expect(advertiserEntries([shop], '7100000000000000009')).toEqual([
			{ name: '7100000000000000009 (default, not among the advertisers this token may manage)', value: '7100000000000000009' },
			{ name: 'Shop (7100000000000000001)', value: '7100000000000000001' },
		]);
		expect(advertiserEntries([], '7100000000000000009')).toEqual([
			{ name: '7100000000000000009 (default, not among the advertisers this token may manage)', value: '7100000000000000009' },
		]);
	});
});

describe('advertiserOrDefault (every node reader)', () => {
	test.each([
		['7100000000000000002', '7100000000000000001', '7100000000000000002'],
		[' 7100000000000000002 ', '', '7100000000000000002'],
		['', '7100000000000000001', '7100000000000000001'],
		['  ', ' 7100000000000000001 ', '7100000000000000001'],
		[undefined, '7100000000000000001', '7100000000000000001'],
		[null, '', ''],
	])('node %p, credential %p → %p', (fromNode, fallback, expected) => {
		expect(advertiserOrDefault(fromNode, fallback)).toBe(expected);
	});
});
