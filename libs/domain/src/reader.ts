import type { BugDevice, TestPlatform } from './entities.js';
import type { ProblematicRange } from './stores.js';

/**
 * Read ports the services query the mirror through. `libs/persistence` implements them on SQLite
 * (`createMirrorReader`, `createMirrorSearch`), bound to one tenant when created, so no method takes a
 * customer id. Methods are intent-named and return plain rows; sorting is chosen from the closed sets
 * below, never from free text. Timestamps are `Date`s (UTC).
 */

export type SortOrder = 'asc' | 'desc';

/** A window of a result set: skip `offset` rows, return at most `limit`. */
export interface PageRequest {
  readonly offset: number;
  readonly limit: number;
}

/** One window of rows and the exact number of rows matching the filters. */
export interface PageOf<T> {
  readonly items: T[];
  readonly total: number;
}

// --- products ----------------------------------------------------------------------------------------

export const PRODUCT_SORT_FIELDS = ['title', 'product_type', 'last_synced'] as const;
export type ProductSortField = (typeof PRODUCT_SORT_FIELDS)[number];

export interface ProductListQuery extends PageRequest {
  /** Case-insensitive substring of title or description. */
  readonly search?: string;
  readonly productTypes?: readonly string[];
  /** Only these products (the configured scope); absent = all. */
  readonly productIds?: readonly number[];
  readonly sortBy: ProductSortField;
  readonly sortOrder: SortOrder;
  /** Executed tests ending at or after these instants are counted as "recent". */
  readonly recentSince: { readonly days30: Date; readonly days90: Date };
}

export interface ProductListRow {
  readonly id: number;
  readonly title: string;
  readonly type: string | null;
  readonly description: string | null;
  readonly testCount: number;
  readonly featureCount: number;
  readonly testsLast30Days: number;
  readonly testsLast90Days: number;
  /** End of the newest executed test. */
  readonly lastTestEndAt: Date | null;
  readonly syncedAt: Date;
  /** When the product's test list was last walked; null until the first sync reaches it. */
  readonly testsSyncedAt: Date | null;
}

export interface ProductRef {
  readonly id: number;
  readonly title: string;
  readonly type: string | null;
  readonly syncedAt: Date;
  readonly featuresSyncedAt: Date | null;
  readonly testsSyncedAt: Date | null;
}

export interface ProductSummaryRow extends ProductRef {
  readonly description: string | null;
  readonly testCount: number;
  /** Only statuses present. */
  readonly testsByStatus: Record<string, number>;
  readonly featureCount: number;
  readonly userStoryCount: number;
  readonly lastTestEndAt: Date | null;
}

// --- tests -------------------------------------------------------------------------------------------

export const TEST_SORT_FIELDS = ['start_at', 'end_at', 'status', 'title'] as const;
export type TestSortField = (typeof TEST_SORT_FIELDS)[number];

export interface TestListQuery extends PageRequest {
  readonly productId: number;
  readonly statuses?: readonly string[];
  readonly testingType?: string;
  readonly sortBy: TestSortField;
  readonly sortOrder: SortOrder;
}

export interface TestListRow {
  readonly id: number;
  readonly productId: number;
  readonly title: string;
  readonly goal: string | null;
  readonly status: string;
  readonly reviewStatus: string | null;
  readonly testingType: string | null;
  readonly startAt: Date | null;
  readonly endAt: Date | null;
  readonly environment: { readonly id: number; readonly title: string | null } | null;
  readonly bugCount: number;
  readonly syncedAt: Date;
  readonly bugsSyncedAt: Date | null;
}

export interface TestRef {
  readonly id: number;
  readonly productId: number;
  readonly title: string;
  readonly status: string;
  readonly endAt: Date | null;
  readonly syncedAt: Date;
  readonly bugsSyncedAt: Date | null;
}

export interface TestDetailRow extends TestListRow {
  readonly instructions: string | null;
  readonly outOfScope: string | null;
  readonly enableLow: boolean | null;
  readonly enableHigh: boolean | null;
  readonly enableCritical: boolean | null;
  readonly product: { readonly id: number; readonly title: string };
  /** Catalogue features the test covered (`featureId`), with the test's copy of the title. */
  readonly features: ReadonlyArray<{ readonly featureId: number; readonly title: string | null }>;
  readonly platforms: ReadonlyArray<Omit<TestPlatform, 'test_id'>>;
}

/** A bug as aggregated by a test summary. */
export interface TestBugRow {
  readonly id: number;
  readonly title: string;
  readonly severity: string | null;
  readonly status: string | null;
  readonly known: boolean;
  readonly reportedAt: Date | null;
  readonly devices: BugDevice[];
}

// --- features ----------------------------------------------------------------------------------------

