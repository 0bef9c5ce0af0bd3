import { join } from 'node:path';
import { createAuditStore, openAuditDatabase, type AuditStore } from '@testio-mcp/persistence';
import { createTestDatabase, type TestDatabase } from '@testio-mcp/persistence/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '@testio-mcp/domain';
import { createAuditTrail } from './audit-trail.js';

/**
 * The audit trail over a real SQLite file: batched writes, retention, a failing write that retries, and
 * a sync's write transaction (another connection holding the lock) met without waiting or warning.
 */

let db: TestDatabase;
let store: AuditStore;
let now = new Date('2026-12-09T10:00:00Z');
const clock = { now: () => now };
const warnings: string[] = [];
const infos: string[] = [];
const logger: Logger = {
  debug: () => undefined,
  info: (_obj, msg) => void infos.push(msg ?? ''),
  warn: (obj, msg) => void warnings.push(`${msg ?? ''} ${JSON.stringify(obj)}`),
  error: () => undefined,
  child: () => logger,
};
const viewer = { id: 'tmcp_0123456789ab', tenant: 'default', role: 'viewer' } as const;

beforeEach(() => {
  warnings.length = 0;
  infos.length = 0;
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

  it('prunes entries older than the retention', async () => {
    const trail = createAuditTrail({ store, clock, logger, retentionDays: 30 });
    trail.record({ principal: viewer, surface: 'mcp', action: 'old', outcome: 'ok', durationMs: 1 });
    trail.flush();
    now = new Date(now.getTime() + 31 * 86_400_000);
    trail.record({ principal: viewer, surface: 'mcp', action: 'new', outcome: 'ok', durationMs: 1 });
    trail.flush();
    expect(await trail.prune()).toBe(1);
    expect(store.list({ limit: 10 }).map((r) => r.action)).toEqual(['new']);
    trail.close();
  });

  it('keeps the rows of a failed write for the next flush', () => {
    let fail = true;
    const flaky: AuditStore = {
      ...store,
      insertMany: (rows) => {
        if (fail) throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
        store.insertMany(rows);
      },
    };
    const trail = createAuditTrail({ store: flaky, clock, logger, retentionDays: 90 });
    trail.record({ principal: viewer, surface: 'mcp', action: 'list_tests', outcome: 'ok', durationMs: 3 });
    trail.flush();
    expect(store.list({ limit: 10 })).toEqual([]);
    expect(warnings).toEqual([expect.stringContaining('audit trail write failed; will retry')]);
    fail = false;
    trail.close();
    expect(store.list({ limit: 10 }).map((r) => r.action)).toEqual(['list_tests']);
    expect(infos).toContain('audit trail written again');
  });

  describe('while another connection holds the write lock (a sync writing)', () => {
    /** The serving process' audit connection, and a sync's transaction on another connection. */
    function lockedByAnotherWriter() {
      const auditDb = openAuditDatabase(join(db.dir, 'mirror.db'));
      db.sqlite.exec('BEGIN IMMEDIATE');
      return {
        store: createAuditStore(auditDb),
        release: () => db.sqlite.exec('COMMIT'),
        close: () => auditDb.close(),
      };
    }

    it('defers the batch without a warning and writes it once the lock is free', () => {
      const locked = lockedByAnotherWriter();
      const trail = createAuditTrail({ store: locked.store, clock, logger, retentionDays: 90 });
      trail.record({
        principal: viewer,
        surface: 'rest',
        action: 'GET /api/products',
        outcome: 'ok',
        durationMs: 2,
      });
      // The audit connection does not wait for the lock (busy timeout 0): the flush returns at once.
      trail.flush();
      now = new Date(now.getTime() + 30_000);
      trail.flush();
      locked.release();
      expect(store.list({ limit: 10 })).toEqual([]);
      trail.flush();
      expect(store.list({ limit: 10 }).map((r) => r.action)).toEqual(['GET /api/products']);
      // Nothing a log reader would take for a failure, and no "database is locked" anywhere.
      expect(warnings).toEqual([]);
      expect(infos).toEqual([]);
      trail.close();
      locked.close();
    });

    it('warns once, in three parts, when the lock is held for a minute, and says when it is written again', () => {
      const locked = lockedByAnotherWriter();
      const trail = createAuditTrail({ store: locked.store, clock, logger, retentionDays: 90 });
      trail.record({ principal: viewer, surface: 'mcp', action: 'list_bugs', outcome: 'ok', durationMs: 5 });
      trail.flush();
      now = new Date(now.getTime() + 59_000);
      trail.flush();
      expect(warnings).toEqual([]);
      now = new Date(now.getTime() + 1_000);
      trail.flush();
      trail.flush();
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(
        /^The audit trail could not be written for 60 s \(1 entries waiting\)\. Another writer kept the database locked.*\. The entries are kept/,
      );
      locked.release();
      trail.flush();
      expect(store.list({ limit: 10 }).map((r) => r.action)).toEqual(['list_bugs']);
      expect(infos).toContain('audit trail written again');
      trail.close();
      locked.close();
    });

    it('does not try again per request while busy once a batch is full: the scheduled retry writes it', async () => {
      const locked = lockedByAnotherWriter();
      let attempts = 0;
      const counting: AuditStore = {
        ...locked.store,
        insertMany: (rows) => {
          attempts++;
          locked.store.insertMany(rows);
        },
      };
      const trail = createAuditTrail({ store: counting, clock, logger, retentionDays: 90, maxBatch: 2 });
      const call = {
        principal: viewer,
        surface: 'mcp',
        action: 'list_tests',
        outcome: 'ok',
        durationMs: 1,
      } as const;
      trail.record(call);
      trail.record(call);
      await new Promise((resolve) => setImmediate(resolve));
      expect(attempts).toBe(1);
      for (let i = 0; i < 10; i++) trail.record(call);
      await new Promise((resolve) => setImmediate(resolve));
      expect(attempts).toBe(1);
      locked.release();
      trail.flush();
      expect(store.list({ limit: 100 })).toHaveLength(12);
      expect(warnings).toEqual([]);
      trail.close();
      locked.close();
    });

    it('defers the prune without a warning', async () => {
      store.insertMany([
        {
          at: new Date(now.getTime() - 100 * 86_400_000),
          principal: null,
          tenant: 'default',
          surface: 'mcp',
          action: 'old',
          outcome: 'ok',
          status: null,
          durationMs: 1,
        },
      ]);
      const locked = lockedByAnotherWriter();
      const trail = createAuditTrail({ store: locked.store, clock, logger, retentionDays: 90 });
      expect(await trail.prune()).toBe(0);
      expect(warnings).toEqual([]);
      locked.release();
      expect(await trail.prune()).toBe(1);
      trail.close();
      locked.close();
    });

    it('warns about the entries a stopping server could not write', () => {
      const locked = lockedByAnotherWriter();
      const trail = createAuditTrail({ store: locked.store, clock, logger, retentionDays: 90 });
      trail.record({ principal: viewer, surface: 'mcp', action: 'search', outcome: 'ok', durationMs: 5 });
      trail.close();
      expect(warnings).toEqual([
        expect.stringMatching(/^1 audit entries were not written before the server stopped\./),
      ]);
      locked.release();
      locked.close();
    });
  });
});
