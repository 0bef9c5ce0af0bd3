import {
  UpstreamError,
  type FailedTestRange,
  type NewProblematicRange,
  type UpstreamExploratoryTest,
} from '@testio-mcp/domain';
import { errorMessage } from '../abort.js';
import type { RunContext } from '../run-context.js';
import { endAtMs, type PlacedTest } from './walk-rules.js';

/**
 * Records the ranges of a product's test list that could not be read as problematic ranges, each with
 * the readable tests on either side (the boundaries retryProblematic walks between). A range at the end
 * of a page waits for the first readable test of a later page as its after-boundary.
 */
export class FailedRangeRecorder {
  private lastReadable: UpstreamExploratoryTest | null = null;
  private awaitingAfter: FailedTestRange[] = [];
  private beforeOf = new Map<FailedTestRange, UpstreamExploratoryTest | null>();
  /** Failed ranges met in this walk. */
  count = 0;

  constructor(
    private readonly ctx: RunContext,
    private readonly productId: number,
  ) {}

  /** Takes one page: closes ranges awaiting a boundary, records the page's own ranges. */
  async observe(placed: readonly PlacedTest[], failedRanges: readonly FailedTestRange[]): Promise<void> {
    const firstReadable = placed[0]?.test ?? null;
    if (this.awaitingAfter.length > 0 && firstReadable) {
      for (const range of this.awaitingAfter)
        await this.record(range, this.beforeOf.get(range) ?? null, firstReadable);
      this.awaitingAfter = [];
      this.beforeOf = new Map();
    }
    for (const range of failedRanges) {
      this.count++;
      const before = placed.filter((p) => p.position < range.offset).at(-1)?.test ?? this.lastReadable;
      const after = placed.find((p) => p.position >= range.offset + range.count)?.test ?? null;
      if (after) await this.record(range, before, after);
      else {
        this.awaitingAfter.push(range);
        this.beforeOf.set(range, before);
      }
    }
    if (placed.length > 0) this.lastReadable = placed[placed.length - 1]?.test ?? this.lastReadable;
  }

  /** The walk is over: ranges still awaiting an after-boundary are recorded without one. */
  async finish(): Promise<void> {
    for (const range of this.awaitingAfter) await this.record(range, this.beforeOf.get(range) ?? null, null);
    this.awaitingAfter = [];
    this.beforeOf = new Map();
  }

  private async record(
    range: FailedTestRange,
    before: UpstreamExploratoryTest | null,
    after: UpstreamExploratoryTest | null,
  ): Promise<void> {
    const { ctx, productId } = this;
    const entry: NewProblematicRange = {
      productId,
      offsetFrom: range.offset,
      offsetTo: range.offset + range.count - 1,
      boundaryBeforeId: before?.id ?? null,
      boundaryBeforeEndAt: before && endAtMs(before) !== null ? new Date(endAtMs(before) as number) : null,
      boundaryAfterId: after?.id ?? null,
      boundaryAfterEndAt: after && endAtMs(after) !== null ? new Date(endAtMs(after) as number) : null,
      lastError: errorMessage(range.error),
    };
    await ctx.stores.syncState.recordProblematicRange(entry, ctx.clock.now());
    ctx.failedRanges.push({
      productId,
      offsetFrom: entry.offsetFrom,
      offsetTo: entry.offsetTo,
      boundaryBeforeId: entry.boundaryBeforeId,
      boundaryAfterId: entry.boundaryAfterId,
      error: entry.lastError,
    });
    const status = range.error instanceof UpstreamError ? ` (HTTP ${range.error.status})` : '';
    ctx.fail(
      `Product ${productId}: ${range.count} test(s) at positions ${entry.offsetFrom}–${entry.offsetTo} could not be read${status}; recorded as problematic, retry with retryProblematic`,
      { productId, offset: range.offset, count: range.count },
    );
  }
}
