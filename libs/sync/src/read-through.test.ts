import { afterEach, describe, expect, it } from 'vitest';
import { UpstreamError, type TestIOApi } from '@testio-mcp/domain';
import { days, startHarness, type Harness } from './__fixtures__/sandbox-harness.js';
import { createReadThrough, type ReadThroughDeps } from './read-through.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

async function synced(): Promise<Harness> {
  harness = await startHarness();
  await harness.engine.run({ mode: 'force', trigger: 'manual_cli' });
  harness.sandbox.resetRequestLog();
  return harness;
}

function readThrough(h: Harness, extra: Partial<ReadThroughDeps> = {}) {
  return createReadThrough({ api: h.api, stores: h.stores, clock: h.clock, logger: h.logger, ...extra });
}

function testsWithStatus(h: Harness, statuses: string[]): number[] {
  return [...h.stores.state.tests.values()]
    .filter((t) => statuses.includes(t.entity.status))
    .map((t) => t.entity.id);
}

const bugRequests = (h: Harness) => h.sandbox.requestLog().filter((r) => r.path.startsWith('/bugs'));

describe('read-through: bugs', () => {
  it('10 concurrent readers of one stale test share ONE upstream request', async () => {
    const h = await synced();
    const [testId] = testsWithStatus(h, ['running', 'locked']);
    h.clock.advance(2 * 3_600_000);
    const rt = readThrough(h);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () => rt.ensureBugsFresh([testId as number])),
    );
    expect(bugRequests(h)).toHaveLength(1);
    for (const o of outcomes) expect(o).toMatchObject({ refreshed: [testId], cacheHits: [], failed: [] });
    // Fresh now: the next reader is served from the mirror.
    expect(await rt.ensureBugsFresh([testId as number])).toMatchObject({
      refreshed: [],
      cacheHits: [testId],
    });
    expect(bugRequests(h)).toHaveLength(1);
  });

  it('serves fresh and settled tests from the mirror and refreshes mutable ones in batches of 15', async () => {
    const h = await synced();
    h.clock.advance(2 * 3_600_000);
    const mutable = testsWithStatus(h, [
      'running',
      'locked',
      'customer_finalized',
      'initialized',
      'waiting',
    ]).slice(0, 20);
    const archived = [...h.stores.state.tests.values()]
      .filter(
        (t) =>
          t.entity.status === 'archived' &&
          Date.parse(t.entity.end_at ?? '') < h.clock.now().getTime() - days(30),
      )
      .map((t) => t.entity.id)
      .slice(0, 5);
    const outcome = await readThrough(h).ensureBugsFresh([...mutable, ...archived]);
    expect(outcome.refreshed).toEqual([...mutable].sort((a, b) => a - b));
    expect(outcome.cacheHits).toEqual([...archived].sort((a, b) => a - b));
    expect(bugRequests(h)).toHaveLength(Math.ceil(mutable.length / 15));
  });

  it('re-reads bugs of settled tests after the long immutable TTL', async () => {
    const h = await synced();
    const [archived] = testsWithStatus(h, ['archived']);
    h.clock.advance(days(8));
    expect((await readThrough(h).ensureBugsFresh([archived as number])).refreshed).toEqual([archived]);
  });

  it('a failed fetch keeps the old timestamp and reports the failure', async () => {
    const h = await synced();
    const [testId] = testsWithStatus(h, ['running', 'locked']);
    const before = h.stores.state.tests.get(testId as number)?.bugsSyncedAt;
    h.clock.advance(2 * 3_600_000);
    const failing: TestIOApi = {
      ...h.api,
      listBugsForTests: () =>
        Promise.reject(
          new UpstreamError({
            message: 'TestIO answered 503',
            status: 503,
            operation: { method: 'GET', path: 'bugs' },
          }),
        ),
    };
    const outcome = await readThrough(h, { api: failing }).ensureBugsFresh([testId as number]);
    expect(outcome.refreshed).toEqual([]);
    expect(outcome.failed).toEqual([{ id: testId, error: expect.any(UpstreamError) }]);
    expect(outcome.warnings[0]).toMatch(/could not be refreshed from TestIO/);
    expect(h.stores.state.tests.get(testId as number)?.bugsSyncedAt).toEqual(before);
    // The next reader tries again.
    expect((await readThrough(h).ensureBugsFresh([testId as number])).refreshed).toEqual([testId]);
  });

  it('reads an unknown test first, then its bugs', async () => {
    harness = await startHarness();
    const h = harness;
    await h.engine.run({ mode: 'force', trigger: 'manual_cli', phases: ['products', 'features'] });
    const [product] = h.sandbox.truth().products;
    const [test] = await h.api.listTestsPage(product?.id as number, 1, 1);
    const outcome = await readThrough(h).ensureBugsFresh([test?.id as number]);
    expect(outcome.refreshed).toEqual([test?.id]);
    expect(h.stores.state.tests.has(test?.id as number)).toBe(true);
    const truth = h.sandbox.truth({ perTest: true }).tests?.find((t) => t.id === test?.id);
    expect([...h.stores.state.bugs.values()].filter((b) => b.entity.test_id === test?.id)).toHaveLength(
      truth?.bugs ?? -1,
    );
  });
});

describe('read-through: tests and features', () => {
  it('refreshes stale mutable tests, serves final ones, and removes a test TestIO deleted', async () => {
    const h = await synced();
    const summary = h.sandbox.advance({ days: 1 });
    h.clock.advance(days(1));
    const deleted = summary.deletedTests[0] as number;
    const [archived] = testsWithStatus(h, ['archived']);
    const changed = summary.statusChanges.find((c) => c.testId !== deleted);
    const ids = [deleted, archived as number, ...(changed ? [changed.testId] : [])];
    const outcome = await readThrough(h).ensureTestsFresh(ids);
    expect(outcome.deleted).toEqual([deleted]);
    expect(outcome.cacheHits).toEqual([archived]);
    expect(h.stores.state.tests.has(deleted)).toBe(false);
    if (changed) {
      expect(outcome.refreshed).toEqual([changed.testId]);
      expect(h.stores.state.tests.get(changed.testId)?.entity.status).toBe(changed.to);
    }
  });

  it('refreshes a product catalogue only when stale or forced, once for concurrent readers', async () => {
    const h = await synced();
    const [product] = h.sandbox.truth().products;
    const rt = readThrough(h);
    expect(await rt.ensureFeaturesFresh([product?.id as number])).toMatchObject({
      cacheHits: [product?.id],
      refreshed: [],
    });
    const outcomes = await Promise.all(
      [1, 2, 3].map(() => rt.ensureFeaturesFresh([product?.id as number], { force: true })),
    );
    for (const o of outcomes) expect(o.refreshed).toEqual([product?.id]);
    const featureCalls = h.sandbox.requestLog().filter((r) => r.path.includes('/features'));
    expect(featureCalls.length).toBe(Math.max(1, product?.sectionIds.length ?? 0));
    expect((await rt.ensureFeaturesFresh([424242])).failed[0]?.error.message).toMatch(/not in the mirror/);
  });

  it('fetches the catalogue when a refreshed test references a feature the mirror lacks', async () => {
    const h = await synced();
    const [testId] = testsWithStatus(h, ['running', 'locked']);
    const test = h.stores.state.tests.get(testId as number);
    const featureId = test?.entity.features[0]?.feature_id as number;
    h.stores.state.features.delete(featureId);
    await readThrough(h).ensureTestsFresh([testId as number], { force: true });
    expect(h.stores.state.features.has(featureId)).toBe(true);
  });
});
