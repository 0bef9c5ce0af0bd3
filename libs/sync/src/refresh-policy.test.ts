import { describe, expect, it } from 'vitest';
import {
  BUG_SETTLE_MS,
  bugsNeedRefresh,
  bugsWereSettling,
  isMutableTestStatus,
  testNeedsRefresh,
} from './refresh-policy.js';

describe('refresh policy', () => {
  const now = new Date('2026-01-01T12:00:00.000Z');
  const twoHoursAgo = new Date('2026-01-01T10:00:00.000Z');
  const tenMinutesAgo = new Date('2026-01-01T11:50:00.000Z');

  it('never refreshes archived or cancelled tests once synced', () => {
    expect(testNeedsRefresh({ status: 'archived', syncedAt: twoHoursAgo }, now, 3600)).toBe(false);
    expect(testNeedsRefresh({ status: 'cancelled', syncedAt: twoHoursAgo }, now, 3600)).toBe(false);
  });

  it('refreshes mutable tests after the TTL only', () => {
    expect(testNeedsRefresh({ status: 'running', syncedAt: twoHoursAgo }, now, 3600)).toBe(true);
    expect(testNeedsRefresh({ status: 'locked', syncedAt: tenMinutesAgo }, now, 3600)).toBe(false);
    expect(testNeedsRefresh({ status: 'waiting', syncedAt: twoHoursAgo }, now, 3600)).toBe(true);
  });

  it('always fetches a test that was never synced', () => {
    expect(testNeedsRefresh({ status: 'archived', syncedAt: null }, now, 3600)).toBe(true);
  });

  it('treats a status TestIO adds later as mutable', () => {
    expect(isMutableTestStatus('completed')).toBe(true);
  });
});

describe('bug refresh policy', () => {
  const DAY = 86_400_000;
  const now = new Date('2026-01-20T00:00:00.000Z');
  const ago = (days: number) => new Date(now.getTime() - days * DAY);

  it('reads bugs that were never read', () => {
    expect(
      bugsNeedRefresh({ status: 'archived', endAt: ago(100), bugsSyncedAt: null }, now, 3600, 7 * 86_400),
    ).toBe(true);
  });

  it('treats bugs read while the test was running as stale after the TTL', () => {
    expect(
      bugsNeedRefresh(
        { status: 'running', endAt: ago(-1), bugsSyncedAt: ago(2 / 24) },
        now,
        3600,
        7 * 86_400,
      ),
    ).toBe(true);
    expect(
      bugsNeedRefresh(
        { status: 'running', endAt: ago(-1), bugsSyncedAt: ago(0.5 / 24) },
        now,
        3600,
        7 * 86_400,
      ),
    ).toBe(false);
  });

  it('keeps refreshing an archived test whose bugs were read before auto-acceptance could have run', () => {
    // Ended 12 days ago, bugs read 6 days ago (6 days after its end): auto-acceptance may have happened since.
    expect(bugsWereSettling({ status: 'archived', endAt: ago(12) }, ago(6))).toBe(true);
    expect(
      bugsNeedRefresh({ status: 'archived', endAt: ago(12), bugsSyncedAt: ago(6) }, now, 3600, 7 * 86_400),
    ).toBe(true);
  });

  it('uses the long immutable TTL for bugs read after they settled, since bug fields still change after archiving', () => {
    expect(bugsWereSettling({ status: 'archived', endAt: ago(40) }, ago(20))).toBe(false);
    expect(
      bugsNeedRefresh({ status: 'archived', endAt: ago(40), bugsSyncedAt: ago(6) }, now, 3600, 7 * 86_400),
    ).toBe(false);
    expect(
      bugsNeedRefresh({ status: 'archived', endAt: ago(40), bugsSyncedAt: ago(8) }, now, 3600, 7 * 86_400),
    ).toBe(true);
    expect(BUG_SETTLE_MS).toBe(11 * DAY);
  });
});
