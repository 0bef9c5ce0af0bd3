import {
  UpstreamError,
  normalizeTest,
  type FailedTestRange,
  type NewProblematicRange,
  type ProblematicRange,
  type ProductSyncState,
  type TestListPage,
  type TestSyncState,
  type UpstreamExploratoryTest,
} from '@testio-mcp/domain';
import { SyncAbortedError, errorMessage } from '../abort.js';
import { forEachConcurrent } from '../concurrency.js';
import { bugsWereSettling, isMutableTestStatus, testNeedsRefresh } from '../refresh-policy.js';
import type { RunContext } from '../run-context.js';
import type { WalkStop } from '../types.js';
import { BugQueue } from './bugs.js';
import { refreshProductFeatures } from './features.js';

/** Deletion candidates are confirmed with one `GET /exploratory_tests/{id}` each, this many at a time. */
const CONFIRM_CONCURRENCY = 10;

function endAtMs(test: Pick<UpstreamExploratoryTest, 'end_at'>): number | null {
  if (!test.end_at) return null;
  const ms = Date.parse(test.end_at);
  return Number.isNaN(ms) ? null : ms;
}

interface PlacedTest {
  readonly position: number;
  readonly test: UpstreamExploratoryTest;
}

/** Gives each readable test of a page its position in the list, skipping the failed positions. */
export function placeTests(page: Pick<TestListPage, 'offset' | 'tests' | 'failedRanges'>): PlacedTest[] {
  const ranges = [...page.failedRanges].sort((a, b) => a.offset - b.offset);
  const placed: PlacedTest[] = [];
  let position = page.offset;
  let r = 0;
  for (const test of page.tests) {
    for (let range = ranges[r]; range !== undefined && position >= range.offset; range = ranges[++r]) {
      if (position < range.offset + range.count) position = range.offset + range.count;
    }
    placed.push({ position, test });
    position++;
  }
  return placed;
}

/**
 * Decides when a non-full walk may stop. The list is newest first (by start, and so by end); the walk
 * stops once it has seen `margin` tests that were already in the mirror (the first known test counts)
 * AND it has passed, by `end_at`, every local test it must refresh (stale mutable tests and tests
 * whose bugs may still change), or seen them. Passing means seeing a test that ended strictly earlier.
 */
export class StopRule {
  private knownSeen = 0;
  private minEndAt = Number.POSITIVE_INFINITY;
  private readonly pending: Map<number, number>;

  constructor(
    private readonly margin: number,
    mustPass: ReadonlyArray<{ id: number; endAt: number }>,
  ) {
    this.pending = new Map(mustPass.map((t) => [t.id, t.endAt]));
  }

  observe(test: UpstreamExploratoryTest, known: boolean): void {
    if (known) this.knownSeen++;
    const end = endAtMs(test);
    if (end !== null && end < this.minEndAt) this.minEndAt = end;
    this.pending.delete(test.id);
  }

