import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyPgDatabase } from './testing.js';
import { createPgPool, withTransaction, type PgPool } from './pool.js';

/**
 * Two transactions that lock the same rows in opposite orders (as two product syncs do on the trigger-kept
 * counters): PostgreSQL aborts one with a deadlock, and `withTransaction` runs it again, so both commit.
 */

let drop: () => Promise<void>;
let pool: PgPool;

beforeAll(async () => {
  const db = await createEmptyPgDatabase();
  drop = db.drop;
  pool = createPgPool(db.url, { max: 4 });
  await pool.query('CREATE TABLE counters (k text PRIMARY KEY, n integer NOT NULL)');
  await pool.query("INSERT INTO counters VALUES ('a', 0), ('b', 0)");
}, 60_000);
afterAll(async () => {
  await pool?.end();
  await drop?.();
});

describe('withTransaction', () => {
  it('runs a transaction PostgreSQL aborted for a deadlock again, so both writers commit', async () => {
    const attempts = { ab: 0, ba: 0 };
    let arrived = 0;
    let release: () => void = () => undefined;
    const bothHoldTheirFirstRow = new Promise<void>((resolve) => (release = resolve));
    const bump = (first: 'a' | 'b', second: 'a' | 'b', key: 'ab' | 'ba') =>
      withTransaction(pool, async (client) => {
        attempts[key]++;
        await client.query('UPDATE counters SET n = n + 1 WHERE k = $1', [first]);
        if (attempts[key] === 1) {
          if (++arrived === 2) release();
          await bothHoldTheirFirstRow;
        }
        await client.query('UPDATE counters SET n = n + 1 WHERE k = $1', [second]);
      });
    await Promise.all([bump('a', 'b', 'ab'), bump('b', 'a', 'ba')]);
    expect(attempts.ab + attempts.ba).toBe(3);
    const { rows } = await pool.query<{ k: string; n: number }>('SELECT k, n FROM counters ORDER BY k');
    expect(rows).toEqual([
      { k: 'a', n: 2 },
      { k: 'b', n: 2 },
    ]);
  });

  it('gives up on other errors at once, rolled back', async () => {
    let attempts = 0;
    await expect(
      withTransaction(pool, async (client) => {
        attempts++;
        await client.query("UPDATE counters SET n = n + 100 WHERE k = 'a'");
        await client.query('SELECT 1 / 0');
      }),
    ).rejects.toMatchObject({ code: '22012' });
    expect(attempts).toBe(1);
    const { rows } = await pool.query<{ n: number }>("SELECT n FROM counters WHERE k = 'a'");
    expect(rows[0]?.n).toBe(2);
  });
});