export const FEATURE_SORT_FIELDS = ['title', 'test_count', 'bug_count', 'last_synced'] as const;
export type FeatureSortField = (typeof FEATURE_SORT_FIELDS)[number];

export interface FeatureListQuery extends PageRequest {
  readonly productId: number;
  readonly hasUserStories?: boolean;
  readonly sortBy: FeatureSortField;
  readonly sortOrder: SortOrder;
}

export interface FeatureListRow {
  readonly id: number;
  readonly title: string;
  readonly description: string | null;
  readonly howtofind: string | null;
  /** In catalogue order (REST's user-stories listing reads them from the feature list, one query a page). */
  readonly userStories: string[];
  readonly userStoryCount: number;
  /** Distinct tests that covered the feature. */
  readonly testCount: number;
  readonly bugCount: number;
  readonly syncedAt: Date;
}

export interface FeatureDetailRow extends FeatureListRow {
  readonly product: { readonly id: number; readonly title: string };
}

// --- users -------------------------------------------------------------------------------------------

export const USER_SORT_FIELDS = ['username', 'user_type', 'last_activity', 'first_seen'] as const;
export type UserSortField = (typeof USER_SORT_FIELDS)[number];

export interface UserListQuery extends PageRequest {
  readonly userType?: 'tester' | 'customer';
  /** Only users whose last activity (from the data) is at or after this instant; users without any activity are left out. */
  readonly activeSince: Date;
  readonly sortBy: UserSortField;
  readonly sortOrder: SortOrder;
}

export interface UserRow {
  readonly id: number;
  readonly username: string;
  readonly isTester: boolean;
  readonly isCustomer: boolean;
  readonly firstSeenAt: Date;
  readonly lastSeenAt: Date;
  /**
   * From the data, never the sync time: newest bug `reported_at` as author, or test `start_at`/`end_at`
   * as creator or submitter (NULL-safe); null if none.
   */
  readonly lastActivityAt: Date | null;
}

export interface UserSummaryRow extends UserRow {
  readonly testsCreated: number;
  readonly testsSubmitted: number;
  readonly bugsReported: number;
}

// --- bugs --------------------------------------------------------------------------------------------

export const BUG_SORT_FIELDS = ['reported_at', 'severity', 'status', 'title'] as const;
export type BugSortField = (typeof BUG_SORT_FIELDS)[number];

export interface BugListQuery extends PageRequest {
  readonly testIds: readonly number[];
  readonly statuses?: readonly string[];
  readonly severities?: readonly string[];
  readonly rejectionReasons?: readonly string[];
  /** Tester username. */
  readonly author?: string;
  /**
   * `severity` sorts by rank, not alphabetically: `desc` lists the most severe first (critical, high,
   * low, visual, content, custom), `asc` the reverse. Rows without a value come last either way.
   */
  readonly sortBy: BugSortField;
  readonly sortOrder: SortOrder;
}

export interface BugListRow {
  readonly id: number;
  readonly testId: number;
  readonly title: string;
  readonly severity: string | null;
  readonly status: string | null;
  readonly known: boolean;
  readonly rejectionReason: string | null;
  readonly reportedAt: Date | null;
}

export interface BugDetailRow extends BugListRow {
  readonly steps: string | null;
  readonly actualResult: string | null;
  readonly expectedResult: string | null;
  readonly devices: BugDevice[];
  readonly author: string | null;
  readonly reporter: { readonly id: number; readonly username: string } | null;
  readonly test: { readonly id: number; readonly title: string; readonly bugsSyncedAt: Date | null };
  readonly product: { readonly id: number; readonly title: string };
  /** The catalogue feature (resolved through the test's feature copy when the bug only names that). */
  readonly feature: { readonly id: number; readonly title: string } | null;
}

// --- diagnostics -------------------------------------------------------------------------------------

export interface MirrorStats {
  readonly products: number;
  readonly features: number;
  readonly tests: number;
  readonly bugs: number;
  readonly users: number;
  readonly oldestTestEndAt: Date | null;
  readonly newestTestEndAt: Date | null;
  /** Newest `tests_synced_at` of any product: when test data last arrived. */
  readonly lastTestsSyncAt: Date | null;
}

/** Read-only, tenant-bound queries over the mirror. */
export interface MirrorReader {
  listProducts(query: ProductListQuery): Promise<PageOf<ProductListRow>>;
  /** Oldest `synced_at` over the given products (all when absent): when the product list was last read. */
  productsSyncedAt(productIds?: readonly number[]): Promise<Date | null>;
  getProduct(productId: number): Promise<ProductRef | null>;
  getProductSummary(productId: number): Promise<ProductSummaryRow | null>;

  listTests(query: TestListQuery): Promise<PageOf<TestListRow>>;
  /** Refs of the given tests that exist (missing ids are absent), in no particular order. */
  getTestRefs(testIds: readonly number[]): Promise<TestRef[]>;
  getTestDetail(testId: number): Promise<TestDetailRow | null>;
  /** Every bug of a test, newest reported first. */
  listBugsOfTest(testId: number): Promise<TestBugRow[]>;

