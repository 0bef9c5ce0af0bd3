import { type TestListPage, type TestSyncState, type UpstreamExploratoryTest } from '@testio-mcp/domain';
import { bugsWereSettling, isMutableTestStatus, testNeedsRefresh } from '../refresh-policy.js';
import type { RunContext } from '../run-context.js';

/** The pure rules of a product's test walk: where each test sits, when the walk may stop, what to refetch. */

export function endAtMs(test: Pick<UpstreamExploratoryTest, 'end_at'>): number | null {
  if (!test.end_at) return null;
  const ms = Date.parse(test.end_at);
  return Number.isNaN(ms) ? null : ms;
}

export interface PlacedTest {
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
