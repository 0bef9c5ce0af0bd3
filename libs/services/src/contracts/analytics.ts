import { z } from 'zod';
import {
  BUG_SEVERITIES,
  BUG_STATUSES,
  InvalidInputError,
  parseStringList,
  REJECTION_REASON_KEYS,
  TEST_STATUSES,
  TESTING_TYPES,
} from '@testio-mcp/domain';
import {
  DEFAULT_ROWS,
  DIMENSION_FILTER_KEYS,
  DIMENSION_INFO,
  FILTER_KEYS,
  type DimensionFilterKey,
  MAX_DIMENSIONS,
  MAX_ROWS,
  METRIC_DIMENSIONS,
  METRIC_INFO,
  METRIC_KEYS,
} from '../analytics/registry.js';
import {
  boolInput,
  dateInput,
  enumInput,
  enumListInput,
  freshnessShape,
  idListInput,
  intInput,
  requiredError,
  timestamp,
} from './common.js';

// ---------------------------------------------------------------------------------------------------
// shared pieces
// ---------------------------------------------------------------------------------------------------

/** A list of names as an array, a JSON-array string, a comma string or one name; trimmed, lower case. */
function nameListInput(field: string, description: string) {
  return z
    .union([z.array(z.string()), z.string()], { error: requiredError })
    .transform((value, ctx): string[] => {
      try {
        const names = parseStringList(value, field)?.map((s) => s.trim().toLowerCase()) ?? [];
        return [...new Set(names.filter((s) => s !== ''))];
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error;
        ctx.addIssue({ code: 'custom', message: `expected names as an array or a comma-separated string` });
        return z.NEVER;
      }
    })
    .describe(description);
}

export const thresholdSchema = z
  .object({
    warning: z.number().describe('Warning level, a fraction 0-1.'),
    critical: z.number().describe('Critical level, a fraction 0-1.'),
    direction: z
      .enum(['above', 'below'])
      .describe(
        'above: the rate is worse the higher it is (at or above a level = that status); below: worse the lower it is.',
      ),
  })
  .describe('One playbook threshold.');

export const thresholdsSchema = z
  .object({
    rejection_rate: thresholdSchema.describe(
      'Rejected / all bugs (default warning 0.20, critical 0.35, above).',
    ),
    auto_acceptance_rate: thresholdSchema.describe(
      'Auto-accepted / accepted bugs (default warning 0.20, critical 0.40, above).',
    ),
    review_rate: thresholdSchema.describe(
      'Human-reviewed (accepted + rejected) / all bugs (default warning 0.80, critical 0.60, below).',
    ),
  })
  .describe('The playbook thresholds this server is configured with (PLAYBOOK_* settings).');
export type ThresholdsOutput = z.infer<typeof thresholdsSchema>;

const HEALTH = ['healthy', 'warning', 'critical', 'unknown'] as const;
export const healthSchema = (what: string) =>
  z.enum(HEALTH).describe(`${what}: healthy, warning, critical, or unknown when the rate is null (no bugs).`);

// ---------------------------------------------------------------------------------------------------
// query_metrics
// ---------------------------------------------------------------------------------------------------

const productIdsFilter = (field: string) =>
  idListInput(field, 'Only tests of these products: [598, 599], 598 or "598,599".');
const testStatusesFilter = (field: string) =>
  enumListInput(
    field,
    [...TEST_STATUSES, 'all'] as const,
    "Only tests in these statuses (default: executed tests: running, locked, archived, customer_finalized; 'all' = every status).",
  );
const severitiesFilter = (field: string) =>
  enumListInput(
    field,
    BUG_SEVERITIES,
    'Only bugs of these severities (then only tests with such a bug count).',
  );
const testingTypesFilter = (field: string) =>
  enumListInput(field, TESTING_TYPES, 'Only tests of these testing types.');
const platformsFilter = () =>
  z
    .union([z.array(z.string()), z.string(), z.null()])
    .optional()
    .transform((value, ctx) => {
      try {
        const list = parseStringList(value, 'platforms')
          ?.map((s) => s.trim())
          .filter((s) => s !== '');
        return list && list.length > 0 ? list : undefined;
      } catch {
        ctx.addIssue({
          code: 'custom',
          message: 'expected operating system names as an array or a comma-separated string',
        });
        return z.NEVER;
      }
    })
    .describe(
      'Only tests that required one of these operating systems and bugs found on one of them (case-insensitive), e.g. ["iOS", "Android"].',
    );

