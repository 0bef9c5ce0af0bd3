import Database from 'better-sqlite3';
import pg from 'pg';

/**
 * The two engines a reliability suite runs on (issue 15): the SQLite file users run by default, and a
 * fresh PostgreSQL database per stack (`TESTIO_DATABASE_URL`) on the test server (ADR 0029:
 * TESTIO_TEST_DATABASE_URL, or a throwaway server this test process starts).
 */

export type ReliabilityEngine = 'sqlite' | 'postgres';

/** For `describe.each(RELIABILITY_ENGINES)('on $name', ({ name }) => ...)`. */
export const RELIABILITY_ENGINES: ReadonlyArray<{ readonly name: ReliabilityEngine }> = [
  { name: 'sqlite' },
  { name: 'postgres' },
];

/**
 * Engine internals no answer may show: SQLite's error codes, PostgreSQL's error messages (what a query
 * error would say if it reached a client instead of the documented error).
 */
export const ENGINE_INTERNALS =
  /SQLITE_|syntax error at or near|violates (foreign key|unique|check|not-null) constraint|relation "\w+" does not exist|invalid input syntax for|out of range for type|deadlock detected|could not serialize access/;

/** Where a stack's mirror lives. */
export interface MirrorLocation {
  readonly engine: ReliabilityEngine;
  /** The SQLite file (on PostgreSQL: set, but no process opens it). */
  readonly dbPath: string;
  /** The PostgreSQL database's URL (PostgreSQL only). */
  readonly databaseUrl?: string;
}

/**
 * The rows of one read-only query, written so both engines read it alike (no parameters: the checks
 * use literals). `count(*)` is a string on PostgreSQL: callers convert with Number.
 */
export async function queryMirror(
  location: MirrorLocation,
  sql: string,
): Promise<Array<Record<string, unknown>>> {
  if (location.engine === 'sqlite') {
    const db = new Database(location.dbPath, { readonly: true });
    try {
      return db.prepare(sql).all() as Array<Record<string, unknown>>;
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: location.databaseUrl });
  await client.connect();
  try {
    return (await client.query<Record<string, unknown>>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** The first column of every row. */
export async function pluckMirror(location: MirrorLocation, sql: string): Promise<unknown[]> {
  return (await queryMirror(location, sql)).map((row) => Object.values(row)[0]);
}

/** Does the mirror have this table (false before the first migration committed)? */
export async function hasTable(location: MirrorLocation, table: string): Promise<boolean> {
  const sql =
    location.engine === 'sqlite'
      ? `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '${table}'`
      : `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '${table}'`;
  return Number((await pluckMirror(location, sql))[0]) > 0;
}

/**
 * PostgreSQL only: moves the sync lease's expiry into the past, which is what its TTL (60 s after the last
 * heartbeat, no setting) does to the lease of a killed holder. SQLite takes a dead local holder's lease at
 * once (by PID); PostgreSQL does not, since holders may run on other hosts (ADR 0036).
 */
export async function expireLease(location: MirrorLocation): Promise<void> {
  if (location.engine !== 'postgres') return;
  if (!(await hasTable(location, 'sync_leases'))) return;
  const client = new pg.Client({ connectionString: location.databaseUrl });
  await client.connect();
  try {
    await client.query("UPDATE sync_leases SET expires_at = now() - interval '1 second'");
  } finally {
    await client.end();
  }
}
