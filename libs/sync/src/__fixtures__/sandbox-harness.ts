import { expect } from 'vitest';
import type { TestIOApi } from '@testio-mcp/domain';
import {
  startSandbox,
  type GroundTruth,
  type RunningSandbox,
  type SandboxFaults,
} from '@testio-mcp/testio-sandbox';
import { createSyncEngine, type SyncEngine } from '../engine.js';
import type { SyncEngineOptions } from '../options.js';
import { createCaptureLogger, type CaptureLogger } from '../testing/capture-logger.js';
import { createMemoryStores, type MemorySyncStores } from '../testing/memory-stores.js';
import { createTestClock, type TestClock } from './clock.js';
import { createFetchApi, type FetchApi } from './fetch-api.js';

export const ANCHOR = new Date('2025-06-01T00:00:00.000Z');

export interface Harness {
  readonly sandbox: RunningSandbox;
  readonly api: FetchApi;
  readonly stores: MemorySyncStores;
  readonly clock: TestClock;
  readonly logger: CaptureLogger;
  readonly engine: SyncEngine;
  /** Another engine (another "process") on the same stores and API. */
  engineFor(holderId: string, options?: SyncEngineOptions, api?: TestIOApi): SyncEngine;
  close(): Promise<void>;
}

export async function startHarness(
  options: { faults?: SandboxFaults; engine?: SyncEngineOptions; retries?: number } = {},
): Promise<Harness> {
  const sandbox = await startSandbox({
    port: 0,
    seed: 7,
    scale: 'small',
    anchor: ANCHOR,
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const api = createFetchApi({
    baseUrl: sandbox.baseUrl,
    token: sandbox.token,
    ...(options.retries === undefined ? {} : { retries: options.retries }),
  });
  const stores = createMemoryStores();
  const clock = createTestClock(new Date(sandbox.truth().now));
  const logger = createCaptureLogger();
  const engineFor = (holderId: string, extra: SyncEngineOptions = {}, through: TestIOApi = api) =>
    createSyncEngine({
      api: through,
      stores,
      clock,
      logger,
      options: { holderId, countUpstreamCalls: () => api.requests(), ...options.engine, ...extra },
    });
  return {
    sandbox,
    api,
    stores,
    clock,
    logger,
    engine: engineFor('engine-a'),
    engineFor,
    close: () => sandbox.close(),
  };
}

const DAY_MS = 86_400_000;
export const days = (n: number) => n * DAY_MS;

function nonZero(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== 0));
}

/** Asserts the mirror holds exactly what the sandbox says exists: per product, per test, per bug status. */
export function expectMirrorMatchesTruth(
  stores: MemorySyncStores,
  truth: GroundTruth,
  productIds?: readonly number[],
): void {
  const counts = stores.countsByProduct();
  const products = productIds ? truth.products.filter((p) => productIds.includes(p.id)) : truth.products;
  expect([...counts.keys()].sort((a, b) => a - b)).toEqual(products.map((p) => p.id).sort((a, b) => a - b));
  for (const p of products) {
    const c = counts.get(p.id);
    expect({
      id: p.id,
      tests: c?.tests,
      bugs: c?.bugs,
      testsByStatus: nonZero(c?.testsByStatus ?? {}),
      bugsByStatus: nonZero(c?.bugsByStatus ?? {}),
      bugsBySeverity: nonZero(c?.bugsBySeverity ?? {}),
    }).toEqual({
      id: p.id,
      tests: p.tests,
      bugs: p.bugs,
      testsByStatus: nonZero(p.testsByStatus),
      bugsByStatus: nonZero(p.bugsByStatus),
      bugsBySeverity: nonZero(p.bugsBySeverity),
    });
  }
  if (truth.tests) {
    const rows = truth.tests.filter((t) => !productIds || productIds.includes(t.productId));
    const mirror = [...stores.state.tests.values()].map((t) => ({
      id: t.entity.id,
      status: t.entity.status,
    }));
    expect(mirror.sort((a, b) => a.id - b.id)).toEqual(
      rows.map((t) => ({ id: t.id, status: t.status })).sort((a, b) => a.id - b.id),
    );
    const bugsPerTest = new Map<number, number>();
    for (const b of stores.state.bugs.values())
      bugsPerTest.set(b.entity.test_id, (bugsPerTest.get(b.entity.test_id) ?? 0) + 1);
    const wrong = rows
      .filter((t) => (bugsPerTest.get(t.id) ?? 0) !== t.bugs)
      .map((t) => ({ id: t.id, truth: t.bugs, mirror: bugsPerTest.get(t.id) ?? 0 }));
    expect(wrong).toEqual([]);
  }
}
