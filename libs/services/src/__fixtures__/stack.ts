import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestIOClient } from '@testio-mcp/api-client';
import type {
  AnalyticsReader,
  Clock,
  MirrorReader,
  SearchPort,
  SyncStores,
  TestIOApi,
} from '@testio-mcp/domain';
import {
  createAnalyticsReader,
  createMirrorReader,
  createMirrorSearch,
  createPgAnalyticsReader,
  createPgMirrorReader,
  createPgMirrorSearch,
  createReportFileWriter,
} from '@testio-mcp/persistence';
import {
  createPgTestDatabase,
  createTestDatabase,
  type PgTestDatabase,
  type TestDatabase,
} from '@testio-mcp/persistence/testing';
import {
  createReadThrough,
  createSyncEngine,
  type SyncEngine,
  type ReadThrough,
  type SyncPhase,
  type SyncResult,
} from '@testio-mcp/sync';
import { createCaptureLogger } from '@testio-mcp/sync/testing';
import { inject } from 'vitest';
import { syncedPgDatabase } from './pg-stack-template.js';
import { startSandbox, type GroundTruth, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { createServices } from '../create-services.js';
import type { ServicesDeps, ServicesSettings } from '../context.js';
import type { Services } from '../types.js';

/**
 * The real stack the services run on in production: the TestIO sandbox over HTTP → the real client →
 * the sync engine → a migrated SQLite file, or a fresh PostgreSQL database on the test server (ADR 0034)
 * → the persistence readers → the services. One full sync per test file and engine (call `startStack` in
 * `beforeAll`, `stack.close()` in `afterAll`); suites that hold on both engines run once per engine with
 * `describe.each(stackEngines)`.
 */

export const ANCHOR = new Date('2025-06-01T00:00:00Z');

export type StackEngine = 'sqlite' | 'postgres';

/** Both engines, for `describe.each(stackEngines)('on $name', ({ name }) => ...)`. */
export const stackEngines: readonly { readonly name: StackEngine }[] = [
  { name: 'sqlite' },
  { name: 'postgres' },
];

/** The test database of each engine: its stores and customer id are common, the handle is not. */
export type StackDatabase<E extends StackEngine> = E extends 'sqlite' ? TestDatabase : PgTestDatabase;

export interface Stack<E extends StackEngine = 'sqlite'> {
  /** Which database holds the mirror (`engine` is the sync engine). */
  readonly databaseEngine: E;
  readonly sandbox: RunningSandbox;
  readonly db: StackDatabase<E>;
  /** Where diagnostics say the mirror is: the SQLite file, or the PostgreSQL database's name. */
  readonly location: string;
  /** A `count(*)` (or other single number) query, written so both engines read it alike. */
  count(sql: string): Promise<number>;
  readonly api: TestIOApi;
  readonly engine: SyncEngine;
  readonly readThrough: ReadThrough;
  readonly clock: Clock;
  readonly services: Services;
  readonly deps: ServicesDeps;
  /** The initial force sync. */
  readonly sync: SyncResult;
  readonly truth: GroundTruth;
  /** Where quality reports are exported (a temp directory of this stack). */
  readonly exportDir: string;
  /** Services over the same stack with other deps or settings (e.g. a failing API). */
  withServices(
    overrides: Partial<Omit<ServicesDeps, 'settings'>> & { settings?: ServicesSettings },
  ): Services;
  close(): Promise<void>;
}

export interface StackOptions<E extends StackEngine = 'sqlite'> {
  /** Which engine holds the mirror (default SQLite). */
  readonly engine?: E;
  readonly settings?: ServicesSettings;
  /** Configured product scope (TESTIO_PRODUCT_IDS) of the engine and services. */
  readonly productIds?: readonly number[];
  /** Phases of the initial sync (default all); `['products']` leaves a mirror a first sync has just begun. */
  readonly phases?: readonly SyncPhase[];
}

/** A clock at the sandbox's "now" that flows with real time. */
function clockAt(start: Date): Clock {
  const offset = start.getTime() - Date.now();
  return { now: () => new Date(Date.now() + offset) };
}

interface EngineParts {
  readonly db: TestDatabase | PgTestDatabase;
  readonly location: string;
  readonly reader: MirrorReader;
  readonly analytics: AnalyticsReader;
  readonly search: SearchPort;
  sizeBytes(): number | null | Promise<number | null>;
  count(sql: string): Promise<number>;
}

function pgParts(db: PgTestDatabase): EngineParts {
  return {
    db,
    location: db.database,
    reader: createPgMirrorReader(db.pool, db.customerId),
    analytics: createPgAnalyticsReader(db.pool, db.customerId),
    search: createPgMirrorSearch(db.pool, db.customerId),
    async sizeBytes() {
      const { rows } = await db.pool.query<{ bytes: string }>(
        'SELECT pg_database_size(current_database()) AS "bytes"',
      );
      return rows[0] ? Number(rows[0].bytes) : null;
    },
    async count(sql) {
      const { rows } = await db.pool.query<Record<string, unknown>>(sql);
      return Number(Object.values(rows[0] ?? {})[0]);
    },
  };
}

function sqliteParts(): EngineParts {
  const db = createTestDatabase();
  return {
    db,
    location: db.path,
    reader: createMirrorReader(db.sqlite, db.customerId),
    analytics: createAnalyticsReader(db.sqlite, db.customerId),
    search: createMirrorSearch(db.sqlite, db.customerId),
    sizeBytes: () => statSync(db.path).size,
    count: async (sql) => Number(db.sqlite.prepare(sql).pluck().get()),
  };
}

export async function startStack<E extends StackEngine = 'sqlite'>(
  options: StackOptions<E> = {},
): Promise<Stack<E>> {
  const engineName = (options.engine ?? 'sqlite') as E;
  const sandbox = await startSandbox({ port: 0, seed: 7, scale: 'small', anchor: ANCHOR });
  const logger = createCaptureLogger();
  const truthNow = new Date(sandbox.truth().now);
  const clock = clockAt(truthNow);
  const api = createTestIOClient({
    baseUrl: sandbox.baseUrl,
    token: sandbox.token,
    // A loaded machine sometimes resets a keep-alive socket of the in-process sandbox; without a retry
    // the stack's first sync then ends `partial_failure` and unrelated tests fail. Outages that tests
    // want are injected with `failingApi`, which no retry hides.
    retries: 2,
    retryBaseDelayMs: 1,
  });
  const syncEngine = (stores: SyncStores) =>
    createSyncEngine({
      api,
      stores,
      clock,
      logger,
      options: {
        holderId: 'services-test',
        ...(options.productIds ? { productIds: [...options.productIds] } : {}),
      },
    });
  const initialSync = (engine: SyncEngine) =>
    engine.run({
      mode: 'force',
      trigger: 'manual_cli',
      ...(options.phases ? { phases: options.phases } : {}),
    });
  // The whole sandbox synced on PostgreSQL: one sync per run, copied (pg-stack-template.ts).
  const runId = inject('servicesStackRunId');
  const shared = engineName === 'postgres' && !options.productIds && !options.phases && runId !== undefined;
  let parts: EngineParts;
  let templateSync: SyncResult | undefined;
  try {
    if (shared) {
      const copy = await syncedPgDatabase(runId, (building) => initialSync(syncEngine(building.stores)));
      parts = pgParts(copy.db);
      templateSync = copy.sync;
    } else {
      parts = engineName === 'postgres' ? pgParts(await createPgTestDatabase()) : sqliteParts();
    }
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  const db = parts.db;
  try {
    const engine = syncEngine(db.stores);
    const readThrough = createReadThrough({ api, stores: db.stores, clock, logger });
    const sync = templateSync ?? (await initialSync(engine));
    const settings: ServicesSettings = {
      databasePath: parts.location,
      databaseSizeBytes: () => parts.sizeBytes(),
      ...(options.productIds ? { productIds: options.productIds } : {}),
      ...options.settings,
    };
    const exportDir = mkdtempSync(path.join(tmpdir(), 'services-exports-'));
    const deps: ServicesDeps = {
      reader: parts.reader,
      analytics: parts.analytics,
      reportFiles: createReportFileWriter(exportDir),
      search: parts.search,
      readThrough,
      engine,
      api,
      productStore: db.stores.products,
      clock,
      logger,
      settings,
    };
    return {
      databaseEngine: engineName,
      sandbox,
      db: db as StackDatabase<E>,
      location: parts.location,
      count: (sql) => parts.count(sql),
      api,
      engine,
      readThrough,
      clock,
      deps,
      services: createServices(deps),
      sync,
      truth: sandbox.truth({ perTest: true }),
      exportDir,
      withServices: (overrides) =>
        createServices({ ...deps, ...overrides, settings: { ...settings, ...overrides.settings } }),
      async close() {
        rmSync(exportDir, { recursive: true, force: true });
        await db.cleanup();
        await sandbox.close();
      },
    };
  } catch (error) {
    await db.cleanup();
    await sandbox.close();
    throw error;
  }
}

/** A TestIO API whose every call fails like an outage (HTTP 503). */
export function failingApi(base: TestIOApi, error: Error): TestIOApi {
  const fail = (): Promise<never> => Promise.reject(error);
  return {
    ...base,
    listProducts: fail,
    getProduct: fail,
    listFeatures: fail,
    listProductFeatures: fail,
    listUserStories: fail,
    listProductUserStories: fail,
    getTest: fail,
    listTestsPage: fail,
    listBugsForTests: fail,
    getBug: fail,
    // eslint-disable-next-line require-yield
    async *walkTests() {
      throw error;
    },
  };
}

export function must<T>(value: T | undefined | null, what = 'value'): T {
  if (value === undefined || value === null) throw new Error(`expected ${what}`);
  return value;
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}
