import { join } from 'node:path';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DatabaseBusyError,
  EXECUTED_TEST_STATUSES,
  InvalidInputError,
  NotFoundError,
  type AnalyticsReader,
  type MetricQuery,
  type MirrorReader,
  type SearchPort,
} from '@testio-mcp/domain';
import { bug, feature, product, test as testOf } from '../__fixtures__/entities.js';
import { createTestDatabase, type TestDatabase } from '../testing.js';
import { createReadHandler } from './handler.js';
import { createReadPorts } from './index.js';
import { createReadPool, type ReadPool } from './pool.js';
import { reviveError, serializeError, type FromWorker } from './protocol.js';
import { forwardingLogger, serveReads } from './serve.js';

const T0 = new Date('2025-06-01T08:00:00.000Z');

/** A small seeded mirror: three products, 60 tests, 600 bugs with varied fields and words. */
async function seed(db: TestDatabase): Promise<void> {
  let state = 7;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const words = ['checkout', 'login', 'payment', 'crash', 'button', 'layout', 'search', 'cart', 'menu'];
  const s = db.stores;
  await s.products.upsertProducts(
    [1, 2, 3].map((id) => product(id, { name: `Product ${id}` })),
    T0,
  );
  await s.features.replaceProductFeatures(
    1,
    [feature(501, 1, { title: 'Checkout' }), feature(502, 1, { title: 'Login' })],
    [],
    T0,
  );
  const tests = Array.from({ length: 60 }, (_, i) => {
    const day = 1 + Math.floor(random() * 360);
    const end = new Date(Date.UTC(2024, 6, 1) + day * 86_400_000);
    return testOf(100 + i, 1 + (i % 3), {
      title: `${pick(words)} ${pick(words)} test ${i}`,
      status: pick(['archived', 'locked', 'running', 'customer_finalized']),
      testing_type: pick(['coverage', 'focused', 'rapid']),
      start_at: new Date(end.getTime() - 2 * 86_400_000).toISOString(),
      end_at: end.toISOString(),
      created_by: pick(['anna', 'ben', null]),
    });
  });
  await s.tests.upsertTests(tests, T0);
  const bugs = Array.from({ length: 600 }, (_, i) => {
    const testId = 100 + Math.floor(random() * 60);
    return bug(10_000 + i, testId, {
      title: `${pick(words)} ${pick(words)} ${pick(words)}`,
      severity: pick(['low', 'high', 'critical', 'visual', 'content']),
      status: pick(['accepted', 'rejected', 'forwarded']),
      auto_accepted: random() < 0.2,
      known: random() < 0.1,
      reported_at: new Date(Date.UTC(2024, 6, 1) + Math.floor(random() * 360) * 86_400_000).toISOString(),
      author: { name: pick(['tom', 'uma', 'vic', 'wes']) },
      devices: [{ category: { name: 'Phones' }, operating_system: { name: pick(['iOS', 'Android']) } }],
    });
  });
  const byTest = new Map<number, typeof bugs>();
  for (const b of bugs) byTest.set(b.entity.test_id, [...(byTest.get(b.entity.test_id) ?? []), b]);
  await s.bugs.replaceBugsOfTests(
    tests.map((t) => t.entity.id),
    bugs,
    T0,
  );
}

let db: TestDatabase;
beforeAll(async () => {
  db = createTestDatabase();
  await seed(db);
});
afterAll(async () => {
  await db?.cleanup();
});

const executed = { testStatuses: [...EXECUTED_TEST_STATUSES] };
const byProduct: MetricQuery = {
  dimensions: ['product'],
  metrics: ['bug_count', 'test_count'],
  scope: executed,
  sortOrder: 'desc',
  limit: 50,
};
const metricQueries: MetricQuery[] = [
  byProduct,
  {
    dimensions: ['product'],
    metrics: ['bug_count', 'test_count'],
    scope: executed,
    sortOrder: 'desc',
    limit: 50,
  },
  {
    dimensions: ['month', 'severity'],
    metrics: ['bug_count', 'rejection_rate'],
    scope: {},
    sortOrder: 'asc',
    limit: 100,
  },
  {
    dimensions: ['feature'],
    metrics: ['bugs_per_test', 'active_testers'],
    scope: { productIds: [1] },
    sortOrder: 'desc',
    limit: 10,
  },
  {
    dimensions: ['platform', 'tester'],
    metrics: ['overall_acceptance_rate'],
    scope: { severities: ['high'] },
    sortOrder: 'desc',
    limit: 20,
  },
];

