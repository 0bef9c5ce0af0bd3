import {
  assertMasterKeyForTenants,
  createApi,
  loadMasterKey,
  offlineApi,
  openMirror,
  openTenantMirror,
  requireMasterKey,
  type AppDatabase,
  type TenantMirror,
} from '@testio-mcp/composition';
import { DEFAULT_TENANT, InvalidInputError, type Logger } from '@testio-mcp/domain';
import type { TenantRow } from '@testio-mcp/persistence';
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

/** What a rescan of the stored tenants changed: the new ones are open, the gone ones still to close. */
export interface TenantChanges {
  readonly added: readonly TenantSync[];
  /** Stop their schedulers first, then `close()` each: its client goes with it. */
  readonly removed: ReadonlyArray<TenantSync & { close(): void }>;
}

export interface SyncContainer {
  readonly runtime: SyncRuntime;
  readonly database: AppDatabase;
  /** `default`'s engine. */
  readonly engine: SyncEngine;
  /** The tenants to sync: `default` first, then the stored ones by slug (or the one asked for). */
  readonly tenants: readonly TenantSync[];
  /**
   * Re-reads the stored tenants (all of them; not with `--tenant`): opens the ones added since, and hands
   * back the ones removed or changed (another customer id, base URL or token: closed and opened again).
   * A tenant that cannot be opened (no master key) is logged and tried again at the next rescan.
   */
  rescanTenants(): TenantChanges;
  close(): Promise<void>;
}

export interface SyncContainerOptions {
  /** `--tenant <slug>`: only this tenant; default every tenant. */
  readonly tenant?: string | undefined;
}

export async function createSyncContainer(
  settings: SyncWorkerSettings,
  runtime: SyncRuntime,
  logger: Logger,
  role: string,
  options: SyncContainerOptions = {},
): Promise<SyncContainer> {
  const token = runtime.token;
  const api = token ? createApi(settings, { ...runtime, token }, logger) : offlineApi();
  const mirror = await openMirror({ settings, runtime, logger, api, role });
  const opened = new Map<string, { mirror: TenantMirror; fingerprint: string; sync: TenantSync }>();
  const close = async (): Promise<void> => {
    for (const tenant of opened.values()) tenant.mirror.close();
    opened.clear();
    await mirror.close();
  };
  const fingerprint = (row: TenantRow): string =>
    `${row.customerId}\u0000${row.baseUrl}\u0000${row.tokenCiphertext}`;
  try {
    const { database, engine } = mirror;
    const store = database.principals;
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
    const own: TenantSync[] = [];
    if (!options.tenant || options.tenant === DEFAULT_TENANT) {
      own.push({
        slug: DEFAULT_TENANT,
        customerId: runtime.customerId,
        baseUrl: runtime.baseUrl,
        engine,
      });
    }
    const open = (row: TenantRow): TenantSync => {
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
      const sync = {
        slug: row.slug,
        customerId: row.customerId,
        baseUrl: row.baseUrl,
        engine: tenant.engine,
      };
      opened.set(row.slug, { mirror: tenant, fingerprint: fingerprint(row), sync });
      return sync;
    };
    for (const row of stored) open(row);
    const rescanTenants = (): TenantChanges => {
      if (options.tenant) return { added: [], removed: [] };
      const rows = new Map(store.listTenants().map((row) => [row.slug, row]));
      const removed: Array<TenantSync & { close(): void }> = [];
      for (const [slug, entry] of opened) {
        const row = rows.get(slug);
        if (row && fingerprint(row) === entry.fingerprint) continue;
        opened.delete(slug);
        removed.push({ ...entry.sync, close: () => entry.mirror.close() });
      }
      const added: TenantSync[] = [];
      for (const row of rows.values()) {
        if (opened.has(row.slug)) continue;
        try {
          added.push(open(row));
        } catch (error) {
          logger.error({ tenant: row.slug, err: error }, `tenant ${row.slug} cannot be synced yet`);
        }
      }
      return { added, removed };
    };
    const container: SyncContainer = {
      runtime,
      database,
      engine,
      get tenants() {
        return [
          ...own,
          ...[...opened.values()].map((t) => t.sync).sort((a, b) => a.slug.localeCompare(b.slug)),
        ];
      },
      rescanTenants,
      close,
    };
    return container;
  } catch (error) {
    await close();
    throw error;
  }
}
