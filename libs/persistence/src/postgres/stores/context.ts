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

/** Runs `fn` as one transaction, with database errors mapped to domain errors. */
export async function inTransaction<T>(
  ctx: PgStoreContext,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  try {
    return await withTransaction(ctx.pool, fn);
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
  try {
    return await ctx.pool.query<R>(text, values);
  } catch (error) {
    throw pgDomainError(error);
  }
}

/** Distinct ids, for `= ANY($n::int[])`. */
export function ids(values: Iterable<number>): number[] {
  return [...new Set(values)];
}

/** A jsonb/json parameter: always bound as JSON text (pg would bind a JS array as a PostgreSQL array). */
export function json(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