const VALUE_PATTERNS: Partial<Record<DimensionFilterKey, { pattern: RegExp; example: string }>> = {
  month: { pattern: /^\d{4}-\d{2}$/, example: '2025-01' },
  week: { pattern: /^\d{4}-w\d{2}$/i, example: '2025-W03' },
  quarter: { pattern: /^\d{4}-q[1-4]$/i, example: '2025-Q1' },
  known_bug: { pattern: /^(true|false)$/i, example: 'true' },
};

const scalarValue = z.union([z.string(), z.number(), z.boolean()]);

/**
 * A value filter on a dimension (the reference's `filters: { feature: "Login" }`): one value or a list
 * (not split on commas: titles contain them). Labels match case-insensitively; entity dimensions also
 * take ids.
 */
function dimensionValuesInput(key: DimensionFilterKey) {
  const closed: readonly string[] | undefined =
    key === 'rejection_reason' ? (REJECTION_REASON_KEYS as readonly string[]) : undefined;
  const format = VALUE_PATTERNS[key];
  return z
    .union([scalarValue, z.array(scalarValue), z.null()])
    .optional()
    .transform((value, ctx): string[] | undefined => {
      if (value === undefined || value === null) return undefined;
      const list = (Array.isArray(value) ? value : [value])
        .map((v) => String(v).trim())
        .filter((v) => v !== '');
      if (list.length === 0) return undefined;
      const bad = list.filter(
        (v) => (closed && !closed.includes(v.toLowerCase())) || (format && !format.pattern.test(v)),
      );
      if (bad.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `Invalid value${bad.length > 1 ? 's' : ''} ${bad.map((b) => `'${b.slice(0, 60)}'`).join(', ')}. ${
            closed ? `Valid values: ${closed.join(', ')}` : `Expected values like '${format?.example ?? ''}'`
          }`,
        });
        return z.NEVER;
      }
      return [...new Set(list)];
    })
    .describe(`Only ${DIMENSION_FILTER_TEXT[key]}.`);
}

const DIMENSION_FILTER_TEXT: Record<DimensionFilterKey, string> = {
  feature: 'these features (titles or ids)',
  product: 'these products (titles or ids)',
  tester: 'bugs by these testers (usernames or user ids)',
  customer: 'tests created by these customers (usernames or user ids)',
  month: "tests that ended in these months ('2025-01')",
  week: "tests that ended in these weeks ('2025-W03', as the week dimension)",
  quarter: "tests that ended in these quarters ('2025-Q1')",
  rejection_reason: 'bugs rejected for these reasons',
  test_environment: 'tests on these environments (titles or ids)',
  known_bug: 'bugs with this known flag (true or false)',
};

/** Our filter keys, then the reference's names of the same filters (one of each pair at a time). */
const SYNONYMS = [
  ['product_ids', 'product_id'],
  ['test_statuses', 'status'],
  ['severities', 'severity'],
  ['testing_types', 'testing_type'],
  ['platforms', 'platform'],
] as const;

const filterShape = {
  product_ids: productIdsFilter('filters.product_ids'),
  test_statuses: testStatusesFilter('filters.test_statuses'),
  bug_statuses: enumListInput(
    'filters.bug_statuses',
    BUG_STATUSES,
    'Only bugs in these statuses (then only tests with such a bug count); forwarded = open.',
  ),
  severities: severitiesFilter('filters.severities'),
  testing_types: testingTypesFilter('filters.testing_types'),
  platforms: platformsFilter(),
  product_id: productIdsFilter('filters.product_id').describe("The reference's name of product_ids."),
  status: testStatusesFilter('filters.status').describe(
    "The reference's name of test_statuses (test statuses, not bug statuses).",
  ),
  severity: severitiesFilter('filters.severity').describe("The reference's name of severities."),
  testing_type: testingTypesFilter('filters.testing_type').describe("The reference's name of testing_types."),
  platform: platformsFilter().describe("The reference's name of platforms."),
};

const DIMENSION_VALUE_PARSERS = Object.fromEntries(
  DIMENSION_FILTER_KEYS.map((key) => [key, dimensionValuesInput(key)]),
) as Record<DimensionFilterKey, ReturnType<typeof dimensionValuesInput>>;

