import { afterEach, describe, expect, it } from 'vitest';
import type { SyncStores } from '@testio-mcp/domain';
import { createTestDatabase, type TestDatabase } from '@testio-mcp/persistence/testing';
import { decideAutomaticSync, evaluateCircuitBreaker, formatDuration } from './breaker.js';

// The breaker and the decision read the real stores: a migrated SQLite file per test.
const databases: TestDatabase[] = [];
function createStores(): SyncStores {
  const db = createTestDatabase();
  databases.push(db);
  return db.stores;
}
afterEach(async () => {
  await Promise.all(databases.splice(0).map((db) => db.cleanup()));
});

const t0 = new Date('2026-01-01T12:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const MIN = 60_000;

async function addRun(
  stores: SyncStores,
  startedAt: Date,
  status: 'failure' | 'success' | 'partial_failure',
  error: string | null = null,
) {
  const id = await stores.syncState.startRun({
    trigger: 'background',
    mode: 'incremental',
    productIds: null,
    startedAt,
  });
  await stores.syncState.finishRun(id, {
    status,
    finishedAt: startedAt,
    counts: {} as never,
    warnings: [],
    error,
  });
}

describe('circuit breaker', () => {
  it('opens after 3 failures within 5 minutes, says why and when it retries, and closes afterwards', async () => {
    const stores = createStores();
    await addRun(stores, at(0), 'failure', 'TestIO answered 401');
    await addRun(stores, at(1 * MIN), 'partial_failure');
    await addRun(stores, at(2 * MIN), 'failure', 'TestIO answered 401');
    expect((await evaluateCircuitBreaker(stores.syncState, at(3 * MIN))).open).toBe(false);
    await addRun(stores, at(3 * MIN), 'failure', 'TestIO answered 401 again');

    const open = await evaluateCircuitBreaker(stores.syncState, at(4 * MIN));
    expect(open).toMatchObject({
      open: true,
      failures: 3,
      retryAt: at(5 * MIN),
      lastError: 'TestIO answered 401 again',
    });
    expect(open.reason).toBe(
      `Circuit breaker open: 3 sync runs failed in the last 5 minutes (last error: TestIO answered 401 again); automatic syncs are paused until ${at(5 * MIN).toISOString()}. Fix the cause or start a manual sync.`,
    );
    const decision = await decideAutomaticSync({
      stores,
      now: at(4 * MIN),
      refreshIntervalMs: 3_600_000,
      force: true,
    });
    expect(decision).toMatchObject({ run: false, reason: open.reason });

    expect((await evaluateCircuitBreaker(stores.syncState, at(5 * MIN + 1))).open).toBe(false);
    const later = await decideAutomaticSync({ stores, now: at(5 * MIN + 1), refreshIntervalMs: 3_600_000 });
    expect(later).toMatchObject({ run: true, reason: 'the mirror holds no products yet' });
  });
});

describe('automatic sync decision', () => {
  async function withProduct(testsSyncedAt: Date | null) {
    const stores = createStores();
    await stores.products.upsertProducts(
      [
        {
          entity: {
            id: 1,
            title: 'P',
            type: null,
            description: null,
            default_section_id: null,
            has_sections: false,
            sections: [],
          },
          raw: { id: 1, name: 'P' },
        },
      ],
      t0,
    );
    if (testsSyncedAt) await stores.products.markTestsWalked(1, testsSyncedAt, true);
    return stores;
  }

  it('runs for a product never synced, or synced longer ago than the interval', async () => {
    expect(
      (await decideAutomaticSync({ stores: await withProduct(null), now: t0, refreshIntervalMs: 3_600_000 }))
        .reason,
    ).toMatch(/never synced/);
    const stale = await decideAutomaticSync({
      stores: await withProduct(at(-2 * 3_600_000)),
      now: t0,
      refreshIntervalMs: 3_600_000,
    });
    expect(stale).toMatchObject({
      run: true,
      reason: 'the oldest product was synced 2 hours ago (interval 60 minutes)',
    });
  });

  it('skips when everything is fresh unless forced', async () => {
    const stores = await withProduct(at(-10 * MIN));
    const fresh = await decideAutomaticSync({ stores, now: t0, refreshIntervalMs: 3_600_000 });
    expect(fresh.run).toBe(false);
    expect(fresh.reason).toContain(`next due at ${at(50 * MIN).toISOString()}`);
    expect(
      (await decideAutomaticSync({ stores, now: t0, refreshIntervalMs: 3_600_000, force: true })).run,
    ).toBe(true);
  });

  it('formats durations for people', () => {
    expect([
      formatDuration(90_000),
      formatDuration(5 * MIN),
      formatDuration(5 * 3_600_000),
      formatDuration(4 * 86_400_000),
    ]).toEqual(['90 seconds', '5 minutes', '5 hours', '4 days']);
  });
});
