// The workflows of the queue-mode test. Everything a node needs comes from the webhook body by expression, so one
// workflow serves every audience:
//   POST q-sync-id    {audienceId, prefix, from, count}  → Upsert (Existing Audience, Add) of <prefix><i>@example.com
//   POST q-sync-name  {listName, prefix, from, count}    → Upsert (Create New List, Add)
//   POST q-unlink     {audienceId, confirmName}           → Unlink
//   POST q-relink     {audienceId}                        → Relink
//   POST q-delete     {audienceId, confirmName}           → Delete
//   POST q-status     {audienceId}                        → Get Status
// Each branch ends in a Code node that adds `executionId` (so the test knows which worker ran it) to the answer.
import { randomUUID } from 'node:crypto';

import { SEED } from '../emulator/index.cts';
import type { WorkflowJson } from '../e2e/n8nServer.cts';
import { ourNode, rl } from '../e2e/workflows.cts';

export const ADV = SEED.grantedAdvertiserId;

type NodeJson = WorkflowJson['nodes'][number];

function webhook(name: string, path: string, y: number): NodeJson {
	return {
		id: randomUUID(),
		name,
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, y],
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} },
	};
}

function code(name: string, jsCode: string, x: number, y: number): NodeJson {
	return { id: randomUUID(), name, type: 'n8n-nodes-base.code', typeVersion: 2, position: [x, y], parameters: { jsCode } };
}

const TAG = 'return $input.all().map((item) => ({ json: { ...item.json, executionId: $execution.id } }));';

/** `count` people `<prefix><from + i>@example.com`, read from the webhook's body. */
const rows = (webhookName: string) =>
	`const b = $('${webhookName}').first().json.body;\n` +
	'return Array.from({ length: b.count }, (_, i) => ({ json: { email: `${b.prefix}${b.from + i}@example.com` } }));';

const uploadParameters = {
	advertiserId: rl('id', ADV),
	calculateType: 'EMAIL_SHA256',
	action: 'APPEND',
	inputSource: 'items',
	emailField: 'email',
	// the overlaps sync one audience many times within minutes: the cooldown is not what this test is about
	options: { cooldownMinutes: 0 },
};

function connect(connections: WorkflowJson['connections'], ...names: string[]): void {
	for (let i = 0; i < names.length - 1; i++) connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
}

export function lifecycleWorkflow(): WorkflowJson {
	const nodes: NodeJson[] = [];
	const connections: WorkflowJson['connections'] = {};
	let y = 0;
	const branch = (path: string, hook: string, middle: NodeJson[]) => {
		nodes.push(webhook(hook, path, y));
		middle.forEach((n, i) => {
			n.position = [250 * (i + 1), y];
			nodes.push(n);
		});
		const tag = code(`Tag ${hook}`, TAG, 250 * (middle.length + 1), y);
		nodes.push(tag);
		connect(connections, hook, ...middle.map((n) => n.name as string), tag.name as string);
		y += 200;
	};
	const lifecycle = (name: string, operation: string, confirm: boolean) =>
		ourNode(name, 'tikTokUnlinkDeleteAudience', {
			operation,
			advertiserId: rl('id', ADV),
			audience: rl('id', '={{ $json.body.audienceId }}'),
			...(confirm ? { confirmName: '={{ $json.body.confirmName }}' } : {}),
		});
	branch('q-sync-id', 'Sync By ID', [
		code('Rows By ID', rows('Sync By ID'), 0, 0),
		ourNode('Upsert By ID', 'tikTokUpsertCustomerFileList', {
			...uploadParameters,
			listMode: 'existing',
			audience: rl('id', "={{ $('Sync By ID').first().json.body.audienceId }}"),
		}),
	]);
	branch('q-sync-name', 'Sync By Name', [
		code('Rows By Name', rows('Sync By Name'), 0, 0),
		ourNode('Upsert By Name', 'tikTokUpsertCustomerFileList', {
			...uploadParameters,
			listMode: 'create',
			listName: "={{ $('Sync By Name').first().json.body.listName }}",
		}),
	]);
	branch('q-unlink', 'Unlink Webhook', [lifecycle('Unlink', 'unlink', true)]);
	branch('q-relink', 'Relink Webhook', [lifecycle('Relink', 'relink', false)]);
	branch('q-delete', 'Delete Webhook', [lifecycle('Delete', 'delete', true)]);
	branch('q-status', 'Status Webhook', [lifecycle('Status', 'getStatus', false)]);
	return { name: 'Queue lifecycle', nodes, connections, settings: { executionOrder: 'v1' } };
}