const isDimensionFilterKey = (key: string): key is DimensionFilterKey =>
  (DIMENSION_FILTER_KEYS as readonly string[]).includes(key);

const unknownFilterText = (keys: readonly string[]) =>
  `Unknown filter ${keys.map((k) => `'${k.slice(0, 60)}'`).join(', ')}. Valid filters: ${FILTER_KEYS.join(', ')}; or the reference's names: product_id, status (test statuses) and any dimension key (${[...SYNONYMS.slice(2).map(([, r]) => r), ...DIMENSION_FILTER_KEYS].join(', ')}). Dates go in start_date/end_date`;

/** The filters as the service reads them: our vocabulary, plus `dimension_values`. */
export interface MetricFilters {
  readonly product_ids?: number[];
  readonly test_statuses?: string[];
  readonly bug_statuses?: string[];
  readonly severities?: string[];
  readonly testing_types?: string[];
  readonly platforms?: string[];
  readonly dimension_values?: Partial<Record<DimensionFilterKey, string[]>>;
}

const filtersSchema = z
  // The dimension-value filters are one catch-all entry of the published schema rather than ten
  // properties (about 2.4 KB less in tools/list); the filters description names them, and each key and
  // value is checked here.
  .object(filterShape)
  .catchall(z.union([scalarValue, z.array(scalarValue), z.null()]))
  .transform((raw, ctx): MetricFilters => {
    const extra = Object.keys(raw).filter((key) => !(key in filterShape));
    const unknown = extra.filter((key) => !isDimensionFilterKey(key));
    if (unknown.length > 0) {
      ctx.addIssue({ code: 'custom', message: unknownFilterText(unknown) });
      return z.NEVER;
    }
    const out: Record<string, unknown> = {};
    for (const [ours, theirs] of SYNONYMS) {
      const a = raw[ours];
      const b = raw[theirs];
      if (a !== undefined && b !== undefined && JSON.stringify(a) !== JSON.stringify(b)) {
        ctx.addIssue({
          code: 'custom',
          path: [theirs],
          message: `'${theirs}' and '${ours}' are the same filter with different values; give one of them`,
        });
        return z.NEVER;
      }
      const value = a ?? b;
      if (value !== undefined) out[ours] = value;
    }
    if (raw.bug_statuses !== undefined) out['bug_statuses'] = raw.bug_statuses;
    const values: Partial<Record<DimensionFilterKey, string[]>> = {};
    for (const key of extra.filter(isDimensionFilterKey)) {
      const parsed = DIMENSION_VALUE_PARSERS[key].safeParse(raw[key]);
      if (!parsed.success) {
        for (const issue of parsed.error.issues)
          ctx.addIssue({ code: 'custom', path: [key, ...issue.path.map(String)], message: issue.message });
        return z.NEVER;
      }
      if (parsed.data !== undefined) values[key] = parsed.data;
    }
    if (Object.keys(values).length > 0) out['dimension_values'] = values;
    return out as MetricFilters;
  })
  .optional()
  .describe(
    `Filters, all optional, combined with AND: ${FILTER_KEYS.join(', ')} (arrays or comma-separated strings). The reference's names work too: product_id, status (test statuses), severity, testing_type, platform, and any other dimension key (${DIMENSION_FILTER_KEYS.join(', ')}) with a value or a list of values; a filtered dimension need not be among the dimensions.`,
  );

export const queryMetricsInputSchema = z.object({
  metrics: nameListInput(
    'metrics',
    `What to compute, at least one: ${METRIC_KEYS.join(', ')}. An array, or a comma-separated string. get_analytics_capabilities describes each.`,
  ),
  dimensions: nameListInput(
    'dimensions',
    `How to group, 1-${MAX_DIMENSIONS}: ${METRIC_DIMENSIONS.join(', ')}. An array, or a comma-separated string.`,
  ),
  filters: filtersSchema,
  start_date: dateInput('Only tests that ended on or after this date (start of day, UTC).').optional(),
  end_date: dateInput('Only tests that ended on or before this date (end of day, UTC).').optional(),
  sort_by: z
    .string()
    .trim()
    .toLowerCase()
    .max(60)
    .optional()
    .describe(
      'A selected dimension or metric. Default: the first dimension when it is a time (month, week, quarter), else the first metric.',
    ),
  sort_order: enumInput(
    ['asc', 'desc'] as const,
    'Sort direction. Default: asc for a time dimension, desc for a metric.',
  ).optional(),
  limit: intInput(
    1,
    1_000_000,
    `Most rows to return (default ${DEFAULT_ROWS}); capped at ${MAX_ROWS}, with a warning when lowered.`,
  ).default(DEFAULT_ROWS),
  tests_limit: intInput(
    1,
    100_000,
    'Only the N most recent tests (by end date) that match the filters.',
  ).optional(),
});
export type QueryMetricsInput = z.output<typeof queryMetricsInputSchema>;

