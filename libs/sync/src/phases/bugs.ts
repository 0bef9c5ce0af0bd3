import { normalizeBug, type Bug, type Stored, type UpstreamBug } from '@testio-mcp/domain';
import { errorMessage, throwIfAborted } from '../abort.js';
import type { RunContext } from '../run-context.js';

function describeIds(ids: readonly number[]): string {
  return ids.length <= 5 ? ids.join(', ') : `${ids.slice(0, 5).join(', ')} … (${ids.length} tests)`;
}

/**
 * Keeps only the bugs of the requested tests and normalises them. A bug without a test reference can
 * only be placed when one test was asked for.
 */
export function bugsForTests(testIds: readonly number[], raw: readonly UpstreamBug[]): { bugs: Array<Stored<Bug, UpstreamBug>>; ignored: number } {
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
    ctx.fail(`Bugs of tests ${describeIds(testIds)} could not be fetched (${errorMessage(error)}); they will be retried`, {
      testIds: testIds.length,
      err: error,
    });
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
 * Test ids waiting for their bugs, written in chunks of `bugBatchTests` so a big product's bugs are
 * never all held in memory. Tests must be in the mirror before they are queued.
 */
export class BugQueue {
  private pending: number[] = [];
  private queued = new Set<number>();

  constructor(private readonly ctx: RunContext) {}

  add(testId: number): void {
    if (this.queued.has(testId)) return;
    this.queued.add(testId);
    this.pending.push(testId);
  }

  get size(): number {
    return this.pending.length;
  }

  /** Writes full chunks only. */
  async flushFull(): Promise<void> {
    while (this.pending.length >= this.ctx.options.bugBatchTests) {
      throwIfAborted(this.ctx.signal);
      await syncBugsOfTests(this.ctx, this.pending.splice(0, this.ctx.options.bugBatchTests));
    }
  }

  /** Writes everything left. */
  async flushAll(): Promise<void> {
    await this.flushFull();
    if (this.pending.length > 0) {
      throwIfAborted(this.ctx.signal);
      await syncBugsOfTests(this.ctx, this.pending.splice(0));
    }
  }
}
