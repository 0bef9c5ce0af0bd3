import { z } from 'zod';
import { USER_TYPES } from '@testio-mcp/domain';
import { freshnessShape, idInput, timestamp } from './common.js';

const countMap = z.record(z.string(), z.number().int());
const rate = (description: string) => z.number().nullable().describe(`${description} 0-1, rounded to 4 decimals; null when there are no bugs.`);

// ---------------------------------------------------------------------------------------------------
// get_test_summary
// ---------------------------------------------------------------------------------------------------

export const getTestSummaryInputSchema = z.object({
  test_id: idInput('test_id', 'Exploratory test id (from list_tests), e.g. 109363.'),
});
export type GetTestSummaryInput = z.output<typeof getTestSummaryInputSchema>;

export const requirementSummarySchema = z.object({
  platform: z.string().describe('"{OS} {min}+", "{OS} {min}-{max}", "{OS} ≤{max}", "{OS} {v}" or "{OS}", then " ({device category})", e.g. "iOS 17.0+ (Smartphones)".'),
  browsers: z.array(z.string()),
});

export const bugsBySeveritySchema = z.object({
  critical: z.number().int(),
  high: z.number().int(),
  low: z.number().int(),
  visual: z.number().int(),
  content: z.number().int(),
  custom: z.number().int(),
});

export const bugsByStatusSchema = z.object({
  active_accepted: z.number().int().describe('Accepted by the customer.'),
  auto_accepted: z.number().int().describe('Accepted automatically after 10 days without review.'),
  total_accepted: z.number().int().describe('active_accepted + auto_accepted.'),
  rejected: z.number().int(),
  open: z.number().int().describe('Forwarded, awaiting the customer review.'),
});

export const acceptanceRatesSchema = z.object({
  active_acceptance_rate: rate('active_accepted / total bugs.'),
  auto_acceptance_rate: z.number().nullable().describe('auto_accepted / (active_accepted + auto_accepted); null when no bug was accepted.'),
  overall_acceptance_rate: rate('(active_accepted + auto_accepted) / total bugs.'),
  rejection_rate: rate('rejected / total bugs.'),
  review_rate: rate('(active_accepted + rejected) / total bugs: the share a human reviewed.'),
  open_count: z.number().int(),
  has_alert: z.boolean().describe('auto_acceptance_rate above AUTO_ACCEPTANCE_ALERT_THRESHOLD (default 0.20).'),
  alert_threshold: z.number(),
});

export const recentBugSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  severity: z.string().nullable(),
  status: z.string().nullable(),
  created_at: timestamp('When the bug was reported.'),
  known: z.boolean(),
});

export const getTestSummaryOutputSchema = z.object({
  test: z.object({
    id: z.number().int(),
    title: z.string(),
    goal: z.string().nullable().describe('Long text is truncated with the marker "…(truncated)".'),
    instructions: z.string().nullable().describe('Truncated like goal.'),
    out_of_scope: z.string().nullable().describe('Truncated like goal.'),
    testing_type: z.string().nullable(),
    duration: z.number().int().nullable().describe('Minutes between starts_at and ends_at.'),
    status: z.string(),
    review_status: z.string().nullable(),
    requirements_summary: z.array(requirementSummarySchema).nullable().describe('Required platforms; null when none.'),
    enable_low: z.boolean().nullable(),
    enable_high: z.boolean().nullable(),
    enable_critical: z.boolean().nullable(),
    starts_at: timestamp('Start.'),
    ends_at: timestamp('End.'),
    test_environment: z.object({ id: z.number().int(), title: z.string().nullable() }).nullable(),
    product: z.object({ id: z.number().int(), name: z.string() }),
    feature: z
      .object({ id: z.number().int().describe('Catalogue feature id (get_feature_summary).'), name: z.string() })
      .nullable()
      .describe('The first feature the test covered; see features for all.'),
    features: z.array(z.object({ id: z.number().int(), name: z.string() })).describe('Every feature the test covered (catalogue ids).'),
  }),
  bugs: z.object({
    total_count: z.number().int(),
    known_bugs_count: z.number().int(),
    by_severity: bugsBySeveritySchema,
    by_status: bugsByStatusSchema,
    by_platform: z.object({
      operating_systems: countMap,
      browsers: countMap,
      device_categories: countMap,
    }).describe('Counts over every device of every bug (a bug found on two devices counts twice).'),
    acceptance_rates: acceptanceRatesSchema,
    recent_bugs: z.array(recentBugSchema).describe('The 3 most recently reported bugs.'),
  }),
  ...freshnessShape,
});
export type GetTestSummaryOutput = z.infer<typeof getTestSummaryOutputSchema>;

