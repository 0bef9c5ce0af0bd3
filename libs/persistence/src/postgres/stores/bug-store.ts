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

/** PostgreSQL types of BUG_COLUMNS, for reading them back from one JSON parameter. */
const BUG_COLUMN_TYPES: Record<(typeof BUG_COLUMNS)[number], string> = {
  test_id: 'integer',
  product_id: 'integer',
  title: 'text',
  severity: 'text',
  status: 'text',
  known: 'boolean',
  rejection_reason: 'text',
  reported_at: 'timestamptz(3)',
  author: 'text',
  test_feature_id: 'integer',
  feature_id: 'integer',
  language: 'text',
  location: 'text',
  steps: 'text',
  actual_result: 'text',
  expected_result: 'text',
  devices: 'jsonb',
  raw: 'json',
};

/**
 * Every bug of a write in ONE statement: the rows travel as one JSON array (`json_to_recordset`), so a
 * batch of bugs costs one round trip instead of one per bug (a first sync or a read-ahead writes
 * thousands: 4,933 for the largest product of `small`). `devices` and `raw` travel as text and are cast,
 * so `raw` is stored byte for byte. An unchanged bug is left alone (the `WHERE` of the update), so
 * re-syncing a test whose bugs did not change writes nothing and fires no trigger. `raw` is json (no
 * equality operator): compared as text, which is what is stored.
 */
const UPSERT_BUGS = `
INSERT INTO bugs (customer_id, id, ${BUG_COLUMNS.join(', ')})
SELECT $1, r.id, ${BUG_COLUMNS.map((c) => `r.${c}::${BUG_COLUMN_TYPES[c]}`).join(', ')}
FROM json_to_recordset($2::json) AS r(id integer, ${BUG_COLUMNS.map((c) => `${c} ${c === 'devices' || c === 'raw' ? 'text' : BUG_COLUMN_TYPES[c]}`).join(', ')})
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

/**
 * Upserts the bugs (each with its product) and notes their tester users. A bug listed twice is written
 * once, as last listed (one statement cannot update a row twice).
 */
async function writeBugs(
  client: Client,
  customerId: number,
  bugs: ReadonlyArray<{ stored: Stored<Bug, UpstreamBug>; productId: number }>,
  users: UserSighting[],
): Promise<void> {
  const rows = new Map<number, Record<string, unknown>>();
  for (const { stored, productId } of bugs) {
    const { entity: b, raw } = stored;
    const reportedAt = toDbTime(b.reported_at);
    rows.delete(b.id);
    rows.set(b.id, {
      id: b.id,
      test_id: b.test_id,
      product_id: productId,
      title: b.title,
      severity: b.severity,
      status: b.status,
      known: b.known,
      rejection_reason: b.rejection_reason,
      reported_at: reportedAt,
      author: b.author,
      test_feature_id: b.test_feature_id,
      feature_id: b.feature_id,
      language: b.language,
      location: b.location,
      steps: b.steps,
      actual_result: b.actual_result,
      expected_result: b.expected_result,
      devices: json(b.devices),
      raw: rawJson(compactBugRaw(raw, b)),
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
  if (rows.size === 0) return;
  await client.query({
    name: 'testio-upsert-bugs',
    text: UPSERT_BUGS,
    values: [customerId, JSON.stringify([...rows.values()])],
  });
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
      const writes: Array<{ stored: Stored<Bug, UpstreamBug>; productId: number }> = [];
      for (const item of bugs) {
        const productId = productOfTest.get(item.entity.test_id);
        if (productId === undefined) throw unknownTest(item.entity.test_id);
        writes.push({ stored: item, productId });
        bugIds.add(item.entity.id);
      }
      await writeBugs(client, customerId, writes, users);

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
      const writes: Array<{ stored: Stored<Bug, UpstreamBug>; productId: number }> = [];
      for (const item of bugs) {
        const productId = productOfTest.get(item.entity.test_id);
        if (productId !== undefined) writes.push({ stored: item, productId });
      }
      await writeBugs(client, customerId, writes, users);
      const upserted = writes.length;
      await recordPgUsers(this.ctx, client, users, at);
      return { upserted, skipped: bugs.length - upserted };
    });
  }
}
