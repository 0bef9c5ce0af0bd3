import {
  ProductNotFoundError,
  type Stored,
  type Test,
  type TestStore,
  type TestSyncState,
  type UpstreamExploratoryTest,
  usersOfTest,
} from '@testio-mcp/domain';
import { compactTestFeatureRaw, compactTestRaw } from '../../raw-payloads.js';
import { rawJson } from '../../secrets.js';
import type { UserSighting } from '../../stores/users.js';
import { toDbTime } from '../../time.js';
import { ids, inTransaction, json, type PgStoreContext, query } from './context.js';
import { recordPgUsers } from './users.js';
import { TEST_COLUMNS } from '../../stores/test-store.js';

const UPSERT_TEST = `
INSERT INTO tests (customer_id, id, ${TEST_COLUMNS.join(', ')})
VALUES ($1, $2, ${TEST_COLUMNS.map((_, i) => `$${i + 3}`).join(', ')})
ON CONFLICT (customer_id, id) DO UPDATE SET ${TEST_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`;

const UPSERT_TEST_FEATURE = `
INSERT INTO test_features (customer_id, id, test_id, feature_id, title, description, howtofind, user_stories,
  enable_default, enable_content, enable_visual, raw)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
ON CONFLICT (customer_id, id) DO UPDATE SET
  test_id = excluded.test_id, feature_id = excluded.feature_id, title = excluded.title,
  description = excluded.description, howtofind = excluded.howtofind, user_stories = excluded.user_stories,
  enable_default = excluded.enable_default, enable_content = excluded.enable_content,
  enable_visual = excluded.enable_visual, raw = excluded.raw`;

const INSERT_PLATFORM = `
INSERT INTO test_platforms (customer_id, test_id, position, category, operating_system, min_version, max_version, browsers, raw)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

const STATE_COLUMNS = 'id, product_id, status, end_at, synced_at, bugs_synced_at';

interface StateRow {
  id: number;
  product_id: number;
  status: string;
  end_at: Date | null;
  synced_at: Date | null;
  bugs_synced_at: Date | null;
}

function toState(row: StateRow): TestSyncState {
  return {
    id: row.id,
    productId: row.product_id,
    status: row.status,
    endAt: row.end_at,
    syncedAt: row.synced_at,
    bugsSyncedAt: row.bugs_synced_at,
  };
}

/** The PostgreSQL `TestStore` (see the SQLite store for the semantics). */
export class PgTestStore implements TestStore {
  constructor(private readonly ctx: PgStoreContext) {}

  async findKnownTestIds(testIds: readonly number[]): Promise<Set<number>> {
    const { rows } = await query<{ id: number }>(
      this.ctx,
      'SELECT id FROM tests WHERE customer_id = $1 AND id = ANY($2::int[])',
      [this.ctx.customerId, ids(testIds)],
    );
    return new Set(rows.map((r) => r.id));
  }

  upsertTests(items: ReadonlyArray<Stored<Test, UpstreamExploratoryTest>>, syncedAt: Date): Promise<void> {
    const { customerId } = this.ctx;
    return inTransaction(this.ctx, async (client) => {
      const productIds = ids(items.map((i) => i.entity.product_id));
      // FOR KEY SHARE: a concurrent delete of one of these products waits until the tests are written.
      const { rows } = await client.query<{ id: number }>(
        'SELECT id FROM products WHERE customer_id = $1 AND id = ANY($2::int[]) FOR KEY SHARE',
        [customerId, productIds],
      );
      const known = new Set(rows.map((r) => r.id));
      const missing = productIds.find((id) => !known.has(id));
      if (missing !== undefined) {
        throw new ProductNotFoundError(missing, {
          reason: 'Tests can only be stored under a product the mirror holds',
          hint: 'Sync products before their tests',
        });
      }

      const users: UserSighting[] = [];
      for (const { entity: t, raw } of items) {
        await client.query({
          name: 'testio-upsert-test',
          text: UPSERT_TEST,
          values: [
            customerId,
            t.id,
            t.product_id,
            t.section_id,
            t.title,
            t.status,
            t.testing_type,
            t.goal,
            t.instructions,
            t.out_of_scope,
            t.review_status,
            toDbTime(t.start_at),
            toDbTime(t.end_at),
            t.created_by,
            t.submitted_by,
            t.enable_low,
            t.enable_high,
            t.enable_critical,
            json(t.environment),
            rawJson(compactTestRaw(raw, t)),
            syncedAt,
          ],
        });
        await client.query({
          name: 'testio-delete-test-features',
          text: 'DELETE FROM test_features WHERE customer_id = $1 AND test_id = $2',
          values: [customerId, t.id],
        });
        const rawFeatures = raw.features ?? [];
        for (const f of t.features) {
          await client.query({
            name: 'testio-upsert-test-feature',
            text: UPSERT_TEST_FEATURE,
            values: [
              customerId,
              f.id,
              t.id,
              f.feature_id,
              f.title,
              f.description,
              f.howtofind,
              json(f.user_stories),
              f.enable_default,
              f.enable_content,
              f.enable_visual,
              rawJson(compactTestFeatureRaw(rawFeatures.find((r) => r.id === f.id) ?? { id: f.id }, f)),
            ],
          });
        }
        await client.query({
          name: 'testio-delete-test-platforms',
          text: 'DELETE FROM test_platforms WHERE customer_id = $1 AND test_id = $2',
          values: [customerId, t.id],
        });
        const rawRequirements = raw.requirements ?? [];
        for (const [position, p] of t.platforms.entries()) {
          await client.query({
            name: 'testio-insert-test-platform',
            text: INSERT_PLATFORM,
            values: [
              customerId,
              t.id,
              position,
              p.category,
              p.operating_system,
              p.min_version,
              p.max_version,
              json(p.browsers),
              rawJson(rawRequirements[position] ?? {}),
            ],
          });
        }
        for (const user of usersOfTest(raw)) {
          users.push({
            username: user.username,
            role: 'customer',
            firstActivityAt: t.start_at ?? t.end_at,
            lastActivityAt: t.end_at ?? t.start_at,
          });
        }
      }
      await recordPgUsers(this.ctx, client, users, syncedAt);
    });
  }

  deleteTests(testIds: readonly number[]): Promise<number> {
    return inTransaction(
      this.ctx,
      async (client) =>
        (
          await client.query('DELETE FROM tests WHERE customer_id = $1 AND id = ANY($2::int[])', [
            this.ctx.customerId,
            ids(testIds),
          ])
        ).rowCount ?? 0,
    );
  }

  async getTestSyncStates(testIds: readonly number[]): Promise<TestSyncState[]> {
    const { rows } = await query<StateRow>(
      this.ctx,
      `SELECT ${STATE_COLUMNS} FROM tests WHERE customer_id = $1 AND id = ANY($2::int[]) ORDER BY id`,
      [this.ctx.customerId, ids(testIds)],
    );
    return rows.map(toState);
  }

  /** Newest `endAt` first; tests without `endAt` last; ties by id, newest first. */
  async listProductTestStates(productId: number): Promise<TestSyncState[]> {
    const { rows } = await query<StateRow>(
      this.ctx,
      `SELECT ${STATE_COLUMNS} FROM tests WHERE customer_id = $1 AND product_id = $2
       ORDER BY end_at DESC NULLS LAST, id DESC`,
      [this.ctx.customerId, productId],
    );
    return rows.map(toState);
  }
}
