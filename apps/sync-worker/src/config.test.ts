import { describe, expect, it } from 'vitest';
import { nextRunDelayMs, parseSyncWorkerSettings } from './config.js';

describe('sync worker settings', () => {
  it('syncs hourly by default and not at all with interval 0', () => {
    expect(nextRunDelayMs(parseSyncWorkerSettings({}))).toBe(3_600_000);
    expect(nextRunDelayMs(parseSyncWorkerSettings({ TESTIO_REFRESH_INTERVAL_SECONDS: '0' }))).toBeNull();
  });

  it('rejects a negative interval', () => {
    expect(() => parseSyncWorkerSettings({ TESTIO_REFRESH_INTERVAL_SECONDS: '-5' })).toThrow(
      /TESTIO_REFRESH_INTERVAL_SECONDS='-5' is not valid/,
    );
  });
});
