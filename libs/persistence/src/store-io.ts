import { databaseBusy, isBusyError } from './errors.js';

/**
 * What the SQLite stores that answer promises share (the ports serve both engines, ADR 0035).
 * better-sqlite3 is synchronous: a call runs at once, and a write that meets another process' write lock
 * past the busy timeout rejects with the domain's `DatabaseBusyError`.
 */
export async function onSqlite<T>(fn: () => T): Promise<T> {
  try {
    return fn();
  } catch (error) {
    if (isBusyError(error)) throw databaseBusy(error);
    throw error;
  }
}

/** A JSON column's text; null and undefined are stored as NULL. */
export const toJsonText = (value: unknown): string | null =>
  value === null || value === undefined ? null : JSON.stringify(value);

export const fromJsonText = (text: string | null): unknown =>
  text === null ? null : (JSON.parse(text) as unknown);
