import {
  UpstreamError,
  normalizeTest,
  type ProblematicRange,
  type ProductSyncState,
  type TestSyncState,
  type UpstreamExploratoryTest,
} from '@testio-mcp/domain';
import { SyncAbortedError, errorMessage } from '../abort.js';
import { forEachConcurrent } from '../concurrency.js';
import type { RunContext } from '../run-context.js';
import type { WalkStop } from '../types.js';
import { BugQueue } from './bugs.js';
import { FailedRangeRecorder } from './failed-ranges.js';
import { refreshProductFeatures } from './features.js';
import { StopRule, endAtMs, needsBugs, placeTests, testsToPass } from './walk-rules.js';

/** Deletion candidates are confirmed with one `GET /exploratory_tests/{id}` each, this many at a time. */
const CONFIRM_CONCURRENCY = 10;

/** Phase TESTS (with their bugs), up to `productConcurrency` products at a time. */
export async function syncTests(ctx: RunContext, productIds: readonly number[]): Promise<void> {
  const states = await ctx.stores.products.listProductSyncStates(productIds);
  const open = await ctx.stores.syncState.listProblematicRanges({ includeResolved: false });
  // Products are walked side by side; each write is still one transaction on the one connection.
  await forEachConcurrent(
    states,
    ctx.options.productConcurrency,
    async (state, index) => {
      const bugs = new BugQueue(ctx);
      try {
        await syncProductTests(
          ctx,
          state,
          index,
          states.length,
          open.filter((r) => r.productId === state.id),
          bugs,
        );
      } finally {
        // Whatever happened, no bug batch of this product writes after its walk is over.
        await bugs.settle();
      }
    },
    ctx.signal,
  );
}

/** One product's walk: what it knew before it started and what it gathers on the way. */
interface ProductWalk {
  readonly product: ProductSyncState;
  readonly startedAt: Date;
  readonly local: readonly TestSyncState[];
  readonly localById: ReadonlyMap<number, TestSyncState>;
  /** Walk to the end whatever the stop rule says. */
  readonly fullWalk: boolean;
  readonly stop: StopRule;
  readonly seen: Set<number>;
  readonly ranges: FailedRangeRecorder;
  readonly bugs: BugQueue;
  droppedBySince: number;
  missingFeaturesChecked: boolean;
}

/**
 * Walks one product's test list (newest first), writes the tests and queues their bugs, records the
 * ranges it could not read, deletes the tests that are gone, and marks the product walked.
 */
async function syncProductTests(
  ctx: RunContext,
  product: ProductSyncState,
  index: number,
  productCount: number,
  openRanges: readonly ProblematicRange[],
  bugs: BugQueue,
): Promise<void> {
  const outcome = ctx.outcome(product.id);
  outcome.tests = 'walked';
  const walk = await planWalk(ctx, product, openRanges, bugs);
  const stoppedBy = await walkPages(ctx, walk, index, productCount);
  outcome.stoppedBy = stoppedBy;
  outcome.failedRanges = walk.ranges.count;
  ctx.counts.testsDiscovered += outcome.testsDiscovered;
  ctx.counts.testsUpdated += outcome.testsUpdated;
  if (stoppedBy === 'aborted') throw new SyncAbortedError();
  await walk.ranges.finish();

  await bugs.flushAll();
  if (stoppedBy === 'error') {
    outcome.deletionSkipped = true;
    return;
  }
  await deleteMissing(ctx, walk, stoppedBy);
  await bugs.flushAll();
  await finishWalk(ctx, walk, stoppedBy, openRanges);
}

async function planWalk(
  ctx: RunContext,
  product: ProductSyncState,
  openRanges: readonly ProblematicRange[],
  bugs: BugQueue,
): Promise<ProductWalk> {
  const { mode, options } = ctx;
  const startedAt = ctx.clock.now();
  const local = await ctx.stores.tests.listProductTestStates(product.id);
  // A product never walked to the end (first sync, or an earlier walk was cut short) is walked
  // completely even in incremental mode; open problematic ranges are left to retryProblematic.
  const fullWalk = mode === 'force' || (product.lastFullSyncAt === null && openRanges.length === 0);
  const stop = new StopRule(
    options.safetyMarginTests,
    fullWalk
      ? []
      : testsToPass(local, {
          mode: mode === 'refresh' ? 'refresh' : 'incremental',
          now: startedAt,
          ttlSeconds: options.cacheTtlSeconds,
          since: ctx.since,
        }),
  );
  return {
    product,
    startedAt,
    local,
    localById: new Map(local.map((s) => [s.id, s])),
    fullWalk,
    stop,
    seen: new Set<number>(),
    ranges: new FailedRangeRecorder(ctx, product.id),
    bugs,
    droppedBySince: 0,
    missingFeaturesChecked: false,
  };
}

