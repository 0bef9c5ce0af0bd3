import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { TestIOClient, createTestIOClient } from '@testio-mcp/api-client';
import type { TestIOApi } from '@testio-mcp/domain';
import { createTestDatabase, type TestDatabase } from '@testio-mcp/persistence/testing';
import {
  startSandbox,
  type GroundTruth,
  type RunningSandbox,
  type SandboxFaults,
  type SandboxScale,
} from '@testio-mcp/testio-sandbox';
import { createSyncEngine, type SyncEngine } from '../engine.js';
import type { SyncEngineOptions } from '../options.js';
import { createCaptureLogger, type CaptureLogger } from '../testing/capture-logger.js';
import { createTestClock, type TestClock } from './clock.js';
import { countingStores, type CountingStores } from './counting-stores.js';
import { createMirrorView, type MirrorView } from './mirror-view.js';

/**
 * The real parts the engine runs on in production: the TestIO sandbox over HTTP, the real client
 * (libs/api-client) and a migrated SQLite file (libs/persistence). The stores are the real ones, only
 * counted; `mirror` looks at the file independently.
 */

export const ANCHOR = new Date('2025-06-01T00:00:00.000Z');

export interface Harness {
  readonly sandbox: RunningSandbox;
  readonly api: TestIOClient;
  readonly db: TestDatabase;
  /** The database's stores, with a count of calls per method. */
  readonly stores: CountingStores;
  readonly mirror: MirrorView;
  readonly clock: TestClock;
  readonly logger: CaptureLogger;
  readonly engine: SyncEngine;
  /** Another engine (another "process") on the same database and API. */
  engineFor(holderId: string, options?: SyncEngineOptions, api?: TestIOApi): SyncEngine;
  /** Another client of the same sandbox (closed with the harness). */
  newClient(retries: number): TestIOClient;
  close(): Promise<void>;
}

export interface HarnessOptions {
  readonly faults?: SandboxFaults;
  readonly scale?: SandboxScale;
  readonly engine?: SyncEngineOptions;
  /** The client's retries on 5xx and 429 (default 2). */
  readonly retries?: number;
  /** Start from a copy of this synced mirror instead of an empty one. */
  readonly mirror?: MirrorSnapshot;
}

/** A mirror after one force sync of the default sandbox, to start many harnesses from. */
export interface MirrorSnapshot {
  readonly file: string;
  /** How far the clock had moved past the sandbox's "now" when the sync ended. */
  readonly clockOffsetMs: number;
  /** The full sync's requests. */
  readonly upstreamCalls: number;
  remove(): void;
}

/**
 * One force sync into a SQLite file kept for the test file (call in `beforeAll`): tests that need a synced
 * mirror start from a copy of it (`startHarness({ mirror })`) instead of paying for a full sync each.
 * The sandbox is deterministic (seed, scale, anchor), so a fresh sandbox serves the same account.
 */
