import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MigrationError, readMigrations } from '../migrator.js';
import { DEFAULT_PG_MIGRATIONS_DIR, migratePostgres } from './migrator.js';
import { createPgPool, type PgPool } from './pool.js';
import { createEmptyPgDatabase, createPgTestDatabase } from './testing.js';

let dir: string;
let migrationsDir: string;
let database: Awaited<ReturnType<typeof createEmptyPgDatabase>>;
const pools: PgPool[] = [];

function connect(): PgPool {
  const pool = createPgPool(database.url, { max: 2 });
  pools.push(pool);
  return pool;
}

async function recorded(pool: PgPool) {
  const { rows } = await pool.query<{
    migration_name: string;
    checksum: string;
    finished_at: Date | null;
    applied_steps_count: number;
  }>(
    'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
  );
  return rows;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'testio-mcp-pg-migrator-'));
  migrationsDir = join(dir, 'migrations');
  cpSync(DEFAULT_PG_MIGRATIONS_DIR, migrationsDir, { recursive: true });
  database = await createEmptyPgDatabase();
});

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.end()));
  await database.drop();
  rmSync(dir, { recursive: true, force: true });
});

function addMigration(name: string, sql: string): void {
  mkdirSync(join(migrationsDir, name));
  writeFileSync(join(migrationsDir, name, 'migration.sql'), sql);
}

describe('migratePostgres', () => {
  it('applies every migration once, in order, and records Prisma-compatible rows', async () => {
    const pool = connect();
    const files = readMigrations(migrationsDir);
    expect(files.map((f) => f.name)).toContain('20261210000000_baseline');
    const first = await migratePostgres(pool, { migrationsDir });
    expect(first.applied).toEqual(files.map((f) => f.name));
    expect(first.recorded).toEqual(files.map((f) => f.name));
    const rows = await recorded(pool);
    for (const [i, row] of rows.entries()) {
      expect(row.checksum).toBe(files[i]?.checksum);
      expect(row.finished_at).toBeInstanceOf(Date);
      expect(row.applied_steps_count).toBe(1);
    }
    const again = await migratePostgres(pool, { migrationsDir });
    expect(again.applied).toEqual([]);
    expect(again.recorded).toEqual(first.recorded);
    expect(await recorded(pool)).toHaveLength(files.length);
  });

  it('applies each migration once when several instances start at once (advisory lock)', async () => {
    const results = await Promise.all([0, 1, 2, 3].map(() => migratePostgres(connect(), { migrationsDir })));
    const names = readMigrations(migrationsDir).map((f) => f.name);
    expect(results.flatMap((r) => r.applied).sort()).toEqual([...names].sort());
    for (const r of results) expect(r.recorded).toEqual(names);
    expect(await recorded(connect())).toHaveLength(names.length);
  });

  it('refuses a database whose applied migration was modified, naming it', async () => {
    await migratePostgres(connect(), { migrationsDir });
    writeFileSync(join(migrationsDir, '20261210000000_baseline', 'migration.sql'), '-- changed\n');
    const error = await migratePostgres(connect(), { migrationsDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).migration).toBe('20261210000000_baseline');
    expect((error as Error).message).toMatch(/modified after it was applied/);
  });

  it('refuses a database whose applied migration is missing on disk', async () => {
    addMigration('20991231000000_extra', 'CREATE TABLE "extra" ("id" INTEGER);');
    await migratePostgres(connect(), { migrationsDir });
    rmSync(join(migrationsDir, '20991231000000_extra'), { recursive: true });
    const error = await migratePostgres(connect(), { migrationsDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).migration).toBe('20991231000000_extra');
    expect((error as Error).message).toMatch(/folder is missing/);
  });

  it('rolls a failing migration back completely, with its bookkeeping row, and names it', async () => {
    addMigration(
      '20991231000000_broken',
      'CREATE TABLE "half" ("id" INTEGER);\nSELECT * FROM "no_such_table";',
    );
    const pool = connect();
    const error = await migratePostgres(pool, { migrationsDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as MigrationError).migration).toBe('20991231000000_broken');
    expect((error as Error).message).toMatch(/failed and was rolled back/);
    const names = (await recorded(pool)).map((r) => r.migration_name);
    expect(names).toEqual(['20261210000000_baseline']);
    const { rows } = await pool.query(`SELECT to_regclass('"half"') AS t`);
    expect(rows[0].t).toBeNull();
    // The lock was released: a fixed migration applies.
    writeFileSync(
      join(migrationsDir, '20991231000000_broken', 'migration.sql'),
      'CREATE TABLE "half" ("id" INTEGER);',
    );
    expect((await migratePostgres(pool, { migrationsDir })).applied).toEqual(['20991231000000_broken']);
  });

  it('refuses a migration recorded as started but never finished', async () => {
    const pool = connect();
    await migratePostgres(pool, { migrationsDir });
    await pool.query('UPDATE _prisma_migrations SET finished_at = NULL');
    const error = await migratePostgres(pool, { migrationsDir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/started but never finished/);
  });
});

describe('createPgTestDatabase', () => {
  it('gives every call its own migrated database and drops it on cleanup', async () => {
    const a = await createPgTestDatabase();
    const b = await createPgTestDatabase({ customerId: 7 });
    try {
      expect(a.database).not.toBe(b.database);
      expect(b.customerId).toBe(7);
      await a.pool.query(
        `INSERT INTO sync_metadata (customer_id, key, value, updated_at) VALUES (1, 'k', 'v', now())`,
      );
      const { rows } = await b.pool.query('SELECT count(*) AS n FROM sync_metadata');
      expect(rows[0].n).toBe(0);
      expect(a.migrations.recorded).toContain('20261210000000_baseline');
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
    const server = createPgPool(a.url.replace(a.database, 'postgres'), { max: 1 });
    try {
      const { rows } = await server.query(
        'SELECT count(*) AS n FROM pg_database WHERE datname = ANY($1::text[])',
        [[a.database, b.database]],
      );
      expect(rows[0].n).toBe(0);
    } finally {
      await server.end();
    }
  });
});
