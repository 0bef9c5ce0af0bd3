import {
  BUG_SEVERITIES,
  BUG_STATUSES,
  METRIC_DIMENSIONS,
  METRIC_KEYS,
  SEVERITY_SCORE_WEIGHTS,
  TEST_STATUSES,
  TESTING_TYPES,
  type MetricDimension,
  type MetricKey,
} from '@testio-mcp/domain';

/**
 * The one description of the metric cube: every dimension, metric and filter `query_metrics` accepts,
 * with what it means, an example and (for metrics) the formula. `get_analytics_capabilities`, the
 * parameter descriptions, the validation messages and docs/analytics.md are all generated from here;
 * the SQL behind each key lives in persistence (`analytics-reader.ts`), keyed by the same vocabulary.
 */

export type DimensionKind = 'entity' | 'categorical' | 'time';
/** `test`: a property of the test; `bug`: of the bug (groups only bugs); `both`: tests and bugs each carry one. */
export type DimensionLevel = 'test' | 'bug' | 'both';

export interface DimensionInfo {
  readonly description: string;
  readonly example: string;
  readonly kind: DimensionKind;
  readonly level: DimensionLevel;
  /** Rows carry `<key>_id` next to `<key>`. */
  readonly hasId: boolean;
}

export const DIMENSION_INFO: Record<MetricDimension, DimensionInfo> = {
  feature: {
    description:
      'Group by Feature Title: the catalogue feature a test covered or a bug was filed against (null = no feature: tests without features, bugs without a feature link)',
    example: 'Login, Signup, Dashboard',
    kind: 'entity',
    level: 'both',
    hasId: true,
  },
  product: {
    description: 'Group by Product',
    example: 'Checkout Web, Banking iOS',
    kind: 'entity',
    level: 'test',
    hasId: true,
  },
  platform: {
    description:
      'Group by Platform (OS): tests by the operating systems they required, bugs by the operating systems of the devices they were found on (null = none named)',
    example: 'iOS, Android, Windows, Mac OS',
    kind: 'entity',
    level: 'both',
    hasId: false,
  },
  tester: {
    description: 'Group by Tester Username (the bug author)',
    example: 'alice, bob, charlie',
    kind: 'entity',
    level: 'bug',
    hasId: true,
  },
  customer: {
    description: 'Group by Customer Username (who created the test; null = unknown)',
    example: 'acme_corp, beta_user_1',
    kind: 'entity',
    level: 'test',
    hasId: true,
  },
  severity: {
    description: 'Group by Bug Severity',
    example: BUG_SEVERITIES.join(', '),
    kind: 'categorical',
    level: 'bug',
    hasId: false,
  },
  status: {
    description: 'Group by Bug Status (accepted, auto_accepted, rejected, forwarded = open)',
    example: BUG_STATUSES.join(', '),
    kind: 'categorical',
    level: 'bug',
    hasId: false,
  },
  testing_type: {
    description: 'Group by Testing Type',
    example: TESTING_TYPES.join(', '),
    kind: 'categorical',
    level: 'test',
    hasId: false,
  },
  month: {
    description: 'Group by Month (test end date, UTC)',
    example: '2024-11, 2024-12',
    kind: 'time',
    level: 'test',
    hasId: false,
  },
  week: {
    description:
      "Group by Week (test end date, UTC; SQLite '%Y-W%W': Monday-based week of the year 00-53, not ISO weeks)",
    example: '2024-W47, 2024-W48',
    kind: 'time',
    level: 'test',
    hasId: false,
  },
  quarter: {
    description: 'Group by Quarter (test end date, UTC)',
    example: '2024-Q3, 2024-Q4',
    kind: 'time',
    level: 'test',
    hasId: false,
  },
  rejection_reason: {
    description:
      'Group by Rejection Reason (rejected bugs; null for other bugs and rejections without a known reason)',
    example: 'ignored_instructions, not_reproducible',
    kind: 'categorical',
    level: 'bug',
    hasId: false,
  },
  test_environment: {
    description: 'Group by Test Environment (null = the test names none)',
    example: 'Staging, Production, iOS 14',
    kind: 'entity',
    level: 'test',
    hasId: true,
  },
  known_bug: {
    description: 'Group by Known Bug Status',
    example: 'true, false',
    kind: 'categorical',
    level: 'bug',
    hasId: false,
  },
};

export type MetricKind = 'count' | 'rate';

export interface MetricInfo {
  readonly description: string;
  readonly formula: string;
  readonly kind: MetricKind;
}

const weights = Object.entries(SEVERITY_SCORE_WEIGHTS)
  .map(([s, w]) => `${s} ${w}`)
  .join(', ');