const cell = z
  .union([z.string(), z.number(), z.null()])
  .describe('A dimension label or id, or a metric value.');

export const queryMetricsOutputSchema = z.object({
  data: z
    .array(
      z
        .record(z.string(), cell)
        .describe(
          'One group: "<dimension>" (label; null = unattributed), "<dimension>_id" where the dimension has ids, and "<metric>" per metric (rates are fractions 0-1 or null when there is nothing to divide by).',
        ),
    )
    .describe('The groups, sorted.'),
  total_rows: z.number().int().describe('Groups matching the query before the limit.'),
  returned_rows: z.number().int().describe('Rows in data.'),
  capped: z
    .boolean()
    .describe(
      'True when total_rows is above the rows returned (raise limit up to 1000, or narrow the query).',
    ),
  dimensions: z.array(z.string()).describe('The dimensions used, in order.'),
  metrics: z
    .array(z.string())
    .describe('The metrics computed (test_count is added when bugs_per_test is asked).'),
  filters_applied: z
    .object({
      product_ids: z
        .array(z.number().int())
        .nullable()
        .describe('Product filter; null = every product in scope.'),
      test_statuses: z.array(z.string()).nullable().describe('Test statuses counted; null = every status.'),
      bug_statuses: z.array(z.string()).nullable().describe('Bug status filter; null = none.'),
      severities: z.array(z.string()).nullable().describe('Severity filter; null = none.'),
      testing_types: z.array(z.string()).nullable().describe('Testing type filter; null = none.'),
      platforms: z.array(z.string()).nullable().describe('Platform filter; null = none.'),
      dimension_values: z
        .record(z.string(), z.array(z.string()))
        .nullable()
        .describe('Filters on dimension values (feature, tester, month...); null = none.'),
      test_ids: z
        .array(z.number().int())
        .nullable()
        .describe('With tests_limit: the tests counted; else null.'),
    })
    .describe('The filters as applied (defaults included).'),
  period: z
    .object({
      start: timestamp('Tests that ended at or after this instant.'),
      end: timestamp('Tests that ended at or before this instant.'),
    })
    .describe('The date range on the test end date; nulls = open.'),
  sort: z
    .object({
      by: z.string().describe('The dimension or metric sorted by.'),
      order: z.enum(['asc', 'desc']).describe('asc or desc (nulls always last).'),
    })
    .describe('How data is sorted.'),
  visualization_hint: z
    .object({
      chart_type: z
        .enum(['line', 'multi_line', 'pie', 'horizontal_bar', 'grouped_bar', 'stacked_bar', 'table'])
        .describe('The chart that fits.'),
      x_axis: z.string().nullable().describe('Dimension on the x axis (categories); null for none.'),
      y_axis: z.array(z.string()).describe('Metrics on the main y axis.'),
      y_axis_secondary: z.array(z.string()).describe('Rates, when mixed with counts.'),
      series_by: z.string().nullable().describe('Dimension giving one line/bar group per value.'),
      included_series: z.array(z.string()).nullable().describe('Its values to draw, largest first.'),
      dropped_series_count: z.number().int().describe('Series left out of the chart.'),
      rationale: z.string().describe('Why this chart.'),
      confidence: z.enum(['high', 'medium', 'low']).describe('How clearly the rules chose it.'),
      alternatives: z.array(z.string()).describe('Other charts that would work.'),
      metric_types: z.record(z.string(), z.enum(['count', 'rate'])).describe('count or rate per metric.'),
    })
    .describe("A chart suggestion (the reference's rules)."),
  query_time_ms: z.number().int().describe('Time the query took on the server, in milliseconds.'),
  query_explanation: z.string().describe('The query in one sentence.'),
  ...freshnessShape,
});
export type QueryMetricsOutput = z.infer<typeof queryMetricsOutputSchema>;

