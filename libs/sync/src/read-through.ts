import {
  DEFAULT_TEST_PAGE_SIZE,
  MAX_TESTS_PER_BUG_REQUEST,
  UpstreamError,
  normalizeTest,
  type Clock,
  type Logger,
  type SyncStores,
  type TestIOApi,
  type UpstreamExploratoryTest,
} from '@testio-mcp/domain';
import { errorMessage } from './abort.js';
import { bugsForTests } from './phases/bugs.js';
import { fetchProductCatalogue } from './phases/features.js';
import { bugsNeedRefresh, testNeedsRefresh } from './refresh-policy.js';
import { SingleFlight } from './single-flight.js';

export interface ReadThroughDeps {
  readonly api: TestIOApi;
  readonly stores: SyncStores;
  readonly clock: Clock;
  readonly logger: Logger;
  /** `CACHE_TTL_SECONDS`: mutable tests, bugs of settling tests, features. Default 3600. */
  readonly cacheTtlSeconds?: number;
  /** Bugs of settled (final, long-ended) tests are re-read after this long (their fields still change after archiving). Default 7 days. */
  readonly immutableBugTtlSeconds?: number;
  /** A product's catalogue is re-read for an unknown feature id at most this often. Default 5 minutes. */
  readonly missingFeatureRefetchMs?: number;
  /** Page size of a product's test walk (`ensureProductTests`). Default TestIO's 25. */
  readonly testPageSize?: number;
}

export interface RefreshFailure {
  readonly id: number;
  readonly error: Error;
}

export interface RefreshOutcome {
  /** Ids read from TestIO and written now. */
  readonly refreshed: number[];
  /** Ids served from the mirror as they were. */
  readonly cacheHits: number[];
  readonly failed: RefreshFailure[];
  /** Tests TestIO no longer has (404): removed from the mirror. */
  readonly deleted: number[];
  readonly warnings: string[];
}

export interface RefreshOptions {
  /** Read from TestIO whatever the timestamps say. */
  readonly force?: boolean;
}

export interface ReadThrough {
  ensureTestsFresh(testIds: readonly number[], options?: RefreshOptions): Promise<RefreshOutcome>;
  ensureBugsFresh(testIds: readonly number[], options?: RefreshOptions): Promise<RefreshOutcome>;
  ensureFeaturesFresh(productIds: readonly number[], options?: RefreshOptions): Promise<RefreshOutcome>;
  /**
   * Products whose test list was never walked (the first sync has not reached them): walks their tests
   * and fetches those tests' bugs, so a count asked for before the sync got there is the real one.
   * Products already walked are cache hits. Without the sync lease: every write is an idempotent upsert
   * the sync repeats when it gets there.
   */
  ensureProductTests(productIds: readonly number[]): Promise<RefreshOutcome>;
}

/** What one entity's refresh came to; shared by every caller waiting on it. */
type EntityResult =
  { kind: 'refreshed' } | { kind: 'fresh' } | { kind: 'deleted' } | { kind: 'failed'; error: Error };

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function uniqueIds(ids: readonly number[]): number[] {
  return [...new Set(ids)];
}

async function collect(
  keys: readonly number[],
  prefix: string,
  flights: Map<string, Promise<EntityResult>>,
  outcome: RefreshOutcome,
): Promise<void> {
  await Promise.all(
    keys.map(async (id) => {
      const flight = flights.get(`${prefix}:${id}`);
      if (!flight) return;
      const result = await flight.catch((error: unknown): EntityResult => ({
        kind: 'failed',
        error: asError(error),
      }));
      if (result.kind === 'refreshed') outcome.refreshed.push(id);
      else if (result.kind === 'fresh') outcome.cacheHits.push(id);
      else if (result.kind === 'deleted') outcome.deleted.push(id);
      else outcome.failed.push({ id, error: result.error });
    }),
  );
}

function emptyOutcome(): RefreshOutcome {
  return { refreshed: [], cacheHits: [], failed: [], deleted: [], warnings: [] };
}

function summarise(outcome: RefreshOutcome, what: string): void {
  if (outcome.failed.length > 0) {
    const first = outcome.failed[0];
    outcome.warnings.push(
      `${outcome.failed.length} ${what} could not be refreshed from TestIO and are served from the mirror as they were` +
        (first ? ` (e.g. ${first.id}: ${first.error.message})` : ''),
    );
  }
  outcome.refreshed.sort((a, b) => a - b);
  outcome.cacheHits.sort((a, b) => a - b);
  outcome.deleted.sort((a, b) => a - b);
}

