import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

export type Sqlite = Database.Database;
export type Statement = Database.Statement;

/** How long a connection waits for another writer before giving up with SQLITE_BUSY. */
export const DEFAULT_BUSY_TIMEOUT_MS = 10_000;

/**
 * The settings every connection gets (our own and Prisma's): WAL so readers never block the writer,
 * a busy timeout so concurrent writers queue instead of failing, enforced foreign keys (cascades), and
 * `synchronous=NORMAL`, which in WAL mode is safe against process crashes (a power loss may drop the
 * last commits, never corrupt the file).
 */
export function connectionPragmas(busyTimeoutMs: number = DEFAULT_BUSY_TIMEOUT_MS): string {
  return [
    `PRAGMA busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))};`,
    'PRAGMA journal_mode = WAL;',
    'PRAGMA synchronous = NORMAL;',
    'PRAGMA foreign_keys = ON;',
  ].join('\n');
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Switching a new database to WAL needs an exclusive lock, and SQLite reports SQLITE_BUSY at once
 * (without its busy handler) when another process is doing the same; retry within the busy timeout.
 */
function applyPragmas(db: Database.Database, busyTimeoutMs: number): void {
  const deadline = Date.now() + busyTimeoutMs;
  for (let attempt = 0; ; attempt++) {
    try {
      db.exec(connectionPragmas(busyTimeoutMs));
      return;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const busy = typeof code === 'string' && /^SQLITE_(BUSY|LOCKED)/.test(code);
      if (!busy || Date.now() >= deadline) throw error;
      sleepSync(Math.min(50, 5 * (attempt + 1)));
    }
  }
}

export interface OpenSqliteOptions {
  readonly busyTimeoutMs?: number;
}

/** Opens (creating the file and its directory when needed) a better-sqlite3 connection with our PRAGMAs. */
export function openSqlite(path: string, options: OpenSqliteOptions = {}): Sqlite {
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: busyTimeoutMs });
  try {
    applyPragmas(db, busyTimeoutMs);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

const statementCache = new WeakMap<Sqlite, Map<string, Statement>>();

/** A prepared statement, prepared once per connection and SQL text. */
export function prepared(db: Sqlite, sql: string): Statement {
  let cache = statementCache.get(db);
  if (!cache) {
    cache = new Map();
    statementCache.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    cache.set(sql, statement);
  }
  return statement;
}

/**
 * Runs `fn` in one write transaction taken with `BEGIN IMMEDIATE`: the write lock is held from the
 * start, so two processes never both read-then-write the same state (they queue on `busy_timeout`),
 * and a crash at any point leaves either all of `fn`'s writes or none.
 */
export function writeTransaction<T>(db: Sqlite, fn: () => T): T {
  return db.transaction(fn).immediate();
}

/** Runs `fn` in one read transaction, so all its reads see one snapshot. */
export function readTransaction<T>(db: Sqlite, fn: () => T): T {
  return db.transaction(fn).deferred();
}

/**
 * What a connection has seen change, as one string: `PRAGMA data_version` moves when another connection
 * (the CLI's `keys create`, a sync worker, another server) commits, and `total_changes()` when this one
 * writes, which data_version ignores. Equal stamps mean nothing a query on this connection reads has
 * changed, so an answer computed under a stamp may be served again while the stamp holds. Two plucked
 * statements cost a few microseconds, far less than most reads they stand in for.
 */
export function changeStamp(db: Sqlite): string {
  const version = prepared(db, 'PRAGMA data_version').pluck().get() as number;
  const changes = prepared(db, 'SELECT total_changes()').pluck().get() as number;
  return `${version}:${changes}`;
}
