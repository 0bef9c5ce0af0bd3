import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestIOClient, type TestIOClient } from '@testio-mcp/api-client';
import type { Clock, Logger } from '@testio-mcp/domain';
import { openDatabase, type MirrorCounts, type MirrorDatabase } from '@testio-mcp/persistence';
import { createSyncEngine, type SyncEngine, type SyncEngineOptions } from '@testio-mcp/sync';
import {
  startSandbox,
  type GroundTruth,
  type RunningSandbox,
  type SandboxFaults,
} from '@testio-mcp/testio-sandbox';
import { expect } from 'vitest';

/** The real parts, wired as the worker wires them: sandbox over HTTP, real client, real SQLite file. */

export const ANCHOR = new Date('2025-06-01T00:00:00.000Z');
export const DAY_MS = 86_400_000;

const silent: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silent,
};

export interface MovableClock extends Clock {
  advance(ms: number): void;
}

export function movableClock(start: Date): MovableClock {
  let offset = 0;
  return { now: () => new Date(start.getTime() + offset), advance: (ms) => (offset += ms) };
}

export interface E2E {
  readonly sandbox: RunningSandbox;
  readonly api: TestIOClient;
  readonly db: MirrorDatabase;
  readonly dir: string;
  readonly clock: MovableClock;
  engine(options?: SyncEngineOptions): SyncEngine;
  close(): Promise<void>;
}

export async function startE2E(
  options: { scale?: 'demo' | 'small'; faults?: SandboxFaults } = {},
): Promise<E2E> {
  const sandbox = await startSandbox({
    port: 0,
    seed: 7,
    scale: options.scale ?? 'small',
    anchor: ANCHOR,
    ...(options.faults ? { faults: options.faults } : {}),
  });
  const dir = mkdtempSync(join(tmpdir(), 'testio-sync-e2e-'));
  const db = openDatabase({ path: join(dir, 'mirror.db'), customerId: 1 });
  const api = createTestIOClient({
    baseUrl: sandbox.baseUrl,
    token: sandbox.token,
    retryBaseDelayMs: 5,
    maxRetryAfterSeconds: 5,
  });
  const clock = movableClock(new Date(sandbox.truth().now));
  return {
    sandbox,
    api,
    db,
    dir,
    clock,
    engine: (extra = {}) =>
      createSyncEngine({
        api,
        stores: db.stores,
        clock,
        logger: silent,
        options: { holderId: 'e2e', countUpstreamCalls: () => api.stats().requests, ...extra },
      }),
    async close() {
      api.close();
      await db.close();
      await sandbox.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function nonZero(record: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== 0));
}

function comparable(p: {
  id: number;
  tests: number;
  bugs: number;
  testsByStatus: Record<string, number>;
  bugsByStatus: Record<string, number>;
  bugsBySeverity: Record<string, number>;
  features: number;
  userStories: number;
}) {
  return {
    id: p.id,
    tests: p.tests,
    bugs: p.bugs,
    features: p.features,
    userStories: p.userStories,
    testsByStatus: nonZero(p.testsByStatus),
    bugsByStatus: nonZero(p.bugsByStatus),
    bugsBySeverity: nonZero(p.bugsBySeverity),
  };
}

/** Per product: tests, bugs, catalogue sizes, and the counts per test status, bug status and severity. */
export function expectMirrorMatchesTruth(mirror: MirrorCounts, truth: GroundTruth): void {
  expect(mirror.products.map(comparable)).toEqual(
    [...truth.products].sort((a, b) => a.id - b.id).map(comparable),
  );
  expect(mirror.totals.tests).toBe(truth.totals.tests);
  expect(mirror.totals.bugs).toBe(truth.totals.bugs);
}
