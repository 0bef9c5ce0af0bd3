import type { TestIOClient } from '@testio-mcp/api-client';
import type { Clock, Logger, SyncStores } from '@testio-mcp/domain';
import type { TenantRow } from '@testio-mcp/persistence';
import type { AppDatabase } from '../database/app-database.js';
import type { SyncEngine } from '@testio-mcp/sync';
import { decryptSecret } from '../auth/master-key.js';
import { createApi, createMirrorEngine, type MirrorSettings } from '../mirror.js';
import type { AppRuntime } from '../runtime.js';

/**
 * The parts of one stored tenant (ADR 0024): its own TestIO client (its decrypted token, its base URL,
 * its own request cap), its stores in the shared mirror (rows keyed by its customer id) and a sync
 * engine over both, whose lease, runs and circuit breaker are that customer id's rows. Nothing here is
 * shared with another tenant but the database connection.
 */

export interface TenantMirror {
  readonly slug: string;
  readonly runtime: AppRuntime;
  readonly api: TestIOClient;
  readonly stores: SyncStores;
  readonly engine: SyncEngine;
  /** Closes the client (the database belongs to the process). */
  close(): void;
}

export interface OpenTenantMirrorOptions {
  readonly settings: MirrorSettings;
  /** The process's runtime (`default`): the database path and demo flag carry over, the account does not. */
  readonly base: AppRuntime<string | undefined>;
  readonly tenant: TenantRow;
  readonly masterKey: Buffer;
  readonly database: Pick<AppDatabase, 'forCustomer' | 'engine'>;
  readonly logger: Logger;
  /** Who holds the lease (`mcp-server`, `rest-api`, `sync-worker`, ...). */
  readonly role: string;
  readonly clock: Clock;
}

/** The runtime of a stored tenant: its account, no product scope (TESTIO_PRODUCT_IDS is `default`'s). */
export function tenantRuntime(
  base: AppRuntime<string | undefined>,
  tenant: TenantRow,
  token: string,
): AppRuntime {
  return {
    ...base,
    token,
    baseUrl: tenant.baseUrl,
    customerId: tenant.customerId,
    productIds: undefined,
  };
}

export function openTenantMirror(options: OpenTenantMirrorOptions): TenantMirror {
  const { settings, tenant, masterKey, role, clock } = options;
  const logger = options.logger.child({ tenant: tenant.slug });
  const token = decryptSecret(masterKey, tenant.tokenCiphertext, tenant.slug);
  const runtime = tenantRuntime(options.base, tenant, token);
  const api = createApi(settings, runtime, logger);
  const { stores } = options.database.forCustomer(tenant.customerId);
  const engine = createMirrorEngine({
    settings,
    runtime,
    logger,
    role,
    api,
    clock,
    stores,
    databaseEngine: options.database.engine,
  });
  return { slug: tenant.slug, runtime, api, stores, engine, close: () => api.close() };
}