// ---------------------------------------------------------------------------------------------------
// get_analytics_capabilities
// ---------------------------------------------------------------------------------------------------

export const getAnalyticsCapabilitiesInputSchema = z.object({});
export type GetAnalyticsCapabilitiesInput = z.output<typeof getAnalyticsCapabilitiesInputSchema>;

export const getAnalyticsCapabilitiesOutputSchema = z.object({
  dimensions: z
    .array(
      z.object({
        key: z.enum(METRIC_DIMENSIONS).describe('The name to pass in dimensions.'),
        description: z.string().describe('What it groups by.'),
        example: z.string().describe('Example values.'),
        kind: z
          .enum(['entity', 'categorical', 'time'])
          .describe('entity (people, products, features...), categorical (a small vocabulary) or time.'),
        level: z
          .enum(['test', 'bug', 'both'])
          .describe(
            'test: a property of the test; bug: of the bug (only bugs are grouped); both: tests and bugs each carry one.',
          ),
        has_id: z.boolean().describe('Rows carry "<key>_id" next to the label.'),
      }),
    )
    .describe(`Every dimension (${METRIC_DIMENSIONS.length}).`),
  metrics: z
    .array(
      z.object({
        key: z.enum(METRIC_KEYS).describe('The name to pass in metrics.'),
        description: z.string().describe('What it measures.'),
        formula: z.string().describe('How it is computed.'),
        kind: z
          .enum(['count', 'rate'])
          .describe('count: a whole number; rate: a fraction 0-1 (null when the denominator is 0).'),
      }),
    )
    .describe(`Every metric (${METRIC_KEYS.length}).`),
  filters: z
    .array(
      z.object({
        key: z.enum(FILTER_KEYS).describe('The key inside filters.'),
        description: z.string().describe('What it keeps.'),
        example: z.string().describe('An example value.'),
        values: z
          .array(z.string())
          .nullable()
          .describe('The valid values; null when open (ids, operating system names).'),
      }),
    )
    .describe('Every filter key of query_metrics (dates are start_date / end_date).'),
  platforms: z
    .array(z.string())
    .describe('Operating system names in the mirror (values for the platforms filter).'),
  limits: z
    .object({
      max_dimensions: z.number().int().describe('Most dimensions per query.'),
      max_rows: z.number().int().describe('Hard cap of rows per answer.'),
      default_rows: z.number().int().describe('Rows when limit is not given.'),
    })
    .describe('Limits of query_metrics.'),
  severity_weights: z
    .record(z.string(), z.number().describe('Weight.'))
    .describe('Weights of bug_severity_score per severity.'),
  thresholds: thresholdsSchema,
});
export type GetAnalyticsCapabilitiesOutput = z.infer<typeof getAnalyticsCapabilitiesOutputSchema>;

// ---------------------------------------------------------------------------------------------------
// generate_quality_report
// ---------------------------------------------------------------------------------------------------

export const MAX_REPORT_PRODUCTS = 50;
export const MAX_REPORT_TEST_IDS = 500;

export const generateQualityReportInputSchema = z.object({
  product_ids: idListInput(
    'product_ids',
    `Products to report on (at most ${MAX_REPORT_PRODUCTS}): [598, 599], 598 or "598,599". Default: every product.`,
  ),
  test_ids: idListInput(
    'test_ids',
    `Only these tests (at most ${MAX_REPORT_TEST_IDS}); they must belong to product_ids when that is given. Cannot be combined with dates or statuses.`,
  ),
  start_date: dateInput('Only tests that ended on or after this date (start of day, UTC).').optional(),
  end_date: dateInput('Only tests that ended on or before this date (end of day, UTC).').optional(),
  statuses: enumListInput(
    'statuses',
    [...TEST_STATUSES, 'all'] as const,
    "Test statuses to include (default: executed tests: running, locked, archived, customer_finalized; 'all' = every status).",
  ),
  max_tests: intInput(
    0,
    100,
    'Tests listed one by one in by_test and the Markdown (newest first; default 20). Every test is in the totals and in the export.',
  ).default(20),
  output_file: z
    .string()
    .trim()
    .min(1, { message: 'must not be empty' })
    .max(200, { message: 'is too long (200 characters at most)' })
    .optional()
    .describe(
      "Also write the full report to files under the export directory (TESTIO_EXPORT_DIR): a relative name such as 'acme/q2-quality' gives acme/q2-quality.md, .json and .tests.csv. Absolute paths and '..' are refused.",
    ),
  overwrite: boolInput(
    'Replace files of the same name in the export directory (default false: refuse).',
  ).default(false),
});
export type GenerateQualityReportInput = z.output<typeof generateQualityReportInputSchema>;