  listFeatures(query: FeatureListQuery): Promise<PageOf<FeatureListRow>>;
  getFeatureDetail(featureId: number): Promise<FeatureDetailRow | null>;

  listUsers(query: UserListQuery): Promise<PageOf<UserRow>>;
  getUserSummary(userId: number): Promise<UserSummaryRow | null>;
  /** Newest `last_seen_at` of any user: when user data last arrived. */
  usersSeenAt(): Promise<Date | null>;

  listBugs(query: BugListQuery): Promise<PageOf<BugListRow>>;
  getBugDetail(bugId: number): Promise<BugDetailRow | null>;

  stats(): Promise<MirrorStats>;
  /** `MirrorStats.lastTestsSyncAt` alone, without counting every table (answers' freshness blocks). */
  lastTestsSyncAt(): Promise<Date | null>;
  listProblematicRanges(options?: {
    productId?: number;
    includeResolved?: boolean;
    limit?: number;
  }): Promise<ProblematicRange[]>;
}

// --- search ------------------------------------------------------------------------------------------

export const SEARCH_ENTITY_TYPES = ['product', 'feature', 'test', 'bug'] as const;
export type SearchEntityType = (typeof SEARCH_ENTITY_TYPES)[number];

/**
 * Matches of one entity type a search counts exactly; beyond it the count stops and the total is a
 * lower bound (ADR 0018).
 */
export const SEARCH_COUNT_CAP = 1000;

export interface SearchPortOptions {
  readonly query: string;
  /** `simple`: words as typed (no syntax). `raw`: an FTS5 expression; a syntax error is an `InvalidInputError`. */
  readonly mode?: 'simple' | 'raw';
  readonly entityTypes?: readonly SearchEntityType[];
  readonly productIds?: readonly number[];
  /**
   * Tests by `end_at`, bugs by `reported_at`; inclusive. Products and features have no date, so any
   * date bound leaves them out.
   */
  readonly from?: Date;
  readonly to?: Date;
  readonly limit?: number;
  readonly offset?: number;
}

export interface SearchPortHit {
  readonly entity_type: SearchEntityType;
  readonly entity_id: number;
  readonly product_id: number;
  readonly title: string;
  readonly snippet: string | null;
  /** Higher is better. */
  readonly score: number;
  readonly title_match: boolean;
}

export interface SearchPortResult {
  /** The FTS5 expression that ran, or null when the query held no searchable word. */
  readonly match: string | null;
  /** Matches of the query and filters: exact, or a lower bound when `totalIsLowerBound` (ADR 0018). */
  readonly total: number;
  /** The count stopped at its cap (`SEARCH_COUNT_CAP` per entity type): there are at least `total`. */
  readonly totalIsLowerBound: boolean;
  readonly results: SearchPortHit[];
}

/** Full-text search over one tenant's mirror (the shape of persistence's `SearchIndex`, plus dates and raw mode). */
export interface SearchPort {
  search(options: SearchPortOptions): Promise<SearchPortResult>;
}

// --- analytics ---------------------------------------------------------------------------------------

/**
 * The metric cube's vocabulary (the reference's exact keys). The persistence reader maps every key to
 * fixed SQL through an exhaustive whitelist; the services describe every key for
 * `get_analytics_capabilities`. Neither ever puts caller text into SQL.
 */
export const METRIC_DIMENSIONS = [
  'feature',
  'product',
  'platform',
  'tester',
  'customer',
  'severity',
  'status',
  'testing_type',
  'month',
  'week',
  'quarter',
  'rejection_reason',
  'test_environment',
  'known_bug',
] as const;
export type MetricDimension = (typeof METRIC_DIMENSIONS)[number];

export const METRIC_KEYS = [
  'test_count',
  'bug_count',
  'bug_severity_score',
  'features_tested',
  'active_testers',
  'bugs_per_test',
  'tests_created',
  'tests_submitted',
  'overall_acceptance_rate',
  'rejection_rate',
  'review_rate',
  'active_acceptance_rate',
  'auto_acceptance_rate',
] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];

/** Dimensions that describe a bug: grouping by one of them leaves out tests without a matching bug. */
export const BUG_LEVEL_DIMENSIONS: readonly MetricDimension[] = [
  'tester',
  'severity',
  'status',
  'rejection_reason',
  'known_bug',
];

/** `bug_severity_score` weights, for TestIO's real severities. */
export const SEVERITY_SCORE_WEIGHTS = {
  critical: 5,
  high: 3,
  low: 1,
  visual: 1,
  content: 1,
  custom: 1,
} as const;