// ---------------------------------------------------------------------------------------------------
// get_product_summary
// ---------------------------------------------------------------------------------------------------

export const getProductSummaryInputSchema = z.object({
  product_id: idInput('product_id', 'Product id (from list_products), e.g. 598.'),
});
export type GetProductSummaryInput = z.output<typeof getProductSummaryInputSchema>;

export const getProductSummaryOutputSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  type: z.string().nullable(),
  description: z.string().nullable().describe('Truncated with "…(truncated)" when long.'),
  test_count: z.number().int(),
  tests_by_status: countMap.describe('Tests per status (only statuses present).'),
  feature_count: z.number().int(),
  user_story_count: z.number().int(),
  last_test_end_at: timestamp('End of the newest executed test.'),
  last_synced: timestamp('When the product row was last read from TestIO.'),
  tests_synced_at: timestamp("When the product's test list was last walked."),
  ...freshnessShape,
});
export type GetProductSummaryOutput = z.infer<typeof getProductSummaryOutputSchema>;

// ---------------------------------------------------------------------------------------------------
// get_feature_summary
// ---------------------------------------------------------------------------------------------------

export const getFeatureSummaryInputSchema = z.object({
  feature_id: idInput('feature_id', 'Catalogue feature id (from list_features or get_bug_summary.feature.id).'),
});
export type GetFeatureSummaryInput = z.output<typeof getFeatureSummaryInputSchema>;

export const getFeatureSummaryOutputSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  description: z.string().nullable(),
  howtofind: z.string().nullable(),
  user_stories: z.array(z.string()).describe('At most 50 listed; see user_story_count.'),
  user_story_count: z.number().int(),
  test_count: z.number().int(),
  bug_count: z.number().int(),
  product: z.object({ id: z.number().int(), name: z.string() }),
  ...freshnessShape,
});
export type GetFeatureSummaryOutput = z.infer<typeof getFeatureSummaryOutputSchema>;

// ---------------------------------------------------------------------------------------------------
// get_user_summary
// ---------------------------------------------------------------------------------------------------

export const getUserSummaryInputSchema = z.object({
  user_id: idInput('user_id', 'User id (from list_users).'),
});
export type GetUserSummaryInput = z.output<typeof getUserSummaryInputSchema>;

export const getUserSummaryOutputSchema = z.object({
  id: z.number().int(),
  username: z.string(),
  user_type: z.enum(USER_TYPES),
  roles: z.array(z.enum(USER_TYPES)),
  tests_created_count: z.number().int().nullable().describe('Customers: tests they created; null for pure testers.'),
  tests_submitted_count: z.number().int().nullable().describe('Customers: tests they submitted; null for pure testers.'),
  bugs_reported_count: z.number().int().nullable().describe('Testers: bugs they reported; null for pure customers.'),
  first_seen: timestamp('When the sync first saw the user.'),
  last_activity: timestamp('Newest bug reported or test ended by this user.'),
  ...freshnessShape,
});
export type GetUserSummaryOutput = z.infer<typeof getUserSummaryOutputSchema>;

// ---------------------------------------------------------------------------------------------------
// get_bug_summary
// ---------------------------------------------------------------------------------------------------

export const getBugSummaryInputSchema = z.object({
  bug_id: idInput('bug_id', 'Bug id (from list_bugs), e.g. 12345.'),
});
export type GetBugSummaryInput = z.output<typeof getBugSummaryInputSchema>;

export const getBugSummaryOutputSchema = z.object({
  id: z.number().int(),
  title: z.string(),
  severity: z.string().nullable(),
  status: z.string().nullable(),
  known: z.boolean(),
  actual_result: z.string().nullable().describe('Truncated with "…(truncated)" when long.'),
  expected_result: z.string().nullable().describe('Truncated when long.'),
  steps: z.string().nullable().describe('Truncated when long.'),
  rejection_reason: z.string().nullable(),
  reported_by_user: z.object({ id: z.number().int(), username: z.string() }).nullable(),
  test: z.object({ id: z.number().int(), title: z.string() }),
  product: z.object({ id: z.number().int(), name: z.string() }),
  feature: z
    .object({ id: z.number().int().describe('Catalogue feature id (get_feature_summary).'), title: z.string() })
    .nullable(),
  devices: z
    .array(z.object({ category: z.string().nullable(), operating_system: z.string().nullable(), device: z.string().nullable(), browsers: z.array(z.string()) }))
    .describe('At most 10 devices.'),
  reported_at: timestamp('When the bug was reported.'),
  ...freshnessShape,
});
export type GetBugSummaryOutput = z.infer<typeof getBugSummaryOutputSchema>;
