import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import type { Logger } from '@testio-mcp/domain';
import {
  type AppliedRow,
  type MigrateResult,
  MigrationError,
  type MigrationFile,
  readMigrations,
  verifyApplied,
} from '../migrator.js';

/**
 * Set only in the published package's bundle (tools/package): where the PostgreSQL migrations are,
 * relative to the bundled file. Undefined when the sources or `dist/` of this project run.
 */
declare const TESTIO_MCP_BUNDLED_PG_MIGRATIONS_DIR: string | undefined;

/** `prisma/postgresql/migrations` of this repository, resolved from this file (works from `src/` and `dist/`). */
export const DEFAULT_PG_MIGRATIONS_DIR = fileURLToPath(
  new URL(
    typeof TESTIO_MCP_BUNDLED_PG_MIGRATIONS_DIR === 'string'
      ? TESTIO_MCP_BUNDLED_PG_MIGRATIONS_DIR
      : '../../../../prisma/postgresql/migrations',
    import.meta.url,
  ),
);

/**
 * The session-level advisory lock every migrating process takes first (two int4 keys: "testio-mcp",
 * "migrate"). Advisory locks are per database, so tenants' databases on one server do not queue on each other.
 */
const LOCK_KEYS = [0x74696f, 0x6d6967] as const;

/** Prisma's own bookkeeping table, created exactly as `prisma migrate` creates it on PostgreSQL. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface PgMigrateOptions {
  /** Defaults to this repository's `prisma/postgresql/migrations`. */
  readonly migrationsDir?: string;
  readonly logger?: Logger;
  /** Injected clock for the recorded timestamps (tests). */
  readonly now?: () => Date;
}

interface PgAppliedRow {
  id: string;
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
}

async function readApplied(client: pg.ClientBase): Promise<AppliedRow[]> {
  const { rows } = await client.query<PgAppliedRow>(
    'SELECT id, migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY migration_name, started_at',
  );
  return rows.map((r) => ({
    id: r.id,
    migration_name: r.migration_name,
    checksum: r.checksum,
    finished_at: r.finished_at === null ? null : r.finished_at.toISOString(),
    rolled_back_at: r.rolled_back_at === null ? null : r.rolled_back_at.toISOString(),
  }));
}

async function applyOne(client: pg.ClientBase, file: MigrationFile, now: () => Date): Promise<void> {
  const id = randomUUID();
  await client.query('BEGIN');
  try {
    await client.query(
      'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, $4, 0)',
      [id, file.checksum, file.name, now()],
    );
    try {
      // No parameters: the simple query protocol, so a file may hold many statements.
      await client.query(file.sql);
    } catch (error) {
      throw new MigrationError(
        `Migration ${file.name} failed and was rolled back: ${(error as Error).message}. Fix ${file.path} and start again.`,
        file.name,
        { cause: error },
      );
    }
    await client.query(
      'UPDATE "_prisma_migrations" SET finished_at = $1, applied_steps_count = 1 WHERE id = $2',
      [now(), id],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Applies pending PostgreSQL migrations from `migrationsDir` in name order and records them in
 * `_prisma_migrations` (Prisma's table and checksums, so `prisma migrate status` agrees).
 *
 * - Safe when several instances start at once: the whole run holds a session advisory lock
 *   (`pg_advisory_lock`), so the others wait, then see the first one's rows and skip.
 * - Idempotent: applied migrations are skipped.
 * - Each migration runs in its own transaction with its bookkeeping row (PostgreSQL's DDL is
 *   transactional): applied completely or not at all.
 * - Refuses to run (`MigrationError`, naming the migration) when an applied migration's file changed or
 *   is missing, or a migration is recorded as started but not finished: the same rules as the SQLite migrator.
 */
export async function migratePostgres(pool: pg.Pool, options: PgMigrateOptions = {}): Promise<MigrateResult> {
  const migrationsDir = options.migrationsDir ?? DEFAULT_PG_MIGRATIONS_DIR;
  const now = options.now ?? (() => new Date());
  const files = readMigrations(migrationsDir);
  const byName = new Map(files.map((f) => [f.name, f]));

  const client = await pool.connect();
  let released = false;
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', [...LOCK_KEYS]);
    try {
      await client.query(CREATE_MIGRATIONS_TABLE);
      let rows = await readApplied(client);
      verifyApplied(rows, byName);
      const applied: string[] = [];
      for (const file of files) {
        if (rows.some((r) => r.migration_name === file.name && r.rolled_back_at === null)) continue;
        await applyOne(client, file, now);
        applied.push(file.name);
        options.logger?.info({ migration: file.name }, 'applied database migration');
      }
      rows = await readApplied(client);
      return {
        applied,
        recorded: rows.filter((r) => r.rolled_back_at === null).map((r) => r.migration_name),
      };
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, $2)', [...LOCK_KEYS]).catch((error: unknown) => {
        // The connection is broken: closing it releases the lock with the session.
        released = true;
        client.release(error instanceof Error ? error : true);
      });
    }
  } finally {
    if (!released) client.release();
  }
}
