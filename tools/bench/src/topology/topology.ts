import { createServer } from 'node:net';
import { join } from 'node:path';
import type { RunningSandbox } from '@testio-mcp/testio-sandbox';
import { launchCli, productEnv, type Launched } from '../process.js';
import { startNginx, type RunningNginx } from './nginx.js';

/**
 * The multi-instance layout of ADR 0036, started from real processes: N `serve --transport http`
 * instances (MCP and REST on one port each, no sync of their own), one `worker`, all on one database,
 * and nginx in front. On PostgreSQL (`databaseUrl`) the processes share it through TESTIO_DATABASE_URL;
 * without one they share a SQLite file, the single-machine baseline.
 */

export interface TopologyOptions {
  readonly sandbox: Pick<RunningSandbox, 'baseUrl' | 'token'>;
  /** Holds the nginx files, and the SQLite file when there is no `databaseUrl`. */
  readonly dir: string;
  readonly instances: number;
  /** `postgresql://...`: every process uses it (TESTIO_DATABASE_URL). */
  readonly databaseUrl?: string;
  /** The SQLite file otherwise (default `<dir>/mirror.db`). */
  readonly dbPath?: string;
  /** Start the worker at once (default true). */
  readonly worker?: boolean;
  /** More environment for every process. */
  readonly env?: Record<string, string>;
  /** Pin each server to CPUs (`taskset -c`), e.g. ['0', '1']. */
  readonly cpus?: readonly string[];
  readonly onOutput?: (name: string, text: string) => void;
}

export interface TopologyInstance {
  readonly name: string;
  readonly proc: Launched;
  /** `http://127.0.0.1:<port>` of this instance, bypassing the proxy. */
  readonly url: string;
}

export interface Topology {
  /** The proxy's base URL: `/mcp`, `/api/...`, `/health` behind it. */
  readonly url: string;
  readonly mcpUrl: string;
  readonly proxy: RunningNginx;
  readonly instances: readonly TopologyInstance[];
  readonly workers: readonly Launched[];
  /** The environment every process gets. */
  readonly env: NodeJS.ProcessEnv;
  /** Starts one more worker (e.g. after the first was killed). */
  startWorker(): Launched;
  /** Stops everything (SIGTERM, then SIGKILL), nginx last. */
  stop(): Promise<void>;
}

/** A free loopback port (for nginx, which cannot report the one it picked). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export async function startTopology(options: TopologyOptions): Promise<Topology> {
  const dbPath = options.dbPath ?? join(options.dir, 'mirror.db');
  const env = productEnv(options.sandbox, dbPath, {
    LOG_LEVEL: 'info',
    TESTIO_HTTP_HOST: '127.0.0.1',
    // A standby worker finds a dead worker's lease still valid at start (it expires a minute after the
    // last heartbeat) and tries again at its next tick: the interval bounds the takeover time.
    TESTIO_REFRESH_INTERVAL_SECONDS: '15',
    // Every client reaches the instances from nginx's one loopback address, and on PostgreSQL the
    // instances share one budget per address (ADR 0035): the load would be refused as one client.
    TESTIO_REST_RATE_LIMIT: '0',
    ...(options.databaseUrl ? { TESTIO_DATABASE_URL: options.databaseUrl } : {}),
    ...options.env,
  });
  const launched: Launched[] = [];
  const workers: Launched[] = [];
  const instances: TopologyInstance[] = [];
  let proxy: RunningNginx | undefined;
  let workerCount = 0;
  const startWorker = (): Launched => {
    const name = `worker-${++workerCount}`;
    const worker = launchCli(['worker'], {
      env,
      cwd: options.dir,
      ...(options.onOutput ? { onOutput: (text: string) => options.onOutput?.(name, text) } : {}),
    });
    launched.push(worker);
    workers.push(worker);
    return worker;
  };
  const stop = async () => {
    await Promise.all(launched.map((p) => p.stop(5_000)));
    await proxy?.stop();
  };
  try {
    // The instances one after the other: the first migrates the database, the others find it done.
    for (let i = 0; i < options.instances; i++) {
      const name = `server-${i + 1}`;
      const cpus = options.cpus?.[i % options.cpus.length];
      const proc = launchCli(['serve', '--transport', 'http', '--no-sync'], {
        env,
        cwd: options.dir,
        ...(cpus ? { cpus } : {}),
        ...(options.onOutput ? { onOutput: (text: string) => options.onOutput?.(name, text) } : {}),
      });
      launched.push(proc);
      const match = await proc.waitFor(/MCP server ready at (http:\/\/127\.0\.0\.1:\d+)\/mcp/, 120_000);
      instances.push({ name, proc, url: match[1] as string });
    }
    proxy = await startNginx({
      dir: join(options.dir, 'nginx'),
      port: await freePort(),
      upstreams: instances.map((i) => new URL(i.url).host),
    });
    if (options.worker ?? true) startWorker();
    return {
      url: proxy.url,
      mcpUrl: `${proxy.url}/mcp`,
      proxy,
      instances,
      workers,
      env,
      startWorker,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
