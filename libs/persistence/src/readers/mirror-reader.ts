import {
  EXECUTED_TEST_STATUSES,
  type BugDetailRow,
  type BugDevice,
  type BugListQuery,
  type BugListRow,
  type BugSortField,
  type FeatureDetailRow,
  type FeatureListQuery,
  type FeatureListRow,
  type FeatureSortField,
  type MirrorReader,
  type MirrorStats,
  type PageOf,
  type ProblematicRange,
  type ProductListQuery,
  type ProductListRow,
  type ProductRef,
  type ProductSortField,
  type ProductSummaryRow,
  type SortOrder,
  type TestBugRow,
  type TestDetailRow,
  type TestListQuery,
  type TestListRow,
  type TestRef,
  type TestSortField,
  type UserListQuery,
  type UserRow,
  type UserSortField,
  type UserSummaryRow,
} from '@testio-mcp/domain';
import { toDomainError } from '../errors.js';
import { prepared, readTransaction, type Sqlite } from '../sqlite.js';
import { dbTime, fromDbTime } from '../time.js';

/**
 * The services' read port on SQLite (better-sqlite3, prepared statements). Every statement is scoped by
 * `customer_id`; user values are only ever bound as parameters. ORDER BY clauses come from the closed
 * maps below, keyed by the domain's sort-field vocabularies, never from caller text.
 */

const DIRECTION: Record<SortOrder, string> = { asc: 'ASC', desc: 'DESC' };

/** `ORDER BY` for a sort expression: NULLs last in both directions, then a stable tie-breaker. */
function orderBy(expression: string, order: SortOrder, tieBreaker: string): string {
  const dir = DIRECTION[order];
  if (!dir) throw new RangeError(`invalid sort order ${String(order)}`);
  return `ORDER BY (${expression}) IS NULL, ${expression} ${dir}, ${tieBreaker} ${dir}`;
}

function pick<K extends string>(map: Record<K, string>, key: K): string {
  const expression = map[key];
  if (expression === undefined) throw new RangeError(`invalid sort field ${String(key)}`);
  return expression;
}

const PRODUCT_SORT: Record<ProductSortField, string> = {
  title: 'p.title COLLATE NOCASE',
  product_type: 'p.type',
  last_synced: 'p.synced_at',
};

const TEST_SORT: Record<TestSortField, string> = {
  start_at: 't.start_at',
  end_at: 't.end_at',
  status: 't.status',
  title: 't.title COLLATE NOCASE',
};

const FEATURE_SORT: Record<FeatureSortField, string> = {
  title: 'f.title COLLATE NOCASE',
  test_count: 'test_count',
  bug_count: 'bug_count',
  last_synced: 'f.synced_at',
};

const USER_SORT: Record<UserSortField, string> = {
  username: 'a.username COLLATE NOCASE',
  user_type: "CASE WHEN a.is_tester THEN 'tester' ELSE 'customer' END",
  last_activity: 'a.last_activity_at',
  first_seen: 'a.first_seen_at',
};

/** Severity rank: 1 = most severe. */
const SEVERITY_RANK = `CASE b.severity WHEN 'critical' THEN 1 WHEN 'high' THEN 2 WHEN 'low' THEN 3 WHEN 'visual' THEN 4
  WHEN 'content' THEN 5 WHEN 'custom' THEN 6 ELSE 7 END`;

function bugOrder(field: BugSortField, order: SortOrder): string {
  if (field === 'severity') {
    // "desc" means most severe first, i.e. ascending rank; unknown severities last either way.
    const dir = order === 'desc' ? 'ASC' : 'DESC';
    return `ORDER BY b.severity IS NULL, ${SEVERITY_RANK} ${dir}, b.reported_at DESC, b.id DESC`;
  }
  const map: Record<Exclude<BugSortField, 'severity'>, string> = {
    reported_at: 'b.reported_at',
    status: 'b.status',
    title: 'b.title COLLATE NOCASE',
  };
  return orderBy(pick(map, field), order, 'b.id');
}

