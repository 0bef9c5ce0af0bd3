/**
 * The sync engine against the real TestIO sandbox over HTTP (seed 7, `small`) through the real client,
 * writing into a migrated SQLite file. Ground truth comes from `sandbox.truth()`.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '@testio-mcp/domain';
import {
  days,
  expectMirrorMatchesTruth,
  snapshotSyncedMirror,
  startHarness,
  type Harness,
  type MirrorSnapshot,
} from './__fixtures__/sandbox-harness.js';

let snapshot: MirrorSnapshot | undefined;
beforeAll(async () => {
  snapshot = await snapshotSyncedMirror();
}, 240_000);
afterAll(() => snapshot?.remove());

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

/** A fresh sandbox and a copy of the mirror a force sync of it left (see `snapshotSyncedMirror`). */
async function fullySynced(): Promise<Harness> {
  harness = await startHarness({ ...(snapshot ? { mirror: snapshot } : {}) });
  expect(await harness.stores.syncState.listRuns(10)).toMatchObject([{ status: 'success', mode: 'force' }]);
  return harness;
}

describe('full (force) sync', () => {
  it('mirrors every product, test and bug of the account', async () => {
    harness = await startHarness();
    const h = harness;
    const sync = await h.engine.run({ mode: 'force', trigger: 'manual_cli' });
    expect(sync.errors).toEqual([]);
    expect(sync.status).toBe('success');
    const truth = h.sandbox.truth({ perTest: true });
    await expectMirrorMatchesTruth(h, truth);
    const [run] = await h.stores.syncState.listRuns(10);
    expect(run).toMatchObject({ status: 'success', trigger: 'manual_cli', mode: 'force' });
    expect(run?.counts).toMatchObject({
      productsSynced: truth.totals.products,
      testsDiscovered: truth.totals.tests,
      testsUpdated: 0,
      bugsSynced: truth.totals.bugs,
    });
    // The run reports what the client sent. The sandbox saw all of it except attempts that got no
    // answer (a keep-alive connection the server had just closed, retried by the client).
    const sent = h.api.stats();
    expect(run?.counts?.upstreamCalls).toBe(sent.requests);
    expect(h.sandbox.requestLog().length).toBeLessThanOrEqual(sent.requests);
    expect(h.sandbox.requestLog().length).toBeGreaterThanOrEqual(sent.requests - sent.failedRequests);
    // Features and user stories per product.
    for (const p of truth.products) {
      expect((await h.mirror.featureIds(p.id)).length, `features of product ${p.id}`).toBe(p.features);
    }
    // Users: testers from bug authors, customers from test creators and submitters.
    const users = await h.mirror.users();
    expect(users.some((u) => u.isTester)).toBe(true);
    expect(users.some((u) => u.isCustomer)).toBe(true);
    // Every product walked completely, the lease released.
    const states = await h.stores.products.listProductSyncStates();
    expect(states.every((s) => s.lastFullSyncAt !== null && s.featuresSyncedAt !== null)).toBe(true);
    expect(await h.stores.syncState.readLease()).toBeNull();
  });

  it('has no page cap: a product with 3,000 tests (medium scale) is walked to the end', async () => {
    harness = await startHarness({ scale: 'medium' });
    const h = harness;
    const truth = h.sandbox.truth({ perTest: true });
    const big = [...truth.products].sort((a, b) => b.tests - a.tests)[0] as (typeof truth.products)[number];
    expect(big.tests).toBeGreaterThan(1250);
    const result = await h.engine.run({ mode: 'force', trigger: 'manual_cli', productIds: [big.id] });
    expect(result.status).toBe('success');
    expect(result.products[0]).toMatchObject({
      stoppedBy: 'end',
      complete: true,
      pages: Math.floor(big.tests / 25) + 1,
    });
    await expectMirrorMatchesTruth(h, truth, [big.id]);
    // Some 3,000 tests and their bugs written to a real SQLite file: longer than the default minute on a
    // loaded machine.
  }, 240_000);

  it('reports progress per phase, product and page', async () => {
    harness = await startHarness({ engine: { progressIntervalMs: 0 } });
    const events: string[] = [];
    await harness.engine.run({ mode: 'force', trigger: 'mcp', onProgress: (p) => events.push(p.phase) });
    expect(events[0]).toBe('products');
    expect(events).toContain('features');
    expect(events).toContain('tests');
    expect(events.at(-1)).toBe('done');
  });
});

