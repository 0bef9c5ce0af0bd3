import { existsSync } from 'node:fs';
import { ConflictError, DatabaseBusyError } from '@testio-mcp/domain';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgDomainError } from './errors.js';
import { createPgPool, redactUrl, withTransaction } from './pool.js';
import { findPostgresBinaries, startThrowawayServer } from './test-server.js';
import { createPgTestDatabase, type PgTestDatabase } from './testing.js';

describe('throwaway PostgreSQL server', () => {
  it('starts from the system binaries, serves, and stops with its directory removed', async () => {
    // Started explicitly: this runs whether or not TESTIO_TEST_DATABASE_URL is set.
    expect(findPostgresBinaries()).toMatch(/\/usr\/lib\/postgresql\/[\d.]+\/bin$/);
    const server = await startThrowawayServer();
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const { rows } = await client.query<{ dir: string; v: string }>(
      "SELECT current_setting('data_directory') AS dir, current_setting('server_version_num') AS v",
    );
    const dir = rows[0]?.dir ?? '';
    expect(Number(rows[0]?.v)).toBeGreaterThanOrEqual(150000);
    expect(existsSync(dir)).toBe(true);
    const closed = new Promise((resolve) => client.once('end', resolve));
    client.on('error', () => undefined);
    server.stop();
    // The server's shutdown ends our session; then the watchdog removes the directory.
    await closed;
    await expect.poll(() => existsSync(dir), { timeout: 30_000 }).toBe(false);
  });
});

describe('PostgreSQL errors and pool', () => {
  let db: PgTestDatabase;
  beforeAll(async () => {
    db = await createPgTestDatabase();
  });
  afterAll(async () => {
    await db.cleanup();
  });

  it('maps unique and foreign key violations to ConflictError and lock timeouts to DatabaseBusyError', async () => {
    const insertProduct = `INSERT INTO products (customer_id, id, title, has_sections, raw, synced_at) VALUES (1, 1, 'P', false, '{}', now())`;
    await db.pool.query(insertProduct);
    const unique = await db.pool.query(insertProduct).catch(pgDomainError);
    expect(unique).toBeInstanceOf(ConflictError);
    expect((unique as ConflictError).message).toBe('The record already exists');
    const orphan = await db.pool
      .query(`INSERT INTO sections (customer_id, id, product_id, name, raw) VALUES (1, 5, 99, 'S', '{}')`)
      .catch(pgDomainError);
    expect(orphan).toBeInstanceOf(ConflictError);
    expect((orphan as ConflictError).message).toMatch(/refers to a record the mirror does not hold/);

    const holder = await db.pool.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT * FROM products WHERE id = 1 FOR UPDATE');
      const busy = await withTransaction(db.pool, async (client) => {
        await client.query("SET LOCAL lock_timeout = '50ms'");
        await client.query("UPDATE products SET title = 'x' WHERE id = 1");
      }).catch(pgDomainError);
      expect(busy).toBeInstanceOf(DatabaseBusyError);
      await holder.query('ROLLBACK');
    } finally {
      holder.release();
    }
    const other = new Error('not a database error');
    expect(pgDomainError(other)).toBe(other);
  });

  it('counts as numbers and keeps timestamps as Dates, without changing pg’s global parsers', async () => {
    const { rows } = await db.pool.query<{ n: number; total: number; at: Date }>(
      "SELECT count(*) AS n, sum(2.5::numeric) AS total, '2026-01-01T00:00:00Z'::timestamptz AS at FROM generate_series(1, 3)",
    );
    expect(rows[0]).toEqual({ n: 3, total: 7.5, at: new Date('2026-01-01T00:00:00Z') });
    const plain = new pg.Client({ connectionString: db.url });
    await plain.connect();
    try {
      expect((await plain.query('SELECT count(*) AS n FROM generate_series(1, 3)')).rows[0].n).toBe('3');
    } finally {
      await plain.end();
    }
  });

  it('never shows a password in a URL it reports', () => {
    const url = new URL('postgresql://db.example:5432/mirror');
    url.username = 'app';
    url.password = 'not-a-real-password';
    expect(redactUrl(url.toString())).toBe(url.toString().replace('not-a-real-password', '***'));
    expect(redactUrl(url.toString())).not.toContain('not-a-real-password');
    expect(redactUrl('not a url')).toBe('postgresql://(unparseable url)');
    const pool = createPgPool('postgresql://postgres@127.0.0.1:1/none', { max: 1 });
    void pool.end();
  });
});
