import type pg from 'pg';
import type { Sqlite } from '../sqlite.js';

/**
 * Copies a SQLite mirror's base rows into a migrated PostgreSQL database with plain INSERTs, so both
 * engines hold the same data: the rows the SQLite SyncStores wrote, converted by the PostgreSQL column
 * types (0/1 → boolean, JSON text → jsonb, ISO text → timestamptz). The derived tables (counts,
 * aggregates) are left to PostgreSQL's own triggers, which is what the analytics tests check. The
 * surrogate `pk` columns are left to PostgreSQL's identities.
 */
export const COPIED_TABLES = [
  'products',
  'sections',
  'features',
  'user_stories',
  'users',
  'tests',
  'test_features',
  'test_platforms',
  'bugs',
] as const;

export async function copyMirrorToPostgres(sqlite: Sqlite, pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const table of COPIED_TABLES) {
      const types = new Map(
        (
          await client.query<{ column_name: string; data_type: string }>(
            `SELECT column_name, data_type FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = $1`,
            [table],
          )
        ).rows.map((r) => [r.column_name, r.data_type]),
      );
      const rows = sqlite.prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>;
      for (const row of rows) {
        const columns = Object.keys(row).filter((c) => c !== 'pk' && types.has(c));
        const values = columns.map((c) => {
          const value = row[c];
          return types.get(c) === 'boolean' && value !== null ? value !== 0 : value;
        });
        await client.query(
          `INSERT INTO ${table} (${columns.map((c) => `"${c}"`).join(', ')})
           VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
          values,
        );
      }
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
