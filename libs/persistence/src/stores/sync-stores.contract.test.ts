import { afterEach, describe, expect, it } from 'vitest';
import type { Product, Stored, UpstreamProduct } from '@testio-mcp/domain';
import { type EngineTestDatabase, testEngines } from '../testing.js';

/**
 * The storage contract the sync engine relies on (lease, runs, problematic ranges, product bookkeeping),
 * stated through the `SyncStores` port alone. The engine's own tests (libs/sync) run on these stores.
 */

const t0 = new Date('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

function product(id: number): Stored<Product, UpstreamProduct> {
  return {
    entity: {
      id,
      title: `Product ${id}`,
      type: null,
      description: null,
      default_section_id: null,
      has_sections: false,
      sections: [],
    },
    raw: { id, name: `Product ${id}` },
  };
}

describe.each(testEngines)('SyncStores contract ($name)', (engine) => {
  let db: EngineTestDatabase | undefined;
  const open = async () => {
    db = await engine.open();
    return db.stores;
  };
  const opened = (): EngineTestDatabase => {
    if (!db) throw new Error('open() the database first');
    return db;
  };
  afterEach(async () => {
    await db?.cleanup();
    db = undefined;
  });

  describe('lease', () => {
    it('is taken when free, refused while a live holder has it, taken over once expired or stealable', async () => {
      const { syncState } = await open();
      expect(await syncState.acquireLease('a', 1000, t0)).toMatchObject({
        acquired: true,
        lease: { holder: 'a' },
      });
      expect(await syncState.acquireLease('b', 1000, at(500))).toMatchObject({
        acquired: false,
        current: { holder: 'a' },
      });
      expect(await syncState.acquireLease('b', 1000, at(500), (l) => l.holder === 'a')).toMatchObject({
        acquired: true,
      });
      expect(await syncState.acquireLease('a', 1000, at(600))).toMatchObject({
        acquired: false,
        current: { holder: 'b' },
      });
      expect(await syncState.acquireLease('a', 1000, at(1500))).toMatchObject({
        acquired: true,
        lease: { holder: 'a', acquiredAt: at(1500) },
      });
    });

    it('renews only for its holder, keeping the tenure start, and releases only its holder', async () => {
      const { syncState } = await open();
      await syncState.acquireLease('a', 1000, t0);
      expect(await syncState.renewLease('b', 1000, at(100))).toBe(false);
      expect(await syncState.renewLease('a', 1000, at(900))).toBe(true);
      expect(await syncState.readLease()).toEqual({ holder: 'a', acquiredAt: t0, expiresAt: at(1900) });
      await syncState.releaseLease('b');
      expect(await syncState.readLease()).not.toBeNull();
      await syncState.releaseLease('a');
      expect(await syncState.readLease()).toBeNull();
    });
  });

  describe('lease between processes', () => {
    it('goes to exactly one of several contenders racing on their own connections', async () => {
      await open();
      const contenders = await Promise.all([1, 2, 3, 4].map(() => opened().connectAgain()));
      const results = await Promise.all(
        contenders.map((c, i) => c.stores.syncState.acquireLease(`worker-${i}`, 60_000, t0)),
      );
      const winners = results.filter((r) => r.acquired);
      expect(winners).toHaveLength(1);
      const holder = winners[0]?.acquired ? winners[0].lease.holder : undefined;
      for (const r of results) if (!r.acquired) expect(r.current.holder).toBe(holder);
      expect((await opened().stores.syncState.readLease())?.holder).toBe(holder);
    });

    it('is taken over by exactly one contender once expired', async () => {
      const { syncState } = await open();
      await syncState.acquireLease('dead', 1000, t0);
      const contenders = await Promise.all([1, 2, 3].map(() => opened().connectAgain()));
      const results = await Promise.all(
        contenders.map((c, i) => c.stores.syncState.acquireLease(`worker-${i}`, 60_000, at(5000))),
      );
      expect(results.filter((r) => r.acquired)).toHaveLength(1);
      expect((await syncState.readLease())?.holder).toMatch(/^worker-/);
      expect(await syncState.renewLease('dead', 1000, at(5001))).toBe(false);
    });
  });

  describe('runs and problematic ranges', () => {
    it('interrupts stale running runs and counts by status', async () => {
      const { syncState } = await open();
      const stale = await syncState.startRun({
        trigger: 'background',
        mode: 'incremental',
        productIds: null,
        startedAt: t0,
      });
      const live = await syncState.startRun({
        trigger: 'mcp',
        mode: 'force',
        productIds: [1],
        startedAt: at(50_000),
      });
      await syncState.heartbeatRun(live, at(90_000));
      expect(await syncState.interruptStaleRuns(at(60_000), at(100_000))).toBe(1);
      expect((await syncState.getRun(stale))?.status).toBe('interrupted');
      expect((await syncState.getRun(live))?.status).toBe('running');
      expect(await syncState.countRunsSince(['interrupted'], t0)).toBe(1);
      expect((await syncState.listRuns(10)).map((r) => r.id)).toEqual([live, stale]);
    });

    it('records how a run finished and finds the last run with a status', async () => {
      const { syncState } = await open();
      const failed = await syncState.startRun({
        trigger: 'background',
        mode: 'incremental',
        productIds: null,
        startedAt: t0,
      });
      await syncState.finishRun(failed, {
        status: 'failure',
        finishedAt: at(1000),
        counts: {} as never,
        warnings: [],
        error: 'TestIO answered 401',
      });
      expect(await syncState.getRun(failed)).toMatchObject({
        status: 'failure',
        finishedAt: at(1000),
        error: 'TestIO answered 401',
      });
      expect((await syncState.lastRunWithStatus(['failure']))?.id).toBe(failed);
      expect(await syncState.lastRunWithStatus(['success'])).toBeNull();
      // Counted by when they started.
      expect(await syncState.countRunsSince(['failure'], t0)).toBe(1);
      expect(await syncState.countRunsSince(['failure'], at(1))).toBe(0);
    });

    it('dedupes a range seen again by product and boundaries', async () => {
      const { syncState } = await open();
      const range = {
        productId: 1,
        offsetFrom: 40,
        offsetTo: 40,
        boundaryBeforeId: 10,
        boundaryBeforeEndAt: null,
        boundaryAfterId: 11,
        boundaryAfterEndAt: null,
        lastError: 'HTTP 500',
      };
      const first = await syncState.recordProblematicRange(range, t0);
      const again = await syncState.recordProblematicRange(
        { ...range, offsetFrom: 41, offsetTo: 41 },
        at(1000),
      );
      expect(again).toMatchObject({
        id: first.id,
        attempts: 2,
        offsetFrom: 41,
        firstSeenAt: t0,
        lastSeenAt: at(1000),
      });
      await syncState.resolveProblematicRange(first.id, at(2000));
      expect(await syncState.listProblematicRanges()).toEqual([]);
      expect(await syncState.listProblematicRanges({ includeResolved: true })).toHaveLength(1);
      // Seen again after it was resolved: the same range reopens, its history kept.
      const reopened = await syncState.recordProblematicRange(range, at(3000));
      expect(reopened).toMatchObject({ id: first.id, attempts: 3, firstSeenAt: t0, resolvedAt: null });
      expect(await syncState.listProblematicRanges()).toHaveLength(1);
      expect(await syncState.clearProblematicRanges(2)).toBe(0);
      expect(await syncState.clearProblematicRanges()).toBe(1);
      expect(await syncState.listProblematicRanges({ includeResolved: true })).toEqual([]);
    });
  });

  describe('products', () => {
    it('keeps the sync bookkeeping of each product, ordered by id, and deletes those no longer listed', async () => {
      const { products } = await open();
      await products.upsertProducts([product(2), product(1)], t0);
      expect(await products.listProductSyncStates()).toMatchObject([
        { id: 1, testsSyncedAt: null, lastFullSyncAt: null },
        { id: 2, testsSyncedAt: null, lastFullSyncAt: null },
      ]);
      await products.markTestsWalked(1, at(1000), false);
      await products.markTestsWalked(2, at(2000), true);
      expect(await products.listProductSyncStates([1])).toMatchObject([
        { id: 1, testsSyncedAt: at(1000), lastFullSyncAt: null },
      ]);
      expect(await products.listProductSyncStates([2])).toMatchObject([
        { id: 2, testsSyncedAt: at(2000), lastFullSyncAt: at(2000) },
      ]);
      expect(await products.deleteProductsExcept([2])).toEqual([1]);
      expect((await products.listProductSyncStates()).map((p) => p.id)).toEqual([2]);
    });
  });
});
