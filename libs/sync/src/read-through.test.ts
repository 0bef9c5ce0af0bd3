import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '@testio-mcp/domain';
import {
  days,
  snapshotSyncedMirror,
  startHarness,
  type Harness,
  type MirrorSnapshot,
} from './__fixtures__/sandbox-harness.js';
import { createReadThrough, type ReadThroughDeps } from './read-through.js';

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

/** A fresh sandbox and a copy of the mirror a force sync of it left. */
async function synced(): Promise<Harness> {
  harness = await startHarness({ ...(snapshot ? { mirror: snapshot } : {}) });
  expect(harness.sandbox.requestLog()).toEqual([]);
  return harness;
}

function readThrough(h: Harness, extra: Partial<ReadThroughDeps> = {}) {
  return createReadThrough({ api: h.api, stores: h.stores, clock: h.clock, logger: h.logger, ...extra });
}

async function testsWithStatus(h: Harness, statuses: string[]): Promise<number[]> {
  return (await h.mirror.tests()).filter((t) => statuses.includes(t.status)).map((t) => t.id);
}

const bugRequests = (h: Harness) => h.sandbox.requestLog().filter((r) => r.path.startsWith('/bugs'));

describe('read-through: bugs', () => {
  it('10 concurrent readers of one stale test share ONE upstream request', async () => {
    const h = await synced();
    const [testId] = await testsWithStatus(h, ['running', 'locked']);
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
    const mutable = (
      await testsWithStatus(h, ['running', 'locked', 'customer_finalized', 'initialized', 'waiting'])
    ).slice(0, 20);
    const archived = (await h.mirror.tests())
      .filter(
        (t) =>
          t.status === 'archived' &&
          t.endAt !== null &&
          t.endAt.getTime() < h.clock.now().getTime() - days(30),
      )
      .map((t) => t.id)
      .slice(0, 5);
    expect(mutable).toHaveLength(20);
    expect(archived).toHaveLength(5);
    const outcome = await readThrough(h).ensureBugsFresh([...mutable, ...archived]);
    expect(outcome.refreshed).toEqual([...mutable].sort((a, b) => a - b));
    expect(outcome.cacheHits).toEqual([...archived].sort((a, b) => a - b));
    expect(bugRequests(h)).toHaveLength(Math.ceil(mutable.length / 15));
  });

  it('re-reads bugs of settled tests after the long immutable TTL', async () => {
    const h = await synced();
    const [archived] = await testsWithStatus(h, ['archived']);
    h.clock.advance(days(8));
    expect((await readThrough(h).ensureBugsFresh([archived as number])).refreshed).toEqual([archived]);
  });

  it('a failed fetch keeps the old timestamp and reports the failure', async () => {
    const h = await synced();
    const [testId] = await testsWithStatus(h, ['running', 'locked']);
    const before = (await h.mirror.test(testId as number))?.bugsSyncedAt;
    expect(before).toBeInstanceOf(Date);
    h.clock.advance(2 * 3_600_000);
    h.sandbox.setFaults({ failRate: 1 });
    const outcome = await readThrough(h).ensureBugsFresh([testId as number]);
    expect(outcome.refreshed).toEqual([]);
    expect(outcome.failed).toEqual([{ id: testId, error: expect.any(UpstreamError) }]);
    expect(outcome.failed[0]?.error).toMatchObject({ status: 500 });
    expect(outcome.warnings[0]).toMatch(/could not be refreshed from TestIO/);
    expect((await h.mirror.test(testId as number))?.bugsSyncedAt).toEqual(before);
    // The next reader tries again.
    h.sandbox.setFaults({});
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
    expect(await h.mirror.test(test?.id as number)).not.toBeNull();
    const truth = h.sandbox.truth({ perTest: true }).tests?.find((t) => t.id === test?.id);
    expect((await h.mirror.bugsPerTest()).get(test?.id as number) ?? 0).toBe(truth?.bugs ?? -1);
  });
});

describe('read-through: tests and features', () => {
  it('refreshes stale mutable tests, serves final ones, and removes a test TestIO deleted', async () => {
    const h = await synced();
    const summary = h.sandbox.advance({ days: 1 });
    h.clock.advance(days(1));
    const deleted = summary.deletedTests[0] as number;
    const [archived] = await testsWithStatus(h, ['archived']);
    const changed = summary.statusChanges.find((c) => c.testId !== deleted);
    const ids = [deleted, archived as number, ...(changed ? [changed.testId] : [])];
    const outcome = await readThrough(h).ensureTestsFresh(ids);
    expect(outcome.deleted).toEqual([deleted]);
    expect(outcome.cacheHits).toEqual([archived]);
    expect(await h.mirror.test(deleted)).toBeNull();
    if (changed) {
      expect(outcome.refreshed).toEqual([changed.testId]);
      expect((await h.mirror.test(changed.testId))?.status).toBe(changed.to);
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
    const [testId] = await testsWithStatus(h, ['running', 'locked']);
    const [featureId] = await h.mirror.featureIdsOfTest(testId as number);
    expect(featureId).toBeDefined();
    h.mirror.forgetFeature(featureId as number);
    expect(await h.mirror.featureIds()).not.toContain(featureId);
    await readThrough(h).ensureTestsFresh([testId as number], { force: true });
    expect(await h.mirror.featureIds()).toContain(featureId);
  });
});
