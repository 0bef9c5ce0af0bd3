import { spawn } from 'node:child_process';
import path from 'node:path';
import { heapFlagsFor } from '@testio-mcp/app-runtime';
import type { EnvRecord, Logger } from '@testio-mcp/domain';

/**
 * The sync of `serve` (ADR 0012): a child process running `testio-mcp worker`, the same scheduler and
 * cross-process lease as a standalone worker. Every SQLite call is synchronous, so a sync on the
 * server's own event loop would hold every tool call behind its writes; in a process of its own it
 * cannot. Its stdout and stderr both go to the server's stderr (under stdio, stdout carries only the
 * protocol). It has an IPC channel to the server: when the server exits, however it exits, the channel
 * closes and the worker stops, releasing the lease.
 */

export interface SyncProcessOptions {
  /** The CLI entry this server was started from (bin/testio-mcp.mjs, or the package's bundled bin). */
  readonly entry: string;
  /** The server's environment; the worker reads the same settings. */
  readonly env: EnvRecord;
  readonly logger: Logger;
  /** `--refresh-interval`: overrides TESTIO_REFRESH_INTERVAL_SECONDS for the worker. */
  readonly refreshIntervalSeconds?: number | undefined;
  /** `--force-sync`: sync at start even when the mirror is fresh. */
  readonly forceSync?: boolean | undefined;
}

export interface SyncProcess {
  readonly pid: number | undefined;
  /** Resolves when the worker has exited. */
  readonly exited: Promise<void>;
  /** SIGTERM: the worker lets its current write finish, releases the lease and exits. */
  stop(): Promise<void>;
}

const flagName = (flag: string): string => flag.split('=')[0] ?? flag;

/** LOG_FILE=server.log becomes server.sync.log: two processes must not rotate one file. */
function ownLogFile(file: string | undefined): string | undefined {
  if (!file) return file;
  const parsed = path.parse(file);
  return path.join(parsed.dir, `${parsed.name}.sync${parsed.ext}`);
}

export function startSyncProcess(options: SyncProcessOptions): SyncProcess {
  const { logger } = options;
  const env: Record<string, string | undefined> = { ...options.env };
  if (options.refreshIntervalSeconds !== undefined)
    env['TESTIO_REFRESH_INTERVAL_SECONDS'] = String(options.refreshIntervalSeconds);
  if (options.forceSync) env['TESTIO_FORCE_INITIAL_SYNC'] = 'true';
  env['LOG_FILE'] = ownLogFile(options.env['LOG_FILE']);
  if (env['LOG_FILE'] === undefined) delete env['LOG_FILE'];
  // The same node flags as this process (tsx's loader, heap limits), plus the heap limits of ADR 0011.
  const nodeFlags = [
    ...process.execArgv,
    ...heapFlagsFor(options.env).filter(
      (flag) => !process.execArgv.some((own) => flagName(own) === flagName(flag)),
    ),
  ];
  const child = spawn(process.execPath, [...nodeFlags, options.entry, 'worker'], {
    env,
    // stdout and stderr to our stderr; 'ipc' lets the worker notice our exit.
    stdio: ['ignore', 2, 2, 'ipc'],
    // Its own process group: a Ctrl-C at the terminal reaches the server only, which stops the worker
    // once (a second signal would make the worker exit at once).
    detached: true,
  });
  let stopping = false;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      if (!stopping)
        logger.warn(
          { pid: child.pid, code, signal },
          'the sync process exited; this server no longer refreshes the mirror by itself (restart it, or run `testio-mcp worker`)',
        );
      resolve();
    });
    child.once('error', (error) => {
      logger.error({ err: error }, 'the sync process could not be started');
      resolve();
    });
  });
  // Messages are not part of the contract; the channel exists so the worker notices when we are gone.
  child.on('message', () => undefined);
  logger.info(
    {
      pid: child.pid,
      refreshIntervalSeconds:
        options.refreshIntervalSeconds ?? options.env['TESTIO_REFRESH_INTERVAL_SECONDS'] ?? 3600,
      forceSync: options.forceSync ?? false,
    },
    'sync process started: it syncs when the mirror is empty or stale and no other process holds the sync lease',
  );
  return {
    pid: child.pid,
    exited,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
