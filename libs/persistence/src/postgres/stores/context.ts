import type { Logger } from '@testio-mcp/domain';
import type pg from 'pg';
import { pgDomainError } from '../errors.js';
import { withTransaction } from '../pool.js';

/** What every PostgreSQL store is built from: the pool and the tenant it is bound to. */
export interface PgStoreContext {
  readonly pool: pg.Pool;
  readonly customerId: number;
  readonly logger?: Logger | undefined;
}

/** Attempts of a transaction PostgreSQL aborted as a deadlock victim or a serialization failure. */
const MAX_ATTEMPTS = 5;

const retryable = (error: unknown): boolean => {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === '40P01' || code === '40001';
};

/**
 * Runs a single statement again when PostgreSQL rolled it back as a deadlock victim or a serialization
 * failure: concurrent product syncs bump the same aggregate rows (`entity_counts`, `platform_counts`) from
 * triggers in different orders, and PostgreSQL resolves such a cycle by aborting one of them whole, so
 * running it again is safe. A short random pause keeps the two from meeting again at once.
 */
async function retrying<T>(ctx: PgStoreContext, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (!retryable(error) || attempt >= MAX_ATTEMPTS) throw pgDomainError(error);
      ctx.logger?.debug({ attempt, code: (error as { code: string }).code }, 'transaction retried');
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20 * attempt));
    }
  }
}

/** Advisory lock namespace ("tw": tenant writes); the second key is the customer id. */
const TENANT_WRITE_LOCK = 0x7477;

/**
 * Runs `fn` as one transaction, with database errors mapped to domain errors. The write transactions of
 * one tenant take turns (a transaction-scoped advisory lock per customer id), as every write does on
 * SQLite: concurrent product syncs otherwise bump the same aggregate rows (`entity_counts`,
 * `platform_counts`) from triggers in different orders and deadlock. Reads never wait for it; other
 * tenants' writes neither.
 */
export async function inTransaction<T>(
  ctx: PgStoreContext,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  // withTransaction runs a deadlock victim again itself (pool.ts); only the error mapping is added here.
  try {
    return await withTransaction(ctx.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [TENANT_WRITE_LOCK, ctx.customerId]);
      return fn(client);
    });
  } catch (error) {
    throw pgDomainError(error);
  }
}

/** One statement on any connection of the pool (its own transaction), errors mapped. */
export async function query<R extends pg.QueryResultRow>(
  ctx: PgStoreContext,
  text: string,
  values: unknown[],
): Promise<pg.QueryResult<R>> {
  return retrying(ctx, () => ctx.pool.query<R>(text, values));
}

/** Distinct ids, for `= ANY($n::int[])`. */
export function ids(values: Iterable<number>): number[] {
  return [...new Set(values)];
}

/** A jsonb/json parameter: always bound as JSON text (pg would bind a JS array as a PostgreSQL array). */
export function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
