import {
  DEFAULT_TENANT,
  InvalidInputError,
  type Clock,
  type Logger,
  type Principal,
} from '@testio-mcp/domain';
import type { PrincipalStore, TenantRow } from '@testio-mcp/persistence';
import type { AppDatabase } from '../database/app-database.js';
import type { Services } from '@testio-mcp/services';
import type { ReadThrough } from '@testio-mcp/sync';
import { requireMasterKey } from '../auth/tenants.js';
import { createAppServices, type ServiceSettings } from '../services.js';
import type { AppRuntime } from '../runtime.js';
import { openTenantMirror, type TenantMirror } from './tenant-mirror.js';

/**
 * The services a request is answered from, picked by its principal's tenant (ADR 0024): `default` gets
 * the process's own, a stored tenant gets services over its own client (its decrypted token, for the
 * read-through) and the mirror seen as its customer id, so an id of another tenant answers exactly like
 * one that does not exist. Built on a tenant's first request and kept; rebuilt when its row changes
 * (removed and added again, another customer id or base URL, a rekeyed token).
 */

export interface TenantServices {
  /** The services of the principal's tenant; without a principal (the open loopback setup) `default`'s. */
  servicesFor(principal: Principal | undefined): Services;
  /** The services of one tenant by slug; a three-part error when it is not stored. */
  forTenant(slug: string): Services;
  /** Closes the clients built for stored tenants. */
  close(): void;
}

export interface TenantServicesOptions {
  readonly settings: ServiceSettings;
  /** `default`'s runtime (the environment's account). */
  readonly runtime: AppRuntime;
  /** `default`'s services, the ones the process already built. */
  readonly defaults: Services;
  readonly database: Pick<AppDatabase, 'forCustomer' | 'engine' | 'openReads' | 'location' | 'sizeBytes'>;
  readonly store: Pick<PrincipalStore, 'findTenant'>;
  readonly masterKey: Buffer | undefined;
  readonly logger: Logger;
  readonly role: string;
  readonly clock: Clock;
  readonly instrumentReadThrough?: (readThrough: ReadThrough) => ReadThrough;
}

interface Entry {
  readonly fingerprint: string;
  readonly mirror: TenantMirror;
  readonly services: Services;
}

const fingerprint = (row: TenantRow): string =>
  `${row.customerId}\u0000${row.baseUrl}\u0000${row.tokenCiphertext}`;

export function createTenantServices(options: TenantServicesOptions): TenantServices {
  const entries = new Map<string, Entry>();

  function build(row: TenantRow): Entry {
    const mirror = openTenantMirror({
      settings: options.settings,
      base: options.runtime,
      tenant: row,
      masterKey: requireMasterKey(options.masterKey, `Serving tenant '${row.slug}'`),
      database: options.database,
      logger: options.logger,
      role: options.role,
      clock: options.clock,
    });
    const services = createAppServices({
      settings: options.settings,
      runtime: mirror.runtime,
      mirror: {
        api: mirror.api,
        engine: mirror.engine,
        clock: options.clock,
        database: { ...options.database, stores: mirror.stores },
      },
      logger: options.logger.child({ tenant: row.slug }),
      ...(options.instrumentReadThrough ? { instrumentReadThrough: options.instrumentReadThrough } : {}),
    });
    return { fingerprint: fingerprint(row), mirror, services };
  }

  function forTenant(slug: string): Services {
    if (slug === DEFAULT_TENANT) return options.defaults;
    const row = options.store.findTenant(slug);
    const cached = entries.get(slug);
    if (cached && (!row || cached.fingerprint !== fingerprint(row))) {
      cached.mirror.close();
      entries.delete(slug);
    }
    if (!row) {
      throw new InvalidInputError({
        field: 'tenant',
        message: `There is no tenant '${slug.slice(0, 64)}'`,
        reason: 'It was removed (or never added), so nothing can be answered for it',
        hint: 'Use a key of an existing tenant (`testio-mcp tenants list` shows them)',
      });
    }
    let entry = entries.get(slug);
    if (!entry) {
      entry = build(row);
      entries.set(slug, entry);
    }
    return entry.services;
  }

  return {
    servicesFor: (principal) => forTenant(principal?.tenant ?? DEFAULT_TENANT),
    forTenant,
    close() {
      for (const entry of entries.values()) entry.mirror.close();
      entries.clear();
    },
  };
}
