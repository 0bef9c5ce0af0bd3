import { z } from 'zod';
import { USER_TYPES } from '@testio-mcp/domain';
import { freshnessShape, idInput, timestamp } from './common.js';

const countMap = z.record(z.string(), z.number().int());
const rate = (description: string) =>
  z
    .number()
    .nullable()
    .describe(
      `${description} A fraction 0-1 (not a percent), rounded to 4 decimals; null when there are no bugs.`,
    );
const productRef = () =>
  z
    .object({
      id: z.number().int().describe('TestIO product id (use with get_product_summary).'),
      name: z.string().describe('Product title.'),
    })
    .describe('The product it belongs to.');

// ---------------------------------------------------------------------------------------------------
// get_test_summary
// ---------------------------------------------------------------------------------------------------

export const getTestSummaryInputSchema = z.object({
  test_id: idInput('test_id', 'Exploratory test id (from list_tests), e.g. 109363.'),
});
export type GetTestSummaryInput = z.output<typeof getTestSummaryInputSchema>;

export const requirementSummarySchema = z.object({
  platform: z
    .string()
    .describe(
      '"{OS} {min}+", "{OS} {min}-{max}", "{OS} ≤{max}", "{OS} {v}" or "{OS}", then " ({device category})", e.g. "iOS 17.0+ (Smartphones)".',
    ),
  browsers: z
    .array(z.string())
    .describe('Browsers required on that platform (at most 20); empty when none are named.'),
});

export const bugsBySeveritySchema = z.object({
  critical: z.number().int().describe('Bugs of severity critical.'),
  high: z.number().int().describe('Bugs of severity high.'),
  low: z.number().int().describe('Bugs of severity low.'),
  visual: z.number().int().describe('Visual bugs (non-functional bug type).'),
  content: z.number().int().describe('Content bugs (non-functional bug type).'),
  custom: z.number().int().describe('Custom bugs (non-functional bug type).'),
});

export const bugsByStatusSchema = z.object({
  active_accepted: z.number().int().describe('Bugs the customer accepted (status accepted).'),
  auto_accepted: z
    .number()
    .int()
    .describe('Bugs TestIO accepted automatically after 10 days without review (status auto_accepted).'),
  total_accepted: z.number().int().describe('active_accepted + auto_accepted.'),
  rejected: z.number().int().describe('Bugs the customer rejected (status rejected).'),
  open: z.number().int().describe("Bugs awaiting the customer's review (API status forwarded)."),
});

export const acceptanceRatesSchema = z.object({
  active_acceptance_rate: rate('active_accepted / total bugs.'),
  auto_acceptance_rate: z
    .number()
    .nullable()
    .describe('auto_accepted / (active_accepted + auto_accepted); null when no bug was accepted.'),
  overall_acceptance_rate: rate('(active_accepted + auto_accepted) / total bugs.'),
  rejection_rate: rate('rejected / total bugs.'),
  review_rate: rate('(active_accepted + rejected) / total bugs: the share a human reviewed.'),
  open_count: z
    .number()
    .int()
    .describe("Bugs awaiting the customer's review (API status forwarded); same as by_status.open."),
  has_alert: z
    .boolean()
    .describe(
      'True when auto_acceptance_rate is above alert_threshold; false when it is at or below it, or null.',
    ),
  alert_threshold: z.number().describe('AUTO_ACCEPTANCE_ALERT_THRESHOLD as a fraction 0-1 (default 0.2).'),
});

export const recentBugSchema = z.object({
  id: z.number().int().describe('Bug id (use with get_bug_summary).'),
  title: z.string().describe('Bug title (at most 300 characters, marker "…(truncated)").'),
  severity: z
    .string()
    .nullable()
    .describe('critical, high, low, visual, content or custom; null when unknown.'),
  status: z
    .string()
    .nullable()
    .describe('accepted, auto_accepted, rejected or forwarded (open); null when unknown.'),
  created_at: timestamp('When the bug was reported.'),
  known: z.boolean().describe("TestIO's known flag: the bug is marked as an already known issue."),
});

const featureRefSchema = z.object({
  id: z.number().int().describe('Catalogue feature id (use with get_feature_summary).'),
  name: z.string().describe('Feature title (the test\'s copy; "Feature {id}" when it has none).'),
});

