import { join } from 'node:path';
import { DatabaseBusyError } from '@testio-mcp/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditStore, openAuditDatabase, type AuditRow } from './audit.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

/** The audit rows (migration 20261209000200_audit) on a real SQLite file. */

let db: TestDatabase;
beforeAll(() => {
  db = createTestDatabase();
});
afterAll(async () => {
  await db.cleanup();
});

const row = (at: string, overrides: Partial<AuditRow> = {}): AuditRow => ({
  at: new Date(at),
  principal: 'tmcp_0123456789ab',
  tenant: 'default',
  surface: 'rest',
  action: 'GET /api/products',
  outcome: 'ok',
  status: 200,
  durationMs: 4.6,
  ...overrides,
});

describe('audit store', () => {
  it('inserts a batch, lists newest first by tenant and time, and prunes by age', () => {
    const store = createAuditStore(db.sqlite);
    store.insertMany([]);
    store.insertMany([
      row('2026-12-01T10:00:00Z'),
      row('2026-12-05T10:00:00Z', { principal: null, tenant: 'acme', surface: 'mcp', status: null }),
      row('2026-12-09T10:00:00Z', { outcome: 'rate_limited', status: 429 }),
    ]);
    expect(store.list({ limit: 10 }).map((r) => r.at.toISOString())).toEqual([
      '2026-12-09T10:00:00.000Z',
      '2026-12-05T10:00:00.000Z',
      '2026-12-01T10:00:00.000Z',
    ]);
    expect(store.list({ limit: 1 })[0]).toEqual(
      row('2026-12-09T10:00:00Z', { outcome: 'rate_limited', status: 429, durationMs: 5 }),
    );
    expect(store.list({ limit: 10, tenant: 'acme' })).toEqual([
      row('2026-12-05T10:00:00Z', {
        principal: null,
        tenant: 'acme',
        surface: 'mcp',
        status: null,
        durationMs: 5,
      }),
    ]);
    expect(store.list({ limit: 10, since: new Date('2026-12-05T10:00:00Z') })).toHaveLength(2);
    expect(store.prune(new Date('2026-12-05T00:00:00Z'))).toBe(1);
    expect(store.list({ limit: 10 })).toHaveLength(2);
  });

  it("meets another writer's transaction at once with DatabaseBusyError, writing nothing, and writes after it", () => {
    const auditDb = openAuditDatabase(join(db.dir, 'mirror.db'));
    try {
      expect(auditDb.pragma('busy_timeout', { simple: true })).toBe(0);
      const store = createAuditStore(auditDb);
      const before = store.list({ limit: 1000 }).length;
      // The sync's write transaction, on the mirror's own connection.
      db.sqlite.exec('BEGIN IMMEDIATE');
      try {
        expect(() => store.insertMany([row('2026-12-10T10:00:00Z', { action: 'locked' })])).toThrow(
          DatabaseBusyError,
        );
        expect(() => store.prune(new Date('2030-01-01T00:00:00Z'))).toThrow(DatabaseBusyError);
      } finally {
        db.sqlite.exec('COMMIT');
      }
      expect(store.list({ limit: 1000 })).toHaveLength(before);
      store.insertMany([row('2026-12-10T10:00:00Z', { action: 'after' })]);
      expect(store.list({ limit: 1 }).map((r) => r.action)).toEqual(['after']);
    } finally {
      auditDb.close();
    }
  });
});
