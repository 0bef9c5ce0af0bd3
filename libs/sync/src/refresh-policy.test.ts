import { describe, expect, it } from 'vitest';
import { isMutableTestStatus, testNeedsRefresh } from './refresh-policy.js';

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
