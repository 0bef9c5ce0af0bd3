import pg from 'pg';

/** PostgreSQL type OIDs this project parses itself (the rest keep `pg`'s defaults). */
const INT8_OID = 20;
const NUMERIC_OID = 1700;

export interface PgPoolOptions {
  /** Connections kept at most; default 10. */
  readonly max?: number;
  /** Shown in `pg_stat_activity.application_name`; default `testio-mcp`. */
  readonly applicationName?: string;
  /** How long to wait for a connection; default 10 s. */
  readonly connectionTimeoutMillis?: number;
  /** How long an idle connection is kept; default 10 s. */
  readonly idleTimeoutMillis?: number;
}

/**
 * Per-pool type parsers: `count(*)`, `sum(...)` (int8) and numeric become JS numbers, so results have the
 * same shape as on SQLite; timestamptz stays a `Date`, json/jsonb are parsed. Never `pg.types.setTypeParser`
 * (global, would change every other pool in the process).
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) {
      return (value: string) => (value === null ? null : Number(value));
    }
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  },
} as unknown as pg.CustomTypesConfig;

export type PgPool = pg.Pool;
export type PgClient = pg.PoolClient;

/**
 * A connection pool for `url` (`postgresql://user@host:port/db`). Errors of idle connections (a server
 * restart) are swallowed here: the next query gets a fresh connection and reports its own error.
 */
export function createPgPool(url: string, options: PgPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'testio-mcp',
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 10_000,
    idleTimeoutMillis: options.idleTimeoutMillis ?? 10_000,
    types,
  });
  pool.on('error', () => {
    // An idle client lost its connection; pg removes it from the pool.
  });
  return pool;
}

/** SQLSTATEs after which PostgreSQL asks for the whole transaction to be run again: deadlock, serialization. */
const RETRYABLE = new Set(['40P01', '40001']);
/** Attempts in all: concurrent syncs of two products meet on the shared counters (`platform_counts`). */
const ATTEMPTS = 5;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/**
 * Runs `fn` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws (the
 * error is rethrown unchanged). A deadlock or serialization failure is run again, up to five attempts with
 * a short random pause: the trigger-kept counters make transactions of two product syncs lock the same
 * rows in different orders, which PostgreSQL resolves by aborting one of them. `fn` must therefore have
 * no effect outside the database.
 */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transactionOnce(pool, fn);
    } catch (error) {
      if (attempt >= ATTEMPTS || !isRetryable(error)) throw error;
      await sleep(Math.random() * 20 * attempt);
    }
  }
}

async function transactionOnce<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    try {
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  } finally {
    client.release();
  }
}

/** Credentials never leave this process: `postgresql://user:***@host/db`. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'postgresql://(unparseable url)';
  }
}