describe('incremental sync', () => {
  it('right after a full sync costs one list call per product and writes no bugs', async () => {
    const h = await fullySynced();
    const products = h.sandbox.truth().products.length;
    h.stores.resetCalls();
    const result = await h.engine.run({ mode: 'incremental', trigger: 'background' });
    expect(result.status).toBe('success');
    const log = h.sandbox.requestLog().map((r) => r.path);
    expect(log.filter((p) => p.startsWith('/products?') || p === '/products')).toHaveLength(1);
    expect(log.filter((p) => p.includes('/exploratory_tests'))).toHaveLength(products);
    expect(log).toHaveLength(1 + products);
    expect(result.counts.upstreamCalls).toBe(1 + products);
    expect(h.stores.calls.replaceBugsOfTests ?? 0).toBe(0);
    expect(h.stores.calls.replaceProductFeatures ?? 0).toBe(0);
    expect(result.counts).toMatchObject({ testsDiscovered: 0, testsDeleted: 0, bugsSynced: 0 });
    expect(result.products.every((p) => p.stoppedBy === 'boundary' || p.stoppedBy === 'end')).toBe(true);
  });

  it('after the account moves on, returns the mirror to ground truth (new, changed and deleted tests) with far fewer calls', async () => {
    const h = await fullySynced();
    const fullCalls = snapshot?.upstreamCalls ?? 0;
    expect(fullCalls).toBeGreaterThan(0);
    const summary = h.sandbox.advance({ days: 3 });
    h.clock.advance(days(3));
    expect(summary.deletedTests).toHaveLength(1);
    const deleted = summary.deletedTests[0] as number;
    expect(await h.mirror.test(deleted)).not.toBeNull();
    h.sandbox.resetRequestLog();

    const result = await h.engine.run({ mode: 'incremental', trigger: 'background' });
    expect(result.errors).toEqual([]);
    expect(result.status).toBe('success');
    await expectMirrorMatchesTruth(h, h.sandbox.truth({ perTest: true }));
    expect(await h.mirror.test(deleted)).toBeNull();
    expect(result.counts.testsDeleted).toBe(1);
    expect(result.counts.testsDiscovered).toBe(summary.newTests.length);
    const calls = h.sandbox.requestLog().length;
    expect(calls).toBe(result.counts.upstreamCalls);
    expect(calls).toBeLessThan(fullCalls / 2);
  });

  it('refresh mode catches up without waiting for the TTL', async () => {
    const h = await fullySynced();
    const summary = h.sandbox.advance({ days: 2 });
    // The mirror's clock does not move: every cached test still looks fresh to the TTL.
    const result = await h.engine.run({ mode: 'refresh', trigger: 'manual_cli' });
    expect(result.status).toBe('success');
    await expectMirrorMatchesTruth(h, h.sandbox.truth({ perTest: true }));
    expect(summary.deletedTests).toHaveLength(1);
    expect(await h.mirror.test(summary.deletedTests[0] as number)).toBeNull();
  });

  it('walks a product to the end when it was never walked completely', async () => {
    harness = await startHarness();
    const h = harness;
    const result = await h.engine.run({ mode: 'incremental', trigger: 'startup' });
    expect(result.status).toBe('success');
    await expectMirrorMatchesTruth(h, h.sandbox.truth({ perTest: true }));
    expect(result.products.every((p) => p.stoppedBy === 'end' && p.complete)).toBe(true);
  });
});

