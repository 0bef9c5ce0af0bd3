import {
  MAX_TESTS_PER_BUG_REQUEST,
  normalizeBug,
  type Bug,
  type Stored,
  type UpstreamBug,
} from '@testio-mcp/domain';
import { errorMessage, throwIfAborted } from '../abort.js';
import type { RunContext } from '../run-context.js';

function describeIds(ids: readonly number[]): string {
  return ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} … (${ids.length} tests)`;
}

/**
 * Keeps only the bugs of the requested tests and normalises them. A bug without a test reference can
 * only be placed when one test was asked for.
 */
export function bugsForTests(
  testIds: readonly number[],
  raw: readonly UpstreamBug[],
): { bugs: Array<Stored<Bug, UpstreamBug>>; ignored: number } {
  const wanted = new Set(testIds);
  const fallback = testIds.length === 1 ? testIds[0] : undefined;
  const bugs: Array<Stored<Bug, UpstreamBug>> = [];
  let ignored = 0;
  for (const bug of raw) {
    const testId = bug.test?.id ?? fallback;
    if (testId === undefined || !wanted.has(testId)) {
      ignored++;
      continue;
    }
    bugs.push({ entity: normalizeBug(bug, testId), raw: bug });
  }
  return { bugs, ignored };
}

/**
 * Fetches the bugs of some tests (the client sends ≤ 15 ids per request) and makes the mirror hold
 * exactly those bugs for them, in one write. A failed fetch leaves the tests' `bugsSyncedAt` alone,
 * so the next run or read retries them.
 */
export async function syncBugsOfTests(ctx: RunContext, testIds: readonly number[]): Promise<boolean> {
  if (testIds.length === 0) return true;
  let raw: UpstreamBug[];
  try {
    raw = await ctx.api.listBugsForTests(testIds);
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    ctx.fail(
      `Bugs of tests ${describeIds(testIds)} could not be fetched (${errorMessage(error)}); they will be retried`,
      {
        testIds: testIds.length,
        err: error,
      },
    );
    return false;
  }
  const { bugs, ignored } = bugsForTests(testIds, raw);
  if (ignored > 0) ctx.warn(`Ignored ${ignored} bug(s) returned for tests that were not asked for`);
  const { upserted, deleted } = await ctx.stores.bugs.replaceBugsOfTests(testIds, bugs, ctx.clock.now());
  ctx.counts.bugsSynced += upserted;
  ctx.counts.bugsDeleted += deleted;
  return true;
}

/**
 * Test ids waiting for their bugs. They are fetched and written in the background, in batches of whole
 * requests (multiples of `MAX_TESTS_PER_BUG_REQUEST`, at most `bugBatchTests` tests, one transaction
 * each), so a product's walk goes on while the bugs of its pages arrive. At most
 * `MAX_BUG_BATCHES_IN_FLIGHT` batches of the run are in flight (the run's `bugSlots`): that bounds the
 * bugs held in memory (a `large` account has products of 1,000 tests with ~20 bugs each). Tests must be
 * in the mirror before they are queued. `flushAll` (and `settle`, which never throws) wait until
 * nothing of this queue is in flight: no write outlives the product's walk.
 */
export class BugQueue {
  private pending: number[] = [];
  private queued = new Set<number>();
  private inFlight = new Set<Promise<void>>();
  private failure: { error: unknown } | null = null;

  constructor(private readonly ctx: RunContext) {}

  add(testId: number): void {
    if (this.queued.has(testId)) return;
    this.queued.add(testId);
    this.pending.push(testId);
  }

  get size(): number {
    return this.pending.length;
  }

  /** Starts batches of whole requests; waits only while too many batches are in flight. */
  async flushFull(): Promise<void> {
    const max = this.ctx.options.bugBatchTests;
    const unit = Math.min(MAX_TESTS_PER_BUG_REQUEST, max);
    const largest = max - (max % unit);
    while (this.pending.length >= unit) {
      const take = Math.min(largest, this.pending.length - (this.pending.length % unit));
      await this.start(this.pending.splice(0, take));
    }
  }

  /** Writes everything left and waits for every batch in flight. */
  async flushAll(): Promise<void> {
    await this.flushFull();
    if (this.pending.length > 0) await this.start(this.pending.splice(0));
    await this.settle();
    this.rethrow();
  }

  /** Waits for every batch in flight; never throws (a failure is thrown by the next flush). */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async start(testIds: number[]): Promise<void> {
    this.rethrow();
    throwIfAborted(this.ctx.signal);
    const release = await this.ctx.bugSlots.acquire();
    try {
      this.rethrow();
      throwIfAborted(this.ctx.signal);
    } catch (error) {
      release();
      throw error;
    }
    const batch: Promise<void> = syncBugsOfTests(this.ctx, testIds)
      .then(
        () => undefined,
        (error: unknown) => {
          this.failure ??= { error };
        },
      )
      .finally(() => {
        release();
        this.inFlight.delete(batch);
      });
    this.inFlight.add(batch);
  }

  /** A failed batch (its write failed; a failed fetch is recorded, not thrown) is thrown once. */
  private rethrow(): void {
    const failure = this.failure;
    if (!failure) return;
    this.failure = null;
    throw failure.error;
  }
}
