// Deterministic fixtures the emulator starts with. Exported so tests and the demo can import them; every value here
// is a test fixture, never a real credential.

export interface SeedAdvertiser {
	advertiser_id: string;
	advertiser_name: string;
	company: string;
	currency: string;
	timezone: string;
	country: string;
	/** Unix seconds. */
	create_time: number;
}

export interface SeedPixel {
	advertiser_id: string;
	pixel_id: string;
	pixel_code: string;
	pixel_name: string;
	/** Unix seconds. */
	create_time: number;
}

export interface SeedToken {
	access_token: string;
	expired: boolean;
	advertiser_ids: string[];
	core_user_id: string;
	display_name: string;
	/** Already masked, as /user/info/ returns it. */
	email: string;
}

export const SEED = {
	app: {
		app_id: '7000000000000000001',
		secret: 'e0a5ec7e7000000000000000000000000000fee7',
	},
	/** Long-term advertiser token granted to GRANTED_ADVERTISER_ID. */
	validToken: 'e0a1a7e5700000000000000000000000000000a1',
	/** Flagged expired: every call with it returns 40102. */
	expiredToken: 'e0a1a7e5700000000000000000000000000000e2',
	/** A second valid token, granted only to the advertiser the first token cannot reach (cross-advertiser tests). */
	otherToken: 'e0a1a7e5700000000000000000000000000000b3',
	grantedAdvertiserId: '7100000000000000001',
	otherAdvertiserId: '7100000000000000002',
	advertisers: [
		{
			advertiser_id: '7100000000000000001',
			advertiser_name: 'Emulator Shop (granted)',
			company: 'Emulator Shop Ltd',
			currency: 'USD',
			timezone: 'Etc/GMT',
			country: 'US',
			create_time: 1704067200,
		},
		{
			advertiser_id: '7100000000000000002',
			advertiser_name: 'Other Business (not granted)',
			company: 'Other Business Inc',
			currency: 'EUR',
			timezone: 'Europe/Berlin',
			country: 'DE',
			create_time: 1704067200,
		},
	] as SeedAdvertiser[],
	pixels: [
		{
			advertiser_id: '7100000000000000001',
			pixel_id: '7200000000000000011',
			pixel_code: 'CEMU0PIXEL0MAIN00001',
			pixel_name: 'Main website',
			create_time: 1704067200,
		},
		{
			advertiser_id: '7100000000000000001',
			pixel_id: '7200000000000000012',
			pixel_code: 'CEMU0PIXEL0SHOP00002',
			pixel_name: 'Shop checkout',
			create_time: 1704153600,
		},
		{
			advertiser_id: '7100000000000000002',
			pixel_id: '7200000000000000021',
			pixel_code: 'CEMU0PIXEL0OTHER0003',
			pixel_name: 'Other business website',
			create_time: 1704153600,
		},
	] as SeedPixel[],
};

export const SEED_TOKENS: SeedToken[] = [
	{
		access_token: SEED.validToken,
		expired: false,
		advertiser_ids: [SEED.grantedAdvertiserId],
		core_user_id: '7300000000000000001',
		display_name: 'Emulator User',
		email: 'em***@example.com',
	},
	{
		access_token: SEED.expiredToken,
		expired: true,
		advertiser_ids: [SEED.grantedAdvertiserId],
		core_user_id: '7300000000000000001',
		display_name: 'Emulator User',
		email: 'em***@example.com',
	},
	{
		access_token: SEED.otherToken,
		expired: false,
		advertiser_ids: [SEED.otherAdvertiserId],
		core_user_id: '7300000000000000002',
		display_name: 'Other User',
		email: 'ot***@example.com',
	},
];

export type Seed = typeof SEED;
