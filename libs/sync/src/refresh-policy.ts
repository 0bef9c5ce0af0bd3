import { AUTO_ACCEPT_AFTER_DAYS, IMMUTABLE_TEST_STATUSES } from '@testio-mcp/domain';

/**
 * When a cached test (and its bugs) must be read again from TestIO. Final tests never change, so they
 * are served from the mirror forever; everything else goes stale after the cache TTL. An unknown
 * status counts as mutable: re-reading too often is cheaper than serving a frozen wrong answer.
 */

const IMMUTABLE = new Set<string>(IMMUTABLE_TEST_STATUSES);

export function isMutableTestStatus(status: string): boolean {
  return !IMMUTABLE.has(status);
}

export interface CachedTestState {
  readonly status: string;
  /** When the test was last read from TestIO; null when it never was. */
  readonly syncedAt: Date | null;
}

export function testNeedsRefresh(test: CachedTestState, now: Date, ttlSeconds: number): boolean {
  if (test.syncedAt === null) return true;
  if (!isMutableTestStatus(test.status)) return false;
  return now.getTime() - test.syncedAt.getTime() > ttlSeconds * 1000;
}

const DAY_MS = 86_400_000;

/**
 * How long after a test's end its bugs can still change on their own: TestIO auto-accepts a bug
 * `AUTO_ACCEPT_AFTER_DAYS` after it was reported, and bugs are reported before the test ends; one
 * day of margin on top.
 */
export const BUG_SETTLE_MS = (AUTO_ACCEPT_AFTER_DAYS + 1) * DAY_MS;

export interface CachedBugsState {
  readonly status: string;
  readonly endAt: Date | null;
  /** When the test's bugs were last read from TestIO; null when they never were. */
  readonly bugsSyncedAt: Date | null;
}

/**
 * Whether bugs read at `readAt` may have changed since on their own: the test is still mutable, or
 * the read happened before its bugs settled (auto-acceptance), even if the test was archived since.
 */
export function bugsWereSettling(test: Pick<CachedBugsState, 'status' | 'endAt'>, readAt: Date): boolean {
  if (isMutableTestStatus(test.status)) return true;
  if (test.endAt === null) return false;
  return readAt.getTime() < test.endAt.getTime() + BUG_SETTLE_MS;
}

/**
 * When a test's cached bugs must be read again: never read; read while still settling and older than
 * the TTL; or read when settled and older than the long immutable TTL (flags such as `known` can
 * still change after archiving).
 */
export function bugsNeedRefresh(
  test: CachedBugsState,
  now: Date,
  ttlSeconds: number,
  immutableTtlSeconds: number,
): boolean {
  if (test.bugsSyncedAt === null) return true;
  const age = now.getTime() - test.bugsSyncedAt.getTime();
  return age > (bugsWereSettling(test, test.bugsSyncedAt) ? ttlSeconds : immutableTtlSeconds) * 1000;
}
