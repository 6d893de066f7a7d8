import { NodeApiError } from 'n8n-workflow';
import type { IDataObject } from 'n8n-workflow';

import type { FailureScope, SendOutcome } from '../events/batch';
import type { WebEventPayload } from '../events/build';
import { describeCode } from './errors';
import { anyDataSchema } from './schemas';
import { attemptsOf, isTransientError, tiktokRequest, type TransportContext } from './transport';

/** Events API 2.0: `POST /event/track/` with web events for one pixel (https://business-api.tiktok.com/portal/docs, Events API). */

export interface TrackRequest {
	/** The pixel CODE (events take `pixel_code`; rules take `pixel_id`). */
	pixelCode: string;
	/** Sends to TikTok's Test Events tool: such events never enter audiences. */
	testEventCode?: string;
	events: WebEventPayload[];
}

export function trackBody(req: TrackRequest): IDataObject {
	const body: IDataObject = {
		event_source: 'web',
		event_source_id: req.pixelCode,
		data: req.events as unknown as IDataObject[],
	};
	if (req.testEventCode) body.test_event_code = req.testEventCode;
	return body;
}

// Fields of the request itself (not of one event): an error naming them cannot be fixed by splitting the batch.
const REQUEST_FIELDS = /^\s*(event_source_id|event_source|test_event_code|partner_name|advertiser_id|request body|data\s*:)/i;
const EVENT_INDEX = /\bdata\s*\[\s*\d+\s*\]/i;

/** Whether a TikTok error on an event batch points at a row (split), at the request (don't), or is unclear. */
export function failureScope(code: number | undefined, message: string): FailureScope {
	if (code === undefined) return 'batch';
	const kind = describeCode(code).kind;
	if (kind !== 'parameter' && kind !== 'other') return 'batch';
	if (code === 40061) return 'row'; // batch too large: halves are smaller
	if (EVENT_INDEX.test(message)) return 'row';
	if (REQUEST_FIELDS.test(message)) return 'batch';
	return 'unknown';
}

/** TikTok's message for a single-event request, without the `data[0].` prefix that only says "the event". */
function rowMessage(message: string, rows: number): string {
	return rows === 1 ? message.replace(/^\s*data\s*\[\s*0\s*\]\s*\.?\s*/i, '') : message;
}

/**
 * Sends one batch and reports the outcome instead of throwing for TikTok's answers, so the caller can split and
 * isolate. Errors that are not TikTok's answers (credentials missing, for example) are thrown.
 */
export async function trackWebEvents(ctx: TransportContext, req: TrackRequest): Promise<SendOutcome> {
	try {
		const res = await tiktokRequest(ctx, { method: 'POST', path: 'event/track/', body: trackBody(req), schema: anyDataSchema });
		return {
			ok: true,
			requestId: res.requestId,
			attempts: res.retries + 1,
			warning: res.partial ? `TikTok partial success (20001): ${res.message}` : undefined,
		};
	} catch (error) {
		if (!(error instanceof NodeApiError)) throw new NodeApiError(ctx.getNode(), { message: String(error) });
		const detail = (error.errorResponse ?? {}) as { code?: unknown; message?: unknown; request_id?: unknown };
		const code = typeof detail.code === 'number' ? detail.code : undefined;
		const tiktokMessage = typeof detail.message === 'string' ? detail.message : '';
		const reason =
			code === undefined
				? error.message
				: `TikTok ${code}: ${describeCode(code).meaning}${tiktokMessage ? ` (${rowMessage(tiktokMessage, req.events.length)})` : ''}`;
		return {
			ok: false,
			reason,
			code,
			requestId: typeof detail.request_id === 'string' ? detail.request_id : '',
			attempts: attemptsOf(error),
			transient: isTransientError(error),
			scope: failureScope(code, tiktokMessage),
			fatal: code !== undefined && ['auth', 'permission'].includes(describeCode(code).kind),
		};
	}
}
