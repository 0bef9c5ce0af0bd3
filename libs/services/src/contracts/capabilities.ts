import { z } from 'zod';
import { FILTER_KEYS, METRIC_DIMENSIONS, METRIC_KEYS } from '../analytics/registry.js';
import { thresholdsSchema } from './thresholds.js';

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
