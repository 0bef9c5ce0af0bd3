import { createApi, offlineApi, openMirror } from '@testio-mcp/composition';
import type { Logger } from '@testio-mcp/domain';
import type { MirrorDatabase } from '@testio-mcp/persistence';
import type { SyncEngine } from '@testio-mcp/sync';
import type { SyncRuntime, SyncWorkerSettings } from './config.js';

/**
 * The container of sync processes: the client, the mirror and the engine from libs/composition. Without
 * a token (`sync --status`, `--dry-run`) the client is one that explains, at the first remote call, that
 * the step needs a token.
 */
export interface SyncContainer {
  readonly runtime: SyncRuntime;
  readonly database: MirrorDatabase;
  readonly engine: SyncEngine;
  close(): Promise<void>;
}

export function createSyncContainer(
  settings: SyncWorkerSettings,
  runtime: SyncRuntime,
  logger: Logger,
  role: string,
): SyncContainer {
  const token = runtime.token;
  const api = token ? createApi(settings, { ...runtime, token }, logger) : offlineApi();
  const { database, engine, close } = openMirror({ settings, runtime, logger, api, role });
  return { runtime, database, engine, close };
}