/** Reads pages until the list ends, the stop rule allows, `since` is passed, or the run is aborted. */
async function walkPages(
  ctx: RunContext,
  walk: ProductWalk,
  index: number,
  productCount: number,
): Promise<WalkStop> {
  const { product } = walk;
  const outcome = ctx.outcome(product.id);
  const sinceMs = ctx.since?.getTime();
  try {
    for await (const page of ctx.api.walkTests(product.id, {
      pageSize: ctx.options.pageSize,
      signal: ctx.signal,
    })) {
      outcome.pages++;
      await walk.ranges.observe(placeTests(page), page.failedRanges);

      const fresh = page.tests.filter((t) => !walk.seen.has(t.id));
      for (const test of fresh) {
        walk.seen.add(test.id);
        walk.stop.observe(test, walk.localById.has(test.id));
      }
      const kept =
        sinceMs === undefined
          ? fresh
          : fresh.filter((t) => {
              const end = endAtMs(t);
              return end === null || end >= sinceMs;
            });
      walk.droppedBySince += fresh.length - kept.length;
      const allTooOld = sinceMs !== undefined && fresh.length > 0 && kept.length === 0;
      if (kept.length > 0) await writeTests(ctx, walk, kept);

      outcome.testsSeen = walk.seen.size;
      ctx.progress.report({
        phase: 'tests',
        productId: product.id,
        productIndex: index,
        productCount,
        page: page.page,
        testsSeen: walk.seen.size,
        message: `Product ${product.id}: page ${page.page}, ${walk.seen.size} tests seen`,
      });
      if (ctx.signal.aborted) return 'aborted';
      await walk.bugs.flushFull();
      if (page.isLast) return 'end';
      if (allTooOld) return 'since';
      if (!walk.fullWalk && walk.stop.canStop()) return 'boundary';
    }
    return 'end';
  } catch (error) {
    if (ctx.signal.aborted) return 'aborted';
    outcome.tests = 'failed';
    ctx.fail(
      `Product ${product.id}: the test list could not be read after ${outcome.pages} page(s) (${errorMessage(error)}); the tests already read were kept`,
      {
        productId: product.id,
        err: error,
      },
    );
    return 'error';
  }
}

/** Upserts a page's tests, queues the bugs that need (re)fetching, and checks their features once. */
async function writeTests(
  ctx: RunContext,
  walk: ProductWalk,
  tests: readonly UpstreamExploratoryTest[],
): Promise<void> {
  const { product } = walk;
  const outcome = ctx.outcome(product.id);
  const items = tests.map((raw) => ({ entity: normalizeTest(raw, product.id), raw }));
  const now = ctx.clock.now();
  await ctx.stores.tests.upsertTests(items, now);
  for (const { raw } of items) {
    const previous = walk.localById.get(raw.id);
    if (previous) outcome.testsUpdated++;
    else outcome.testsDiscovered++;
    if (needsBugs(raw, previous, { mode: ctx.mode, now, ttlSeconds: ctx.options.cacheTtlSeconds })) {
      walk.bugs.add(raw.id);
      outcome.bugTestsRequested++;
    }
  }
  if (walk.missingFeaturesChecked) return;
  const featureIds = [...new Set(items.flatMap((i) => i.entity.features.map((f) => f.feature_id)))];
  const missing = featureIds.length > 0 ? await ctx.stores.features.findMissingFeatureIds(featureIds) : [];
  if (missing.length === 0) return;
  // A test references a feature the mirror lacks; refresh the catalogue once per run.
  walk.missingFeaturesChecked = true;
  if (!ctx.featuresRefreshed.has(product.id)) {
    ctx.logger.info(
      { productId: product.id, missing: missing.slice(0, 10) },
      'tests reference unknown features; refreshing the catalogue',
    );
    await refreshProductFeatures(ctx, product.raw);
  }
}

