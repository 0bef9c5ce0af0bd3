import { EXECUTED_TEST_STATUSES, type SortOrder } from '@testio-mcp/domain';
import { toDomainError } from '../errors.js';
import { prepared, type Sqlite } from '../sqlite.js';
import { fromDbTime } from '../time.js';

/**
 * What the entity readers share: one connection bound to one tenant, and the helpers that keep their
 * SQL safe. Every statement is scoped by `customer_id` (bound as `@customerId` by `all`/`one`); user
 * values are only ever bound as parameters; ORDER BY clauses come from closed maps keyed by the domain's
 * sort-field vocabularies (`sortExpression`), never from caller text.
 */
export interface ReaderContext {
  readonly db: Sqlite;
  readonly customerId: number;
  all<T>(sql: string, params: Record<string, unknown>): T[];
  one<T>(sql: string, params: Record<string, unknown>): T | undefined;
  /** `SELECT count(*) AS n ...` → n (0 when no row). */
  count(sql: string, params: Record<string, unknown>): number;
}

export function readerContext(db: Sqlite, customerId: number): ReaderContext {
  const one = <T>(sql: string, params: Record<string, unknown>): T | undefined =>
    prepared(db, sql).get({ customerId, ...params }) as T | undefined;
  return {
    db,
    customerId,
    all: <T>(sql: string, params: Record<string, unknown>): T[] =>
      prepared(db, sql).all({ customerId, ...params }) as T[],
    one,
    count: (sql, params) => one<{ n: number }>(sql, params)?.n ?? 0,
  };
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

/** `?list IS NULL OR col IN (json list)`: an optional filter bound as one JSON parameter. */
export function jsonList(values: readonly (string | number)[] | undefined): string | null {
  return values === undefined ? null : JSON.stringify(values);
}

/** Runs a synchronous read as the port's promise, with database errors mapped to domain errors. */
export function run<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(toDomainError(error));
  }
}

export function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export function requiredTime(value: string): Date {
  return fromDbTime(value) ?? new Date(0);
}

export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** The executed test statuses as a JSON list literal, for `IN (SELECT value FROM json_each('...'))`. */
export const EXECUTED = JSON.stringify(EXECUTED_TEST_STATUSES);
