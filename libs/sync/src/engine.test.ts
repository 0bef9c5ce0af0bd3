/**
 * The engine's bookkeeping: lease, heartbeat, run rows, outcomes and the breaker, on a real SQLite mirror.
 * The sandbox serves the data, slows down (latency) and fails (fault injection); the API is wrapped only
 * where one call of one product must fail or change, which the sandbox cannot single out.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, UpstreamError } from '@testio-mcp/domain';
import {
  overrideApi,
  snapshotSyncedMirror,
  startHarness,
  type Harness,
  type MirrorSnapshot,
} from './__fixtures__/sandbox-harness.js';
import { waitUntil } from './__fixtures__/wait-until.js';

let snapshot: MirrorSnapshot | undefined;
beforeAll(async () => {
  snapshot = await snapshotSyncedMirror();
}, 240_000);
afterAll(() => snapshot?.remove());

/** A fresh sandbox and a copy of the mirror a force sync of it left (see `snapshotSyncedMirror`). */
const synced = () => startHarness({ ...(snapshot ? { mirror: snapshot } : {}) });

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const upstream500 = (path: string) =>
  new UpstreamError({
    message: `TestIO answered 500 for GET ${path}`,
    status: 500,
    operation: { method: 'GET', path },
  });

describe('lease', () => {
  it('takes over an expired lease left by a dead holder and interrupts its stale run', async () => {
    harness = await startHarness();
    const h = harness;
    const longAgo = new Date(h.clock.now().getTime() - 10 * 60_000);
    expect(await h.stores.syncState.acquireLease('dead', 60_000, longAgo)).toMatchObject({ acquired: true });
    const orphan = await h.stores.syncState.startRun({
      trigger: 'background',
      mode: 'incremental',
      productIds: null,
      startedAt: longAgo,
    });

    const result = await h.engine.run({ mode: 'force', trigger: 'manual_cli' });
    expect(result.status).toBe('success');
    expect((await h.stores.syncState.getRun(orphan))?.status).toBe('interrupted');
    expect(await h.stores.syncState.readLease()).toBeNull();
  });

  it('steals a live-looking lease only when canStealLease says its holder is dead', async () => {
    harness = await startHarness();
    const h = harness;
    const now = h.clock.now();
    expect(await h.stores.syncState.acquireLease('pid:999999@here', 60_000, now)).toMatchObject({
      acquired: true,
    });
    await expect(h.engine.run({ mode: 'incremental', trigger: 'manual_cli' })).rejects.toBeInstanceOf(
      ConflictError,
    );
    const stealer = h.engineFor('pid:1@here', {
      canStealLease: (lease) => lease.holder === 'pid:999999@here',
    });
    await expect(stealer.run({ mode: 'force', trigger: 'manual_cli' })).resolves.toMatchObject({
      status: 'success',
    });
  });

  it('refuses a second concurrent run of the same engine (same holder id)', async () => {
    harness = await startHarness();
    const h = harness;
    const [a, b] = await Promise.allSettled([
      h.engine.run({ mode: 'force', trigger: 'background' }),
      h.engine.run({ mode: 'force', trigger: 'mcp' }),
    ]);
    expect(a).toMatchObject({ status: 'fulfilled', value: { status: 'success' } });
    expect(b).toMatchObject({ status: 'rejected', reason: expect.any(ConflictError) });
    expect(await h.stores.syncState.listRuns(10)).toHaveLength(1);
    await expect(h.engine.run({ mode: 'incremental', trigger: 'mcp' })).resolves.toMatchObject({
      status: 'success',
    });
  });

  it('keeps the lease alive with heartbeats during a run longer than its TTL', async () => {
    harness = await startHarness({ engine: { leaseTtlMs: 300, heartbeatMs: 40 }, faults: { latencyMs: 60 } });
    const h = harness;
    const slow = h.engineFor('slow');
    const running = slow.run({ mode: 'force', trigger: 'manual_cli' });
    // The run has outlived its TTL once a heartbeat renewed the lease after its first expiry.
    await Promise.race([
      waitUntil('a heartbeat renewal past the lease TTL', async () => {
        const lease = await h.stores.syncState.readLease();
        return lease?.holder === 'slow' && lease.expiresAt.getTime() - lease.acquiredAt.getTime() >= 600;
      }),
      running.then(() => Promise.reject(new Error('the run ended before it outlived its lease TTL'))),
    ]);
    const error = await h
      .engineFor('other')
      .run({ mode: 'incremental', trigger: 'manual_cli' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).message).toContain('holder slow');
    const result = await running;
    expect(result.status).toBe('success');
    const run = await h.stores.syncState.getRun(result.runId);
    expect(run?.heartbeatAt?.getTime()).toBeGreaterThan(run?.startedAt.getTime() ?? Infinity);
  });

  it('stops with failure when the lease is lost to another holder', async () => {
    harness = await startHarness({ engine: { leaseTtlMs: 300, heartbeatMs: 40 }, faults: { latencyMs: 40 } });
    const h = harness;
    const slow = h.engineFor('victim');
    const running = slow.run({ mode: 'force', trigger: 'manual_cli' });
    await waitUntil(
      'the victim to hold the lease',
      async () => (await h.stores.syncState.readLease())?.holder === 'victim',
    );
    const stolen = await h.stores.syncState.acquireLease('thief', 60_000, h.clock.now(), () => true);
    expect(stolen.acquired).toBe(true);
    const result = await running;
    expect(result.status).toBe('failure');
    expect(result.errors.at(-1)).toBe('The sync lease was lost to another process');
    // The victim did not release the thief's lease.
    expect((await h.stores.syncState.readLease())?.holder).toBe('thief');
  });
});

