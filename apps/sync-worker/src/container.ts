import {
  assertMasterKeyForTenants,
  createApi,
  loadMasterKey,
  offlineApi,
  openMirror,
  openTenantMirror,
  requireMasterKey,
  type TenantMirror,
} from '@testio-mcp/composition';
import { DEFAULT_TENANT, InvalidInputError, type Logger } from '@testio-mcp/domain';
import { createPrincipalStore, type MirrorDatabase } from '@testio-mcp/persistence';
import type { SyncEngine } from '@testio-mcp/sync';
import type { SyncRuntime, SyncWorkerSettings } from './config.js';

/**
 * The container of sync processes: the client, the mirror and the engine from libs/composition, for
 * `default` (the environment's account) and for every tenant stored in the mirror (ADR 0024), each with
 * its own client (request cap, token) and engine (lease, runs, circuit breaker). Without a token
 * (`sync --status`, `--dry-run`) `default`'s client is one that explains, at the first remote call, that
 * the step needs a token.
 */

export interface TenantSync {
  readonly slug: string;
  readonly customerId: number;
  readonly baseUrl: string;
  readonly engine: SyncEngine;
}

export interface SyncContainer {
  readonly runtime: SyncRuntime;
  readonly database: MirrorDatabase;
  /** `default`'s engine. */
  readonly engine: SyncEngine;
  /** The tenants to sync: `default` first, then the stored ones by slug (or the one asked for). */
  readonly tenants: readonly TenantSync[];
  close(): Promise<void>;
}

export interface SyncContainerOptions {
  /** `--tenant <slug>`: only this tenant; default every tenant. */
  readonly tenant?: string | undefined;
}

export function createSyncContainer(
  settings: SyncWorkerSettings,
  runtime: SyncRuntime,
  logger: Logger,
  role: string,
  options: SyncContainerOptions = {},
): SyncContainer {
  const token = runtime.token;
  const api = token ? createApi(settings, { ...runtime, token }, logger) : offlineApi();
  const mirror = openMirror({ settings, runtime, logger, api, role });
  const opened: TenantMirror[] = [];
  const close = async (): Promise<void> => {
    for (const tenant of opened) tenant.close();
    await mirror.close();
  };
  try {
    const { database, engine } = mirror;
    const store = createPrincipalStore(database.sqlite);
    const stored = store.listTenants().filter((t) => !options.tenant || t.slug === options.tenant);
    if (options.tenant && options.tenant !== DEFAULT_TENANT && stored.length === 0) {
      throw new InvalidInputError({
        field: '--tenant',
        message: `There is no tenant '${options.tenant.slice(0, 64)}'`,
        reason: 'Only `default` and the tenants added with `testio-mcp tenants add` can be synced',
        hint: 'Run `testio-mcp tenants list` for the slugs, or leave --tenant out to sync every tenant',
      });
    }
    const masterKey = loadMasterKey(settings);
    if (!options.tenant) assertMasterKeyForTenants(store, masterKey);
    const tenants: TenantSync[] = [];
    if (!options.tenant || options.tenant === DEFAULT_TENANT) {
      tenants.push({
        slug: DEFAULT_TENANT,
        customerId: runtime.customerId,
        baseUrl: runtime.baseUrl,
        engine,
      });
    }
    for (const row of stored) {
      const tenant = openTenantMirror({
        settings,
        base: runtime,
        tenant: row,
        masterKey: requireMasterKey(masterKey, `Syncing tenant '${row.slug}'`),
        database,
        logger,
        role,
        clock: mirror.clock,
      });
      opened.push(tenant);
      tenants.push({
        slug: row.slug,
        customerId: row.customerId,
        baseUrl: row.baseUrl,
        engine: tenant.engine,
      });
    }
    return { runtime, database, engine, tenants, close };
  } catch (error) {
    void close();
    throw error;
  }
}