/** `?list IS NULL OR col IN (json list)`: an optional filter bound as one JSON parameter. */
function jsonList(values: readonly (string | number)[] | undefined): string | null {
  return values === undefined ? null : JSON.stringify(values);
}

function run<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(toDomainError(error));
  }
}

function parseJson<T>(text: string | null, fallback: T): T {
  if (text === null) return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function requiredTime(value: string): Date {
  return fromDbTime(value) ?? new Date(0);
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

// --- row shapes as SQLite returns them -----------------------------------------------------------

interface ProductRowRaw {
  id: number;
  title: string;
  type: string | null;
  description: string | null;
  synced_at: string;
  features_synced_at: string | null;
  tests_synced_at: string | null;
}

interface TestRowRaw {
  id: number;
  product_id: number;
  title: string;
  goal: string | null;
  status: string;
  review_status: string | null;
  testing_type: string | null;
  start_at: string | null;
  end_at: string | null;
  environment: string | null;
  synced_at: string;
  bugs_synced_at: string | null;
  bug_count: number;
}

interface BugRowRaw {
  id: number;
  test_id: number;
  title: string;
  severity: string | null;
  status: string | null;
  known: number;
  rejection_reason: string | null;
  reported_at: string | null;
}

interface UserRowRaw {
  id: number;
  username: string;
  is_tester: number;
  is_customer: number;
  first_seen_at: string;
  last_seen_at: string;
  last_activity_at: string | null;
}

function toProductRef(r: ProductRowRaw): ProductRef {
  return {
    id: r.id,
    title: r.title,
    type: r.type,
    syncedAt: requiredTime(r.synced_at),
    featuresSyncedAt: fromDbTime(r.features_synced_at),
    testsSyncedAt: fromDbTime(r.tests_synced_at),
  };
}

function toTestRow(r: TestRowRaw): TestListRow {
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

function toBugRow(r: BugRowRaw): BugListRow {
  return {
    id: r.id,
    testId: r.test_id,
    title: r.title,
    severity: r.severity,
    status: r.status,
    known: r.known === 1,
    rejectionReason: r.rejection_reason,
    reportedAt: fromDbTime(r.reported_at),
  };
}

function toUserRow(r: UserRowRaw): UserRow {
  return {
    id: r.id,
    username: r.username,
    isTester: r.is_tester === 1,
    isCustomer: r.is_customer === 1,
    firstSeenAt: requiredTime(r.first_seen_at),
    lastSeenAt: requiredTime(r.last_seen_at),
    lastActivityAt: fromDbTime(r.last_activity_at),
  };
}

// --- SQL -----------------------------------------------------------------------------------------

const EXECUTED = JSON.stringify(EXECUTED_TEST_STATUSES);

const PRODUCT_WHERE = `p.customer_id = @customerId
  AND (@search IS NULL OR p.title LIKE @search ESCAPE '\\' OR coalesce(p.description, '') LIKE @search ESCAPE '\\')
  AND (@types IS NULL OR p.type IN (SELECT value FROM json_each(@types)))
  AND (@ids IS NULL OR p.id IN (SELECT value FROM json_each(@ids)))`;

const PRODUCT_LIST_SELECT = `SELECT p.id, p.title, p.type, p.description, p.synced_at, p.tests_synced_at,
  (SELECT count(*) FROM tests t WHERE t.customer_id = p.customer_id AND t.product_id = p.id) AS test_count,
  (SELECT count(*) FROM features f WHERE f.customer_id = p.customer_id AND f.product_id = p.id) AS feature_count,
  (SELECT count(*) FROM tests t WHERE t.customer_id = p.customer_id AND t.product_id = p.id
     AND t.status IN (SELECT value FROM json_each('${EXECUTED}')) AND t.end_at >= @since30) AS tests_30,
  (SELECT count(*) FROM tests t WHERE t.customer_id = p.customer_id AND t.product_id = p.id
     AND t.status IN (SELECT value FROM json_each('${EXECUTED}')) AND t.end_at >= @since90) AS tests_90,
  (SELECT max(t.end_at) FROM tests t WHERE t.customer_id = p.customer_id AND t.product_id = p.id
     AND t.status IN (SELECT value FROM json_each('${EXECUTED}'))) AS last_end
FROM products p WHERE ${PRODUCT_WHERE}`;

const TEST_COLUMNS = `t.id, t.product_id, t.title, t.goal, t.status, t.review_status, t.testing_type, t.start_at, t.end_at,
  t.environment, t.synced_at, t.bugs_synced_at,
  (SELECT count(*) FROM bugs b WHERE b.customer_id = t.customer_id AND b.test_id = t.id) AS bug_count`;

const TEST_WHERE = `t.customer_id = @customerId AND t.product_id = @productId
  AND (@statuses IS NULL OR t.status IN (SELECT value FROM json_each(@statuses)))
  AND (@testingType IS NULL OR t.testing_type = @testingType)`;

const FEATURE_COLUMNS = `f.id, f.product_id, f.title, f.description, f.howtofind, f.user_stories, f.synced_at,
  json_array_length(f.user_stories) AS user_story_count,
  (SELECT count(DISTINCT tf.test_id) FROM test_features tf WHERE tf.customer_id = f.customer_id AND tf.feature_id = f.id) AS test_count,
  (SELECT count(*) FROM bugs b WHERE b.customer_id = f.customer_id AND b.feature_id = f.id) AS bug_count`;

const FEATURE_WHERE = `f.customer_id = @customerId AND f.product_id = @productId
  AND (@hasStories IS NULL OR (json_array_length(f.user_stories) > 0) = @hasStories)`;

/**
 * Users with their activity. `last_activity_at` is kept by the stores from the data itself (newest bug
 * `reported_at` as author, test `start_at`/`end_at` as creator or submitter; NULL-safe), never from the
 * sync time, and is indexed, so lists filter and sort on it cheaply.
 */
const USER_ACTIVITY = `WITH a AS (
  SELECT u.id, u.username, u.is_tester, u.is_customer, u.first_seen_at, u.last_seen_at, u.last_activity_at
  FROM users u WHERE u.customer_id = @customerId)`;

const USER_WHERE = `(@userType IS NULL OR (@userType = 'tester' AND a.is_tester = 1) OR (@userType = 'customer' AND a.is_customer = 1))
  AND a.last_activity_at >= @activeSince`;

const BUG_WHERE = `b.customer_id = @customerId AND b.test_id IN (SELECT value FROM json_each(@testIds))
  AND (@statuses IS NULL OR b.status IN (SELECT value FROM json_each(@statuses)))
  AND (@severities IS NULL OR b.severity IN (SELECT value FROM json_each(@severities)))
  AND (@reasons IS NULL OR b.rejection_reason IN (SELECT value FROM json_each(@reasons)))
  AND (@author IS NULL OR b.author = @author)`;

const BUG_COLUMNS =
  'b.id, b.test_id, b.title, b.severity, b.status, b.known, b.rejection_reason, b.reported_at';

export function createMirrorReader(db: Sqlite, customerId: number): MirrorReader {
  const all = <T>(sql: string, params: Record<string, unknown>): T[] =>
    prepared(db, sql).all({ customerId, ...params }) as T[];
  const one = <T>(sql: string, params: Record<string, unknown>): T | undefined =>
    prepared(db, sql).get({ customerId, ...params }) as T | undefined;
  const count = (sql: string, params: Record<string, unknown>): number =>
    one<{ n: number }>(sql, params)?.n ?? 0;

  return {
    listProducts(q: ProductListQuery): Promise<PageOf<ProductListRow>> {
      return run(() =>
        readTransaction(db, () => {
          const params = {
            search: q.search ? likePattern(q.search) : null,
            types: jsonList(q.productTypes),
            ids: jsonList(q.productIds),
          };
          const total = count(`SELECT count(*) AS n FROM products p WHERE ${PRODUCT_WHERE}`, params);
          const rows = all<
            ProductRowRaw & {
              test_count: number;
              feature_count: number;
              tests_30: number;
              tests_90: number;
              last_end: string | null;
              tests_synced_at: string | null;
            }
          >(
            `${PRODUCT_LIST_SELECT} ${orderBy(pick(PRODUCT_SORT, q.sortBy), q.sortOrder, 'p.id')} LIMIT @limit OFFSET @offset`,
            {
              ...params,
              since30: dbTime(q.recentSince.days30),
              since90: dbTime(q.recentSince.days90),
              limit: q.limit,
              offset: q.offset,
            },
          );
          return {
            total,
            items: rows.map((r) => ({
              id: r.id,
              title: r.title,
              type: r.type,
              description: r.description,
              testCount: r.test_count,
              featureCount: r.feature_count,
              testsLast30Days: r.tests_30,
              testsLast90Days: r.tests_90,
              lastTestEndAt: fromDbTime(r.last_end),
              syncedAt: requiredTime(r.synced_at),
              testsSyncedAt: fromDbTime(r.tests_synced_at),
            })),
          };
        }),
      );
    },

    productsSyncedAt(productIds?: readonly number[]): Promise<Date | null> {
      return run(() =>
        fromDbTime(
          one<{ t: string | null }>(
            `SELECT min(p.synced_at) AS t FROM products p WHERE p.customer_id = @customerId
               AND (@ids IS NULL OR p.id IN (SELECT value FROM json_each(@ids)))`,
            { ids: jsonList(productIds) },
          )?.t,
        ),
      );
    },

    getProduct(productId: number): Promise<ProductRef | null> {
      return run(() => {
        const r = one<ProductRowRaw>('SELECT * FROM products WHERE customer_id = @customerId AND id = @id', {
          id: productId,
        });
        return r ? toProductRef(r) : null;
      });
    },

    getProductSummary(productId: number): Promise<ProductSummaryRow | null> {
      return run(() =>
        readTransaction(db, () => {
          const r = one<ProductRowRaw>(
            'SELECT * FROM products WHERE customer_id = @customerId AND id = @id',
            { id: productId },
          );
          if (!r) return null;
          const statuses = all<{ status: string; n: number }>(
            'SELECT status, count(*) AS n FROM tests WHERE customer_id = @customerId AND product_id = @id GROUP BY status ORDER BY status',
            { id: productId },
          );
          const extra = one<{ features: number; stories: number; last_end: string | null }>(
            `SELECT (SELECT count(*) FROM features WHERE customer_id = @customerId AND product_id = @id) AS features,
               (SELECT count(*) FROM user_stories WHERE customer_id = @customerId AND product_id = @id) AS stories,
               (SELECT max(end_at) FROM tests WHERE customer_id = @customerId AND product_id = @id
                  AND status IN (SELECT value FROM json_each('${EXECUTED}'))) AS last_end`,
            { id: productId },
          );
          return {
            ...toProductRef(r),
            description: r.description,
            testCount: statuses.reduce((sum, s) => sum + s.n, 0),
            testsByStatus: Object.fromEntries(statuses.map((s) => [s.status, s.n])),
            featureCount: extra?.features ?? 0,
            userStoryCount: extra?.stories ?? 0,
            lastTestEndAt: fromDbTime(extra?.last_end),
          };
        }),
      );
    },

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
          const order = orderBy(pick(TEST_SORT, q.sortBy), q.sortOrder, 't.id');
          const rows = all<TestRowRaw>(
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
        all<{
          id: number;
          product_id: number;
          title: string;
          status: string;
          end_at: string | null;
          synced_at: string;
          bugs_synced_at: string | null;
        }>(
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
            TestRowRaw & {
              instructions: string | null;
              out_of_scope: string | null;
              enable_low: number | null;
              enable_high: number | null;
              enable_critical: number | null;
              product_title: string;
            }
          >(
            `SELECT ${TEST_COLUMNS}, t.instructions, t.out_of_scope, t.enable_low, t.enable_high, t.enable_critical,
               p.title AS product_title
             FROM tests t JOIN products p ON p.customer_id = t.customer_id AND p.id = t.product_id
             WHERE t.customer_id = @customerId AND t.id = @id`,
            { id: testId },
          );
          if (!r) return null;
          const features = all<{ feature_id: number; title: string | null }>(
            `SELECT tf.feature_id, coalesce(f.title, tf.title) AS title FROM test_features tf
             LEFT JOIN features f ON f.customer_id = tf.customer_id AND f.id = tf.feature_id
             WHERE tf.customer_id = @customerId AND tf.test_id = @id ORDER BY tf.id`,
            { id: testId },
          );
          const platforms = all<{
            category: string | null;
            operating_system: string | null;
            min_version: string | null;
            max_version: string | null;
            browsers: string;
          }>(
            `SELECT category, operating_system, min_version, max_version, browsers FROM test_platforms
             WHERE customer_id = @customerId AND test_id = @id ORDER BY position`,
            { id: testId },
          );
          const bool = (v: number | null): boolean | null => (v === null ? null : v === 1);
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

    listBugsOfTest(testId: number): Promise<TestBugRow[]> {
      return run(() =>
        all<BugRowRaw & { devices: string }>(
          `SELECT ${BUG_COLUMNS}, b.devices FROM bugs b WHERE b.customer_id = @customerId AND b.test_id = @id
           ORDER BY b.reported_at IS NULL, b.reported_at DESC, b.id DESC`,
          { id: testId },
        ).map((r) => {
          const row = toBugRow(r);
          return {
            id: row.id,
            title: row.title,
            severity: row.severity,
            status: row.status,
            known: row.known,
            reportedAt: row.reportedAt,
            devices: parseJson<BugDevice[]>(r.devices, []),
          };
        }),
      );
    },

    listFeatures(q: FeatureListQuery): Promise<PageOf<FeatureListRow>> {
      return run(() =>
        readTransaction(db, () => {
          const params = {
            productId: q.productId,
            hasStories: q.hasUserStories === undefined ? null : q.hasUserStories ? 1 : 0,
          };
          const total = count(`SELECT count(*) AS n FROM features f WHERE ${FEATURE_WHERE}`, params);
          const rows = all<FeatureRaw>(
            `SELECT ${FEATURE_COLUMNS} FROM features f WHERE ${FEATURE_WHERE}
             ${orderBy(pick(FEATURE_SORT, q.sortBy), q.sortOrder, 'f.id')} LIMIT @limit OFFSET @offset`,
            { ...params, limit: q.limit, offset: q.offset },
          );
          return { total, items: rows.map(toFeatureRow) };
        }),
      );
    },

    getFeatureDetail(featureId: number): Promise<FeatureDetailRow | null> {
      return run(() => {
        const r = one<FeatureRaw & { product_title: string }>(
          `SELECT ${FEATURE_COLUMNS}, p.title AS product_title FROM features f
           JOIN products p ON p.customer_id = f.customer_id AND p.id = f.product_id
           WHERE f.customer_id = @customerId AND f.id = @id`,
          { id: featureId },
        );
        if (!r) return null;
        return {
          ...toFeatureRow(r),
          userStories: parseJson<unknown[]>(r.user_stories, []).filter(
            (s): s is string => typeof s === 'string',
          ),
          product: { id: r.product_id, title: r.product_title },
        };
      });
    },

    listUsers(q: UserListQuery): Promise<PageOf<UserRow>> {
      return run(() =>
        readTransaction(db, () => {
          const params = { userType: q.userType ?? null, activeSince: dbTime(q.activeSince) };
          const total = count(`${USER_ACTIVITY} SELECT count(*) AS n FROM a WHERE ${USER_WHERE}`, params);
          const rows = all<UserRowRaw>(
            `${USER_ACTIVITY} SELECT a.* FROM a WHERE ${USER_WHERE} ${orderBy(pick(USER_SORT, q.sortBy), q.sortOrder, 'a.id')}
             LIMIT @limit OFFSET @offset`,
            { ...params, limit: q.limit, offset: q.offset },
          );
          return { total, items: rows.map(toUserRow) };
        }),
      );
    },

    getUserSummary(userId: number): Promise<UserSummaryRow | null> {
      return run(() => {
        const r = one<UserRowRaw & { created: number; submitted: number; reported: number }>(
          `${USER_ACTIVITY} SELECT a.*,
             (SELECT count(*) FROM tests t WHERE t.customer_id = @customerId AND t.created_by = a.username) AS created,
             (SELECT count(*) FROM tests t WHERE t.customer_id = @customerId AND t.submitted_by = a.username) AS submitted,
             (SELECT count(*) FROM bugs b WHERE b.customer_id = @customerId AND b.author = a.username) AS reported
           FROM a WHERE a.id = @id`,
          { id: userId },
        );
        if (!r) return null;
        return {
          ...toUserRow(r),
          testsCreated: r.created,
          testsSubmitted: r.submitted,
          bugsReported: r.reported,
        };
      });
    },

    usersSeenAt(): Promise<Date | null> {
      return run(() =>
        fromDbTime(
          one<{ t: string | null }>(
            'SELECT max(last_seen_at) AS t FROM users WHERE customer_id = @customerId',
            {},
          )?.t,
        ),
      );
    },

    listBugs(q: BugListQuery): Promise<PageOf<BugListRow>> {
      return run(() =>
        readTransaction(db, () => {
          const params = {
            testIds: JSON.stringify(q.testIds),
            statuses: jsonList(q.statuses),
            severities: jsonList(q.severities),
            reasons: jsonList(q.rejectionReasons),
            author: q.author ?? null,
          };
          const total = count(`SELECT count(*) AS n FROM bugs b WHERE ${BUG_WHERE}`, params);
          const rows = all<BugRowRaw>(
            `SELECT ${BUG_COLUMNS} FROM bugs b WHERE ${BUG_WHERE} ${bugOrder(q.sortBy, q.sortOrder)} LIMIT @limit OFFSET @offset`,
            { ...params, limit: q.limit, offset: q.offset },
          );
          return { total, items: rows.map(toBugRow) };
        }),
      );
    },

    getBugDetail(bugId: number): Promise<BugDetailRow | null> {
      return run(() => {
        const r = one<
          BugRowRaw & {
            steps: string | null;
            actual_result: string | null;
            expected_result: string | null;
            devices: string;
            author: string | null;
            reporter_id: number | null;
            test_title: string;
            bugs_synced_at: string | null;
            product_id: number;
            product_title: string;
            feature_id: number | null;
            feature_title: string | null;
          }
        >(
          `SELECT ${BUG_COLUMNS}, b.steps, b.actual_result, b.expected_result, b.devices, b.author,
             u.id AS reporter_id, t.title AS test_title, t.bugs_synced_at, t.product_id, p.title AS product_title,
             coalesce(b.feature_id, tf.feature_id) AS feature_id, coalesce(f.title, tf.title) AS feature_title
           FROM bugs b
           JOIN tests t ON t.customer_id = b.customer_id AND t.id = b.test_id
           JOIN products p ON p.customer_id = t.customer_id AND p.id = t.product_id
           LEFT JOIN users u ON u.customer_id = b.customer_id AND u.username = b.author
           LEFT JOIN test_features tf ON tf.customer_id = b.customer_id AND tf.id = b.test_feature_id
           LEFT JOIN features f ON f.customer_id = b.customer_id AND f.id = coalesce(b.feature_id, tf.feature_id)
           WHERE b.customer_id = @customerId AND b.id = @id`,
          { id: bugId },
        );
        if (!r) return null;
        return {
          ...toBugRow(r),
          steps: r.steps,
          actualResult: r.actual_result,
          expectedResult: r.expected_result,
          devices: parseJson<BugDevice[]>(r.devices, []),
          author: r.author,
          reporter:
            r.reporter_id !== null && r.author !== null ? { id: r.reporter_id, username: r.author } : null,
          test: { id: r.test_id, title: r.test_title, bugsSyncedAt: fromDbTime(r.bugs_synced_at) },
          product: { id: r.product_id, title: r.product_title },
          feature:
            r.feature_id !== null
              ? { id: r.feature_id, title: r.feature_title ?? `Feature ${r.feature_id}` }
              : null,
        };
      });
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

    stats(): Promise<MirrorStats> {
      return run(() => {
        const r = one<{
          products: number;
          features: number;
          tests: number;
          bugs: number;
          users: number;
          oldest: string | null;
          newest: string | null;
          last_tests: string | null;
        }>(
          // Row counts the sync keeps by trigger (entity_counts, ADR 0018), not count(*) of a million bugs.
          `SELECT (SELECT n FROM entity_counts WHERE customer_id = @customerId AND entity = 'products') AS products,
             (SELECT n FROM entity_counts WHERE customer_id = @customerId AND entity = 'features') AS features,
             (SELECT n FROM entity_counts WHERE customer_id = @customerId AND entity = 'tests') AS tests,
             (SELECT n FROM entity_counts WHERE customer_id = @customerId AND entity = 'bugs') AS bugs,
             (SELECT n FROM entity_counts WHERE customer_id = @customerId AND entity = 'users') AS users,
             (SELECT min(end_at) FROM tests WHERE customer_id = @customerId) AS oldest,
             (SELECT max(end_at) FROM tests WHERE customer_id = @customerId) AS newest,
             (SELECT max(tests_synced_at) FROM products WHERE customer_id = @customerId) AS last_tests`,
          {},
        );
        return {
          products: r?.products ?? 0,
          features: r?.features ?? 0,
          tests: r?.tests ?? 0,
          bugs: r?.bugs ?? 0,
          users: r?.users ?? 0,
          oldestTestEndAt: fromDbTime(r?.oldest),
          newestTestEndAt: fromDbTime(r?.newest),
          lastTestsSyncAt: fromDbTime(r?.last_tests),
        };
      });
    },

    listProblematicRanges(
      options: { productId?: number; includeResolved?: boolean; limit?: number } = {},
    ): Promise<ProblematicRange[]> {
      return run(() =>
        all<RangeRaw>(
          `SELECT * FROM problematic_ranges WHERE customer_id = @customerId
             AND (@productId IS NULL OR product_id = @productId) AND (@includeResolved OR resolved_at IS NULL)
           ORDER BY last_seen_at DESC, id DESC LIMIT @limit`,
          {
            productId: options.productId ?? null,
            includeResolved: options.includeResolved ? 1 : 0,
            limit: Math.max(1, Math.min(1000, options.limit ?? 100)),
          },
        ).map((r) => ({
          id: r.id,
          productId: r.product_id,
          offsetFrom: r.offset_from,
          offsetTo: r.offset_to,
          boundaryBeforeId: r.boundary_before_id,
          boundaryBeforeEndAt: fromDbTime(r.boundary_before_end_at),
          boundaryAfterId: r.boundary_after_id,
          boundaryAfterEndAt: fromDbTime(r.boundary_after_end_at),
          attempts: r.attempts,
          lastError: r.last_error,
          firstSeenAt: requiredTime(r.first_seen_at),
          lastSeenAt: requiredTime(r.last_seen_at),
          resolvedAt: fromDbTime(r.resolved_at),
        })),
      );
    },
  };
}

interface FeatureRaw {
  id: number;
  product_id: number;
  title: string;
  description: string | null;
  howtofind: string | null;
  user_stories: string;
  synced_at: string;
  user_story_count: number | null;
  test_count: number;
  bug_count: number;
}

function toFeatureRow(r: FeatureRaw): FeatureListRow {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    howtofind: r.howtofind,
    userStoryCount: r.user_story_count ?? 0,
    testCount: r.test_count,
    bugCount: r.bug_count,
    syncedAt: requiredTime(r.synced_at),
  };
}

interface RangeRaw {
  id: number;
  product_id: number;
  offset_from: number;
  offset_to: number;
  boundary_before_id: number | null;
  boundary_before_end_at: string | null;
  boundary_after_id: number | null;
  boundary_after_end_at: string | null;
  attempts: number;
  last_error: string;
  first_seen_at: string;
  last_seen_at: string;
  resolved_at: string | null;
}
