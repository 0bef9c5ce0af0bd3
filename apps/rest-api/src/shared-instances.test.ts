import { createRateLimits, sharedLimiter } from '@testio-mcp/composition';
import { openTwoInstances, testEngines } from '@testio-mcp/persistence/testing';
import type { SyncDataOutput } from '@testio-mcp/services';
import type { SyncProgress } from '@testio-mcp/sync';
import request from 'supertest';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp, FakeClock, fakeServices, syncOutput } from './__fixtures__/fakes.js';

/**
 * Two REST API instances on one database (ADR 0035): a sync started on A is followed on B, a job whose
 * instance died is reported failed, not running forever, and both spend one rate budget. Both engines, each
 * instance with its own connection (SQLite) or pool (PostgreSQL).
 */

type SyncDataOptions = { onProgress?: (p: SyncProgress) => void };

/** Services whose sync waits until the test ends it, reporting progress through the engine's callback. */
function controlledSync() {
  let finish: (value: SyncDataOutput) => void = () => undefined;
  let progress: ((p: SyncProgress) => void) | undefined;
  const services = fakeServices({
    syncData: (_input, options?: SyncDataOptions) =>
      new Promise<SyncDataOutput>((resolve) => {
        finish = resolve;
        progress = options?.onProgress;
      }),
  });
  return {
    services,
    finish: (value: SyncDataOutput) => finish(value),
    progress: (p: SyncProgress) => progress?.(p),
  };
}

describe.each(testEngines)('sync jobs shared by two instances on $name', (engine) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('a sync started on A is followed on B: running, its progress, then its result', async () => {
    const stores = await openTwoInstances(engine);
    cleanup = stores.cleanup;
    const sync = controlledSync();
    const a = buildApp({}, { services: sync.services, syncJobStore: stores.a.syncJobs, jobIdPrefix: 'a' });
    const b = buildApp({}, { services: fakeServices(), syncJobStore: stores.b.syncJobs, jobIdPrefix: 'b' });

    const started = await request(a.app)
      .post('/api/sync')
      .send({ product_ids: [598] })
      .expect(202);
    expect(started.body).toMatchObject({ id: 'sync-a1', state: 'running' });

    const onB = await request(b.app).get('/api/sync/sync-a1').expect(200);
    expect(onB.body).toMatchObject({
      id: 'sync-a1',
      state: 'running',
      request: { product_ids: [598], since: null },
      href: '/api/sync/sync-a1',
      finished_at: null,
    });

    sync.progress({
      phase: 'tests',
      message: 'Discovering tests: product 598 (1/1)',
      productId: 598,
      productIndex: 0,
      productCount: 1,
    } as SyncProgress);
    await vi.waitFor(async () => {
      const res = await request(b.app).get('/api/sync/sync-a1').expect(200);
      expect(res.body.progress).toEqual({
        phase: 'tests',
        message: 'Discovering tests: product 598 (1/1)',
        product_id: 598,
        product_index: 0,
        product_count: 1,
      });
    });

    sync.finish(syncOutput({ product_ids: [598], mode: 'incremental' }));
    await a.syncJobs.wait('sync-a1');
    const done = await request(b.app).get('/api/sync/sync-a1').expect(200);
    expect(done.body).toMatchObject({ state: 'completed', result: { run_id: 7, status: 'success' } });
    expect(done.body.finished_at).toEqual(expect.any(String));

    // A job id no instance started is still unknown everywhere.
    await request(b.app).get('/api/sync/sync-nope').expect(404);
  });

  it('a job whose instance died is reported failed (abandoned) once its heartbeat has been quiet a minute', async () => {
    const stores = await openTwoInstances(engine);
    cleanup = stores.cleanup;
    const sync = controlledSync();
    const a = buildApp({}, { services: sync.services, syncJobStore: stores.a.syncJobs, jobIdPrefix: 'a' });
    const b = buildApp({}, { services: fakeServices(), syncJobStore: stores.b.syncJobs, jobIdPrefix: 'b' });
    await request(a.app).post('/api/sync').send({}).expect(202);

    // A stops beating (its clock stands still: no heartbeat is newer than the start); B's time goes on.
    b.clock.advance(30_000);
    expect((await request(b.app).get('/api/sync/sync-a1').expect(200)).body.state).toBe('running');
    b.clock.advance(31_000);
    const res = await request(b.app).get('/api/sync/sync-a1').expect(200);
    expect(res.body).toMatchObject({
      state: 'failed',
      error: { code: 'abandoned', message: 'The instance running this sync stopped before it finished' },
    });
    expect(res.body.finished_at).toBe(b.clock.now().toISOString());
    expect(b.logger.messages('warn')).toContain('sync job abandoned: its instance stopped answering');

    // Let A's sync end so nothing is left pending.
    sync.finish(syncOutput());
    await a.syncJobs.wait('sync-a1');
  });
});

describe.each(testEngines)('rate limits shared by two instances on $name', (engine) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('two apps spend one budget: the request over it is refused whichever instance it reaches', async () => {
    const stores = await openTwoInstances(engine);
    cleanup = stores.cleanup;
    const budget = { points: 3, windowSeconds: 60 };
    const config = { viewer: budget, operator: budget, admin: budget, anonymous: budget };
    const clock = new FakeClock();
    const appA = buildApp(
      {},
      { rateLimits: createRateLimits(config, sharedLimiter(stores.a.rateWindows, clock)) },
    );
    const appB = buildApp(
      {},
      { rateLimits: createRateLimits(config, sharedLimiter(stores.b.rateWindows, clock)) },
    );

    const first = await request(appA.app).get('/api/products').expect(200);
    expect(first.headers['ratelimit-remaining']).toBe('2');
    await request(appB.app).get('/api/products').expect(200);
    await request(appA.app).get('/api/products').expect(200);
    const refused = await request(appB.app).get('/api/products').expect(429);
    expect(refused.body.error.code).toBe('rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    await request(appA.app).get('/api/products').expect(429);

    // The window ends for both at once.
    clock.advance(60_000);
    await request(appB.app).get('/api/products').expect(200);
  });
});
