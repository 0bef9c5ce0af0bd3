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
  FILTER_KEYS,
  type DimensionFilterKey,
  MAX_DIMENSIONS,
  MAX_ROWS,
  METRIC_DIMENSIONS,
  METRIC_KEYS,
} from '../analytics/registry.js';
import {
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
// query_metrics
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
