import type pg from 'pg';
import { type Bug, type BugStore, type Stored, type UpstreamBug, usersOfBug } from '@testio-mcp/domain';
import { compactBugRaw } from '../../raw-payloads.js';
import { rawJson } from '../../secrets.js';
import { unknownTest } from '../../stores/test-store.js';
import type { UserSighting } from '../../stores/users.js';
import { toDbTime } from '../../time.js';
import { ids, inTransaction, json, type PgStoreContext } from './context.js';
import { recordPgUsers } from './users.js';
import { BUG_COLUMNS } from '../../stores/bug-store.js';

/**
 * One statement per bug. An unchanged bug is left alone (the `WHERE` of the update), so re-syncing a test
 * whose bugs did not change writes nothing and fires no trigger. `raw` is json (no equality operator):
 * compared as text, which is what is stored.
 */
const UPSERT_BUG = `
INSERT INTO bugs (customer_id, id, ${BUG_COLUMNS.join(', ')})
VALUES ($1, $2, ${BUG_COLUMNS.map((_, i) => `$${i + 3}`).join(', ')})
ON CONFLICT (customer_id, id) DO UPDATE SET ${BUG_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}
WHERE ${BUG_COLUMNS.map((c) =>
  c === 'raw'
    ? 'bugs.raw::text IS DISTINCT FROM excluded.raw::text'
    : `bugs.${c} IS DISTINCT FROM excluded.${c}`,
).join(' OR ')}`;

type Client = pg.PoolClient;

/** The product of each of these tests, rows locked in id order (see `replaceBugsOfTests`). */
async function lockProductsOfTests(
  client: Client,
  customerId: number,
  testIds: Iterable<number>,
): Promise<Map<number, number>> {
  // FOR UPDATE, in id order: two writers of the same tests' bugs take turns (the aggregates the
  // triggers keep per test are read-modify-write).
  const { rows } = await client.query<{ id: number; product_id: number }>(
    'SELECT id, product_id FROM tests WHERE customer_id = $1 AND id = ANY($2::int[]) ORDER BY id FOR UPDATE',
    [customerId, [...testIds]],
  );
  return new Map(rows.map((r) => [r.id, r.product_id]));
}

/** Upserts one bug and notes its tester users. */
async function writeBug(
  client: Client,
  customerId: number,
  { entity: b, raw }: Stored<Bug, UpstreamBug>,
  productId: number,
  users: UserSighting[],
): Promise<void> {
  const reportedAt = toDbTime(b.reported_at);
  await client.query({
    name: 'testio-upsert-bug',
    text: UPSERT_BUG,
    values: [
      customerId,
      b.id,
      b.test_id,
      productId,
      b.title,
      b.severity,
      b.status,
      b.known,
      b.rejection_reason,
      reportedAt,
      b.author,
      b.test_feature_id,
      b.feature_id,
      b.language,
      b.location,
      b.steps,
      b.actual_result,
      b.expected_result,
      json(b.devices),
      rawJson(compactBugRaw(raw, b)),
    ],
  });
  for (const user of usersOfBug(raw)) {
    users.push({
      username: user.username,
      role: 'tester',
      firstActivityAt: reportedAt,
      lastActivityAt: reportedAt,
    });
  }
}

/** The PostgreSQL `BugStore` (see the SQLite store for the semantics). */
export class PgBugStore implements BugStore {
  constructor(private readonly ctx: PgStoreContext) {}

  replaceBugsOfTests(
    testIds: readonly number[],
    bugs: ReadonlyArray<Stored<Bug, UpstreamBug>>,
    syncedAt: Date,
  ): Promise<{ upserted: number; deleted: number }> {
    const { customerId } = this.ctx;
    return inTransaction(this.ctx, async (client) => {
      const involved = new Set<number>(testIds);
      for (const b of bugs) involved.add(b.entity.test_id);
      const productOfTest = await lockProductsOfTests(client, customerId, involved);

      const users: UserSighting[] = [];
      const bugIds = new Set<number>();
      for (const item of bugs) {
        const productId = productOfTest.get(item.entity.test_id);
        if (productId === undefined) throw unknownTest(item.entity.test_id);
        await writeBug(client, customerId, item, productId, users);
        bugIds.add(item.entity.id);
      }

      const deleted =
        (
          await client.query(
            'DELETE FROM bugs WHERE customer_id = $1 AND test_id = ANY($2::int[]) AND NOT (id = ANY($3::int[]))',
            [customerId, ids(testIds), [...bugIds]],
          )
        ).rowCount ?? 0;
      await client.query(
        'UPDATE tests SET bugs_synced_at = $1 WHERE customer_id = $2 AND id = ANY($3::int[])',
        [syncedAt, customerId, ids(testIds)],
      );
      await recordPgUsers(this.ctx, client, users, syncedAt);
      return { upserted: bugIds.size, deleted };
    });
  }

  upsertBugs(
    bugs: ReadonlyArray<Stored<Bug, UpstreamBug>>,
    at: Date,
  ): Promise<{ upserted: number; skipped: number }> {
    const { customerId } = this.ctx;
    return inTransaction(this.ctx, async (client) => {
      const productOfTest = await lockProductsOfTests(
        client,
        customerId,
        new Set(bugs.map((b) => b.entity.test_id)),
      );
      const users: UserSighting[] = [];
      let upserted = 0;
      for (const item of bugs) {
        const productId = productOfTest.get(item.entity.test_id);
        if (productId === undefined) continue;
        await writeBug(client, customerId, item, productId, users);
        upserted++;
      }
      await recordPgUsers(this.ctx, client, users, at);
      return { upserted, skipped: bugs.length - upserted };
    });
  }
}
