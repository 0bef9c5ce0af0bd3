import { availableParallelism } from 'node:os';
import type { Logger } from '@testio-mcp/domain';
import { createAnalyticsReader } from '../readers/analytics-reader.js';
import { createMirrorReader } from '../readers/mirror-reader.js';
import { createMirrorSearch } from '../readers/mirror-search.js';
import type { Sqlite } from '../sqlite.js';
import { createReadHandler } from './handler.js';
import { createReadPool, type ReadPorts } from './pool.js';

export { createReadHandler, type ReadHandler } from './handler.js';
export {
  createReadPool,
  type ReadPool,
  type ReadPoolOptions,
  type ReadPoolStats,
  type ReadPorts,
} from './pool.js';
export { READER_LANES, ANALYTICS_LANES, SEARCH_LANES, type Lane } from './protocol.js';

/**
 * Read workers a serving process starts when `TESTIO_READ_WORKERS` is not set (ADR 0027): for a server
 * many people call, one per core plus one, so heavy reads (which hold at most all but one worker) can
 * use every core and a light read still finds a free worker; one for the stdio server of one person
 * (heavy reads leave the loop; light ones stay on it).
 */
export function defaultReadWorkers(kind: 'shared' | 'personal'): number {
  return kind === 'personal' ? 1 : availableParallelism() + 1;
}

export interface CreateReadPortsOptions {
  /** The serving thread's connection: the in-loop ports, and light reads when `workers` is 1. */
  readonly db: Sqlite;
  /** The mirror's file (the workers open it read-only). */
  readonly path: string;
  readonly customerId: number;
  /** 0: every read on `db`, as before issue 18. */
  readonly workers: number;
  readonly logger?: Logger;
  readonly busyTimeoutMs?: number;
}

/** The read ports over `db` alone (`workers: 0`, or an in-memory database) or over a pool of workers. */
export function createReadPorts(options: CreateReadPortsOptions): ReadPorts {
  const { db, customerId, logger } = options;
  if (options.workers <= 0 || options.path === ':memory:' || db.memory) {
    return {
      reader: createMirrorReader(db, customerId),
      analytics: createAnalyticsReader(db, customerId),
      search: createMirrorSearch(db, customerId, logger),
      workers: 0,
      close: async () => undefined,
    };
  }
  return createReadPool({
    path: options.path,
    customerId,
    size: options.workers,
    inLoop: createReadHandler(db, customerId, logger),
    ...(logger ? { logger } : {}),
    ...(options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs }),
  });
}
