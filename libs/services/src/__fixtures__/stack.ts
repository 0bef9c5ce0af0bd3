import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTestIOClient } from '@testio-mcp/api-client';
import type { Clock, TestIOApi } from '@testio-mcp/domain';
import {
  createAnalyticsReader,
  createMirrorReader,
  createMirrorSearch,
  createReportFileWriter,
} from '@testio-mcp/persistence';
import { createTestDatabase, type TestDatabase } from '@testio-mcp/persistence/testing';
import {
  createReadThrough,
  createSyncEngine,
  type SyncEngine,
  type ReadThrough,
  type SyncPhase,
  type SyncResult,
} from '@testio-mcp/sync';
import { createCaptureLogger } from '@testio-mcp/sync/testing';
import { startSandbox, type GroundTruth, type RunningSandbox } from '@testio-mcp/testio-sandbox';
import { createServices } from '../create-services.js';
import type { ServicesDeps, ServicesSettings } from '../context.js';
import type { Services } from '../types.js';

/**
 * The real stack the services run on in production: the TestIO sandbox over HTTP → the real client →
 * the sync engine → a migrated SQLite file → the persistence readers → the services. One full sync per
 * test file (call `startStack` in `beforeAll`, `stack.close()` in `afterAll`).
 */

export const ANCHOR = new Date('2025-06-01T00:00:00Z');

export interface Stack {
  readonly sandbox: RunningSandbox;
  readonly db: TestDatabase;
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

export interface StackOptions {
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

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sandbox = await startSandbox({ port: 0, seed: 7, scale: 'small', anchor: ANCHOR });
  const db = createTestDatabase();
  try {
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
    const engine = createSyncEngine({
      api,
      stores: db.stores,
      clock,
      logger,
      options: {
        holderId: 'services-test',
        ...(options.productIds ? { productIds: [...options.productIds] } : {}),
      },
    });
    const readThrough = createReadThrough({ api, stores: db.stores, clock, logger });
    const sync = await engine.run({
      mode: 'force',
      trigger: 'manual_cli',
      ...(options.phases ? { phases: options.phases } : {}),
    });
    const settings: ServicesSettings = {
      databasePath: db.path,
      databaseSizeBytes: () => statSync(db.path).size,
      ...(options.productIds ? { productIds: options.productIds } : {}),
      ...options.settings,
    };
    const exportDir = mkdtempSync(path.join(tmpdir(), 'services-exports-'));
    const deps: ServicesDeps = {
      reader: createMirrorReader(db.sqlite, db.customerId),
      analytics: createAnalyticsReader(db.sqlite, db.customerId),
      reportFiles: createReportFileWriter(exportDir),
      search: createMirrorSearch(db.sqlite, db.customerId),
      readThrough,
      engine,
      api,
      productStore: db.stores.products,
      clock,
      logger,
      settings,
    };
    return {
      sandbox,
      db,
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
