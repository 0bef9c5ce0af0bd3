import { type Bug, type BugStore, type Stored, type UpstreamBug, usersOfBug } from '@testio-mcp/domain';
import { prepared, writeTransaction } from '../sqlite.js';
import { encodeRaw } from '../raw-codec.js';
import { compactBugRaw } from '../raw-payloads.js';
import { rawJson } from '../secrets.js';
import { dbTime, toDbTime } from '../time.js';
import { idList, run, type StoreContext } from './context.js';
import { unknownTest } from './test-store.js';
import { recordUsers, type UserSighting } from './users.js';

/** The columns an upsert writes, in bind order (the PostgreSQL store writes the same). */
export const BUG_COLUMNS = [
  'test_id',
  'product_id',
  'title',
  'severity',
  'status',
  'known',
  'rejection_reason',
  'reported_at',
  'author',
  'test_feature_id',
  'feature_id',
  'language',
  'location',
  'steps',
  'actual_result',
  'expected_result',
  'devices',
  'raw',
] as const;

/**
 * One statement per bug, prepared once. An unchanged bug is left alone (the `WHERE` of the update), so
 * re-syncing a test whose bugs did not change reads but does not write them, and never touches the
 * search index.
 */
const UPSERT_BUG = `
INSERT INTO bugs (customer_id, id, ${BUG_COLUMNS.join(', ')})
VALUES (?, ?, ${BUG_COLUMNS.map(() => '?').join(', ')})
ON CONFLICT (customer_id, id) DO UPDATE SET ${BUG_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}
WHERE ${BUG_COLUMNS.map((c) => `bugs.${c} IS NOT excluded.${c}`).join(' OR ')}`;

const DELETE_OTHER_BUGS = `
DELETE FROM bugs WHERE customer_id = ? AND test_id IN (SELECT value FROM json_each(?))
  AND id NOT IN (SELECT value FROM json_each(?))`;

export class SqliteBugStore implements BugStore {
  constructor(private readonly ctx: StoreContext) {}

  /**
   * Bugs are stored under the product of their test (the mirror's, not the payload's). Fails with a
   * `NotFoundError` for the test (nothing written) when a bug names a test the mirror does not hold.
   * `upserted` counts the bugs given (changed or not), `deleted` the bugs removed from these tests.
   */
  replaceBugsOfTests(
    testIds: readonly number[],
    bugs: ReadonlyArray<Stored<Bug, UpstreamBug>>,
    syncedAt: Date,
  ): Promise<{ upserted: number; deleted: number }> {
    const { db, customerId } = this.ctx;
    const at = dbTime(syncedAt);
    return run(() =>
      writeTransaction(db, () => {
        const involved = new Set<number>(testIds);
        for (const b of bugs) involved.add(b.entity.test_id);
        const productOfTest = this.productsOfTests(involved);
        const users: UserSighting[] = [];

        const bugIds = new Set<number>();
        for (const item of bugs) {
          const productId = productOfTest.get(item.entity.test_id);
          if (productId === undefined) throw unknownTest(item.entity.test_id);
          this.writeBug(item, productId, users);
          bugIds.add(item.entity.id);
        }

        const deleted = prepared(db, DELETE_OTHER_BUGS).run(
          customerId,
          idList(testIds),
          idList(bugIds),
        ).changes;
        prepared(
          db,
          'UPDATE tests SET bugs_synced_at = ? WHERE customer_id = ? AND id IN (SELECT value FROM json_each(?))',
        ).run(at, customerId, idList(testIds));
        recordUsers(this.ctx, users, syncedAt);
        return { upserted: bugIds.size, deleted };
      }),
    );
  }

  upsertBugs(
    bugs: ReadonlyArray<Stored<Bug, UpstreamBug>>,
    at: Date,
  ): Promise<{ upserted: number; skipped: number }> {
    const { db } = this.ctx;
    return run(() =>
      writeTransaction(db, () => {
        const productOfTest = this.productsOfTests(new Set(bugs.map((b) => b.entity.test_id)));
        const users: UserSighting[] = [];
        let upserted = 0;
        for (const item of bugs) {
          const productId = productOfTest.get(item.entity.test_id);
          if (productId === undefined) continue;
          this.writeBug(item, productId, users);
          upserted++;
        }
        recordUsers(this.ctx, users, at);
        return { upserted, skipped: bugs.length - upserted };
      }),
    );
  }

  private productsOfTests(testIds: ReadonlySet<number>): Map<number, number> {
    const { db, customerId } = this.ctx;
    return new Map<number, number>(
      (
        prepared(
          db,
          'SELECT id, product_id FROM tests WHERE customer_id = ? AND id IN (SELECT value FROM json_each(?))',
        ).all(customerId, idList(testIds)) as { id: number; product_id: number }[]
      ).map((r) => [r.id, r.product_id]),
    );
  }

  /** One bug row (unchanged rows are not written), and its reporter for the users table. */
  private writeBug(
    { entity: b, raw }: Stored<Bug, UpstreamBug>,
    productId: number,
    users: UserSighting[],
  ): void {
    const { db, customerId } = this.ctx;
    const reportedAt = toDbTime(b.reported_at);
    prepared(db, UPSERT_BUG).run(
      customerId,
      b.id,
      b.test_id,
      productId,
      b.title,
      b.severity,
      b.status,
      b.known ? 1 : 0,
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
      JSON.stringify(b.devices),
      encodeRaw(rawJson(compactBugRaw(raw, b))),
    );
    for (const user of usersOfBug(raw)) {
      users.push({
        username: user.username,
        role: 'tester',
        firstActivityAt: reportedAt,
        lastActivityAt: reportedAt,
      });
    }
  }
}
