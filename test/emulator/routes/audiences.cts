// Customer-file audiences: create, update (APPEND/REMOVE/REPLACE/rename), delete, list, get.
import { MESSAGE, paramError } from '../envelope.cts';
import { details, history, listItem, statusOf } from '../audienceView.cts';
import { CREATE_CALCULATE_TYPES } from '../customerFile.cts';
import { MAX_PAGE, paginate, requireAdvertiser, type RequestCtx, type Route } from '../router.cts';
import type { Audience, EmulatorContext, UploadedFile } from '../state.cts';
import {
	idList,
	missing,
	optBool,
	optEnum,
	optInt,
	queryJson,
	queryObject,
	reqEnum,
	reqId,
	reqName,
} from '../validate.cts';
import { assertSameType, lookupFile, readMembers } from './customerFiles.cts';

const MIN_MEMBERS_AFTER_UPDATE = 1000;
const SUB_TYPES = ['NORMAL', 'REACH_FREQUENCY'] as const;
const ACTIONS = ['APPEND', 'REMOVE', 'REPLACE'] as const;

/** file_paths: 1–500 items of exactly 16 characters. */
function filePaths(v: unknown): string[] {
	if (v === undefined || v === null) throw missing('file_paths');
	if (!Array.isArray(v)) throw paramError('file_paths: Not a valid list.');
	if (v.length < 1 || v.length > 500) throw paramError('file_paths: Length must be between 1 and 500.');
	return v.map((p, i) => {
		if (typeof p !== 'string') throw paramError(`file_paths[${i}]: Not a valid string.`);
		if (p.length !== 16) throw paramError(`file_paths[${i}]: Length must be 16.`);
		return p;
	});
}

function resolveFiles(emu: EmulatorContext, paths: string[], advertiserId: string, type: string): UploadedFile[] {
	const files = paths.map((p, i) => lookupFile(emu, p, `file_paths[${i}]`, advertiserId));
	files.forEach((f, i) => assertSameType(f, `file_paths[${i}]`, type));
	return files;
}

export function ownedAudience(ctx: RequestCtx, advertiserId: string, id: string, name: string): Audience {
	const aud = ctx.emu.state.audiences.get(id);
	if (!aud || aud.advertiserId !== advertiserId) throw paramError(`${name}: Audience ${id} does not exist.`);
	return aud;
}

async function create(ctx: RequestCtx): Promise<unknown> {
	const b = ctx.body;
	const advertiserId = requireAdvertiser(ctx, b.advertiser_id);
	const name = reqName(b.custom_audience_name, 'custom_audience_name');
	const calculateType = reqEnum(b.calculate_type, 'calculate_type', CREATE_CALCULATE_TYPES);
	const paths = filePaths(b.file_paths);
	const retention = optInt(b.retention_in_days, 'retention_in_days', 1, 365);
	const subType = optEnum(b.audience_sub_type, 'audience_sub_type', SUB_TYPES) ?? 'NORMAL';
	const enhancement = optBool(b.audience_enhancement, 'audience_enhancement') ?? false;
	const files = resolveFiles(ctx.emu, paths, advertiserId, calculateType);
	const { members, rows } = await readMembers(files);
	const now = ctx.emu.clock.now();
	const id = ctx.emu.state.nextAudienceId();
	ctx.emu.state.audiences.set(id, {
		audienceId: id,
		advertiserId,
		name,
		kind: 'CUSTOMER_FILE',
		calculateType,
		subType,
		enhancement,
		members,
		createdAt: now,
		modifiedAt: now,
		retentionInDays: retention,
		readyAt: now + ctx.emu.config.processingDelayMs,
		coverBeforeReady: 0,
		history: [{ action: 'create', action_detail: String(rows), msg: null, atMs: now }],
		isAutoRefresh: false,
	});
	return { custom_audience_id: id };
}

