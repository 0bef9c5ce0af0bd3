import { createAuditStore, type AuditStore } from '@testio-mcp/persistence';
import { createTestDatabase, type TestDatabase } from '@testio-mcp/persistence/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '@testio-mcp/domain';
import { createAuditTrail } from './audit-trail.js';

/** The audit trail over a real SQLite file: batched writes, retention, and a failing write that retries. */

let db: TestDatabase;
let store: AuditStore;
let now = new Date('2026-12-09T10:00:00Z');
const clock = { now: () => now };
const warnings: string[] = [];
const logger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (_obj, msg) => void warnings.push(msg ?? ''),
  error: () => undefined,
  child: () => logger,
};
const viewer = { id: 'tmcp_0123456789ab', tenant: 'default', role: 'viewer' } as const;

beforeEach(() => {
  db = createTestDatabase();
  store = createAuditStore(db.sqlite);
});
afterEach(async () => {
  await db.cleanup();
});

describe('audit trail', () => {
  it('writes recorded calls in one batch, with the principal id and never more, newest first', () => {
    const trail = createAuditTrail({ store, clock, logger, retentionDays: 90 });
    trail.record({
      principal: viewer,
      surface: 'mcp',
      action: 'list_products',
      outcome: 'ok',
      durationMs: 12.4,
    });
    now = new Date(now.getTime() + 1000);
    trail.record({
      principal: undefined,
      surface: 'rest',
      action: 'GET /api/products',
      outcome: 'refused',
      status: 401,
      durationMs: 1,
    });
    expect(store.list({ limit: 10 })).toEqual([]);
    trail.flush();
    expect(store.list({ limit: 10 })).toEqual([
      {
        at: now,
        principal: null,
        tenant: 'default',
        surface: 'rest',
        action: 'GET /api/products',
        outcome: 'refused',
        status: 401,
        durationMs: 1,
      },
      {
        at: new Date(now.getTime() - 1000),
        principal: 'tmcp_0123456789ab',
        tenant: 'default',
        surface: 'mcp',
        action: 'list_products',
        outcome: 'ok',
        status: null,
        durationMs: 12,
      },
    ]);
    expect(store.list({ limit: 10, tenant: 'acme' })).toEqual([]);
    expect(store.list({ limit: 10, since: now })).toHaveLength(1);
    trail.close();
  });

  it('prunes entries older than the retention', () => {
    const trail = createAuditTrail({ store, clock, logger, retentionDays: 30 });
    trail.record({ principal: viewer, surface: 'mcp', action: 'old', outcome: 'ok', durationMs: 1 });
    trail.flush();
    now = new Date(now.getTime() + 31 * 86_400_000);
    trail.record({ principal: viewer, surface: 'mcp', action: 'new', outcome: 'ok', durationMs: 1 });
    trail.flush();
    expect(trail.prune()).toBe(1);
    expect(store.list({ limit: 10 }).map((r) => r.action)).toEqual(['new']);
    trail.close();
  });

  it('keeps the rows of a failed write for the next flush', () => {
    let fail = true;
    const flaky: AuditStore = {
      ...store,
      insertMany: (rows) => {
        if (fail) throw new Error('SQLITE_BUSY');
        store.insertMany(rows);
      },
    };
    const trail = createAuditTrail({ store: flaky, clock, logger, retentionDays: 90 });
    trail.record({ principal: viewer, surface: 'mcp', action: 'list_tests', outcome: 'ok', durationMs: 3 });
    trail.flush();
    expect(store.list({ limit: 10 })).toEqual([]);
    expect(warnings).toContain('audit trail write failed; will retry');
    fail = false;
    trail.close();
    expect(store.list({ limit: 10 }).map((r) => r.action)).toEqual(['list_tests']);
  });
});