export async function snapshotSyncedMirror(): Promise<MirrorSnapshot> {
  const h = await startHarness();
  try {
    const result = await h.engine.run({ mode: 'force', trigger: 'manual_cli' });
    expect(result.errors).toEqual([]);
    const dir = mkdtempSync(join(tmpdir(), 'sync-snapshot-'));
    const file = join(dir, 'mirror.db');
    // A consistent single file (WAL included), written while the connection stays open.
    await h.db.sqlite.backup(file);
    return {
      file,
      clockOffsetMs: h.clock.now().getTime() - new Date(h.sandbox.truth().now).getTime(),
      upstreamCalls: result.counts.upstreamCalls,
      remove: () => rmSync(dir, { recursive: true, force: true }),
    };
  } finally {
    await h.close();
  }
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const sandbox = await startSandbox({
    port: 0,
    seed: 7,
    scale: options.scale ?? 'small',
    anchor: ANCHOR,
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const clients: TestIOClient[] = [];
  const newClient = (retries: number) => {
    const client = createTestIOClient({
      baseUrl: sandbox.baseUrl,
      token: sandbox.token,
      retries,
      rateLimitRetries: retries,
      retryBaseDelayMs: 1,
      // A Retry-After is waited out in full; the sandbox's 1 s ones fail at once instead of slowing the suite.
      maxRetryAfterSeconds: 0,
    });
    clients.push(client);
    return client;
  };
  const api = newClient(options.retries ?? 2);
  const copyDir = options.mirror ? mkdtempSync(join(tmpdir(), 'sync-mirror-')) : undefined;
  if (options.mirror && copyDir) copyFileSync(options.mirror.file, join(copyDir, 'mirror.db'));
  const db = createTestDatabase(copyDir ? { path: join(copyDir, 'mirror.db') } : {});
  const stores = countingStores(db.stores);
  const clock = createTestClock(new Date(sandbox.truth().now));
  if (options.mirror) clock.advance(options.mirror.clockOffsetMs);
  const logger = createCaptureLogger();
  const engineFor = (holderId: string, extra: SyncEngineOptions = {}, through: TestIOApi = api) =>
    createSyncEngine({
      api: through,
      stores,
      clock,
      logger,
      options: {
        holderId,
        // The requests of the client underneath (a wrapped API is counted by the client it wraps).
        countUpstreamCalls: () => (through instanceof TestIOClient ? through : api).stats().requests,
        ...options.engine,
        ...extra,
      },
    });
  return {
    sandbox,
    api,
    db,
    stores,
    mirror: createMirrorView(db),
    clock,
    logger,
    engine: engineFor('engine-a'),
    engineFor,
    newClient,
    async close() {
      for (const client of clients) client.close();
      await db.cleanup();
      if (copyDir) rmSync(copyDir, { recursive: true, force: true });
      await sandbox.close();
    },
  };
}

/** The API with some calls replaced (to slow them down or break them); every other call goes to `base`. */
export function overrideApi(base: TestIOApi, overrides: Partial<TestIOApi>): TestIOApi {
  return {
    listProducts: () => base.listProducts(),
    getProduct: (id) => base.getProduct(id),
    listFeatures: (productId, sectionId) => base.listFeatures(productId, sectionId),
    listProductFeatures: (product) => base.listProductFeatures(product),
    listUserStories: (productId, sectionId) => base.listUserStories(productId, sectionId),
    listProductUserStories: (product) => base.listProductUserStories(product),
    getTest: (id) => base.getTest(id),
    listTestsPage: (productId, page, perPage) => base.listTestsPage(productId, page, perPage),
    walkTests: (productId, walk) => base.walkTests(productId, walk),
    listBugsForTests: (testIds) => base.listBugsForTests(testIds),
    getBug: (id) => base.getBug(id),
    ...overrides,
  };
}

const DAY_MS = 86_400_000;
export const days = (n: number) => n * DAY_MS;

function nonZero(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== 0));
}

/** Asserts the mirror holds exactly what the sandbox says exists: per product, per test, per bug status. */
export async function expectMirrorMatchesTruth(
  h: Pick<Harness, 'db' | 'mirror'>,
  truth: GroundTruth,
  productIds?: readonly number[],
): Promise<void> {
  const counts = await h.db.queries.countsForTruthComparison();
  const products = productIds ? truth.products.filter((p) => productIds.includes(p.id)) : truth.products;
  const comparable = (p: (typeof counts.products)[number] | (typeof truth.products)[number]) => ({
    id: p.id,
    tests: p.tests,
    bugs: p.bugs,
    testsByStatus: nonZero(p.testsByStatus),
    bugsByStatus: nonZero(p.bugsByStatus),
    bugsBySeverity: nonZero(p.bugsBySeverity),
  });
  expect(counts.products.map(comparable)).toEqual([...products].sort((a, b) => a.id - b.id).map(comparable));
  if (truth.tests) {
    const rows = truth.tests.filter((t) => !productIds || productIds.includes(t.productId));
    const mirror = (await h.mirror.tests()).map((t) => ({ id: t.id, status: t.status }));
    expect(mirror).toEqual(rows.map((t) => ({ id: t.id, status: t.status })).sort((a, b) => a.id - b.id));
    const bugsPerTest = await h.mirror.bugsPerTest();
    const wrong = rows
      .filter((t) => (bugsPerTest.get(t.id) ?? 0) !== t.bugs)
      .map((t) => ({ id: t.id, truth: t.bugs, mirror: bugsPerTest.get(t.id) ?? 0 }));
    expect(wrong).toEqual([]);
  }
}