async function update(ctx: RequestCtx): Promise<unknown> {
	const b = ctx.body;
	const emu = ctx.emu;
	const advertiserId = requireAdvertiser(ctx, b.advertiser_id);
	const aud = ownedAudience(ctx, advertiserId, reqId(b.custom_audience_id, 'custom_audience_id'), 'custom_audience_id');
	const now = emu.clock.now();

	// Switching to Reach & Frequency ignores every other field, as TikTok documents.
	const subType = optEnum(b.audience_sub_type, 'audience_sub_type', ['REACH_FREQUENCY'] as const);
	if (subType !== undefined) {
		aud.subType = subType;
		aud.modifiedAt = now;
		aud.history.push({ action: 'update', action_detail: 'REACH_FREQUENCY', msg: null, atMs: now });
		return {};
	}
	const name =
		b.custom_audience_name === undefined || b.custom_audience_name === null
			? undefined
			: reqName(b.custom_audience_name, 'custom_audience_name');
	const hasFiles = b.file_paths !== undefined && b.file_paths !== null;
	const paths = hasFiles ? filePaths(b.file_paths) : undefined;
	const action = optEnum(b.action, 'action', ACTIONS) ?? 'REPLACE';
	const enhancement = optBool(b.audience_enhancement, 'audience_enhancement');
	if (name === undefined && paths === undefined) {
		throw paramError('file_paths: Either custom_audience_name or file_paths is required.');
	}
	if (paths !== undefined && aud.kind !== 'CUSTOMER_FILE') {
		throw paramError('file_paths: Only customer file audiences can be updated with files.');
	}

	let next: { members: Set<string>; rows: number } | undefined;
	if (paths !== undefined) {
		const type = aud.calculateType as string;
		if (action === 'REPLACE' && aud.lastReplaceAt !== undefined && now - aud.lastReplaceAt < emu.config.replaceCooldownMs) {
			throw paramError(MESSAGE.replaceInProgress);
		}
		const incoming = await readMembers(resolveFiles(emu, paths, advertiserId, type));
		let members: Set<string>;
		if (action === 'REPLACE') members = incoming.members;
		else if (action === 'APPEND') members = new Set([...aud.members, ...incoming.members]);
		else members = new Set([...aud.members].filter((k) => !incoming.members.has(k)));
		if (members.size < MIN_MEMBERS_AFTER_UPDATE) throw paramError(MESSAGE.audienceTooSmall);
		next = { members, rows: incoming.rows };
	}

	if (name !== undefined) {
		aud.name = name;
		aud.history.push({ action: 'rename', action_detail: name, msg: null, atMs: now });
	}
	if (enhancement !== undefined) aud.enhancement = enhancement;
	if (next !== undefined) {
		aud.coverBeforeReady = statusOf(emu, aud, now).cover;
		aud.members = next.members;
		aud.readyAt = now + emu.config.processingDelayMs;
		if (action === 'REPLACE') aud.lastReplaceAt = now;
		aud.history.push({ action: action.toLowerCase(), action_detail: String(next.rows), msg: null, atMs: now });
	}
	aud.modifiedAt = now;
	return {};
}

function remove(ctx: RequestCtx): unknown {
	const advertiserId = requireAdvertiser(ctx, ctx.body.advertiser_id);
	const ids = idList(ctx.body.custom_audience_ids, 'custom_audience_ids', 1, 100);
	ids.forEach((id, i) => ownedAudience(ctx, advertiserId, id, `custom_audience_ids[${i}]`));
	for (const id of ids) ctx.emu.state.audiences.delete(id);
	return {};
}

function list(ctx: RequestCtx): unknown {
	const q = queryObject(ctx.query);
	const advertiserId = requireAdvertiser(ctx, q.advertiser_id);
	const rawIds = queryJson(ctx.query, 'custom_audience_ids');
	const ids = rawIds === undefined ? undefined : idList(rawIds, 'custom_audience_ids', 1, 100);
	const page = optInt(q.page, 'page', 1, MAX_PAGE) ?? 1;
	const pageSize = optInt(q.page_size, 'page_size', 1, 100) ?? 10;
	const now = ctx.emu.clock.now();
	const auds = [...ctx.emu.state.audiences.values()]
		.filter((a) => a.advertiserId === advertiserId && (ids === undefined || ids.includes(a.audienceId)))
		.reverse(); // newest first
	const { items, page_info } = paginate(auds, page, pageSize);
	return { list: items.map((a) => listItem(ctx.emu, a, now)), page_info };
}

function get(ctx: RequestCtx): unknown {
	const q = queryObject(ctx.query);
	const advertiserId = requireAdvertiser(ctx, q.advertiser_id);
	const ids = idList(queryJson(ctx.query, 'custom_audience_ids'), 'custom_audience_ids', 1, 100);
	const historySize = optInt(q.history_size, 'history_size', 1, 100) ?? 100;
	const auds = ids.map((id, i) => ownedAudience(ctx, advertiserId, id, `custom_audience_ids[${i}]`));
	const now = ctx.emu.clock.now();
	return {
		list: auds.map((a) => ({
			audience_details: details(ctx.emu, a, now),
			audience_history: history(a, historySize),
		})),
	};
}

export const audienceRoutes: Route[] = [
	{ method: 'POST', path: '/dmp/custom_audience/create/', body: 'json', handler: create },
	{ method: 'POST', path: '/dmp/custom_audience/update/', body: 'json', handler: update },
	{ method: 'POST', path: '/dmp/custom_audience/delete/', body: 'json', handler: remove },
	{ method: 'GET', path: '/dmp/custom_audience/list/', body: 'none', handler: list },
	{ method: 'GET', path: '/dmp/custom_audience/get/', body: 'none', handler: get },
];

