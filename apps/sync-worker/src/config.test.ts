import { InvalidInputError } from '@testio-mcp/domain';
import { describe, expect, it } from 'vitest';
import { nextRunDelayMs, parseSyncWorkerSettings, resolveSyncRuntime } from './config.js';

const now = new Date('2026-11-22T12:00:00.000Z');

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

  it('needs a token, and says how to get one or where the demo is', () => {
    const settings = parseSyncWorkerSettings({});
    expect(() => resolveSyncRuntime(settings, now)).toThrow(InvalidInputError);
    expect(() => resolveSyncRuntime(settings, now)).toThrow(/TESTIO_CUSTOMER_API_TOKEN/);
  });

  it('lets a command that reads the local mirror alone go without a token, and without a since', () => {
    const runtime = resolveSyncRuntime(parseSyncWorkerSettings({}), now, { requireToken: false });
    expect(runtime.token).toBeUndefined();
    expect(runtime.since).toBeUndefined();
    expect(runtime.databasePath.startsWith('/')).toBe(true);
  });

  it('resolves the database path and a relative TESTIO_SYNC_SINCE with the shared date parser', () => {
    const settings = parseSyncWorkerSettings({
      TESTIO_CUSTOMER_API_TOKEN: 'tok',
      TESTIO_DB_PATH: '~/mirror/test.db',
      TESTIO_SYNC_SINCE: '90 days ago',
    });
    const runtime = resolveSyncRuntime(settings, now);
    expect(runtime.databasePath).toMatch(/\/mirror\/test\.db$/);
    expect(runtime.databasePath.startsWith('/')).toBe(true);
    expect(runtime.since?.toISOString()).toBe('2026-08-24T00:00:00.000Z');
  });

  it('names TESTIO_SYNC_SINCE when it cannot be read', () => {
    const settings = parseSyncWorkerSettings({
      TESTIO_CUSTOMER_API_TOKEN: 'tok',
      TESTIO_SYNC_SINCE: 'whenever',
    });
    try {
      resolveSyncRuntime(settings, now);
      expect.unreachable();
    } catch (error) {
      expect((error as InvalidInputError).field).toBe('TESTIO_SYNC_SINCE');
    }
  });
});
