import os from 'node:os';
import { createTestIOClient, type TestIOClient } from '@testio-mcp/api-client';
import { systemClock, type Lease, type Logger } from '@testio-mcp/domain';
import { openDatabase, type MirrorDatabase } from '@testio-mcp/persistence';
import { createReadThrough, createSyncEngine, type ReadThrough, type SyncEngine } from '@testio-mcp/sync';
import type { SyncRuntime, SyncWorkerSettings } from './config.js';

/**
 * The composition root of sync processes: the only place that wires the HTTP client and the SQLite
 * stores into the sync engine.
 */
export interface SyncContainer {
  readonly runtime: SyncRuntime;
  readonly api: TestIOClient;
  readonly database: MirrorDatabase;
  readonly engine: SyncEngine;
  readonly readThrough: ReadThrough;
  close(): Promise<void>;
}

/** `<role>:<pid>@<host>`: enough to tell, on this host, whether a lease holder is still alive. */
export function leaseHolderId(role: string): string {
  return `${role}:${process.pid}@${os.hostname()}`;
}

/**
 * A lease held by a process of this host that no longer exists can be taken at once instead of waiting
 * for it to expire (a crashed or killed worker must not block syncing).
 */
export function isDeadLocalHolder(lease: Lease): boolean {
  const match = /^[^:]+:(\d+)@(.+)$/.exec(lease.holder);
  if (!match || match[2] !== os.hostname()) return false;
  const pid = Number(match[1]);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export async function createSyncContainer(
  settings: SyncWorkerSettings,
  runtime: SyncRuntime,
  logger: Logger,
  role: string,
): Promise<SyncContainer> {
  const api = createTestIOClient({
    baseUrl: runtime.baseUrl,
    token: runtime.token,
    maxConcurrentRequests: settings.MAX_CONCURRENT_API_REQUESTS,
    timeoutMs: Math.round(settings.HTTP_TIMEOUT_SECONDS * 1000),
    logger: logger.child({ component: 'api-client' }),
  });
  const database = openDatabase({
    path: runtime.databasePath,
    customerId: runtime.customerId,
    logger: logger.child({ component: 'persistence' }),
  });
  const engine = createSyncEngine({
    api,
    stores: database.stores,
    clock: systemClock,
    logger,
    options: {
      cacheTtlSeconds: settings.CACHE_TTL_SECONDS,
      holderId: leaseHolderId(role),
      canStealLease: isDeadLocalHolder,
      ...(runtime.productIds ? { productIds: runtime.productIds } : {}),
      countUpstreamCalls: () => api.stats().requests,
      refreshIntervalMs: Math.max(1, settings.TESTIO_REFRESH_INTERVAL_SECONDS) * 1000,
    },
  });
  const readThrough = createReadThrough({
    api,
    stores: database.stores,
    clock: systemClock,
    logger,
    cacheTtlSeconds: settings.CACHE_TTL_SECONDS,
  });
  return {
    runtime,
    api,
    database,
    engine,
    readThrough,
    async close() {
      api.close();
      await database.close();
    },
  };
}