describe('scope and since', () => {
  it('syncs only the products asked for and deletes nothing else', async () => {
    harness = await startHarness();
    const h = harness;
    const truth = h.sandbox.truth({ perTest: true });
    const productId = truth.products[1]?.id as number;
    const result = await h.engine.run({ mode: 'force', trigger: 'manual_cli', productIds: [productId] });
    expect(result.status).toBe('success');
    expect(result.productIds).toEqual([productId]);
    await expectMirrorMatchesTruth(h, truth, [productId]);
    expect(h.stores.calls.deleteProductsExcept ?? 0).toBe(0);
  });

  it('rejects products outside the configured scope', async () => {
    const truthProducts = (await startHarness()).sandbox;
    const ids = truthProducts.truth().products.map((p) => p.id);
    await truthProducts.close();
    harness = await startHarness({ engine: { productIds: [ids[0] as number] } });
    await expect(
      harness.engine.run({ mode: 'force', trigger: 'mcp', productIds: [ids[1] as number] }),
    ).rejects.toThrow(/outside the configured sync scope/);
    const result = await harness.engine.run({ mode: 'force', trigger: 'mcp' });
    expect(result.productIds).toEqual([ids[0]]);
    expect(await harness.mirror.productIds()).toEqual([ids[0]]);
  });

  it('with since, keeps only tests that ended on or after it and stops at the first older page', async () => {
    harness = await startHarness();
    const h = harness;
    const since = new Date(h.clock.now().getTime() - days(60));
    const result = await h.engine.run({ mode: 'force', trigger: 'manual_cli', since });
    expect(result.status).toBe('success');
    const stored = await h.mirror.tests();
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.every((t) => t.endAt !== null && t.endAt.getTime() >= since.getTime())).toBe(true);
    // Exactly the tests of the full list that ended on or after `since`.
    let expected = 0;
    for (const p of h.sandbox.truth().products) {
      const all = await h.api.listTestsPage(p.id, 1, 10_000);
      expected += all.filter((t) => t.end_at && Date.parse(t.end_at) >= since.getTime()).length;
    }
    expect(stored).toHaveLength(expected);
    expect(result.products.some((p) => p.stoppedBy === 'since')).toBe(true);
    expect(result.products.filter((p) => p.stoppedBy === 'since').every((p) => !p.complete)).toBe(true);
  });
});

describe('upstream failures', () => {
  it('records unreadable tests as problematic, marks the run partial_failure, and retryProblematic heals it', async () => {
    harness = await startHarness();
    const h = harness;
    const truth = h.sandbox.truth({ perTest: true });
    const big = [...truth.products].sort((a, b) => b.tests - a.tests)[0];
    const list = await h.api.listTestsPage(big?.id as number, 1, 10_000);
    const poisoned = list[40] as (typeof list)[number];
    h.sandbox.setFaults({ failTests: [poisoned.id] });

    const result = await h.engine.run({ mode: 'force', trigger: 'manual_cli' });
    expect(result.status).toBe('partial_failure');
    expect(result.failedRanges).toEqual([
      {
        productId: big?.id,
        offsetFrom: 40,
        offsetTo: 40,
        boundaryBeforeId: list[39]?.id,
        boundaryAfterId: list[41]?.id,
        error: expect.stringContaining('500'),
      },
    ]);
    expect(result.errors.join('\n')).toMatch(/positions 40–40 could not be read/);
    // A partly recovered page does not end the product's walk: the older tests are all there.
    const mirrored = new Set((await h.mirror.tests()).map((t) => t.id));
    expect(mirrored.has(poisoned.id)).toBe(false);
    expect(list.slice(41).every((t) => mirrored.has(t.id))).toBe(true);
    const bigOutcome = result.products.find((p) => p.productId === big?.id);
    expect(bigOutcome).toMatchObject({
      stoppedBy: 'end',
      complete: false,
      failedRanges: 1,
      deletionSkipped: true,
    });
    const ranges = await h.stores.syncState.listProblematicRanges();
    expect(ranges).toHaveLength(1);
    expect(ranges[0]).toMatchObject({
      productId: big?.id,
      offsetFrom: 40,
      boundaryBeforeId: list[39]?.id,
      attempts: 1,
    });
    const run = await h.stores.syncState.getRun(result.runId);
    expect(run?.status).toBe('partial_failure');

    // Still failing: the retry bumps the attempts and resolves nothing.
    const stillFailing = await h.engine.retryProblematic();
    expect(stillFailing).toMatchObject({ resolved: 0, remaining: 1 });
    expect((await h.stores.syncState.listProblematicRanges())[0]?.attempts).toBe(2);

    h.sandbox.setFaults({});
    const healed = await h.engine.retryProblematic();
    expect(healed).toMatchObject({ resolved: 1, remaining: 0 });
    expect(healed.result?.status).toBe('success');
    expect(healed.result?.productIds).toEqual([big?.id]);
    await expectMirrorMatchesTruth(h, truth);
  });

  it('completes under 10% random 500s and 429s, reports what it missed, and the next runs heal it', async () => {
    harness = await startHarness({
      retries: 0,
      faults: { failRate: 0.05, rateLimit: { everyNth: 20, retryAfterSeconds: 1 } },
    });
    const h = harness;
    const truth = h.sandbox.truth({ perTest: true });
    // Products must be listable for the run to start; the seeded draws make the rest deterministic.
    const first = await h.engine.run({ mode: 'force', trigger: 'manual_cli' });
    expect(['partial_failure', 'failure']).toContain(first.status);
    expect(first.errors.length).toBeGreaterThan(0);

    h.sandbox.setFaults({});
    // The next process, with the client's usual retries: a keep-alive connection the server closed
    // between runs is retried, as in production, instead of becoming a failure of its own.
    const next = h.engineFor('next', {}, h.newClient(2));
    let result = await next.run({ mode: 'incremental', trigger: 'background' });
    expect(result.errors).toEqual([]);
    const retried = await next.retryProblematic();
    expect(retried.remaining).toBe(0);
    result = await next.run({ mode: 'incremental', trigger: 'background' });
    expect(result.status).toBe('success');
    await expectMirrorMatchesTruth(h, truth);
  });
});

