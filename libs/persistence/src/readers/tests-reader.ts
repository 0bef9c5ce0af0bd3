import type {
  MirrorReader,
  PageOf,
  TestDetailRow,
  TestListQuery,
  TestListRow,
  TestRef,
  TestSortField,
} from '@testio-mcp/domain';
import type { ProductRow, TestFeatureRow, TestPlatformRow, TestRow } from '../rows.js';
import { readTransaction } from '../sqlite.js';
import { fromDbTime } from '../time.js';
import {
  jsonList,
  orderBy,
  parseJson,
  type ReaderContext,
  requiredTime,
  run,
  sortExpression,
} from './sql.js';

export type TestsReader = Pick<
  MirrorReader,
  'listTests' | 'getTestRefs' | 'getTestDetail' | 'lastTestsSyncAt'
>;

const TEST_SORT: Record<TestSortField, string> = {
  start_at: 't.start_at',
  end_at: 't.end_at',
  status: 't.status',
  title: 't.title COLLATE NOCASE',
};

const TEST_COLUMNS = `t.id, t.product_id, t.title, t.goal, t.status, t.review_status, t.testing_type, t.start_at, t.end_at,
  t.environment, t.synced_at, t.bugs_synced_at,
  (SELECT count(*) FROM bugs b WHERE b.customer_id = t.customer_id AND b.test_id = t.id) AS bug_count`;

type TestListSqlRow = Pick<
  TestRow,
  | 'id'
  | 'product_id'
  | 'title'
  | 'goal'
  | 'status'
  | 'review_status'
  | 'testing_type'
  | 'start_at'
  | 'end_at'
  | 'environment'
  | 'synced_at'
  | 'bugs_synced_at'
> & { bug_count: number };

const TEST_WHERE = `t.customer_id = @customerId AND t.product_id = @productId
  AND (@statuses IS NULL OR t.status IN (SELECT value FROM json_each(@statuses)))
  AND (@testingType IS NULL OR t.testing_type = @testingType)`;

function toTestRow(r: TestListSqlRow): TestListRow {
  const env = parseJson<{ id?: number; title?: string | null } | null>(r.environment, null);
  return {
    id: r.id,
    productId: r.product_id,
    title: r.title,
    goal: r.goal,
    status: r.status,
    reviewStatus: r.review_status,
    testingType: r.testing_type,
    startAt: fromDbTime(r.start_at),
    endAt: fromDbTime(r.end_at),
    environment: env && typeof env.id === 'number' ? { id: env.id, title: env.title ?? null } : null,
    bugCount: r.bug_count,
    syncedAt: requiredTime(r.synced_at),
    bugsSyncedAt: fromDbTime(r.bugs_synced_at),
  };
}

const bool = (v: number | null): boolean | null => (v === null ? null : v === 1);

export function createTestsReader(ctx: ReaderContext): TestsReader {
  const { db, all, one, count } = ctx;
  return {
    listTests(q: TestListQuery): Promise<PageOf<TestListRow>> {
      return run(() =>
        readTransaction(db, () => {
          const params = {
            productId: q.productId,
            statuses: jsonList(q.statuses),
            testingType: q.testingType ?? null,
          };
          const total = count(`SELECT count(*) AS n FROM tests t WHERE ${TEST_WHERE}`, params);
          // The page is chosen first, then its rows are read with their bug counts: a product of 12,000
          // tests would otherwise count the bugs of every test before sorting (~80 ms at `large`).
          const order = orderBy(sortExpression(TEST_SORT, q.sortBy), q.sortOrder, 't.id');
          const rows = all<TestListSqlRow>(
            `SELECT ${TEST_COLUMNS} FROM tests t WHERE t.customer_id = @customerId AND t.id IN (
               SELECT t.id FROM tests t WHERE ${TEST_WHERE} ${order} LIMIT @limit OFFSET @offset)
             ${order}`,
            { ...params, limit: q.limit, offset: q.offset },
          );
          return { total, items: rows.map(toTestRow) };
        }),
      );
    },

    getTestRefs(testIds: readonly number[]): Promise<TestRef[]> {
      return run(() =>
        all<
          Pick<TestRow, 'id' | 'product_id' | 'title' | 'status' | 'end_at' | 'synced_at' | 'bugs_synced_at'>
        >(
          `SELECT id, product_id, title, status, end_at, synced_at, bugs_synced_at FROM tests
           WHERE customer_id = @customerId AND id IN (SELECT value FROM json_each(@ids))`,
          { ids: JSON.stringify(testIds) },
        ).map((r) => ({
          id: r.id,
          productId: r.product_id,
          title: r.title,
          status: r.status,
          endAt: fromDbTime(r.end_at),
          syncedAt: requiredTime(r.synced_at),
          bugsSyncedAt: fromDbTime(r.bugs_synced_at),
        })),
      );
    },

    getTestDetail(testId: number): Promise<TestDetailRow | null> {
      return run(() =>
        readTransaction(db, () => {
          const r = one<
            TestListSqlRow &
              Pick<
                TestRow,
                'instructions' | 'out_of_scope' | 'enable_low' | 'enable_high' | 'enable_critical'
              > & {
                product_title: ProductRow['title'];
              }
          >(
            `SELECT ${TEST_COLUMNS}, t.instructions, t.out_of_scope, t.enable_low, t.enable_high, t.enable_critical,
               p.title AS product_title
             FROM tests t JOIN products p ON p.customer_id = t.customer_id AND p.id = t.product_id
             WHERE t.customer_id = @customerId AND t.id = @id`,
            { id: testId },
          );
          if (!r) return null;
          const features = all<Pick<TestFeatureRow, 'feature_id' | 'title'>>(
            `SELECT tf.feature_id, coalesce(f.title, tf.title) AS title FROM test_features tf
             LEFT JOIN features f ON f.customer_id = tf.customer_id AND f.id = tf.feature_id
             WHERE tf.customer_id = @customerId AND tf.test_id = @id ORDER BY tf.id`,
            { id: testId },
          );
          const platforms = all<
            Pick<
              TestPlatformRow,
              'category' | 'operating_system' | 'min_version' | 'max_version' | 'browsers'
            >
          >(
            `SELECT category, operating_system, min_version, max_version, browsers FROM test_platforms
             WHERE customer_id = @customerId AND test_id = @id ORDER BY position`,
            { id: testId },
          );
          return {
            ...toTestRow(r),
            instructions: r.instructions,
            outOfScope: r.out_of_scope,
            enableLow: bool(r.enable_low),
            enableHigh: bool(r.enable_high),
            enableCritical: bool(r.enable_critical),
            product: { id: r.product_id, title: r.product_title },
            features: features.map((f) => ({ featureId: f.feature_id, title: f.title })),
            platforms: platforms.map((p) => ({
              category: p.category,
              operating_system: p.operating_system,
              min_version: p.min_version,
              max_version: p.max_version,
              browsers: parseJson<string[]>(p.browsers, []),
            })),
          };
        }),
      );
    },

    lastTestsSyncAt(): Promise<Date | null> {
      return run(() =>
        fromDbTime(
          one<{ t: string | null }>(
            'SELECT max(tests_synced_at) AS t FROM products WHERE customer_id = @customerId',
            {},
          )?.t,
        ),
      );
    },
  };
}