export const METRIC_INFO: Record<MetricKey, MetricInfo> = {
  test_count: { description: 'Total number of tests', formula: 'COUNT(DISTINCT test_id)', kind: 'count' },
  bug_count: { description: 'Total number of bugs found', formula: 'COUNT(DISTINCT bug_id)', kind: 'count' },
  bug_severity_score: {
    description: `Weighted bug severity score (${weights})`,
    formula: `SUM over distinct bugs of the severity weight (${weights})`,
    kind: 'count',
  },
  features_tested: {
    description: 'Number of unique features tested (covered by a test or named by a bug)',
    formula: 'COUNT(DISTINCT feature_id)',
    kind: 'count',
  },
  active_testers: {
    description: 'Number of unique testers (bug authors)',
    formula: 'COUNT(DISTINCT bug author)',
    kind: 'count',
  },
  bugs_per_test: {
    description: 'Ratio of bugs to tests (fragility metric)',
    formula: 'bug_count / NULLIF(test_count, 0)',
    kind: 'rate',
  },
  tests_created: {
    description: 'Number of tests created by customers',
    formula: 'COUNT(DISTINCT test_id WHERE created_by IS NOT NULL)',
    kind: 'count',
  },
  tests_submitted: {
    description: 'Number of tests submitted for review',
    formula: 'COUNT(DISTINCT test_id WHERE submitted_by IS NOT NULL)',
    kind: 'count',
  },
  overall_acceptance_rate: {
    description: 'Overall acceptance rate (active + auto accepted / total bugs)',
    formula: 'COUNT(DISTINCT accepted or auto_accepted bug_id) / NULLIF(COUNT(DISTINCT bug_id), 0)',
    kind: 'rate',
  },
  rejection_rate: {
    description: 'Rejection rate (rejected bugs / total bugs)',
    formula: 'COUNT(DISTINCT rejected bug_id) / NULLIF(COUNT(DISTINCT bug_id), 0)',
    kind: 'rate',
  },
  review_rate: {
    description: 'Review rate (human-reviewed bugs / total bugs)',
    formula: 'COUNT(DISTINCT accepted or rejected bug_id) / NULLIF(COUNT(DISTINCT bug_id), 0)',
    kind: 'rate',
  },
  active_acceptance_rate: {
    description: 'Active acceptance rate (actively accepted bugs / total bugs)',
    formula: 'COUNT(DISTINCT accepted bug_id) / NULLIF(COUNT(DISTINCT bug_id), 0)',
    kind: 'rate',
  },
  auto_acceptance_rate: {
    description: 'Auto acceptance rate (auto-accepted / total accepted bugs)',
    formula:
      'COUNT(DISTINCT auto_accepted bug_id) / NULLIF(COUNT(DISTINCT accepted or auto_accepted bug_id), 0)',
    kind: 'rate',
  },
};

export const FILTER_KEYS = [
  'product_ids',
  'test_statuses',
  'bug_statuses',
  'severities',
  'testing_types',
  'platforms',
] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

export interface FilterInfo {
  readonly description: string;
  readonly example: string;
  /** The closed vocabulary, when there is one. */
  readonly values: readonly string[] | null;
}

export const FILTER_INFO: Record<FilterKey, FilterInfo> = {
  product_ids: {
    description: 'Only tests of these products (ids from list_products).',
    example: '[598, 599]',
    values: null,
  },
  test_statuses: {
    description:
      "Only tests in these statuses. Default: executed tests (running, locked, archived, customer_finalized); 'all' = every status.",
    example: '["archived", "locked"]',
    values: [...TEST_STATUSES, 'all'],
  },
  bug_statuses: {
    description:
      'Only bugs in these statuses (then only tests with such a bug count). forwarded = open, awaiting review.',
    example: '["rejected"]',
    values: BUG_STATUSES,
  },
  severities: {
    description: 'Only bugs of these severities (then only tests with such a bug count).',
    example: '["critical", "high"]',
    values: BUG_SEVERITIES,
  },
  testing_types: {
    description: 'Only tests of these testing types.',
    example: '["coverage", "rapid"]',
    values: TESTING_TYPES,
  },
  platforms: {
    description:
      'Only tests that required one of these operating systems, and bugs found on one of them (case-insensitive).',
    example: '["iOS", "Android"]',
    values: null,
  },
};

/**
 * Dimensions that are also filters on their values (the reference's vocabulary): every dimension
 * except those whose filter has a name of ours (severity → severities, testing_type → testing_types,
 * platform → platforms) and `status`, which the reference reads as the TEST status (test_statuses).
 */
export const DIMENSION_FILTER_KEYS = [
  'feature',
  'product',
  'tester',
  'customer',
  'month',
  'week',
  'quarter',
  'rejection_reason',
  'test_environment',
  'known_bug',
] as const satisfies readonly MetricDimension[];
export type DimensionFilterKey = (typeof DIMENSION_FILTER_KEYS)[number];

/** Most dimensions per query (the reference allowed 2). */
export const MAX_DIMENSIONS = 3;
/** Hard cap of rows per answer; a larger `limit` is lowered to it, with a warning. */
export const MAX_ROWS = 1000;
export const DEFAULT_ROWS = 100;
export const TIME_DIMENSIONS: readonly MetricDimension[] = METRIC_DIMENSIONS.filter(
  (d) => DIMENSION_INFO[d].kind === 'time',
);

/** "did you mean" for the names people (and models) guess. */
export const METRIC_ALIASES: Readonly<Record<string, readonly MetricKey[]>> = {
  acceptance_rate: ['overall_acceptance_rate', 'active_acceptance_rate', 'auto_acceptance_rate'],
  bugs: ['bug_count'],
  tests: ['test_count'],
  testers: ['active_testers'],
  severity_score: ['bug_severity_score'],
  features: ['features_tested'],
};

export const DIMENSION_ALIASES: Readonly<Record<string, readonly MetricDimension[]>> = {
  os: ['platform'],
  bug_status: ['status'],
  reason: ['rejection_reason'],
  environment: ['test_environment'],
  known: ['known_bug'],
  type: ['testing_type'],
  user: ['tester', 'customer'],
  author: ['tester'],
  date: ['month', 'week', 'quarter'],
  day: ['week', 'month'],
  year: ['quarter', 'month'],
};

export { METRIC_DIMENSIONS, METRIC_KEYS };