/** Deletions: tests of the mirror that the walk should have met but did not. */
async function deleteMissing(ctx: RunContext, walk: ProductWalk, stoppedBy: WalkStop): Promise<void> {
  const { product } = walk;
  if (walk.ranges.count > 0) {
    ctx.outcome(product.id).deletionSkipped = true;
    ctx.warn(
      `Product ${product.id}: tests missing upstream were not deleted because ${walk.ranges.count} range(s) could not be read`,
    );
    return;
  }
  const oldest = walk.stop.oldestEndAt;
  const candidates = walk.local
    .filter((s) => !walk.seen.has(s.id))
    .filter((s) => stoppedBy === 'end' || (oldest !== null && s.endAt !== null && s.endAt.getTime() > oldest))
    .map((s) => s.id);
  if (candidates.length > 0) await deleteConfirmed(ctx, product.id, candidates, walk.bugs, walk.localById);
}

/** Marks the product walked; a complete walk also resolves its open problematic ranges. */
async function finishWalk(
  ctx: RunContext,
  walk: ProductWalk,
  stoppedBy: WalkStop,
  openRanges: readonly ProblematicRange[],
): Promise<void> {
  const complete = stoppedBy === 'end' && walk.ranges.count === 0 && walk.droppedBySince === 0;
  ctx.outcome(walk.product.id).complete = complete;
  await ctx.stores.products.markTestsWalked(walk.product.id, walk.startedAt, complete);
  if (complete) {
    for (const range of openRanges) {
      await ctx.stores.syncState.resolveProblematicRange(range.id, ctx.clock.now());
      ctx.problematicResolved++;
    }
  }
}

/**
 * Deletes tests the walk did not meet, after confirming each with `GET /exploratory_tests/{id}`: a 404
 * confirms the deletion; a test that is still there (the list shifted under the walk) is upserted
 * instead; any other failure keeps the test and is reported.
 */
async function deleteConfirmed(
  ctx: RunContext,
  productId: number,
  candidates: readonly number[],
  bugs: BugQueue,
  localById: ReadonlyMap<number, TestSyncState>,
): Promise<void> {
  const outcome = ctx.outcome(productId);
  const gone: number[] = [];
  const rescued: UpstreamExploratoryTest[] = [];
  let unknown = 0;
  for (let i = 0; i < candidates.length; i += CONFIRM_CONCURRENCY) {
    if (ctx.signal.aborted) throw new SyncAbortedError();
    const chunk = candidates.slice(i, i + CONFIRM_CONCURRENCY);
    const results = await Promise.allSettled(chunk.map((id) => ctx.api.getTest(id)));
    results.forEach((result, k) => {
      const id = chunk[k] as number;
      if (result.status === 'fulfilled') rescued.push(result.value);
      else if (result.reason instanceof UpstreamError && result.reason.status === 404) gone.push(id);
      else unknown++;
    });
  }
  if (ctx.signal.aborted) throw new SyncAbortedError();
  if (gone.length > 0) {
    const deleted = await ctx.stores.tests.deleteTests(gone);
    outcome.testsDeleted += deleted;
    ctx.counts.testsDeleted += deleted;
    ctx.logger.info(
      { productId, testIds: gone.slice(0, 20), count: gone.length },
      'deleted tests that no longer exist upstream',
    );
  }
  if (rescued.length > 0) {
    const now = ctx.clock.now();
    await ctx.stores.tests.upsertTests(
      rescued.map((raw) => ({ entity: normalizeTest(raw, productId), raw })),
      now,
    );
    for (const raw of rescued) {
      outcome.testsUpdated++;
      ctx.counts.testsUpdated++;
      if (
        needsBugs(raw, localById.get(raw.id), {
          mode: ctx.mode,
          now,
          ttlSeconds: ctx.options.cacheTtlSeconds,
        })
      )
        bugs.add(raw.id);
    }
  }
  if (unknown > 0) {
    ctx.fail(
      `Product ${productId}: ${unknown} test(s) missing from the list could not be checked upstream; they were kept`,
    );
  }
}
