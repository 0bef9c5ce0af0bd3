import type { Logger } from '@testio-mcp/domain';
import { toDomainError } from '../errors.js';
import type { Sqlite } from '../sqlite.js';

/** What every store is built from: one connection and the tenant it is bound to. */
export interface StoreContext {
  readonly db: Sqlite;
  readonly customerId: number;
  readonly logger?: Logger | undefined;
}

/** JSON text of an id list, for `json_each(?)` (no variable-count limits, one prepared statement). */
export function idList(ids: Iterable<number>): string {
  return JSON.stringify([...new Set(ids)]);
}

/** better-sqlite3 binds no booleans: 0/1, null kept. */
export function bit(value: boolean | null | undefined): 0 | 1 | null {
  if (value === null || value === undefined) return null;
  return value ? 1 : 0;
}

export function parseJson<T>(text: string | null): T | null {
  return text === null ? null : (JSON.parse(text) as T);
}

/**
 * Runs a synchronous store body (better-sqlite3 is synchronous) as the port's promise, with database
 * errors mapped to domain errors.
 */
export function run<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(toDomainError(error));
  }
}
