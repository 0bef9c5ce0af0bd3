import { IMMUTABLE_TEST_STATUSES } from '@testio-mcp/domain';

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