/** Core nodes only: Webhook → Code counting in the workflow's global static data. */
export function canaryWorkflow(): WorkflowJson {
	const nodes = [
		webhook('Canary Webhook', 'q-canary', 0),
		code(
			'Count',
			"const data = $getWorkflowStaticData('global');\ndata.counter = (data.counter ?? 0) + 1;\nreturn [{ json: { counter: data.counter, executionId: $execution.id } }];",
			250,
			0,
		),
	];
	const connections: WorkflowJson['connections'] = {};
	connect(connections, 'Canary Webhook', 'Count');
	return { name: 'Queue canary', nodes, connections, settings: { executionOrder: 'v1' } };
}

/**
 * The trigger (List Sync by name, Refresh Every 1 minute, no Instant Sync cooldown) → People → Upsert (Create New
 * List, Add), plus an Unlink webhook in the same workflow. n8n 2.41 refuses a poll cron whose seconds field is anything
 * but one number (`isSubMinuteCron` in n8n-workflow's cron.ts: "The polling interval is too short"), so "every 15
 * seconds" is four poll times, each a 6-field cron with one fixed second; n8n accepts them, each once a minute.
 */
export function triggerWorkflow(listName: string, people: number): WorkflowJson {
	const nodes: NodeJson[] = [
		{
			...ourNode('Sync Trigger', 'tikTokAudienceSyncTrigger', {
				pollTimes: { item: [0, 15, 30, 45].map((s) => ({ mode: 'custom', cronExpression: `${s} * * * * *` })) },
				syncKind: 'list',
				advertiserId: rl('id', ADV),
				audience: rl('name', listName),
				status: 'active',
				refreshInterval: 1,
				refreshUnit: 'minutes',
				instantSyncCooldown: 0,
			}),
			position: [0, 0],
		},
		code('People', `return Array.from({ length: ${people} }, (_, i) => ({ json: { email: \`trigger\${i}@example.com\` } }));`, 250, 0),
		{
			...ourNode('Upsert', 'tikTokUpsertCustomerFileList', {
				...uploadParameters,
				listMode: 'create',
				listName: "={{ $('Sync Trigger').first().json.audienceName }}",
			}),
			position: [500, 0],
		},
		code('Tag Sync', TAG, 750, 0),
		webhook('Unlink Webhook', 'q-trigger-unlink', 200),
		{
			...ourNode('Unlink', 'tikTokUnlinkDeleteAudience', {
				operation: 'unlink',
				advertiserId: rl('id', ADV),
				audience: rl('id', '={{ $json.body.audienceId }}'),
				confirmName: '={{ $json.body.confirmName }}',
			}),
			position: [250, 200],
		},
		code('Tag Unlink Webhook', TAG, 500, 200),
	];
	const connections: WorkflowJson['connections'] = {};
	connect(connections, 'Sync Trigger', 'People', 'Upsert', 'Tag Sync');
	connect(connections, 'Unlink Webhook', 'Unlink', 'Tag Unlink Webhook');
	return { name: 'Queue trigger', nodes, connections, settings: { executionOrder: 'v1' } };
}

/** The table the Mirror workflow keeps its snapshots in (one row per list, the snapshot as base64 text). */
export const SNAPSHOT_TABLE = 'tiktok_audience_snapshots';
export const SNAPSHOT_TABLE_SQL = `CREATE TABLE ${SNAPSHOT_TABLE} (list_key text PRIMARY KEY, snapshot text NOT NULL, updated_at timestamptz NOT NULL)`;

/**
 * Mirror with its snapshot in Postgres, built only from n8n's own nodes, as the README tells queue-mode users with
 * workers on several machines (a local disk is not shared; Postgres already is):
 *
 *   Mirror Webhook ─┬─ Segment (Code) ───────────────────────────────────────────────┐
 *                   └─ Load Snapshot (Postgres: select the row) → Snapshot to File ───┴→ Mirror → Snapshot to Text
 *                      (Convert to File: base64 → binary)                  (second input)   (Extract from File:
 *                                                                                           binary → base64)
 *                                                                        → Save Snapshot (Postgres: upsert) → Tag
 *
 * POST q-mirror {listName, ranges: [[from, to], …]}: the segment is mirror<i>@example.com for i in the ranges. No row
 * yet: Load Snapshot outputs nothing, Always Output Data passes an empty item on, Convert to File fails on it and
 * continues (On Error: continue) with no binary: Mirror's first sync. Save Snapshot runs only after Mirror succeeded.
 */