const countMap = (what: string) => z.record(z.string(), z.number().int().describe('Count.')).describe(what);
const rate = (formula: string) =>
  z
    .number()
    .nullable()
    .describe(`${formula} A fraction 0-1 rounded to 4 decimals; null when there is nothing to divide by.`);

export const reportBugsByStatusSchema = z
  .object({
    active_accepted: z.number().int().describe('Accepted by the customer (status accepted).'),
    auto_accepted: z
      .number()
      .int()
      .describe('Accepted by TestIO after 10 days without review (status auto_accepted).'),
    total_accepted: z.number().int().describe('active_accepted + auto_accepted.'),
    rejected: z.number().int().describe('Rejected by the customer.'),
    open: z.number().int().describe('Awaiting review (API status forwarded).'),
    reviewed: z.number().int().describe('Reviewed by a person: active_accepted + rejected.'),
  })
  .describe('Bugs per review outcome; bugs of another status count only in total_bugs.');

export const reportSeveritySchema = z
  .object({
    critical: z.number().int().describe('Critical bugs.'),
    high: z.number().int().describe('High bugs.'),
    low: z.number().int().describe('Low bugs.'),
    visual: z.number().int().describe('Visual bugs.'),
    content: z.number().int().describe('Content bugs.'),
    custom: z.number().int().describe('Custom bugs.'),
  })
  .describe('Bugs per severity.');

export const healthIndicatorsSchema = z
  .object({
    rejection_rate: healthSchema('Rejection rate against its thresholds'),
    auto_acceptance_rate: healthSchema('Auto-acceptance rate against its thresholds'),
    review_rate: healthSchema('Review rate against its thresholds'),
  })
  .describe('Health of each rate against the playbook thresholds.');

export const rateFields = {
  active_acceptance_rate: rate('active_accepted / total_bugs.'),
  auto_acceptance_rate: rate('auto_accepted / total_accepted.'),
  overall_acceptance_rate: rate('total_accepted / total_bugs.'),
  rejection_rate: rate('rejected / total_bugs.'),
  review_rate: rate('reviewed / total_bugs.'),
};

const statsShape = {
  total_tests: z.number().int().describe('Tests in scope.'),
  tests_by_status: countMap('Tests per status (statuses present).'),
  tests_by_type: countMap('Tests per testing type ("unknown" when none).'),
  total_bugs: z.number().int().describe('All bugs of those tests.'),
  bugs_by_status: reportBugsByStatusSchema,
  bugs_by_severity: reportSeveritySchema,
  known_bugs: z.number().int().describe('Bugs marked as known.'),
  avg_bugs_per_test: z.number().describe('total_bugs / total_tests, 2 decimals (0 when there are no tests).'),
  ...rateFields,
  health_indicators: healthIndicatorsSchema,
  health_status: healthSchema('The worst of the three indicators'),
};

export const reportTestSchema = z.object({
  test_id: z.number().int().describe('Test id (use with get_test_summary).'),
  product_id: z.number().int().describe('Its product.'),
  title: z.string().describe('Test title (at most 200 characters).'),
  status: z.string().describe('Test status.'),
  testing_type: z.string().nullable().describe('Testing type; null when unknown.'),
  start_at: timestamp('Start.'),
  end_at: timestamp('End.'),
  test_environment: z
    .object({
      id: z.number().int().describe('Environment id.'),
      title: z.string().nullable().describe('Environment name.'),
    })
    .nullable()
    .describe('The environment the test ran against; null when none.'),
  bugs_count: z.number().int().describe('All bugs of the test.'),
  bugs: reportBugsByStatusSchema,
  ...rateFields,
  health_status: healthSchema('Worst of its three indicators'),
});