describe('run outcomes and the breaker', () => {
  it('a run whose product list fails is a failure; three in five minutes open the breaker', async () => {
    harness = await startHarness({ faults: { failRate: 1 } });
    const h = harness;
    const errors: string[][] = [];
    for (let i = 0; i < 3; i++) {
      const result = await h.engine.run({ mode: 'incremental', trigger: 'background' });
      expect(result.status).toBe('failure');
      errors.push(result.errors);
    }
    const [message] = errors[0] ?? [];
    expect(message).toBe('TestIO API error (HTTP 500) for GET products after 3 attempts');
    expect(errors).toEqual([[message], [message], [message]]);
    const runs = await h.stores.syncState.listRuns(10);
    expect(runs.map((r) => r.status)).toEqual(['failure', 'failure', 'failure']);
    expect(runs[0]?.error).toBe(message);
    const decision = await h.engine.shouldRunAutomaticSync();
    expect(decision.run).toBe(false);
    expect(decision.reason).toContain(
      `Circuit breaker open: 3 sync runs failed in the last 5 minutes (last error: ${message}); automatic syncs are paused until `,
    );
    expect(decision.reason?.startsWith('Circuit breaker open')).toBe(true);
    h.clock.advance(5 * 60_000 + 1);
    expect(await h.engine.shouldRunAutomaticSync()).toMatchObject({
      run: true,
      reason: 'the mirror holds no products yet',
    });
  });

  it('a run in which every test list fails is a failure, and nothing is marked fresh', async () => {
    harness = await startHarness();
    const h = harness;
    const api = overrideApi(h.api, {
      walkTests: (productId) => ({
        [Symbol.asyncIterator]: () => ({
          next: () => Promise.reject(upstream500(`products/${productId}/exploratory_tests`)),
        }),
      }),
    });
    const result = await h.engineFor('x', {}, api).run({ mode: 'force', trigger: 'background' });
    expect(result.status).toBe('failure');
    expect(result.errors.at(-1)).toMatch(/test lists of all 5 product\(s\) could not be read/);
    const states = await h.stores.products.listProductSyncStates();
    expect(states.every((s) => s.testsSyncedAt === null && s.lastFullSyncAt === null)).toBe(true);
  });

  it('a product whose features fail keeps its catalogue timestamp; the run is a partial failure', async () => {
    harness = await synced();
    const h = harness;
    const [first] = await h.stores.products.listProductSyncStates();
    const api = overrideApi(h.api, {
      listProductFeatures: (product) =>
        product.id === first?.id
          ? Promise.reject(upstream500('features'))
          : h.api.listProductFeatures(product),
    });
    h.clock.advance(2 * 3_600_000);
    const result = await h.engineFor('y', {}, api).run({ mode: 'incremental', trigger: 'background' });
    expect(result.status).toBe('partial_failure');
    expect(result.errors).toEqual([
      `Product ${first?.id}: features could not be refreshed (TestIO answered 500 for GET features); the previous catalogue is kept`,
    ]);
    const after = await h.stores.products.listProductSyncStates([first?.id as number]);
    expect(after[0]?.featuresSyncedAt).toEqual(first?.featuresSyncedAt);
    expect(result.products.find((p) => p.productId === first?.id)?.features).toBe('failed');
    expect(result.products.filter((p) => p.features === 'refreshed')).toHaveLength(4);
  });

  it('deletes products that disappeared upstream (unscoped runs only)', async () => {
    harness = await synced();
    const h = harness;
    const [gone] = await h.stores.products.listProductSyncStates();
    const api = overrideApi(h.api, {
      listProducts: async () => (await h.api.listProducts()).filter((p) => p.id !== gone?.id),
    });
    const result = await h.engineFor('z', {}, api).run({ mode: 'incremental', trigger: 'background' });
    expect(result.counts.productsDeleted).toBe(1);
    expect(await h.mirror.productIds()).not.toContain(gone?.id);
    expect((await h.mirror.tests()).some((t) => t.productId === gone?.id)).toBe(false);
  });

  it('retryProblematic with nothing open does not run', async () => {
    harness = await startHarness();
    expect(await harness.engine.retryProblematic()).toEqual({ result: null, resolved: 0, remaining: 0 });
    expect(await harness.stores.syncState.listRuns(10)).toHaveLength(0);
  });

  it('status() reports lease, runs, ranges, breaker and product freshness', async () => {
    harness = await synced();
    const status = await harness.engine.status();
    expect(status.running).toBe(false);
    expect(status.runs).toHaveLength(1);
    expect(status.breaker.open).toBe(false);
    expect(status.products).toHaveLength(5);
    expect(status.products.every((p) => p.lastFullSyncAt !== null)).toBe(true);
  });
});