export const getTestSummaryOutputSchema = z.object({
  test: z
    .object({
      id: z.number().int().describe('Exploratory test id.'),
      title: z.string().describe('Test title.'),
      goal: z
        .string()
        .nullable()
        .describe(
          'What the test is meant to find; null when none. Long text is truncated (at most 2000 characters, marker "…(truncated)").',
        ),
      instructions: z
        .string()
        .nullable()
        .describe('Instructions for the testers; null when none. Truncated like goal.'),
      out_of_scope: z
        .string()
        .nullable()
        .describe('What testers must leave alone; null when none. Truncated like goal.'),
      testing_type: z
        .string()
        .nullable()
        .describe('coverage, rapid, usability, focused or custom; null when unknown.'),
      duration: z
        .number()
        .int()
        .nullable()
        .describe('Whole minutes between starts_at and ends_at; null when either is missing.'),
      status: z
        .string()
        .describe(
          'Test status: running, locked, archived, cancelled, customer_finalized, initialized (or waiting, as TestIO sends it).',
        ),
      review_status: z
        .string()
        .nullable()
        .describe("TestIO's review status of the test, as sent; null when none."),
      requirements_summary: z
        .array(requirementSummarySchema)
        .nullable()
        .describe('Required platforms (at most 50); null when none.'),
      enable_low: z
        .boolean()
        .nullable()
        .describe('Whether testers may report low-severity bugs; null when TestIO does not say.'),
      enable_high: z
        .boolean()
        .nullable()
        .describe('Whether testers may report high-severity bugs; null when TestIO does not say.'),
      enable_critical: z
        .boolean()
        .nullable()
        .describe('Whether testers may report critical bugs; null when TestIO does not say.'),
      starts_at: timestamp('When the test started.'),
      ends_at: timestamp('When the test ended (or is scheduled to end).'),
      test_environment: z
        .object({
          id: z.number().int().describe('TestIO test environment id.'),
          title: z.string().nullable().describe('Environment name; null when TestIO gives none.'),
        })
        .nullable()
        .describe('The environment the test ran against; null when none.'),
      product: productRef(),
      feature: featureRefSchema
        .nullable()
        .describe('The first feature the test covered; null when none; see features for all.'),
      features: z
        .array(featureRefSchema)
        .describe('Every feature the test covered (catalogue ids, at most 50).'),
    })
    .describe('The test configuration and status.'),
  bugs: z
    .object({
      total_count: z.number().int().describe('All bugs of the test in the mirror, any status.'),
      known_bugs_count: z.number().int().describe('Bugs with the known flag set.'),
      by_severity: bugsBySeveritySchema.describe(
        'Bugs per severity; bugs of another or no severity count only in total_count.',
      ),
      by_status: bugsByStatusSchema.describe(
        'Bugs per review outcome; bugs of unknown status count only in total_count.',
      ),
      by_platform: z
        .object({
          operating_systems: countMap.describe('Devices per operating system name.'),
          browsers: countMap.describe('Devices per browser name.'),
          device_categories: countMap.describe('Devices per device category (e.g. Smartphones).'),
        })
        .describe('Counts over every device of every bug (a bug found on two devices counts twice).'),
      acceptance_rates: acceptanceRatesSchema.describe(
        'Review outcome rates over total_count; see each rate for its formula.',
      ),
      recent_bugs: z.array(recentBugSchema).describe('The 3 most recently reported bugs, newest first.'),
    })
    .describe('Bug statistics of the test.'),
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
  id: z.number().int().describe('TestIO product id.'),
  title: z.string().describe('Product title.'),
  type: z
    .string()
    .nullable()
    .describe('Product type (website, mobile_app_ios, mobile_app_android, ...); null when unknown.'),
  description: z
    .string()
    .nullable()
    .describe(
      'Product description; null when none. Truncated with "…(truncated)" when long (2000 characters).',
    ),
  test_count: z
    .number()
    .int()
    .describe('All tests of the product in the mirror, any status (the sum of tests_by_status).'),
  tests_by_status: countMap.describe('Tests per status (only statuses present).'),
  feature_count: z.number().int().describe('Catalogue features of the product in the mirror.'),
  user_story_count: z.number().int().describe('User stories over all of its features.'),
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
  feature_id: idInput(
    'feature_id',
    'Catalogue feature id (from list_features or get_bug_summary.feature.id).',
  ),
});
export type GetFeatureSummaryInput = z.output<typeof getFeatureSummaryInputSchema>;