const productStatsSchema = z.object({
  product_id: z.number().int().describe('Product id.'),
  product_title: z.string().describe('Product title.'),
  ...statsShape,
});

export const generateQualityReportOutputSchema = z.object({
  title: z.string().describe('Report title.'),
  period: z
    .object({
      label: z
        .string()
        .describe('"all time", "2025-01-01 to present", "through 2025-03-31" or "2025-01-01 to 2025-03-31".'),
      start: timestamp('Tests that ended at or after this instant.'),
      end: timestamp('Tests that ended at or before this instant.'),
    })
    .describe('The date range on the test end date.'),
  statuses_applied: z
    .array(z.string())
    .describe('Test statuses counted (every status when the filter was "all" or test_ids were given).'),
  products: z
    .array(
      z.object({
        id: z.number().int().describe('Product id.'),
        title: z.string().describe('Product title.'),
      }),
    )
    .describe('The products of the report.'),
  test_ids: z
    .array(z.number().int())
    .nullable()
    .describe('The test_ids asked for; null when the report covers every matching test.'),
  summary: z.object(statsShape).describe('Totals over every product.'),
  by_product: z
    .array(productStatsSchema)
    .describe('The same figures per product (same filters; they add up to summary).'),
  by_test: z
    .array(reportTestSchema)
    .describe(
      'The newest max_tests tests with their figures (every test is in the export and the REST answer).',
    ),
  tests_listed: z.number().int().describe('Rows in by_test.'),
  top_rejection_reasons: z
    .array(
      z.object({
        reason: z
          .string()
          .describe('Rejection reason key, or "unspecified" when TestIO gave none we recognise.'),
        bugs: z.number().int().describe('Rejected bugs with that reason.'),
        share: z.number().describe('Share of all rejected bugs, 0-1.'),
      }),
    )
    .describe('Why bugs were rejected, most frequent first.'),
  bugs_by_platform: z
    .array(
      z.object({
        platform: z
          .string()
          .describe(
            'Operating system of the devices the bugs were found on ("unknown" when none was named).',
          ),
        bugs: z.number().int().describe('Bugs found on it (a bug found on two systems counts for each).'),
      }),
    )
    .describe('Bugs per operating system, most first.'),
  monthly_trend: z
    .array(
      z.object({
        month: z.string().describe('YYYY-MM of the test end date ("unknown" for tests without an end).'),
        tests: z.number().int().describe('Tests that ended that month.'),
        bugs: z.number().int().describe('Their bugs.'),
        ...rateFields,
      }),
    )
    .describe('Per month, oldest first.'),
  thresholds: thresholdsSchema,
  markdown: z.string().describe('The report as Markdown, ready to hand to a customer.'),
  export: z
    .object({
      directory: z.string().describe('The export directory.'),
      files: z
        .array(
          z.object({
            path: z.string().describe('Absolute path of the file.'),
            format: z
              .enum(['markdown', 'json', 'csv'])
              .describe('markdown (the report), json (the full data) or csv (one row per test).'),
            size_bytes: z.number().int().describe('Size in bytes.'),
          }),
        )
        .describe('The files written.'),
      record_count: z.number().int().describe('Tests in the JSON and CSV files.'),
    })
    .nullable()
    .describe('Where output_file wrote the full report; null when it was not asked.'),
  ...freshnessShape,
});
export type GenerateQualityReportOutput = z.infer<typeof generateQualityReportOutputSchema>;
export type ReportTest = z.infer<typeof reportTestSchema>;

/** The REST answer: the MCP output plus every test of the scope. */
export const qualityReportWithTestsOutputSchema = generateQualityReportOutputSchema.extend({
  test_data: z.array(reportTestSchema).describe('Every test of the scope with its figures, newest first.'),
});
export type QualityReportWithTestsOutput = z.infer<typeof qualityReportWithTestsOutputSchema>;

// ---------------------------------------------------------------------------------------------------
// thresholds (REST GET /api/thresholds)
// ---------------------------------------------------------------------------------------------------

export const getThresholdsInputSchema = z.object({});
export const getThresholdsOutputSchema = thresholdsSchema;
export type GetThresholdsOutput = ThresholdsOutput;

export { DIMENSION_INFO, METRIC_INFO };
