import type {
  PageOf,
  TestDetailRow,
  TestListQuery,
  TestListRow,
  TestPlatform,
  TestRef,
  TestSortField,
} from '@testio-mcp/domain';
import type { TestsReader } from '../../readers/tests-reader.js';
import {
  binary,
  bool,
  jsonValue,
  list,
  nocase,
  orderBy,
  type PgReaderContext,
  requiredTime,
  run,
  sortExpression,
  time,
} from './sql.js';

const TEST_SORT: Record<TestSortField, string> = {
  start_at: 't.start_at',
  end_at: 't.end_at',
  status: binary('t.status'),
  title: nocase('t.title'),
};

const TEST_COLUMNS = `t.id, t.product_id, t.title, t.goal, t.status, t.review_status, t.testing_type, t.start_at, t.end_at,
  t.environment, t.synced_at, t.bugs_synced_at,
  (SELECT count(*) FROM bugs b WHERE b.customer_id = t.customer_id AND b.test_id = t.id) AS bug_count`;

interface TestListSqlRow {
  id: number;
  product_id: number;
  title: string;
  goal: string | null;
  status: string;
  review_status: string | null;
  testing_type: string | null;
  start_at: Date | null;
  end_at: Date | null;
  environment: unknown;
  synced_at: Date;
  bugs_synced_at: Date | null;
  bug_count: number;
}

const TEST_WHERE = `t.customer_id = @customerId AND t.product_id = @productId::int
  AND (@statuses::text[] IS NULL OR t.status = ANY(@statuses::text[]))
  AND (@testingType::text IS NULL OR t.testing_type = @testingType::text)`;

function toTestRow(r: TestListSqlRow): TestListRow {
  const env = jsonValue<{ id?: number; title?: string | null } | null>(r.environment, null);
  return {
    id: r.id,
    productId: r.product_id,
    title: r.title,
    goal: r.goal,
    status: r.status,
    reviewStatus: r.review_status,
    testingType: r.testing_type,
    startAt: time(r.start_at),
    endAt: time(r.end_at),
    environment: env && typeof env.id === 'number' ? { id: env.id, title: env.title ?? null } : null,
    bugCount: Number(r.bug_count),
    syncedAt: requiredTime(r.synced_at),
    bugsSyncedAt: time(r.bugs_synced_at),
  };
}

export function createPgTestsReader(ctx: PgReaderContext): TestsReader {
  return {
    listTests(q: TestListQuery): Promise<PageOf<TestListRow>> {
      return run(() =>
        ctx.snapshot(async ({ all, count }) => {
          const params = {
            productId: q.productId,
            statuses: list(q.statuses),
            testingType: q.testingType ?? null,
          };
          const total = await count(`SELECT count(*) AS n FROM tests t WHERE ${TEST_WHERE}`, params);
          // The page is chosen first, then its rows are read with their bug counts (as on SQLite).
          const order = orderBy(sortExpression(TEST_SORT, q.sortBy), q.sortOrder, 't.id');
          const rows = await all<TestListSqlRow>(
            `SELECT ${TEST_COLUMNS} FROM tests t WHERE t.customer_id = @customerId AND t.id IN (
               SELECT t.id FROM tests t WHERE ${TEST_WHERE} ${order} LIMIT @limit::int OFFSET @offset::int)
             ${order}`,
            { ...params, limit: q.limit, offset: q.offset },
          );
          return { total, items: rows.map(toTestRow) };
        }),
      );
    },

    getTestRefs(testIds: readonly number[]): Promise<TestRef[]> {
      return run(async () =>
        (
          await ctx.q.all<{
            id: number;
            product_id: number;
            title: string;
            status: string;
            end_at: Date | null;
            synced_at: Date;
            bugs_synced_at: Date | null;
          }>(
            `SELECT id, product_id, title, status, end_at, synced_at, bugs_synced_at FROM tests
             WHERE customer_id = @customerId AND id = ANY(@ids::int[])`,
            { ids: [...testIds] },
          )
        ).map((r) => ({
          id: r.id,
          productId: r.product_id,
          title: r.title,
          status: r.status,
          endAt: time(r.end_at),
          syncedAt: requiredTime(r.synced_at),
          bugsSyncedAt: time(r.bugs_synced_at),
        })),
      );
    },

    getTestDetail(testId: number): Promise<TestDetailRow | null> {
      return run(() =>
        ctx.snapshot(async ({ all, one }) => {
          const r = await one<
            TestListSqlRow & {
              instructions: string | null;
              out_of_scope: string | null;
              enable_low: boolean | null;
              enable_high: boolean | null;
              enable_critical: boolean | null;
              product_title: string;
            }
          >(
            `SELECT ${TEST_COLUMNS}, t.instructions, t.out_of_scope, t.enable_low, t.enable_high, t.enable_critical,
               p.title AS product_title
             FROM tests t JOIN products p ON p.customer_id = t.customer_id AND p.id = t.product_id
             WHERE t.customer_id = @customerId AND t.id = @id::int`,
            { id: testId },
          );
          if (!r) return null;
          const features = await all<{ feature_id: number; title: string | null }>(
            `SELECT tf.feature_id, coalesce(f.title, tf.title) AS title FROM test_features tf
             LEFT JOIN features f ON f.customer_id = tf.customer_id AND f.id = tf.feature_id
             WHERE tf.customer_id = @customerId AND tf.test_id = @id::int ORDER BY tf.id`,
            { id: testId },
          );
          const platforms = await all<{
            category: string | null;
            operating_system: string | null;
            min_version: string | null;
            max_version: string | null;
            browsers: unknown;
          }>(
            `SELECT category, operating_system, min_version, max_version, browsers FROM test_platforms
             WHERE customer_id = @customerId AND test_id = @id::int ORDER BY position`,
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
            platforms: platforms.map((p): Omit<TestPlatform, 'test_id'> => ({
              category: p.category,
              operating_system: p.operating_system,
              min_version: p.min_version,
              max_version: p.max_version,
              browsers: jsonValue<string[]>(p.browsers, []),
            })),
          };
        }),
      );
    },

    lastTestsSyncAt(): Promise<Date | null> {
      return run(async () =>
        time(
          (
            await ctx.q.one<{ t: Date | null }>(
              'SELECT max(tests_synced_at) AS t FROM products WHERE customer_id = @customerId',
            )
          )?.t,
        ),
      );
    },
  };
}
