import { z } from 'zod';
import { TEST_STATUSES } from '@testio-mcp/domain';
import {
  boolInput,
  dateInput,
  enumListInput,
  freshnessShape,
  idListInput,
  intInput,
  timestamp,
} from './common.js';
import { healthSchema, thresholdsSchema } from './thresholds.js';

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
      "Also write the full report to files under the export directory (TESTIO_EXPORT_DIR): a relative name such as 'acme/q2-quality' gives acme/q2-quality.md, .json, .tests.csv, .html and a .png per chart. Absolute paths and '..' are refused.",
    ),
  overwrite: boolInput(
    'Replace files of the same name in the export directory (default false: refuse).',
  ).default(false),
  charts: boolInput("Also return the report's charts as PNG images with text summaries.").default(false),
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
              .enum(['markdown', 'json', 'csv', 'html', 'png'])
              .describe(
                'markdown (the report), json (the full data), csv (one row per test), html (the report with its charts, self-contained, printable) or png (one chart).',
              ),
            size_bytes: z.number().int().describe('Size in bytes.'),
            chart: z
              .object({
                name: z.string().describe('Chart id, e.g. trend-rates.'),
                title: z.string().describe('Chart title.'),
                description: z.string().describe('Text alternative: what it shows, the extremes.'),
              })
              .nullable()
              .describe('The chart a png file draws; null for the other files.'),
          }),
        )
        .describe('The files written.'),
      record_count: z.number().int().describe('Tests in the JSON and CSV files.'),
    })
    .nullable()
    .describe(
      'Where output_file wrote the full report (Markdown, JSON, CSV, HTML and a PNG per chart); null when it was not asked.',
    ),
  ...freshnessShape,
});
export type GenerateQualityReportOutput = z.infer<typeof generateQualityReportOutputSchema>;
export type ReportTest = z.infer<typeof reportTestSchema>;

/** The REST answer: the MCP output plus every test of the scope. */
export const qualityReportWithTestsOutputSchema = generateQualityReportOutputSchema.extend({
  test_data: z.array(reportTestSchema).describe('Every test of the scope with its figures, newest first.'),
});
export type QualityReportWithTestsOutput = z.infer<typeof qualityReportWithTestsOutputSchema>;
