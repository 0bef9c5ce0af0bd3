import {
  NotFoundError,
  ProductNotFoundError,
  type Stored,
  type Test,
  type TestStore,
  type TestSyncState,
  type UpstreamExploratoryTest,
  usersOfTest,
} from '@testio-mcp/domain';
import type { TestRow } from '../rows.js';
import { changeStamp, prepared, writeTransaction, type Sqlite } from '../sqlite.js';
import { encodeRaw } from '../raw-codec.js';
import { compactTestFeatureRaw, compactTestRaw } from '../raw-payloads.js';
import { rawJson } from '../secrets.js';
import { dbTime, fromDbTime, toDbTime } from '../time.js';
import { bit, idList, run, type StoreContext } from './context.js';
import { recordUsers, type UserSighting } from './users.js';

/** The columns an upsert writes, in bind order (the PostgreSQL store writes the same). */
export const TEST_COLUMNS = [
  'product_id',
  'section_id',
  'title',
  'status',
  'testing_type',
  'goal',
  'instructions',
  'out_of_scope',
  'review_status',
  'start_at',
  'end_at',
  'created_by',
  'submitted_by',
  'enable_low',
  'enable_high',
  'enable_critical',
  'environment',
  'raw',
  'synced_at',
] as const;

const UPSERT_TEST = `
INSERT INTO tests (customer_id, id, ${TEST_COLUMNS.join(', ')})
VALUES (?, ?, ${TEST_COLUMNS.map(() => '?').join(', ')})
ON CONFLICT (customer_id, id) DO UPDATE SET ${TEST_COLUMNS.map((c) => `${c} = excluded.${c}`).join(', ')}`;

const UPSERT_TEST_FEATURE = `
INSERT INTO test_features (customer_id, id, test_id, feature_id, title, description, howtofind, user_stories,
  enable_default, enable_content, enable_visual, raw)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (customer_id, id) DO UPDATE SET
  test_id = excluded.test_id, feature_id = excluded.feature_id, title = excluded.title,
  description = excluded.description, howtofind = excluded.howtofind, user_stories = excluded.user_stories,
  enable_default = excluded.enable_default, enable_content = excluded.enable_content,
  enable_visual = excluded.enable_visual, raw = excluded.raw`;

