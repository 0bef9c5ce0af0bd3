import {
  openServingParts,
  resolveServingRuntime,
  type AppRuntime,
  type RateBudget,
  type ServingParts,
} from '@testio-mcp/composition';
import type { Clock, Logger } from '@testio-mcp/domain';
import type { ReadThrough } from '@testio-mcp/sync';
import type { McpServerSettings } from './config.js';
import type { HealthReport } from './transports/http.js';

/**
 * The MCP server's container: the parts every app builds the same way come from libs/composition; this
 * adds what only the MCP server has, its /health report. The MCP server does not run the periodic sync
 * (the worker does); `sync_data` runs one through this engine, and the engine's lease keeps it from
 * overlapping the worker.
 */

/** What the server needs to reach TestIO and the mirror, checked and resolved once. */
export type McpRuntime = AppRuntime;

export function resolveMcpRuntime(settings: McpServerSettings): McpRuntime {
  return resolveServingRuntime(settings, 'The MCP server');
}

export interface McpContainer extends ServingParts {
  readonly runtime: McpRuntime;
  /** What GET /health answers: the mirror is readable, and the last sync run. */
  health(): Promise<HealthReport>;
}

export interface McpContainerOptions {
  readonly settings: McpServerSettings;
  readonly runtime: McpRuntime;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Wraps the read-through refresh, e.g. to count its decisions into the hosted REST API's metrics. */
  readonly instrumentReadThrough?: (readThrough: ReadThrough) => ReadThrough;
  /** The hosted REST API's limit for requests without a principal (its TESTIO_REST_RATE_LIMIT). */
  readonly anonymousRateLimit?: RateBudget;
  /** `personal` over stdio (one person; fewer read workers by default), `shared` over HTTP. */
  readonly audience?: 'shared' | 'personal';
}

export async function createMcpContainer(options: McpContainerOptions): Promise<McpContainer> {
  const { runtime } = options;
  const parts = await openServingParts({ ...options, role: 'mcp-server' });
  const { engine } = parts;

  return {
    ...parts,
    runtime,
    async health() {
      const { database } = parts;
      try {
        await database.ping();
      } catch (error) {
        // 503, so a proxy takes this instance out; the reason is in the log, never the URL's credentials.
        options.logger.warn({ err: error, engine: database.engine }, 'health: the database does not answer');
        return {
          status: 'error',
          demo: runtime.demo,
          database: { engine: database.engine, reachable: false },
          message: `The ${database.engine === 'sqlite' ? 'SQLite mirror' : 'PostgreSQL database'} does not answer queries`,
        };
      }
      const status = await engine.status({ runs: 1 });
      const last = status.runs[0];
      return {
        status: 'ok',
        demo: runtime.demo,
        database: {
          engine: database.engine,
          reachable: true,
          // The file's path on SQLite; on PostgreSQL nothing from the URL (it may carry credentials).
          ...(database.engine === 'sqlite' ? { path: runtime.databasePath } : {}),
          products: status.products.length,
        },
        sync: {
          running: status.running,
          last_run: last
            ? {
                id: last.id,
                status: last.status,
                trigger: last.trigger,
                started_at: last.startedAt.toISOString(),
                finished_at: last.finishedAt?.toISOString() ?? null,
              }
            : null,
          circuit_breaker_open: status.breaker.open,
        },
      };
    },
  };
}