describe('one sync at a time', () => {
  it('two syncs started together: one runs, the other is told a sync is in progress', async () => {
    harness = await startHarness();
    const h = harness;
    const other = h.engineFor('engine-b');
    const [a, b] = await Promise.allSettled([
      h.engine.run({ mode: 'force', trigger: 'manual_cli' }),
      other.run({ mode: 'force', trigger: 'manual_cli' }),
    ]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    const error = (b as PromiseRejectedResult).reason as ConflictError;
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.message).toMatch(/^A sync is already running \(holder engine-a since \d{4}-/);
    expect(await h.stores.syncState.listRuns(10)).toHaveLength(1);
    expect(await h.stores.syncState.readLease()).toBeNull();
    // Once it is done, the other process may run.
    await expect(other.run({ mode: 'incremental', trigger: 'manual_cli' })).resolves.toMatchObject({
      status: 'success',
    });
  });

  it('aborting through the signal ends the run as interrupted and releases the lease', async () => {
    harness = await startHarness({ engine: { progressIntervalMs: 0 } });
    const h = harness;
    const controller = new AbortController();
    const result = await h.engine.run({
      mode: 'force',
      trigger: 'manual_cli',
      signal: controller.signal,
      onProgress: (p) => {
        if (p.phase === 'tests' && p.page === 1) controller.abort();
      },
    });
    expect(result.status).toBe('interrupted');
    expect(await h.stores.syncState.readLease()).toBeNull();
    expect((await h.stores.syncState.getRun(result.runId))?.status).toBe('interrupted');
    // The page in hand was written; nothing after it, and the product is not marked walked.
    const walked = result.products.filter((p) => p.pages > 0);
    expect(walked).toHaveLength(1);
    expect(walked[0]?.stoppedBy).toBe('aborted');
    expect((await h.mirror.tests()).length).toBeGreaterThan(0);
    const states = await h.stores.products.listProductSyncStates();
    expect(states.every((s) => s.testsSyncedAt === null)).toBe(true);
    // The next incremental run finishes the job.
    const next = await h.engine.run({ mode: 'incremental', trigger: 'manual_cli' });
    expect(next.status).toBe('success');
    await expectMirrorMatchesTruth(h, h.sandbox.truth({ perTest: true }));
  });
});
