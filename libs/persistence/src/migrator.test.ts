import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, migrate, MigrationError, readMigrations } from './migrator.js';
import { openSqlite, type Sqlite } from './sqlite.js';

let dir: string;
let migrationsDir: string;
let dbPath: string;
const open: Sqlite[] = [];

function connect(): Sqlite {
  const db = openSqlite(dbPath);
  open.push(db);
  return db;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'testio-mcp-migrator-'));
  migrationsDir = join(dir, 'migrations');
  cpSync(DEFAULT_MIGRATIONS_DIR, migrationsDir, { recursive: true });
  dbPath = join(dir, 'mirror.db');
});

afterEach(() => {
  for (const db of open.splice(0)) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function recorded(
  db: Sqlite,
): { migration_name: string; checksum: string; finished_at: string | null; applied_steps_count: number }[] {
  return db
    .prepare(
      'SELECT migration_name, checksum, finished_at, applied_steps_count FROM _prisma_migrations ORDER BY migration_name',
    )
    .all() as never;
}

describe('migrate', () => {
  it('applies every migration once, in order, and records Prisma-compatible rows', () => {
    const db = connect();
    const files = readMigrations(migrationsDir);
    expect(files.map((f) => f.name)).toEqual([...files.map((f) => f.name)].sort());
    const first = migrate(db, { migrationsDir });
    expect(first.applied).toEqual(files.map((f) => f.name));
    const rows = recorded(db);
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, row] of rows.entries()) {
      expect(row.checksum).toBe(files[i]?.checksum);
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
      expect(row.applied_steps_count).toBe(1);
    }
    const columns = (
      db.prepare('SELECT name FROM pragma_table_info(?)').all('_prisma_migrations') as { name: string }[]
    ).map((c) => c.name);
    expect(columns).toEqual([
      'id',
      'checksum',
      'finished_at',
      'migration_name',
      'logs',
      'rolled_back_at',
      'started_at',
      'applied_steps_count',
    ]);
  });

  it('is idempotent', () => {
    const db = connect();
    migrate(db, { migrationsDir });
    const again = migrate(db, { migrationsDir });
    expect(again.applied).toEqual([]);
    expect(recorded(db)).toHaveLength(readMigrations(migrationsDir).length);
  });

  it('applies only what is new', () => {
    const db = connect();
    migrate(db, { migrationsDir });
    mkdirSync(join(migrationsDir, '29991231000000_add_note'));
    writeFileSync(
      join(migrationsDir, '29991231000000_add_note', 'migration.sql'),
      'CREATE TABLE "notes" ("id" INTEGER NOT NULL PRIMARY KEY);\n',
    );
    expect(migrate(db, { migrationsDir }).applied).toEqual(['29991231000000_add_note']);
  });

  it('refuses to run when an applied migration was changed, naming it', () => {
    const db = connect();
    migrate(db, { migrationsDir });
    const [firstFile] = readMigrations(migrationsDir);
    if (!firstFile) throw new Error('no migrations');
    writeFileSync(firstFile.path, `${readFileSync(firstFile.path, 'utf8')}\n-- edited\n`);
    expect(() => migrate(db, { migrationsDir })).toThrow(MigrationError);
    expect(() => migrate(db, { migrationsDir })).toThrow(
      new RegExp(`${firstFile.name} was modified after it was applied`),
    );
  });

  it('accepts an applied migration whose only change is CRLF line endings', () => {
    const db = connect();
    migrate(db, { migrationsDir });
    const [firstFile] = readMigrations(migrationsDir);
    if (!firstFile) throw new Error('no migrations');
    writeFileSync(firstFile.path, readFileSync(firstFile.path, 'utf8').replace(/\n/g, '\r\n'));
    expect(migrate(db, { migrationsDir }).applied).toEqual([]);
  });

  it('refuses to run when an applied migration is missing on disk', () => {
    const db = connect();
    migrate(db, { migrationsDir });
    const [firstFile] = readMigrations(migrationsDir);
    if (!firstFile) throw new Error('no migrations');
    renameSync(join(migrationsDir, firstFile.name), join(dir, 'moved-away'));
    expect(() => migrate(db, { migrationsDir })).toThrow(
      new RegExp(`${firstFile.name} is applied to this database but its folder is missing`),
    );
  });

  it('rolls a failing migration back completely and records nothing for it', () => {
    const db = connect();
    migrate(db, { migrationsDir });
    mkdirSync(join(migrationsDir, '29991231000000_broken'));
    writeFileSync(
      join(migrationsDir, '29991231000000_broken', 'migration.sql'),
      'CREATE TABLE "half_done" ("id" INTEGER);\nTHIS IS NOT SQL;\n',
    );
    expect(() => migrate(db, { migrationsDir })).toThrow(
      /Migration 29991231000000_broken failed and was rolled back/,
    );
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'").get()).toEqual({
      n: 0,
    });
    expect(recorded(db).map((r) => r.migration_name)).not.toContain('29991231000000_broken');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('refuses a migration recorded as started but never finished', () => {
    const db = connect();
    migrate(db, { migrationsDir });
    db.prepare(
      'UPDATE _prisma_migrations SET finished_at = NULL WHERE migration_name = (SELECT min(migration_name) FROM _prisma_migrations)',
    ).run();
    expect(() => migrate(db, { migrationsDir })).toThrow(/was started but never finished/);
  });

  it('lets a migration rebuild a parent table without cascading deletes into its children', () => {
    const db = connect();
    migrate(db, { migrationsDir });
    db.prepare(
      `INSERT INTO products (customer_id, id, title, has_sections, raw, synced_at) VALUES (1, 1, 'P', 0, '{}', '2025-01-01T00:00:00.000+00:00')`,
    ).run();
    db.prepare(
      `INSERT INTO sections (customer_id, id, product_id, name, raw) VALUES (1, 10, 1, 'S', '{}')`,
    ).run();
    mkdirSync(join(migrationsDir, '29991231000000_rebuild_products'));
    writeFileSync(
      join(migrationsDir, '29991231000000_rebuild_products', 'migration.sql'),
      [
        'CREATE TABLE "new_products" AS SELECT * FROM "products";',
        'DROP TABLE "products";',
        'ALTER TABLE "new_products" RENAME TO "products";',
        'CREATE UNIQUE INDEX "products_customer_id_id_key" ON "products"("customer_id", "id");',
      ].join('\n'),
    );
    migrate(db, { migrationsDir });
    expect(db.prepare('SELECT count(*) AS n FROM sections').get()).toEqual({ n: 1 });
  });

  it('applies each migration exactly once when several processes start at the same time', async () => {
    const fixture = fileURLToPath(new URL('./__fixtures__/migrate-child.ts', import.meta.url));
    const startAt = Date.now() + 1500;
    const outputs = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<string[]>((resolve, reject) => {
            const child = spawn(
              process.execPath,
              ['--import', 'tsx', fixture, dbPath, migrationsDir, String(startAt)],
              {
                stdio: ['ignore', 'pipe', 'pipe'],
              },
            );
            let out = '';
            let err = '';
            child.stdout.on('data', (d: Buffer) => (out += d.toString()));
            child.stderr.on('data', (d: Buffer) => (err += d.toString()));
            child.on('error', reject);
            child.on('exit', (code) =>
              code === 0
                ? resolve(JSON.parse(out) as string[])
                : reject(new Error(`child failed (${code}): ${err}`)),
            );
          }),
      ),
    );
    const names = readMigrations(migrationsDir).map((f) => f.name);
    // Between them the processes applied every migration exactly once.
    expect(outputs.flat().sort()).toEqual(names);
    const db = connect();
    expect(recorded(db).map((r) => r.migration_name)).toEqual(names);
    // Four cold tsx processes can take a while on a busy 2-core machine.
  }, 180_000);
});
