import { describe, expect, it } from 'vitest';
import { ConflictError, DatabaseBusyError } from '@testio-mcp/domain';
import type { AutomaticSyncDecision, BreakerState } from './breaker.js';
import type { SyncEngine } from './engine.js';
import { createSyncScheduler } from './scheduler.js';
import { createCaptureLogger } from './testing/capture-logger.js';
import type { SyncResult, SyncRunOptions } from './types.js';

const closed: BreakerState = {
  open: false,
  failures: 0,
  maxFailures: 3,
  windowMs: 300_000,
  retryAt: null,
  lastError: null,
  reason: '',
};

function fakeEngine(
  decisions: AutomaticSyncDecision[],
  run: (options: SyncRunOptions) => Promise<SyncResult>,
) {
  const calls: SyncRunOptions[] = [];
  const forced: boolean[] = [];
  const engine = {
    shouldRunAutomaticSync: async (_now?: Date, options?: { force?: boolean }) => {
      forced.push(options?.force ?? false);
      return decisions.shift() ?? { run: false, reason: 'fresh', breaker: closed };
    },
    run: (options: SyncRunOptions) => {
      calls.push(options);
      return run(options);
    },
  } as unknown as SyncEngine;
  return { engine, calls, forced };
}

const result = (status: SyncResult['status']) => ({ status }) as SyncResult;
const waitFor = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('sync scheduler', () => {
  it('runs the startup check at once (forced when configured), then periodic background checks', async () => {
    const finished: string[] = [];
    const skipped: string[] = [];
    const { engine, calls, forced } = fakeEngine(
      [
        { run: true, reason: 'no products', breaker: closed },
        { run: false, reason: 'Circuit breaker open: …', breaker: { ...closed, open: true } },
        { run: true, reason: 'stale', breaker: closed },
      ],
      async () => result('success'),
    );
    const scheduler = createSyncScheduler({
      engine,
      intervalMs: 10,
      logger: createCaptureLogger(),
      forceInitialSync: true,
      onRunFinished: (r) => finished.push(r.status),
      onSkipped: (reason) => skipped.push(reason),
    });
    scheduler.start();
    await waitFor(() => calls.length === 2);
    await scheduler.stop();
    expect(calls.map((c) => c.trigger)).toEqual(['startup', 'background']);
    expect(calls.every((c) => c.mode === 'incremental')).toBe(true);
    expect(forced.slice(0, 2)).toEqual([true, false]);
    expect(finished).toEqual(['success', 'success']);
    expect(skipped).toEqual(['Circuit breaker open: …']);
  });

  it.each([
    ['holds the lease', new ConflictError({ message: 'A sync is already running (holder x since y)' })],
    ['keeps the database locked', new DatabaseBusyError({ message: 'The local database is busy' })],
  ])('skips quietly when another process %s', async (_, error) => {
    const skipped: string[] = [];
    const { engine } = fakeEngine([{ run: true, reason: 'stale', breaker: closed }], async () => {
      throw error;
    });
    const scheduler = createSyncScheduler({
      engine,
      intervalMs: 0,
      logger: createCaptureLogger(),
      onSkipped: (r) => skipped.push(r),
    });
    scheduler.start();
    await waitFor(() => skipped.length === 1);
    await scheduler.stop();
    expect(skipped).toEqual([error.message]);
  });

  it('stop() aborts the running sync and waits for it', async () => {
    let sawAbort = false;
    const { engine } = fakeEngine([{ run: true, reason: 'stale', breaker: closed }], (options) => {
      return new Promise<SyncResult>((resolve) => {
        options.signal?.addEventListener('abort', () => {
          sawAbort = true;
          setTimeout(() => resolve(result('interrupted')), 20);
        });
      });
    });
    const finished: string[] = [];
    const scheduler = createSyncScheduler({
      engine,
      intervalMs: 1000,
      logger: createCaptureLogger(),
      onRunFinished: (r) => finished.push(r.status),
    });
    scheduler.start();
    await waitFor(() => scheduler.running);
    await scheduler.stop();
    expect(sawAbort).toBe(true);
    expect(finished).toEqual(['interrupted']);
    expect(scheduler.running).toBe(false);
  });
});
