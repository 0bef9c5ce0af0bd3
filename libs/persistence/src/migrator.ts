import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '@testio-mcp/domain';
import { toDbTime } from './time.js';
import type { Sqlite } from './sqlite.js';

/**
 * Set only in the published package's bundle (tools/package, esbuild `define`): where the migrations are,
 * relative to the bundled file. Undefined when the sources or `dist/` of this project run.
 */
declare const TESTIO_MCP_BUNDLED_MIGRATIONS_DIR: string | undefined;

/**
 * `prisma/migrations` of this repository, resolved from this file (works from `src/` and `dist/`), or the
 * package's `migrations/` folder when this file is bundled into the published CLI.
 */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(
  new URL(
    typeof TESTIO_MCP_BUNDLED_MIGRATIONS_DIR === 'string'
      ? TESTIO_MCP_BUNDLED_MIGRATIONS_DIR
      : '../../../prisma/migrations',
    import.meta.url,
  ),
);

/** Prisma's own bookkeeping table, created exactly as `prisma migrate` creates it on SQLite. */
const CREATE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export interface MigrationFile {
  readonly name: string;
  readonly path: string;
  readonly sql: string;
  /** SHA-256 (hex) of the file's bytes, as Prisma records it. */
  readonly checksum: string;
}

export interface MigrateOptions {
  readonly migrationsDir?: string;
  readonly logger?: Logger;
  /** Injected clock for the recorded timestamps (tests). */
  readonly now?: () => Date;
}

export interface MigrateResult {
  /** Migrations this call applied, in order. */
  readonly applied: string[];
  /** Every migration recorded in the database after the call, in order. */
  readonly recorded: string[];
}

/** The database and the migration files disagree; the message says which migration and what to do. */
export class MigrationError extends Error {
  readonly migration: string | undefined;
  constructor(message: string, migration?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MigrationError';
    this.migration = migration;
  }
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Reads `<dir>/<name>/migration.sql` for every migration folder, sorted by name (the timestamp prefix). */
export function readMigrations(migrationsDir: string): MigrationFile[] {
  if (!existsSync(migrationsDir)) {
    throw new MigrationError(`Migrations folder not found: ${migrationsDir}`);
  }
  return readdirSync(migrationsDir)
    .filter((name) => statSync(join(migrationsDir, name)).isDirectory())
    .sort()
    .flatMap((name) => {
      const path = join(migrationsDir, name, 'migration.sql');
      if (!existsSync(path)) return [];
      const bytes = readFileSync(path);
      return [{ name, path, sql: bytes.toString('utf8'), checksum: sha256(bytes) }];
    });
}

export interface AppliedRow {
  id: string;
  migration_name: string;
  checksum: string;
  finished_at: string | null;
  rolled_back_at: string | null;
}

function checksumMatches(file: MigrationFile, recorded: string): boolean {
  // A checkout that converted line endings (git autocrlf) has not changed the migration.
  return file.checksum === recorded || sha256(file.sql.replace(/\r\n/g, '\n')) === recorded;
}

export function verifyApplied(rows: readonly AppliedRow[], files: ReadonlyMap<string, MigrationFile>): void {
  for (const row of rows) {
    if (row.rolled_back_at !== null) continue;
    if (row.finished_at === null) {
      throw new MigrationError(
        `Migration ${row.migration_name} was started but never finished (recorded in _prisma_migrations without finished_at). ` +
          'Inspect the database, then delete that row (or restore a backup) before starting again.',
        row.migration_name,
      );
    }
    const file = files.get(row.migration_name);
    if (!file) {
      throw new MigrationError(
        `Migration ${row.migration_name} is applied to this database but its folder is missing from the migrations directory. ` +
          `Restore ${row.migration_name}/migration.sql in the migrations folder, or use a database created by this version.`,
        row.migration_name,
      );
    }
    if (!checksumMatches(file, row.checksum)) {
      throw new MigrationError(
        `Migration ${row.migration_name} was modified after it was applied (checksum ${row.checksum.slice(0, 12)}… recorded, ` +
          `${file.checksum.slice(0, 12)}… on disk). Applied migrations are immutable: revert the file and put the change in a new migration.`,
        row.migration_name,
      );
    }
  }
}

function readApplied(db: Sqlite): AppliedRow[] {
  return db
    .prepare(
      'SELECT id, migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations" ORDER BY migration_name, started_at',
    )
    .all() as AppliedRow[];
}

/**
 * Applies pending migrations from `migrationsDir` in name order and records them in `_prisma_migrations`
 * (Prisma's table and checksums, so `prisma migrate status` agrees on machines that can run it).
 *
 * - Idempotent: applied migrations are skipped.
 * - Each migration runs in its own `BEGIN IMMEDIATE` transaction, together with its bookkeeping row:
 *   it is applied completely or not at all. Two processes starting at once queue on the write lock,
 *   and the second sees the first's row and skips the migration.
 * - Foreign keys are switched off while a migration runs (SQLite ignores that switch inside a
 *   transaction, and table rebuilds would otherwise cascade deletes) and checked before commit.
 * - Refuses to run, naming the migration, when an applied migration's file changed or is missing, or
 *   when a migration is recorded as started but not finished.
 */
export function migrate(db: Sqlite, options: MigrateOptions = {}): MigrateResult {
  const migrationsDir = options.migrationsDir ?? DEFAULT_MIGRATIONS_DIR;
  const now = options.now ?? (() => new Date());
  const logger = options.logger;
  const files = readMigrations(migrationsDir);
  const byName = new Map(files.map((f) => [f.name, f]));

  db.exec(CREATE_MIGRATIONS_TABLE);
  verifyApplied(readApplied(db), byName);

  const applied: string[] = [];
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  for (const file of files) {
    db.pragma('foreign_keys = OFF');
    try {
      const didApply = db
        .transaction(() => {
          // Re-read under the write lock: another process may have applied it meanwhile.
          const rows = readApplied(db);
          verifyApplied(rows, byName);
          if (rows.some((r) => r.migration_name === file.name && r.rolled_back_at === null)) return false;
          const id = randomUUID();
          const startedAt = toDbTime(now());
          db.prepare(
            'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, 0)',
          ).run(id, file.checksum, file.name, startedAt);
          try {
            db.exec(file.sql);
          } catch (error) {
            throw new MigrationError(
              `Migration ${file.name} failed and was rolled back: ${(error as Error).message}. Fix ${file.path} and start again.`,
              file.name,
              { cause: error },
            );
          }
          const violations = db.prepare('PRAGMA foreign_key_check').all();
          if (violations.length > 0) {
            throw new MigrationError(
              `Migration ${file.name} left ${violations.length} foreign key violation(s) and was rolled back. Fix ${file.path} and start again.`,
              file.name,
            );
          }
          db.prepare(
            'UPDATE "_prisma_migrations" SET finished_at = ?, applied_steps_count = 1 WHERE id = ?',
          ).run(toDbTime(now()), id);
          return true;
        })
        .immediate();
      if (didApply) {
        applied.push(file.name);
        logger?.info({ migration: file.name }, 'applied database migration');
      }
    } finally {
      db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
    }
  }
  return {
    applied,
    recorded: readApplied(db)
      .filter((r) => r.rolled_back_at === null)
      .map((r) => r.migration_name),
  };
}