/** Every port method with arguments that reach rows, so the two sides are compared on real answers. */
async function answers(reader: MirrorReader, analytics: AnalyticsReader, search: SearchPort) {
  const page = { offset: 0, limit: 20 };
  return {
    products: await reader.listProducts({
      ...page,
      sortBy: 'title',
      sortOrder: 'asc',
      recentSince: { days30: new Date('2025-05-01'), days90: new Date('2025-03-01') },
    }),
    productsSyncedAt: await reader.productsSyncedAt(),
    product: await reader.getProduct(2),
    productSummary: await reader.getProductSummary(1),
    missingProduct: await reader.getProductSummary(999),
    tests: await reader.listTests({ productId: 1, ...page, sortBy: 'end_at', sortOrder: 'desc' }),
    testRefs: await reader.getTestRefs([100, 101, 999]),
    testDetail: await reader.getTestDetail(103),
    bugsOfTest: await reader.listBugsOfTest(104),
    features: await reader.listFeatures({ productId: 1, ...page, sortBy: 'bug_count', sortOrder: 'desc' }),
    featureDetail: await reader.getFeatureDetail(501),
    users: await reader.listUsers({
      ...page,
      activeSince: new Date('2024-01-01'),
      sortBy: 'last_activity',
      sortOrder: 'desc',
    }),
    usersSeenAt: await reader.usersSeenAt(),
    bugs: await reader.listBugs({
      testIds: [100, 101, 102, 103],
      severities: ['high', 'critical'],
      ...page,
      sortBy: 'severity',
      sortOrder: 'desc',
    }),
    bugDetail: await reader.getBugDetail(10_005),
    stats: await reader.stats(),
    lastTestsSyncAt: await reader.lastTestsSyncAt(),
    problematic: await reader.listProblematicRanges({ includeResolved: true }),
    metrics: await Promise.all(metricQueries.map((q) => analytics.runMetricQuery(q))),
    reportTests: await analytics.reportTests({ productIds: [1, 2] }),
    breakdowns: await analytics.reportBreakdowns({}),
    platforms: await analytics.listPlatforms(),
    searchWord: await search.search({ query: 'checkout', limit: 20 }),
    searchFiltered: await search.search({ query: 'pay', productIds: [2], from: new Date('2025-01-01') }),
    searchRaw: await search.search({ query: '"login button"', mode: 'raw', entityTypes: ['bug'] }),
  };
}

function holdBuffer() {
  const buffer = new SharedArrayBuffer(4);
  const view = new Int32Array(buffer);
  return { buffer, release: () => (Atomics.store(view, 0, 1), Atomics.notify(view, 0)) };
}

function pool(size: number, extra: { holdHeavy?: SharedArrayBuffer; path?: string } = {}): ReadPool {
  return createReadPool({
    path: extra.path ?? db.path,
    customerId: db.customerId,
    size,
    inLoop: createReadHandler(db.sqlite, db.customerId),
    ...(extra.holdHeavy ? { holdHeavy: extra.holdHeavy } : {}),
  });
}

describe('read pool', () => {
  it('answers exactly what the in-loop readers answer, with two workers and with one', async () => {
    const inLoop = createReadPorts({ db: db.sqlite, path: db.path, customerId: db.customerId, workers: 0 });
    expect(inLoop.workers).toBe(0);
    const expected = await answers(inLoop.reader, inLoop.analytics, inLoop.search);
    expect(expected.metrics[0]?.rows.length).toBeGreaterThan(0);
    expect(expected.searchWord.results.length).toBeGreaterThan(0);
    expect(expected.tests.items.length).toBeGreaterThan(0);
    for (const size of [2, 1]) {
      const ports = createReadPorts({
        db: db.sqlite,
        path: db.path,
        customerId: db.customerId,
        workers: size,
      });
      try {
        expect(ports.workers).toBe(size);
        expect(await answers(ports.reader, ports.analytics, ports.search)).toEqual(expected);
      } finally {
        await ports.close();
      }
    }
  });

  it('runs light reads on the serving thread and heavy ones on the worker when it has one worker', async () => {
    const p = pool(1);
    try {
      await p.reader.getTestDetail(100);
      expect(p.stats().threads).toBe(0);
      await p.analytics.listPlatforms();
      expect(p.stats().threads).toBe(1);
    } finally {
      await p.close();
    }
  });

  it('answers a light call while heavy queries hold the pool, and keeps their order', async () => {
    const hold = holdBuffer();
    const p = pool(2, { holdHeavy: hold.buffer });
    const done: string[] = [];
    try {
      const heavy1 = p.analytics.runMetricQuery(byProduct).then((r) => (done.push('heavy 1'), r));
      const heavy2 = p.search.search({ query: 'checkout' }).then((r) => (done.push('heavy 2'), r));
      const light = await p.reader.getTestDetail(103).then((r) => (done.push('light'), r));
      expect(light?.id).toBe(103);
      expect(done).toEqual(['light']);
      // The second heavy call waits for the first: one worker stays free for light calls.
      expect(p.stats()).toMatchObject({ busy: 1, queued: 1 });
      hold.release();
      const [r1, r2] = await Promise.all([heavy1, heavy2]);
      expect(done).toEqual(['light', 'heavy 1', 'heavy 2']);
      expect(r1.rows.length).toBeGreaterThan(0);
      expect(r2.total).toBeGreaterThan(0);
    } finally {
      hold.release();
      await p.close();
    }
  });

  it('rebuilds the readers’ domain errors on the serving thread', async () => {
    const p = pool(2);
    try {
      const raw = p.search.search({ query: 'AND OR (', mode: 'raw' });
      await expect(raw).rejects.toBeInstanceOf(InvalidInputError);
      await expect(raw).rejects.toMatchObject({ field: 'query', message: 'Invalid search syntax' });
      await expect(p.search.search({ query: 'x', entityTypes: ['nope' as never] })).rejects.toMatchObject({
        code: 'invalid_input',
        field: 'entities',
      });
    } finally {
      await p.close();
    }
  });

  it('replaces a worker that dies, failing only its call, with a clear error', async () => {
    const hold = holdBuffer();
    const p = pool(2, { holdHeavy: hold.buffer });
    try {
      const inFlight = p.analytics.reportTests({});
      expect(p.stats().busy).toBe(1);
      await p.terminateWorker(0);
      await expect(inFlight).rejects.toBeInstanceOf(DatabaseBusyError);
      await expect(inFlight).rejects.toMatchObject({
        message: 'The query was cut short: the thread running it stopped',
        reason: expect.stringContaining('analytics.reportTests'),
        hint: expect.stringContaining('Retry'),
      });
      expect(p.stats()).toMatchObject({ replaced: 1, threads: 2, busy: 0 });
      hold.release();
      expect((await p.analytics.reportTests({})).length).toBeGreaterThan(0);
      expect((await p.reader.getProduct(1))?.id).toBe(1);
    } finally {
      hold.release();
      await p.close();
    }
  });

  it('stops every thread on close and refuses calls after it', async () => {
    const p = pool(2);
    await Promise.all([
      p.analytics.listPlatforms(),
      p.reader.getProduct(1),
      p.search.search({ query: 'menu' }),
    ]);
    expect(p.stats().threads).toBe(2);
    await p.close();
    expect(p.stats().threads).toBe(0);
    expect(process.getActiveResourcesInfo()).not.toContain('Worker');
    await expect(p.reader.getProduct(1)).rejects.toMatchObject({ message: 'The server is shutting down' });
    await p.close();
  });

  it('fails calls with a clear error, without retrying forever, when a worker cannot open the mirror', async () => {
    const p = pool(2, { path: join(db.dir, 'missing.db') });
    try {
      await expect(p.reader.getProduct(1)).rejects.toMatchObject({
        reason: expect.stringContaining('could not open the mirror'),
      });
      expect(p.stats()).toMatchObject({ busy: 0, queued: 0, replaced: 0 });
    } finally {
      await p.close();
    }
    expect(p.stats()).toMatchObject({ threads: 0, replaced: 0 });
  });
});

