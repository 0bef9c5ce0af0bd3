import type { SyncJobRecord } from '@testio-mcp/domain';
import { afterEach, describe, expect, it } from 'vitest';
import { openTwoInstances, testEngines } from './testing.js';

/**
 * The shared-state stores (ADR 0035) on both engines, each seen through two connections (SQLite) or two
 * pools (PostgreSQL) of one database, as two instances see it.
 */

const T0 = new Date('2026-12-11T10:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

function job(overrides: Partial<SyncJobRecord> = {}): SyncJobRecord {
  return {
    id: 'sync-1',
    tenant: 'default',
    state: 'running',
    request: { product_ids: [598], since: null },
    progress: null,
    result: null,
    error: null,
    holder: 'instance-a',
    createdAt: T0,
    heartbeatAt: T0,
    finishedAt: null,
    ...overrides,
  };
}

describe.each(testEngines)('shared state on $name', (engine) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });
  const open = async () => {
    const opened = await openTwoInstances(engine);
    cleanup = opened.cleanup;
    return opened;
  };

  it('a job written by one instance is read by the other, for its tenant only', async () => {
    const { a, b } = await open();
    await a.syncJobs.put(job());
    expect(await b.syncJobs.get('default', 'sync-1')).toEqual(job());
    expect(await b.syncJobs.get('acme', 'sync-1')).toBeUndefined();
    // An id no job can have (GET /api/sync/%00): not found, never a database error.
    expect(await b.syncJobs.get('default', 'sync-1\u0000')).toBeUndefined();

    const progress = { phase: 'tests', message: 'product 598 (1/1)', product_id: 598 };
    await a.syncJobs.put(job({ progress }));
    expect((await b.syncJobs.get('default', 'sync-1'))?.progress).toEqual(progress);

    const result = { run_id: 7, status: 'success', counts: { tests: 3 } };
    await a.syncJobs.put(job({ state: 'completed', progress, result, finishedAt: at(30) }));
    expect(await b.syncJobs.get('default', 'sync-1')).toMatchObject({
      state: 'completed',
      result,
      finishedAt: at(30),
    });
  });

  it('a running job whose heartbeat went quiet is abandoned once; a beating one is not', async () => {
    const { a, b } = await open();
    await a.syncJobs.put(job());
    await a.syncJobs.put(job({ id: 'sync-2', holder: 'instance-b' }));
    await a.syncJobs.heartbeat('instance-a', at(60));
    const error = { code: 'abandoned', message: 'gone' };

    // sync-1 beat at 60 s: not quiet since 30 s. sync-2 never beat after 0 s.
    expect(await b.syncJobs.abandon('sync-1', at(30), error, at(90))).toBe(false);
    expect(await b.syncJobs.abandon('sync-2', at(30), error, at(90))).toBe(true);
    expect(await a.syncJobs.abandon('sync-2', at(30), error, at(91))).toBe(false);
    expect(await a.syncJobs.get('default', 'sync-2')).toMatchObject({
      state: 'failed',
      error,
      finishedAt: at(90),
    });
    expect((await a.syncJobs.get('default', 'sync-1'))?.state).toBe('running');
  });

  it('prune keeps the newest finished jobs of the tenant and every running one', async () => {
    const { a } = await open();
    for (let i = 1; i <= 4; i += 1) {
      await a.syncJobs.put(job({ id: `done-${i}`, state: 'completed', createdAt: at(i), finishedAt: at(i) }));
    }
    await a.syncJobs.put(job({ id: 'running', createdAt: at(0) }));
    await a.syncJobs.put(job({ id: 'other', tenant: 'acme', state: 'completed', createdAt: at(0) }));
    expect(await a.syncJobs.prune('default', 2)).toBe(2);
    expect(await a.syncJobs.get('default', 'done-1')).toBeUndefined();
    expect(await a.syncJobs.get('default', 'done-2')).toBeUndefined();
    expect(await a.syncJobs.get('default', 'done-4')).toBeDefined();
    expect(await a.syncJobs.get('default', 'running')).toBeDefined();
    expect(await a.syncJobs.get('acme', 'other')).toBeDefined();
  });

  it('rate windows count hits from both instances in one window and start afresh when it expires', async () => {
    const { a, b } = await open();
    expect(await a.rateWindows.hit('k', 60_000, T0)).toEqual({ points: 1, expiresAt: at(60) });
    expect(await b.rateWindows.hit('k', 60_000, at(10))).toEqual({ points: 2, expiresAt: at(60) });
    const burst = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).rateWindows.hit('k', 60_000, at(20))),
    );
    expect(burst.map((h) => h.points).sort((x, y) => x - y)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(await a.rateWindows.hit('other', 60_000, at(20))).toEqual({ points: 1, expiresAt: at(80) });
    expect(await b.rateWindows.hit('k', 60_000, at(60))).toEqual({ points: 1, expiresAt: at(120) });
    expect(await a.rateWindows.prune(at(100))).toBe(1);
  });

  it('a shared secret is created once and both instances read the same value', async () => {
    const { a, b } = await open();
    const [first, second] = await Promise.all([
      a.secrets.getOrCreate('triage', () => 'from-a', T0),
      b.secrets.getOrCreate('triage', () => 'from-b', T0),
    ]);
    expect(first).toBe(second);
    expect(['from-a', 'from-b']).toContain(first);
    expect(await b.secrets.getOrCreate('triage', () => 'later', at(5))).toBe(first);
  });
});