export const getFeatureSummaryOutputSchema = z.object({
  id: z.number().int().describe('Catalogue feature id.'),
  title: z.string().describe('Feature title.'),
  description: z
    .string()
    .nullable()
    .describe(
      'What the feature is; null when none. Truncated with "…(truncated)" when long (2000 characters).',
    ),
  howtofind: z
    .string()
    .nullable()
    .describe('Where testers find the feature in the product; null when none. Truncated like description.'),
  user_stories: z
    .array(z.string())
    .describe('User story titles, each at most 300 characters; at most 50 listed, see user_story_count.'),
  user_story_count: z.number().int().describe('All user stories of the feature.'),
  test_count: z.number().int().describe('Distinct tests in the mirror that covered the feature.'),
  bug_count: z.number().int().describe('Bugs in the mirror filed against the feature, any status.'),
  product: productRef(),
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
  id: z.number().int().describe('Local user id.'),
  username: z.string().describe('TestIO username.'),
  user_type: z.enum(USER_TYPES).describe('tester when the user reported bugs, else customer (see roles).'),
  roles: z.array(z.enum(USER_TYPES)).describe('Every role the data shows (a person can be both).'),
  tests_created_count: z
    .number()
    .int()
    .nullable()
    .describe('Customers: tests they created; null for pure testers.'),
  tests_submitted_count: z
    .number()
    .int()
    .nullable()
    .describe('Customers: tests they submitted; null for pure testers.'),
  bugs_reported_count: z
    .number()
    .int()
    .nullable()
    .describe('Testers: bugs they reported; null for pure customers.'),
  first_seen: timestamp('When the sync first saw the user.'),
  last_activity: timestamp(
    'Newest activity in the data: a bug reported (as tester) or the start/end of a test created or submitted (as customer).',
  ),
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
  id: z.number().int().describe('Bug id.'),
  title: z.string().describe('Bug title.'),
  severity: z
    .string()
    .nullable()
    .describe('critical, high, low (functional) or visual, content, custom (bug type); null when unknown.'),
  status: z
    .string()
    .nullable()
    .describe(
      'accepted (by the customer), auto_accepted (after 10 days without review), rejected, or forwarded (open: awaiting the customer review); null when unknown.',
    ),
  known: z.boolean().describe("TestIO's known flag: the bug is marked as an already known issue."),
  actual_result: z
    .string()
    .nullable()
    .describe('What happened; null when none. Truncated with "…(truncated)" when long (2000 characters).'),
  expected_result: z
    .string()
    .nullable()
    .describe('What should have happened; null when none. Truncated like actual_result.'),
  steps: z
    .string()
    .nullable()
    .describe('Steps to reproduce, one per line; null when none. Truncated like actual_result.'),
  rejection_reason: z
    .string()
    .nullable()
    .describe(
      'Rejected bugs only: device_not_relevant, ignored_instructions, intended_behavior, irrelevant, known_bug, not_reproducible or request_timeout; else null.',
    ),
  reported_by_user: z
    .object({
      id: z.number().int().describe('Local user id (use with get_user_summary).'),
      username: z.string().describe('TestIO username.'),
    })
    .nullable()
    .describe('The tester who reported the bug; null when unknown.'),
  test: z
    .object({
      id: z.number().int().describe('Exploratory test id (use with get_test_summary).'),
      title: z.string().describe('Test title.'),
    })
    .describe('The test the bug was reported in.'),
  product: productRef(),
  feature: z
    .object({
      id: z.number().int().describe('Catalogue feature id (use with get_feature_summary).'),
      title: z.string().describe('Feature title.'),
    })
    .nullable()
    .describe('The catalogue feature the bug was filed against; null when none.'),
  devices: z
    .array(
      z.object({
        category: z.string().nullable().describe('Device category (e.g. Smartphones); null when unknown.'),
        operating_system: z
          .string()
          .nullable()
          .describe('Operating system name as TestIO reports it; null when unknown.'),
        device: z.string().nullable().describe('Device name; null when unknown.'),
        browsers: z
          .array(z.string())
          .describe('Browsers the bug was found in on that device (at most 20); empty when none.'),
      }),
    )
    .describe('Devices the bug was found on (at most 10).'),
  reported_at: timestamp('When the bug was reported.'),
  ...freshnessShape,
});
export type GetBugSummaryOutput = z.infer<typeof getBugSummaryOutputSchema>;
