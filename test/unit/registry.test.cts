// The sync registry model (nodes/shared/sync/registry.ts): applying changes, the log limit, merging copies.
import { applyUpdate, LOG_LIMIT, mergeRegistries, type Registry } from '../../nodes/shared/sync/registry';

const T = Date.UTC(2026, 2, 2, 9, 0, 0);

describe('registry model', () => {
	const empty: Registry = { version: 1, audiences: {} };
	const base = { audienceId: '42', name: 'Buyers', advertiserId: '7', kind: 'list' as const };

	test('create, sync with REPLACE, unlink', () => {
		let r = applyUpdate(empty, { ...base, event: 'created', action: 'CREATE', detail: 'created with 1200 rows', at: new Date('2026-01-01T00:00:00Z') });
		r = applyUpdate(r, { ...base, event: 'synced', action: 'REPLACE', detail: 'replaced', at: new Date('2026-01-02T00:00:00Z') });
		r = applyUpdate(r, { ...base, event: 'unlinked', linked: false, detail: 'unlinked by user', at: new Date('2026-01-03T00:00:00Z') });
		expect(r).toEqual({
			version: 1,
			audiences: {
				'42': {
					audienceId: '42',
					name: 'Buyers',
					advertiserId: '7',
					kind: 'list',
					linked: false,
					createdAt: '2026-01-01T00:00:00.000Z',
					lastSyncAt: '2026-01-02T00:00:00.000Z',
					lastAction: 'REPLACE',
					lastReplaceAt: '2026-01-02T00:00:00.000Z',
					deleted: undefined,
					log: [
						{ at: '2026-01-01T00:00:00.000Z', event: 'created', detail: 'created with 1200 rows' },
						{ at: '2026-01-02T00:00:00.000Z', event: 'synced', detail: 'replaced' },
						{ at: '2026-01-03T00:00:00.000Z', event: 'unlinked', detail: 'unlinked by user' },
					],
				},
			},
		});
		expect(empty.audiences).toEqual({});
	});

	test('the log keeps the newest entries only', () => {
		let r = empty;
		for (let i = 0; i < LOG_LIMIT + 7; i++) {
			r = applyUpdate(r, { ...base, event: 'synced', action: 'APPEND', detail: `sync ${i}`, at: new Date(Date.UTC(2026, 0, 1, 0, i)) });
		}
		const log = r.audiences['42'].log;
		expect(log).toHaveLength(LOG_LIMIT);
		expect(log[0].detail).toBe('sync 7');
		expect(log[LOG_LIMIT - 1].detail).toBe(`sync ${LOG_LIMIT + 6}`);
	});
});

test('mergeRegistries keeps the newer entry per audience, and both sides\' other audiences', () => {
	const at = (ms: number) => new Date(ms);
	const base = (id: string, event: 'synced' | 'unlinked', ms: number, registry: Registry = { version: 1, audiences: {} }) =>
		applyUpdate(registry, { audienceId: id, name: `A${id}`, advertiserId: '1', kind: 'list', event, detail: event, at: at(ms), ...(event === 'unlinked' ? { linked: false } : {}) });
	const loaded = base('2', 'synced', T, base('1', 'synced', T));
	const live = base('1', 'unlinked', T + 1000, base('3', 'synced', T));
	const merged = mergeRegistries(loaded, live);
	expect(Object.keys(merged.audiences).sort()).toEqual(['1', '2', '3']);
	expect(merged.audiences['1']).toMatchObject({ linked: false });
	expect(merged.audiences['1'].log.map((l) => l.event)).toEqual(['unlinked']);
	expect(mergeRegistries(live, loaded).audiences['1'].linked).toBe(false);
});