describe('errors between threads', () => {
  it('round-trips the domain errors and keeps other errors plain', () => {
    const notFound = reviveError(serializeError(new NotFoundError('bug', 42)));
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect(notFound).toMatchObject({ entity: 'bug', id: 42, message: "Bug ID '42' not found" });
    const invalid = reviveError(
      serializeError(new InvalidInputError({ message: 'bad', field: 'f', reason: 'why', hint: 'do' })),
    );
    expect(invalid).toMatchObject({ code: 'invalid_input', field: 'f', reason: 'why', hint: 'do' });
    const coded = reviveError(serializeError(Object.assign(new Error('disk I/O'), { code: 'SQLITE_IOERR' })));
    expect(coded).not.toBeInstanceOf(InvalidInputError);
    expect(coded).toMatchObject({ message: 'disk I/O', code: 'SQLITE_IOERR' });
    expect(reviveError(serializeError('text'))).toMatchObject({ message: 'text' });
  });
});

describe('a read worker’s side of the channel', () => {
  it('says it is ready, answers calls by name, forwards logs and stops when told', async () => {
    const { port1, port2 } = new MessageChannel();
    const received: FromWorker[] = [];
    const next = () =>
      new Promise<FromWorker>((resolve) => port2.once('message', (m: FromWorker) => resolve(m)));
    let closed!: () => void;
    const stopped = new Promise<void>((resolve) => (closed = resolve));
    try {
      const ready = next();
      const worker = port1 as MessagePort & { postMessage(m: FromWorker): void };
      serveReads(worker, createReadHandler(db.sqlite, db.customerId, forwardingLogger(worker)), {
        onClose: () => closed(),
      });
      received.push(await ready);
      let answer = next();
      port2.postMessage({ type: 'read', id: 1, port: 'reader', method: 'getProduct', args: [2] });
      received.push(await answer);
      answer = next();
      port2.postMessage({ type: 'read', id: 2, port: 'reader', method: 'constructor', args: [] });
      received.push(await answer);
      answer = next();
      forwardingLogger(worker)
        .child({})
        .error({ err: new Error('boom') }, 'full-text search failed');
      received.push(await answer);
      expect(received).toMatchObject([
        { type: 'ready' },
        { type: 'result', id: 1, value: { id: 2 } },
        {
          type: 'error',
          id: 2,
          error: { name: 'TypeError', message: 'unknown read port method reader.constructor' },
        },
        { type: 'log', level: 'error', message: 'full-text search failed', error: { message: 'boom' } },
      ]);
      port2.postMessage({ type: 'close' });
      await stopped;
    } finally {
      port1.close();
    }
  });
});
