import { EXECUTED_TEST_STATUSES, type SortOrder } from '@testio-mcp/domain';
import type pg from 'pg';
import { pgDomainError } from '../errors.js';

/**
 * What the PostgreSQL entity readers share (the counterpart of `readers/sql.ts`): one pool bound to one
 * tenant, named parameters (`@customerId`, bound by every statement), and the helpers that keep the SQL
 * safe. User values are only ever bound as parameters; ORDER BY clauses come from closed maps keyed by the
 * domain's sort-field vocabularies, never from caller text.
 */
export interface PgReaderContext {
  readonly customerId: number;
  /** Runs `fn` in one read-only REPEATABLE READ transaction (a count and its page see one snapshot). */
  snapshot<T>(fn: (q: PgQueries) => Promise<T>): Promise<T>;
  /** Single statements outside a transaction. */
  readonly q: PgQueries;
}

export interface PgQueries {
  all<T>(sql: string, params?: Record<string, unknown>): Promise<T[]>;
  one<T>(sql: string, params?: Record<string, unknown>): Promise<T | undefined>;
  /** `SELECT count(*) AS n ...` → n (0 when no row). */
  count(sql: string, params?: Record<string, unknown>): Promise<number>;
}

/** Something that runs a parameterised statement: a pool or a checked-out client. */
export type PgQueryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

const NAMED = /@([A-Za-z_][A-Za-z0-9_]*)/g;

/**
 * `@name` placeholders → `$n` (one number per distinct name), with the values in order. A name without a
 * value is a programming error, reported before anything is sent.
 */
export function namedToPositional(
  sql: string,
  params: Record<string, unknown>,
): { text: string; values: unknown[] } {
  const index = new Map<string, number>();
  const values: unknown[] = [];
  const text = sql.replace(NAMED, (_, name: string) => {
    let n = index.get(name);
    if (n === undefined) {
      if (!(name in params)) throw new RangeError(`missing SQL parameter @${name}`);
      values.push(params[name]);
      n = values.length;
      index.set(name, n);
    }
    return `$${n}`;
  });
  return { text, values };
}

export function pgQueries(db: PgQueryable, customerId: number): PgQueries {
  const all = async <T>(sql: string, params: Record<string, unknown> = {}): Promise<T[]> => {
    const { text, values } = namedToPositional(sql, { customerId, ...params });
    const result = await (db as pg.Pool).query(text, values);
    return result.rows as T[];
  };
  const one = async <T>(sql: string, params: Record<string, unknown> = {}): Promise<T | undefined> =>
    (await all<T>(sql, params))[0];
  return {
    all,
    one,
    count: async (sql, params) => Number((await one<{ n: number | string }>(sql, params))?.n ?? 0),
  };
}

export function pgReaderContext(pool: pg.Pool, customerId: number): PgReaderContext {
  return {
    customerId,
    q: pgQueries(pool, customerId),
    snapshot: (fn) => readSnapshot(pool, (client) => fn(pgQueries(client, customerId))),
  };
}

/** `fn` on one connection inside `BEGIN READ ONLY, REPEATABLE READ` (the SQLite readers' read transaction). */
export async function readSnapshot<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let failed: unknown;
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    failed = error;
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // A connection whose rollback failed may be unusable: let the pool drop it.
    client.release(failed !== undefined && !isQueryError(failed) ? (failed as Error) : undefined);
  }
}

/** An error the server reported for a statement (the connection stays usable). */
function isQueryError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    /^[0-9A-Z]{5}$/.test((error as { code: string }).code)
  );
}

const DIRECTION: Record<SortOrder, string> = { asc: 'ASC', desc: 'DESC' };

/** `ORDER BY` for a sort expression: NULLs last in both directions, then a stable tie-breaker. */
export function orderBy(expression: string, order: SortOrder, tieBreaker: string): string {
  const dir = DIRECTION[order];
  if (!dir) throw new RangeError(`invalid sort order ${String(order)}`);
  return `ORDER BY (${expression}) IS NULL, ${expression} ${dir}, ${tieBreaker} ${dir}`;
}

/** The SQL expression of a sort field, from a closed map. */
export function sortExpression<K extends string>(map: Record<K, string>, key: K): string {
  const expression = map[key];
  if (expression === undefined) throw new RangeError(`invalid sort field ${String(key)}`);
  return expression;
}

/**
 * SQLite's `COLLATE NOCASE` (ASCII letters folded, then byte order) and its default BINARY order, so
 * lists sort the same on both engines whatever the database's collation.
 */
export const nocase = (column: string): string => `lower(${column}) COLLATE "C"`;
export const binary = (column: string): string => `${column} COLLATE "C"`;

/** An optional list filter bound as one array parameter (`@p::int[] IS NULL OR col = ANY(@p::int[])`). */
export function list<T extends string | number>(values: readonly T[] | undefined): T[] | null {
  return values === undefined ? null : [...values];
}

/** Runs a read as the port's promise, with database errors mapped to domain errors. */
export async function run<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw pgDomainError(error);
  }
}

/**
 * A json/jsonb column's value: `pg` hands parsed values back; text (a column kept as text, or a JSON
 * string) is parsed here. Unparseable text gives the fallback, as on SQLite.
 */
export function jsonValue<T>(value: unknown, fallback: T): T {
  if (value === null || value === undefined) return fallback;
  if (typeof value === 'string') {
    try {
      return JSON.parse(value) as T;
    } catch {
      return fallback;
    }
  }
  return value as T;
}

/** A timestamptz (a Date from the pool's parsers; text is accepted too) → Date or null. */
export function time(value: Date | string | null | undefined): Date | null {
  if (value === null || value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function requiredTime(value: Date | string): Date {
  return time(value) ?? new Date(0);
}

/** A boolean column (0/1 accepted too). */
export function bool(value: boolean | number | null | undefined): boolean | null {
  return value === null || value === undefined ? null : value === true || value === 1;
}

export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The executed test statuses, bound as `@executed::text[]`. */
export const EXECUTED: readonly string[] = EXECUTED_TEST_STATUSES;
