import { z } from 'zod';

/** TikTok's response envelope: every answer, success or error, has this shape. */
export const envelopeSchema = z.object({
	code: z.number().int(),
	message: z.string().optional().default(''),
	request_id: z.string().optional().default(''),
	data: z.unknown().optional(),
});

export const pageInfoSchema = z.object({
	page: z.number().int(),
	page_size: z.number().int(),
	total_number: z.number().int(),
	total_page: z.number().int(),
});

/** Success answers whose `data` the package does not read (update, delete). */
export const anyDataSchema = z.unknown();

export const userInfoSchema = z.object({
	display_name: z.string().optional(),
	core_user_id: z.string().optional(),
	email: z.string().optional(),
});

export const advertiserGetSchema = z.object({
	list: z.array(z.object({ advertiser_id: z.string(), advertiser_name: z.string().optional().default('') })),
});

export const advertiserInfoSchema = z.object({
	list: z.array(
		z.object({
			advertiser_id: z.string(),
			name: z.string().optional().default(''),
			currency: z.string().optional(),
			timezone: z.string().optional(),
		}),
	),
});

export const pixelSchema = z.object({
	pixel_id: z.string(),
	pixel_code: z.string(),
	pixel_name: z.string().optional().default(''),
});
export type Pixel = z.infer<typeof pixelSchema>;

export const pixelListSchema = z.object({
	pixels: z.array(pixelSchema.passthrough()),
	page_info: pageInfoSchema,
});

/** The fields of a custom audience that list/ and get/ share. */
export const audienceSchema = z
	.object({
		audience_id: z.string(),
		name: z.string(),
		audience_type: z.string().optional(),
		type: z.string().optional(),
		calculate_type: z.string().nullable().optional(),
		cover_num: z.number().int().optional().default(0),
		is_valid: z.boolean().optional().default(false),
		is_expiring: z.boolean().optional().default(false),
		is_auto_refresh: z.boolean().optional(),
		create_time: z.string().optional(),
		expired_time: z.string().nullable().optional(),
		rule: z.string().nullable().optional(),
	})
	.passthrough();
export type Audience = z.infer<typeof audienceSchema>;

export const audienceListSchema = z.object({
	list: z.array(audienceSchema),
	page_info: pageInfoSchema,
});

export const audienceHistorySchema = z
	.object({
		action: z.string().nullable().optional(),
		action_detail: z.string().nullable().optional(),
		editor: z.string().nullable().optional(),
		msg: z.string().nullable().optional(),
		opt_time: z.string(),
	})
	.passthrough();
export type AudienceHistoryEntry = z.infer<typeof audienceHistorySchema>;

export const audienceGetSchema = z.object({
	list: z.array(
		z.object({
			audience_details: audienceSchema,
			audience_history: z.array(audienceHistorySchema).optional().default([]),
		}),
	),
});