  /** The oldest `end_at` seen so far (ms), or null. */
  get oldestEndAt(): number | null {
    return Number.isFinite(this.minEndAt) ? this.minEndAt : null;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  canStop(): boolean {
    if (this.knownSeen < this.margin) return false;
    for (const endAt of this.pending.values()) if (!(endAt > this.minEndAt)) return false;
    return true;
  }
}

/** Tests an incremental or refresh walk has to reach before it may stop. */
export function testsToPass(
  local: readonly TestSyncState[],
  options: { mode: 'incremental' | 'refresh'; now: Date; ttlSeconds: number; since?: Date | undefined },
): Array<{ id: number; endAt: number }> {
  const { mode, now, ttlSeconds, since } = options;
  const out: Array<{ id: number; endAt: number }> = [];
  for (const state of local) {
    if (state.endAt === null) continue;
    if (since && state.endAt.getTime() < since.getTime()) continue;
    const staleTest =
      isMutableTestStatus(state.status) && (mode === 'refresh' || testNeedsRefresh(state, now, ttlSeconds));
    const staleBugs =
      state.bugsSyncedAt === null ||
      (bugsWereSettling(state, state.bugsSyncedAt) &&
        (mode === 'refresh' || now.getTime() - state.bugsSyncedAt.getTime() > ttlSeconds * 1000));
    if (staleTest || staleBugs) out.push({ id: state.id, endAt: state.endAt.getTime() });
  }
  return out;
}

/** Whether a test seen in the walk needs its bugs (re)fetched. */
export function needsBugs(
  upstream: UpstreamExploratoryTest,
  previous: TestSyncState | undefined,
  options: { mode: RunContext['mode']; now: Date; ttlSeconds: number },
): boolean {
  const { mode, now, ttlSeconds } = options;
  if (mode === 'force' || !previous || previous.bugsSyncedAt === null) return true;
  if (previous.status !== upstream.status) return true;
  const end = endAtMs(upstream);
  const settling = bugsWereSettling(
    { status: upstream.status, endAt: end === null ? null : new Date(end) },
    previous.bugsSyncedAt,
  );
  if (!settling) return false;
  return mode === 'refresh' || now.getTime() - previous.bugsSyncedAt.getTime() > ttlSeconds * 1000;
}

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

async function syncProductTests(
  ctx: RunContext,
  product: ProductSyncState,
  index: number,
  productCount: number,
  openRanges: readonly ProblematicRange[],
  bugs: BugQueue,
): Promise<void> {
  const { api, stores, options, mode } = ctx;
  const outcome = ctx.outcome(product.id);
  outcome.tests = 'walked';
  const startedAt = ctx.clock.now();
  const ttlSeconds = options.cacheTtlSeconds;
  const since = ctx.since;
  const sinceMs = since?.getTime();
  const local = await stores.tests.listProductTestStates(product.id);
  const localById = new Map(local.map((s) => [s.id, s]));
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
          ttlSeconds,
          since,
        }),
  );
  const seen = new Set<number>();
  let lastReadable: UpstreamExploratoryTest | null = null;
  let awaitingAfter: FailedTestRange[] = [];
  let beforeOf = new Map<FailedTestRange, UpstreamExploratoryTest | null>();
  let failedRangeCount = 0;
  let droppedBySince = 0;
  let stoppedBy: WalkStop | null = null;
  let missingFeaturesChecked = false;

  const record = async (
    range: FailedTestRange,
    before: UpstreamExploratoryTest | null,
    after: UpstreamExploratoryTest | null,
  ) => {
    const entry: NewProblematicRange = {
      productId: product.id,
      offsetFrom: range.offset,
      offsetTo: range.offset + range.count - 1,
      boundaryBeforeId: before?.id ?? null,
      boundaryBeforeEndAt: before && endAtMs(before) !== null ? new Date(endAtMs(before) as number) : null,
      boundaryAfterId: after?.id ?? null,
      boundaryAfterEndAt: after && endAtMs(after) !== null ? new Date(endAtMs(after) as number) : null,
      lastError: errorMessage(range.error),
    };
    await stores.syncState.recordProblematicRange(entry, ctx.clock.now());
    ctx.failedRanges.push({
      productId: product.id,
      offsetFrom: entry.offsetFrom,
      offsetTo: entry.offsetTo,
      boundaryBeforeId: entry.boundaryBeforeId,
      boundaryAfterId: entry.boundaryAfterId,
      error: entry.lastError,
    });
    const status = range.error instanceof UpstreamError ? ` (HTTP ${range.error.status})` : '';
    ctx.fail(
      `Product ${product.id}: ${range.count} test(s) at positions ${entry.offsetFrom}–${entry.offsetTo} could not be read${status}; recorded as problematic, retry with retryProblematic`,
      { productId: product.id, offset: range.offset, count: range.count },
    );
  };

  try {
    for await (const page of api.walkTests(product.id, { pageSize: options.pageSize, signal: ctx.signal })) {
      outcome.pages++;
      const placed = placeTests(page);
      const firstReadable = placed[0]?.test ?? null;
      if (awaitingAfter.length > 0 && firstReadable) {
        for (const range of awaitingAfter) await record(range, beforeOf.get(range) ?? null, firstReadable);
        awaitingAfter = [];
        beforeOf = new Map();
      }
      for (const range of page.failedRanges) {
        failedRangeCount++;
        const before = placed.filter((p) => p.position < range.offset).at(-1)?.test ?? lastReadable;
        const after = placed.find((p) => p.position >= range.offset + range.count)?.test ?? null;
        if (after) await record(range, before, after);
        else {
          awaitingAfter.push(range);
          beforeOf.set(range, before);
        }
      }
      if (placed.length > 0) lastReadable = placed[placed.length - 1]?.test ?? lastReadable;

      const fresh = page.tests.filter((t) => !seen.has(t.id));
      for (const test of fresh) {
        seen.add(test.id);
        stop.observe(test, localById.has(test.id));
      }
      const kept =
        sinceMs === undefined
          ? fresh
          : fresh.filter((t) => {
              const end = endAtMs(t);
              return end === null || end >= sinceMs;
            });
      droppedBySince += fresh.length - kept.length;
      const allTooOld = sinceMs !== undefined && fresh.length > 0 && kept.length === 0;

      if (kept.length > 0) {
        const items = kept.map((raw) => ({ entity: normalizeTest(raw, product.id), raw }));
        const now = ctx.clock.now();
        await stores.tests.upsertTests(items, now);
        for (const { raw } of items) {
          const previous = localById.get(raw.id);
          if (previous) outcome.testsUpdated++;
          else outcome.testsDiscovered++;
          if (needsBugs(raw, previous, { mode, now, ttlSeconds })) {
            bugs.add(raw.id);
            outcome.bugTestsRequested++;
          }
        }
        if (!missingFeaturesChecked) {
          const featureIds = [...new Set(items.flatMap((i) => i.entity.features.map((f) => f.feature_id)))];
          const missing =
            featureIds.length > 0 ? await stores.features.findMissingFeatureIds(featureIds) : [];
          if (missing.length > 0) {
            // A test references a feature the mirror lacks; refresh the catalogue once per run.
            missingFeaturesChecked = true;
            if (!ctx.featuresRefreshed.has(product.id)) {
              ctx.logger.info(
                { productId: product.id, missing: missing.slice(0, 10) },
                'tests reference unknown features; refreshing the catalogue',
              );
              await refreshProductFeatures(ctx, product.raw);
            }
          }
        }
      }
      outcome.testsSeen = seen.size;
      ctx.progress.report({
        phase: 'tests',
        productId: product.id,
        productIndex: index,
        productCount,
        page: page.page,
        testsSeen: seen.size,
        message: `Product ${product.id}: page ${page.page}, ${seen.size} tests seen`,
      });
      if (ctx.signal.aborted) {
        stoppedBy = 'aborted';
        break;
      }
      await bugs.flushFull();
      if (page.isLast) {
        stoppedBy = 'end';
        break;
      }
      if (allTooOld) {
        stoppedBy = 'since';
        break;
      }
      if (!fullWalk && stop.canStop()) {
        stoppedBy = 'boundary';
        break;
      }
    }
    stoppedBy ??= 'end';
  } catch (error) {
    if (ctx.signal.aborted) stoppedBy = 'aborted';
    else {
      stoppedBy = 'error';
      outcome.tests = 'failed';
      ctx.fail(
        `Product ${product.id}: the test list could not be read after ${outcome.pages} page(s) (${errorMessage(error)}); the tests already read were kept`,
        {
          productId: product.id,
          err: error,
        },
      );
    }
  }
  outcome.stoppedBy = stoppedBy;
  outcome.failedRanges = failedRangeCount;
  ctx.counts.testsDiscovered += outcome.testsDiscovered;
  ctx.counts.testsUpdated += outcome.testsUpdated;
  if (stoppedBy === 'aborted') throw new SyncAbortedError();
  for (const range of awaitingAfter) await record(range, beforeOf.get(range) ?? null, null);

  await bugs.flushAll();
  if (stoppedBy === 'error') {
    outcome.deletionSkipped = true;
    return;
  }

  // Deletions: tests of the mirror that the walk should have met but did not.
  if (failedRangeCount > 0) {
    outcome.deletionSkipped = true;
    ctx.warn(
      `Product ${product.id}: tests missing upstream were not deleted because ${failedRangeCount} range(s) could not be read`,
    );
  } else {
    const oldest = stop.oldestEndAt;
    const candidates = local
      .filter((s) => !seen.has(s.id))
      .filter(
        (s) => stoppedBy === 'end' || (oldest !== null && s.endAt !== null && s.endAt.getTime() > oldest),
      )
      .map((s) => s.id);
    if (candidates.length > 0) await deleteConfirmed(ctx, product.id, candidates, bugs, localById);
  }
  await bugs.flushAll();

  const complete = stoppedBy === 'end' && failedRangeCount === 0 && droppedBySince === 0;
  outcome.complete = complete;
  await stores.products.markTestsWalked(product.id, startedAt, complete);
  if (complete) {
    for (const range of openRanges) {
      await stores.syncState.resolveProblematicRange(range.id, ctx.clock.now());
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
