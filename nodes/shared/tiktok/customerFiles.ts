import { z } from 'zod';

import { findAudiencesByName, getAudience } from './audiences';
import { lastReplaceAt } from './history';
import { anyDataSchema } from './schemas';
import { sendCheckingFirst, tiktokRequest, type TransportContext } from './transport';

/** Customer-file endpoints: upload a file, create an audience from files, update an audience with files. */
export const fileUploadSchema = z.object({ file_path: z.string().min(1) });
export const audienceCreateSchema = z.object({ custom_audience_id: z.union([z.string(), z.number()]).transform(String) });

export interface CustomerFileUpload {
	advertiserId: string;
	calculateType: string;
	/** The file bytes; kept by the caller so a retry can rebuild the multipart body. */
	file: Blob;
	fileName: string;
	/** MD5 of the bytes, lowercase hex: TikTok's `file_signature`. */
	md5: string;
	itemIndex?: number;
}

/** Uploads one customer file; returns its `file_path`. Nothing changes at TikTok until a create/update uses it. */
export async function uploadCustomerFile(
	this: TransportContext,
	upload: CustomerFileUpload,
): Promise<{ filePath: string; requestId: string }> {
	const res = await tiktokRequest(this, {
		method: 'POST',
		path: 'dmp/custom_audience/file/upload/',
		// A function, so every attempt sends a fresh multipart body (a stream cannot be sent twice).
		body: () => {
			const form = new FormData();
			form.append('advertiser_id', upload.advertiserId);
			form.append('calculate_type', upload.calculateType);
			form.append('file_signature', upload.md5);
			form.append('file', upload.file, upload.fileName);
			return form;
		},
		schema: fileUploadSchema,
		itemIndex: upload.itemIndex,
	});
	return { filePath: res.data.file_path, requestId: res.requestId };
}

export interface CreateCustomerFileAudience {
	advertiserId: string;
	name: string;
	calculateType: string;
	filePaths: string[];
	retentionInDays?: number;
	itemIndex?: number;
}

/**
 * Creates a customer-file audience. Create is not idempotent (TikTok allows duplicate names), so a transient
 * failure is not blindly retried: the audiences with this name are listed first, and an audience that was not
 * there before the call is taken as the one this call created; if there is none, the call is sent again, up to the
 * credential's Max Retries (see `sendCheckingFirst`). `existingIds` are the IDs with this name before.
 */
type Created = { audienceId: string; requestId: string; recovered: boolean };

export async function createCustomerFileAudience(
	this: TransportContext,
	req: CreateCustomerFileAudience,
	existingIds: string[] = [],
): Promise<Created> {
	const body = {
		advertiser_id: req.advertiserId,
		custom_audience_name: req.name,
		calculate_type: req.calculateType,
		file_paths: req.filePaths,
		...(req.retentionInDays !== undefined ? { retention_in_days: req.retentionInDays } : {}),
	};
	const send = async () =>
		await tiktokRequest(this, {
			method: 'POST',
			path: 'dmp/custom_audience/create/',
			body,
			schema: audienceCreateSchema,
			itemIndex: req.itemIndex,
			idempotent: false,
		});
	return await sendCheckingFirst(
		this,
		send,
		(res): Created => ({ audienceId: res.data.custom_audience_id, requestId: res.requestId, recovered: false }),
		async () => {
			// The call may have gone through before the failure: look before trying again.
			const after = await findAudiencesByName.call(this, req.advertiserId, req.name);
			const created = after.filter((a) => !existingIds.includes(a.audience_id));
			if (created.length === 1) return { done: { audienceId: created[0].audience_id, requestId: '', recovered: true } };
			// More than one new audience of that name: someone else is creating too; trying again could only add one.
			return created.length > 1 ? 'give_up' : 'retry';
		},
	);
}

export interface UpdateCustomerFileAudience {
	advertiserId: string;
	audienceId: string;
	action: 'APPEND' | 'REMOVE' | 'REPLACE';
	filePaths: string[];
	itemIndex?: number;
}

/**
 * Applies files to an audience. `action` is always sent: TikTok's default is REPLACE. APPEND and REMOVE are safe to
 * retry (set semantics); a REPLACE is not (a second one within 24 h is rejected), so after each transient failure
 * the audience history is read: a replace newer than the one before the call (`replacedBefore`, epoch ms) means
 * the call went through; otherwise it is sent again, up to the credential's Max Retries (see `sendCheckingFirst`).
 */
type Updated = { requestId: string; recovered: boolean };

export async function updateCustomerFileAudience(
	this: TransportContext,
	req: UpdateCustomerFileAudience,
	replacedBefore?: number,
): Promise<Updated> {
	const replace = req.action === 'REPLACE';
	const send = async () =>
		await tiktokRequest(this, {
			method: 'POST',
			path: 'dmp/custom_audience/update/',
			body: {
				advertiser_id: req.advertiserId,
				custom_audience_id: req.audienceId,
				action: req.action,
				file_paths: req.filePaths,
			},
			schema: anyDataSchema,
			itemIndex: req.itemIndex,
			idempotent: !replace,
		});
	if (!replace) {
		const res = await send();
		return { requestId: res.requestId, recovered: false };
	}
	return await sendCheckingFirst(
		this,
		send,
		(res): Updated => ({ requestId: res.requestId, recovered: false }),
		async () => {
			const current = await getAudience.call(this, req.advertiserId, req.audienceId, req.itemIndex);
			const latest = current ? lastReplaceAt(current.history) : undefined;
			const applied = latest !== undefined && (replacedBefore === undefined || latest > replacedBefore);
			return applied ? { done: { requestId: '', recovered: true } } : 'retry';
		},
	);
}
