import { describe, expect, it } from 'vitest';
import { computeFreshness } from './freshness.js';

describe('computeFreshness', () => {
  const now = new Date('2026-01-01T12:00:00.000Z');

  it('is fresh within the TTL', () => {
    const f = computeFreshness(new Date('2026-01-01T11:30:00.000Z'), now, 3600);
    expect(f).toEqual({
      data_as_of: '2026-01-01T11:30:00.000Z',
      age_seconds: 1800,
      stale: false,
      warnings: [],
    });
  });

  it('is stale past the TTL and keeps caller warnings', () => {
    const f = computeFreshness(new Date('2026-01-01T10:00:00.000Z'), now, 3600, ['refresh failed: HTTP 503']);
    expect(f.stale).toBe(true);
    expect(f.warnings).toEqual(['refresh failed: HTTP 503']);
  });

  it('says so when nothing was ever synced', () => {
    const f = computeFreshness(null, now, 3600);
    expect(f.stale).toBe(true);
    expect(f.data_as_of).toBeNull();
    expect(f.warnings[0]).toMatch(/No data has been synced yet/);
  });
});