/**
 * Which tests (and bugs) an analytics question is about. Every field is optional; absent = no filter.
 * Test filters pick tests; bug filters pick bugs (and then only tests with such a bug count).
 */
export interface AnalyticsScope {
  readonly productIds?: readonly number[];
  readonly testIds?: readonly number[];
  /** Test statuses; absent = every status. */
  readonly testStatuses?: readonly string[];
  readonly testingTypes?: readonly string[];
  /** Inclusive bounds on the test's `end_at`. */
  readonly from?: Date;
  readonly to?: Date;
  /** Stored bug statuses (accepted, auto_accepted, rejected, forwarded). */
  readonly bugStatuses?: readonly string[];
  readonly severities?: readonly string[];
  /** Operating system names: tests that required one of them, bugs found on one of them. */
  readonly platforms?: readonly string[];
  /**
   * Values of dimensions to keep (the reference's `filters: { feature: "Login" }`), whether or not the
   * dimension is grouped by: a label (matched case-insensitively) or, where the dimension has ids, an
   * id. Only `runMetricQuery` reads them.
   */
  readonly dimensionValues?: Readonly<Partial<Record<MetricDimension, readonly string[]>>>;
}

export interface MetricQuery {
  readonly dimensions: readonly MetricDimension[];
  readonly metrics: readonly MetricKey[];
  readonly scope: AnalyticsScope;
  /** A selected dimension or metric; absent = the first metric. */
  readonly sortBy?: MetricDimension | MetricKey;
  readonly sortOrder: SortOrder;
  readonly limit: number;
}

/** One group: per dimension its label (`null` = unattributed) and id where it has one; per metric its value. */
export interface MetricRow {
  readonly dimensions: Readonly<
    Record<string, { readonly id: number | null; readonly label: string | null }>
  >;
  readonly metrics: Readonly<Record<string, number | null>>;
}

export interface MetricQueryResult {
  readonly rows: MetricRow[];
  /** Groups before the limit. */
  readonly totalRows: number;
}

/** One test of a report scope with its bug counts. */
export interface ReportTestRow {
  readonly id: number;
  readonly productId: number;
  readonly title: string;
  readonly status: string;
  readonly testingType: string | null;
  readonly startAt: Date | null;
  readonly endAt: Date | null;
  readonly environment: { readonly id: number; readonly title: string | null } | null;
  readonly bugsSyncedAt: Date | null;
  readonly bugs: number;
  /** Bugs per stored status (accepted, auto_accepted, rejected, forwarded; others only in `bugs`). */
  readonly bugsByStatus: Readonly<Record<string, number>>;
  /** Bugs per severity (only severities present). */
  readonly bugsBySeverity: Readonly<Record<string, number>>;
  readonly knownBugs: number;
}

/** Bug counts of a report scope, per product, along one more axis. */
export interface ReportBreakdowns {
  readonly rejectionReasons: ReadonlyArray<{
    readonly productId: number;
    readonly reason: string | null;
    readonly bugs: number;
  }>;
  /** Operating systems the bug was found on: once per distinct OS of its devices; null when it names none. */
  readonly platforms: ReadonlyArray<{
    readonly productId: number;
    readonly platform: string | null;
    readonly bugs: number;
  }>;
}

/** Analytics over one tenant's mirror. */
export interface AnalyticsReader {
  runMetricQuery(query: MetricQuery): Promise<MetricQueryResult>;
  /** Every test in the scope with its bug counts, newest end first. Bug filters of the scope are ignored. */
  reportTests(scope: AnalyticsScope): Promise<ReportTestRow[]>;
  reportBreakdowns(scope: AnalyticsScope): Promise<ReportBreakdowns>;
  /** Operating system names known to the mirror (test requirements and bug devices), for filter hints. */
  listPlatforms(): Promise<string[]>;
}

// --- report files ------------------------------------------------------------------------------------

export interface ReportFile {
  /** Appended to the base name, e.g. `.md`, `.json`, `.tests.csv`. */
  readonly suffix: string;
  /** Text is written as UTF-8; bytes (a chart's PNG) as they are. */
  readonly content: string | Uint8Array;
}

export interface WrittenReportFile {
  /** Absolute path of the written file. */
  readonly path: string;
  readonly suffix: string;
  readonly sizeBytes: number;
}

/**
 * Writes report files inside one configured directory and nowhere else. `relativeBase` is a relative
 * path without the suffix; absolute paths, `..`, paths through symlinks leading out, and existing
 * files (unless `overwrite`) are refused with an `InvalidInputError` on `field`, before anything is
 * written.
 */
export interface ReportFileWriter {
  readonly directory: string;
  write(request: {
    readonly relativeBase: string;
    readonly files: readonly ReportFile[];
    readonly overwrite: boolean;
    readonly field: string;
  }): Promise<WrittenReportFile[]>;
}