export function mirrorWorkflow(postgresCredential: { id: string; name: string }): WorkflowJson {
	const postgres = { postgres: postgresCredential };
	const table = {
		schema: { __rl: true, mode: 'list', value: 'public' },
		table: { __rl: true, mode: 'name', value: SNAPSHOT_TABLE },
	};
	const column = (id: string, type: string) => ({ id, displayName: id, required: false, defaultMatch: false, display: true, type, canBeUsedToMatch: true });
	const nodes: NodeJson[] = [
		{ ...webhook('Mirror Webhook', 'q-mirror', 0), position: [0, 100] },
		code(
			'Segment',
			"const b = $('Mirror Webhook').first().json.body;\n" +
				'return b.ranges.flatMap(([from, to]) => Array.from({ length: to - from }, (_, k) => ({ json: { email: `mirror${from + k}@example.com` } })));',
			250,
			0,
		),
		{
			id: randomUUID(),
			name: 'Load Snapshot',
			type: 'n8n-nodes-base.postgres',
			typeVersion: 2.6,
			position: [250, 200],
			alwaysOutputData: true,
			credentials: postgres,
			parameters: {
				operation: 'select',
				...table,
				where: { values: [{ column: 'list_key', condition: 'equal', value: "={{ $('Mirror Webhook').first().json.body.listName }}" }] },
				options: { outputColumns: ['snapshot'] },
			},
		},
		{
			id: randomUUID(),
			name: 'Snapshot to File',
			type: 'n8n-nodes-base.convertToFile',
			typeVersion: 1.1,
			position: [500, 200],
			onError: 'continueRegularOutput',
			parameters: { operation: 'toBinary', sourceProperty: 'snapshot', binaryPropertyName: 'snapshot', options: { fileName: 'snapshot.bin', mimeType: 'application/octet-stream' } },
		},
		{
			...ourNode('Mirror', 'tikTokUpsertCustomerFileList', {
				advertiserId: rl('id', ADV),
				listMode: 'create',
				listName: "={{ $('Mirror Webhook').first().json.body.listName }}",
				calculateType: 'EMAIL_SHA256',
				action: 'MIRROR',
				inputSource: 'items',
				emailField: 'email',
			}),
			position: [750, 100],
		},
		{
			id: randomUUID(),
			name: 'Snapshot to Text',
			type: 'n8n-nodes-base.extractFromFile',
			typeVersion: 1.1,
			position: [1000, 100],
			parameters: { operation: 'binaryToPropery', binaryPropertyName: 'snapshot', destinationKey: 'snapshot', options: {} },
		},
		{
			id: randomUUID(),
			name: 'Save Snapshot',
			type: 'n8n-nodes-base.postgres',
			typeVersion: 2.6,
			position: [1250, 100],
			credentials: postgres,
			parameters: {
				operation: 'upsert',
				...table,
				columns: {
					mappingMode: 'defineBelow',
					value: {
						list_key: "={{ $('Mirror Webhook').first().json.body.listName }}",
						snapshot: '={{ $json.snapshot }}',
						updated_at: '={{ $now.toISO() }}',
					},
					matchingColumns: ['list_key'],
					schema: [column('list_key', 'string'), column('snapshot', 'string'), column('updated_at', 'dateTime')],
				},
				options: { outputColumns: ['list_key', 'updated_at'] },
			},
		},
		code('Tag Mirror', "return [{ json: { ...$('Mirror').first().json, saved: $input.first().json.list_key, executionId: $execution.id } }];", 1500, 100),
	];
	const connections: WorkflowJson['connections'] = {
		'Mirror Webhook': {
			main: [
				[
					{ node: 'Segment', type: 'main', index: 0 },
					{ node: 'Load Snapshot', type: 'main', index: 0 },
				],
			],
		},
		Segment: { main: [[{ node: 'Mirror', type: 'main', index: 0 }]] },
		'Load Snapshot': { main: [[{ node: 'Snapshot to File', type: 'main', index: 0 }]] },
		'Snapshot to File': { main: [[{ node: 'Mirror', type: 'main', index: 1 }]] },
	};
	connect(connections, 'Mirror', 'Snapshot to Text', 'Save Snapshot', 'Tag Mirror');
	return { name: 'Queue mirror', nodes, connections, settings: { executionOrder: 'v1' } };
}