const INSERT_PLATFORM = `
INSERT INTO test_platforms (customer_id, test_id, position, category, operating_system, min_version, max_version, browsers, raw)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const STATE_COLUMNS = 'id, product_id, status, end_at, synced_at, bugs_synced_at';

type StateRow = Pick<TestRow, 'id' | 'product_id' | 'status' | 'end_at' | 'synced_at' | 'bugs_synced_at'>;

function toState(row: StateRow): TestSyncState {
  return {
    id: row.id,
    productId: row.product_id,
    status: row.status,
    endAt: fromDbTime(row.end_at),
    syncedAt: fromDbTime(row.synced_at),
    bugsSyncedAt: fromDbTime(row.bugs_synced_at),
  };
}

/** Above this many remembered states the cache starts over (a sync's walk asks for thousands). */
const STATE_CACHE_LIMIT = 10_000;

interface StateCache {
  stamp: string;
  /** `customerId:testId` → the state, or null: no such test. */
  readonly states: Map<string, TestSyncState | null>;
}

/**
 * The sync states read per connection under its change stamp. The read-through asks for them before
 * every read of a test (`get_test_summary` twice: the test, then its bugs); while nothing was written
 * they are the rows the last read returned, so they are served from here without the query. Freshness
 * itself is still decided by the caller against its clock.
 */
const stateCaches = new WeakMap<Sqlite, StateCache>();

export class SqliteTestStore implements TestStore {
  constructor(private readonly ctx: StoreContext) {}

  findKnownTestIds(testIds: readonly number[]): Promise<Set<number>> {
    const { db, customerId } = this.ctx;
    return run(
      () =>
        new Set(
          (
            prepared(
              db,
              'SELECT id FROM tests WHERE customer_id = ? AND id IN (SELECT value FROM json_each(?))',
            ).all(customerId, idList(testIds)) as { id: number }[]
          ).map((r) => r.id),
        ),
    );
  }

  /**
   * Fails with `ProductNotFoundError` (nothing written) when a test's product is not in the mirror.
   * Test features and platforms of each given test are replaced; customers named by `created_by` /
   * `submitted_by` are recorded as users.
   */
  upsertTests(items: ReadonlyArray<Stored<Test, UpstreamExploratoryTest>>, syncedAt: Date): Promise<void> {
    const { db, customerId } = this.ctx;
    const at = dbTime(syncedAt);
    return run(() =>
      writeTransaction(db, () => {
        const productIds = [...new Set(items.map((i) => i.entity.product_id))];
        const known = new Set(
          (
            prepared(
              db,
              'SELECT id FROM products WHERE customer_id = ? AND id IN (SELECT value FROM json_each(?))',
            ).all(customerId, idList(productIds)) as { id: number }[]
          ).map((r) => r.id),
        );
        const missing = productIds.find((id) => !known.has(id));
        if (missing !== undefined) {
          throw new ProductNotFoundError(missing, {
            reason: 'Tests can only be stored under a product the mirror holds',
            hint: 'Sync products before their tests',
          });
        }

        const upsertTest = prepared(db, UPSERT_TEST);
        const deleteFeatures = prepared(
          db,
          'DELETE FROM test_features WHERE customer_id = ? AND test_id = ?',
        );
        const upsertFeature = prepared(db, UPSERT_TEST_FEATURE);
        const deletePlatforms = prepared(
          db,
          'DELETE FROM test_platforms WHERE customer_id = ? AND test_id = ?',
        );
        const insertPlatform = prepared(db, INSERT_PLATFORM);
        const users: UserSighting[] = [];
        for (const { entity: t, raw } of items) {
          upsertTest.run(
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
            bit(t.enable_low),
            bit(t.enable_high),
            bit(t.enable_critical),
            t.environment === null ? null : JSON.stringify(t.environment),
            encodeRaw(rawJson(compactTestRaw(raw, t))),
            at,
          );
          deleteFeatures.run(customerId, t.id);
          const rawFeatures = raw.features ?? [];
          for (const f of t.features) {
            upsertFeature.run(
              customerId,
              f.id,
              t.id,
              f.feature_id,
              f.title,
              f.description,
              f.howtofind,
              JSON.stringify(f.user_stories),
              bit(f.enable_default),
              bit(f.enable_content),
              bit(f.enable_visual),
              encodeRaw(
                rawJson(compactTestFeatureRaw(rawFeatures.find((r) => r.id === f.id) ?? { id: f.id }, f)),
              ),
            );
          }
          deletePlatforms.run(customerId, t.id);
          const rawRequirements = raw.requirements ?? [];
          t.platforms.forEach((p, position) => {
            insertPlatform.run(
              customerId,
              t.id,
              position,
              p.category,
              p.operating_system,
              p.min_version,
              p.max_version,
              JSON.stringify(p.browsers),
              encodeRaw(rawJson(rawRequirements[position] ?? {})),
            );
          });
          for (const user of usersOfTest(raw)) {
            users.push({
              username: user.username,
              role: 'customer',
              firstActivityAt: t.start_at ?? t.end_at,
              lastActivityAt: t.end_at ?? t.start_at,
            });
          }
        }
        recordUsers(this.ctx, users, syncedAt);
      }),
    );
  }

  deleteTests(testIds: readonly number[]): Promise<number> {
    const { db, customerId } = this.ctx;
    return run(() =>
      writeTransaction(
        db,
        () =>
          prepared(
            db,
            'DELETE FROM tests WHERE customer_id = ? AND id IN (SELECT value FROM json_each(?))',
          ).run(customerId, idList(testIds)).changes,
      ),
    );
  }

  getTestSyncStates(testIds: readonly number[]): Promise<TestSyncState[]> {
    const { db, customerId } = this.ctx;
    return run(() => {
      const stamp = changeStamp(db);
      let cache = stateCaches.get(db);
      if (!cache || cache.stamp !== stamp || cache.states.size > STATE_CACHE_LIMIT) {
        cache = { stamp, states: new Map() };
        stateCaches.set(db, cache);
      }
      const states = cache.states;
      const ids = [...new Set(testIds)];
      if (ids.every((id) => states.has(`${customerId}:${id}`))) {
        return ids
          .sort((a, b) => a - b)
          .map((id) => states.get(`${customerId}:${id}`))
          .filter((state): state is TestSyncState => state !== null && state !== undefined);
      }
      const found = (
        prepared(
          db,
          `SELECT ${STATE_COLUMNS} FROM tests WHERE customer_id = ? AND id IN (SELECT value FROM json_each(?)) ORDER BY id`,
        ).all(customerId, idList(ids)) as StateRow[]
      ).map(toState);
      for (const id of ids) states.set(`${customerId}:${id}`, null);
      for (const state of found) states.set(`${customerId}:${state.id}`, state);
      return found;
    });
  }

  /** Newest `endAt` first; tests without `endAt` last; ties by id, newest first. */
  listProductTestStates(productId: number): Promise<TestSyncState[]> {
    const { db, customerId } = this.ctx;
    return run(() =>
      (
        prepared(
          db,
          `SELECT ${STATE_COLUMNS} FROM tests WHERE customer_id = ? AND product_id = ?
           ORDER BY end_at DESC NULLS LAST, id DESC`,
        ).all(customerId, productId) as StateRow[]
      ).map(toState),
    );
  }
}

/** Thrown by the bug store when bugs name a test the mirror does not hold. */
export function unknownTest(testId: number): NotFoundError {
  return new NotFoundError('test', testId, {
    reason: 'Bugs can only be stored under a test the mirror holds',
    hint: 'Sync the test before its bugs',
  });
}