/**
 * Read-through refresh ("pull model"): before a read, the caller asks for the entities it is about
 * to show; stale or missing ones are read from TestIO and written, fresh ones are left alone.
 * Concurrent callers asking for the same entity share one upstream call (single-flight per kind and
 * id). Timestamps move only for fetches that succeeded, so a failure never looks fresh.
 */
export function createReadThrough(deps: ReadThroughDeps): ReadThrough {
  const { api, stores, clock } = deps;
  const logger = deps.logger.child({ component: 'read-through' });
  const ttlSeconds = deps.cacheTtlSeconds ?? 3600;
  const immutableBugTtlSeconds = deps.immutableBugTtlSeconds ?? 7 * 86_400;
  const missingFeatureRefetchMs = deps.missingFeatureRefetchMs ?? 5 * 60_000;
  const flights = new SingleFlight<EntityResult>();
  const lastMissingFeatureRefetch = new Map<number, number>();

  /** Fetches and writes the given tests; re-checks freshness first (another flight may just have written them). */
  async function refreshTests(ids: number[], force: boolean): Promise<Map<string, EntityResult>> {
    const results = new Map<string, EntityResult>();
    const now = clock.now();
    const states = new Map((await stores.tests.getTestSyncStates(ids)).map((s) => [s.id, s]));
    const todo = ids.filter((id) => {
      const state = states.get(id);
      if (force || !state || testNeedsRefresh(state, now, ttlSeconds)) return true;
      results.set(`test:${id}`, { kind: 'fresh' });
      return false;
    });
    const fetched: UpstreamExploratoryTest[] = [];
    const gone: number[] = [];
    const settled = await Promise.allSettled(todo.map((id) => api.getTest(id)));
    settled.forEach((r, i) => {
      const id = todo[i] as number;
      if (r.status === 'fulfilled') fetched.push(r.value);
      else if (r.reason instanceof UpstreamError && r.reason.status === 404) gone.push(id);
      else results.set(`test:${id}`, { kind: 'failed', error: asError(r.reason) });
    });
    if (fetched.length > 0) {
      try {
        await stores.tests.upsertTests(
          fetched.map((raw) => ({ entity: normalizeTest(raw, states.get(raw.id)?.productId), raw })),
          clock.now(),
        );
        for (const raw of fetched) results.set(`test:${raw.id}`, { kind: 'refreshed' });
      } catch (error) {
        for (const raw of fetched) results.set(`test:${raw.id}`, { kind: 'failed', error: asError(error) });
      }
    }
    if (gone.length > 0) {
      try {
        await stores.tests.deleteTests(gone);
        for (const id of gone) results.set(`test:${id}`, { kind: 'deleted' });
      } catch (error) {
        for (const id of gone) results.set(`test:${id}`, { kind: 'failed', error: asError(error) });
      }
    }
    for (const id of ids)
      if (!results.has(`test:${id}`))
        results.set(`test:${id}`, { kind: 'failed', error: new Error('not refreshed') });
    if (fetched.length > 0) await fillMissingFeatures(fetched);
    return results;
  }

  /** A refreshed test names a feature the mirror lacks → re-read that product's catalogue (rate-limited). */
  async function fillMissingFeatures(tests: readonly UpstreamExploratoryTest[]): Promise<void> {
    try {
      const byFeature = new Map<number, number>();
      for (const test of tests) {
        const productId = test.product?.id;
        if (productId === undefined) continue;
        for (const f of test.features ?? []) byFeature.set(f.feature_id, productId);
      }
      if (byFeature.size === 0) return;
      const missing = await stores.features.findMissingFeatureIds([...byFeature.keys()]);
      const now = clock.now().getTime();
      const products = [
        ...new Set(missing.map((id) => byFeature.get(id)).filter((id): id is number => id !== undefined)),
      ].filter(
        (id) =>
          now - (lastMissingFeatureRefetch.get(id) ?? Number.NEGATIVE_INFINITY) >= missingFeatureRefetchMs,
      );
      if (products.length === 0) return;
      for (const id of products) lastMissingFeatureRefetch.set(id, now);
      logger.info(
        { productIds: products, missing: missing.slice(0, 10) },
        'tests reference unknown features; refreshing catalogues',
      );
      await ensureFeaturesFresh(products, { force: true });
    } catch (error) {
      logger.warn({ err: error }, 'could not check tests for unknown features');
    }
  }

  async function ensureTestsFresh(
    testIds: readonly number[],
    options: RefreshOptions = {},
  ): Promise<RefreshOutcome> {
    const ids = uniqueIds(testIds);
    const outcome = emptyOutcome();
    if (ids.length === 0) return outcome;
    const force = options.force ?? false;
    const now = clock.now();
    const states = new Map((await stores.tests.getTestSyncStates(ids)).map((s) => [s.id, s]));
    const stale = ids.filter((id) => {
      const state = states.get(id);
      if (force || !state || testNeedsRefresh(state, now, ttlSeconds)) return true;
      outcome.cacheHits.push(id);
      return false;
    });
    const flightsById = flights.runMany(
      stale.map((id) => `test:${id}`),
      (keys) =>
        refreshTests(
          keys.map((k) => Number(k.slice(5))),
          force,
        ),
    );
    await collect(stale, 'test', flightsById, outcome);
    summarise(outcome, 'test(s)');
    return outcome;
  }

  async function refreshBugs(ids: number[], force: boolean): Promise<Map<string, EntityResult>> {
    const results = new Map<string, EntityResult>();
    const now = clock.now();
    const states = new Map((await stores.tests.getTestSyncStates(ids)).map((s) => [s.id, s]));
    const todo = ids.filter((id) => {
      const state = states.get(id);
      if (!state) {
        results.set(`bugs:${id}`, { kind: 'failed', error: new Error(`test ${id} is not in the mirror`) });
        return false;
      }
      if (force || bugsNeedRefresh(state, now, ttlSeconds, immutableBugTtlSeconds)) return true;
      results.set(`bugs:${id}`, { kind: 'fresh' });
      return false;
    });
    await Promise.all(
      chunk(todo, MAX_TESTS_PER_BUG_REQUEST).map(async (batch) => {
        try {
          const raw = await api.listBugsForTests(batch);
          const { bugs } = bugsForTests(batch, raw);
          await stores.bugs.replaceBugsOfTests(batch, bugs, clock.now());
          for (const id of batch) results.set(`bugs:${id}`, { kind: 'refreshed' });
        } catch (error) {
          for (const id of batch) results.set(`bugs:${id}`, { kind: 'failed', error: asError(error) });
        }
      }),
    );
    return results;
  }

  async function ensureBugsFresh(
    testIds: readonly number[],
    options: RefreshOptions = {},
  ): Promise<RefreshOutcome> {
    const ids = uniqueIds(testIds);
    const outcome = emptyOutcome();
    if (ids.length === 0) return outcome;
    const force = options.force ?? false;
    let states = new Map((await stores.tests.getTestSyncStates(ids)).map((s) => [s.id, s]));
    const unknown = ids.filter((id) => !states.has(id));
    if (unknown.length > 0) {
      // Bugs hang off their test: read unknown tests first.
      const tests = await ensureTestsFresh(unknown);
      outcome.warnings.push(...tests.warnings);
      for (const id of tests.deleted) outcome.deleted.push(id);
      states = new Map((await stores.tests.getTestSyncStates(ids)).map((s) => [s.id, s]));
    }
    const now = clock.now();
    const stale: number[] = [];
    for (const id of ids) {
      const state = states.get(id);
      if (!state) {
        if (!outcome.deleted.includes(id))
          outcome.failed.push({ id, error: new Error(`Test ${id} could not be read from TestIO`) });
        continue;
      }
      if (force || bugsNeedRefresh(state, now, ttlSeconds, immutableBugTtlSeconds)) stale.push(id);
      else outcome.cacheHits.push(id);
    }
    const flightsById = flights.runMany(
      stale.map((id) => `bugs:${id}`),
      (keys) =>
        refreshBugs(
          keys.map((k) => Number(k.slice(5))),
          force,
        ),
    );
    await collect(stale, 'bugs', flightsById, outcome);
    summarise(outcome, "tests' bugs");
    return outcome;
  }

  async function ensureFeaturesFresh(
    productIds: readonly number[],
    options: RefreshOptions = {},
  ): Promise<RefreshOutcome> {
    const ids = uniqueIds(productIds);
    const outcome = emptyOutcome();
    if (ids.length === 0) return outcome;
    const force = options.force ?? false;
    const now = clock.now();
    const states = new Map((await stores.products.listProductSyncStates(ids)).map((s) => [s.id, s]));
    const stale: number[] = [];
    for (const id of ids) {
      const state = states.get(id);
      if (!state) {
        outcome.failed.push({ id, error: new Error(`Product ${id} is not in the mirror; run a sync first`) });
        continue;
      }
      const fresh =
        state.featuresSyncedAt !== null &&
        now.getTime() - state.featuresSyncedAt.getTime() <= ttlSeconds * 1000;
      if (force || !fresh) stale.push(id);
      else outcome.cacheHits.push(id);
    }
    const flightsById = new Map<string, Promise<EntityResult>>();
    for (const id of stale) {
      const state = states.get(id);
      if (!state) continue;
      flightsById.set(
        `features:${id}`,
        flights.run(`features:${id}`, async (): Promise<EntityResult> => {
          try {
            const catalogue = await fetchProductCatalogue(api, state.raw);
            await stores.features.replaceProductFeatures(
              id,
              catalogue.features,
              catalogue.userStories,
              clock.now(),
            );
            return { kind: 'refreshed' };
          } catch (error) {
            logger.warn(
              { productId: id, err: error },
              `features of product ${id} could not be refreshed: ${errorMessage(error)}`,
            );
            return { kind: 'failed', error: asError(error) };
          }
        }),
      );
    }
    await collect(stale, 'features', flightsById, outcome);
    summarise(outcome, "products' features");
    return outcome;
  }

  /** One never-walked product: its whole test list, then the bugs of those tests. */
  async function walkProductTests(productId: number): Promise<EntityResult> {
    const startedAt = clock.now();
    const [state] = await stores.products.listProductSyncStates([productId]);
    if (!state) return { kind: 'failed', error: new Error(`Product ${productId} is not in the mirror`) };
    // Another flight, or the sync itself, may have walked it since the caller looked.
    if (state.testsSyncedAt !== null) return { kind: 'fresh' };
    try {
      const testIds: number[] = [];
      let unreadable = 0;
      for await (const page of api.walkTests(productId, {
        pageSize: deps.testPageSize ?? DEFAULT_TEST_PAGE_SIZE,
      })) {
        unreadable += page.failedRanges.reduce((sum, range) => sum + range.count, 0);
        if (page.tests.length > 0) {
          await stores.tests.upsertTests(
            page.tests.map((raw) => ({ entity: normalizeTest(raw, productId), raw })),
            clock.now(),
          );
          testIds.push(...page.tests.map((t) => t.id));
        }
        if (page.isLast) break;
      }
      await Promise.all(
        chunk([...new Set(testIds)], MAX_TESTS_PER_BUG_REQUEST).map(async (batch) => {
          const { bugs } = bugsForTests(batch, await api.listBugsForTests(batch));
          await stores.bugs.replaceBugsOfTests(batch, bugs, clock.now());
        }),
      );
      const [after] = await stores.products.listProductSyncStates([productId]);
      // Not marked complete: the sync still walks it fully (and handles deletions) when it gets there.
      if (after && after.testsSyncedAt === null)
        await stores.products.markTestsWalked(productId, startedAt, false);
      logger.info(
        { productId, tests: testIds.length, unreadable },
        `read the tests of product ${productId} ahead of the sync`,
      );
      if (unreadable > 0)
        return {
          kind: 'failed',
          error: new Error(`${unreadable} test(s) of product ${productId} could not be read from TestIO`),
        };
      return { kind: 'refreshed' };
    } catch (error) {
      logger.warn(
        { productId, err: error },
        `the tests of product ${productId} could not be read: ${errorMessage(error)}`,
      );
      return { kind: 'failed', error: asError(error) };
    }
  }

  async function ensureProductTests(productIds: readonly number[]): Promise<RefreshOutcome> {
    const ids = uniqueIds(productIds);
    const outcome = emptyOutcome();
    if (ids.length === 0) return outcome;
    const states = new Map((await stores.products.listProductSyncStates(ids)).map((s) => [s.id, s]));
    const todo: number[] = [];
    for (const id of ids) {
      const state = states.get(id);
      if (!state) outcome.failed.push({ id, error: new Error(`Product ${id} is not in the mirror`) });
      else if (state.testsSyncedAt !== null) outcome.cacheHits.push(id);
      else todo.push(id);
    }
    const flightsById = new Map<string, Promise<EntityResult>>();
    for (const id of todo) {
      flightsById.set(
        `product-tests:${id}`,
        flights.run(`product-tests:${id}`, () => walkProductTests(id)),
      );
    }
    await collect(todo, 'product-tests', flightsById, outcome);
    summarise(outcome, "products' tests");
    return outcome;
  }

  return { ensureTestsFresh, ensureBugsFresh, ensureFeaturesFresh, ensureProductTests };
}
