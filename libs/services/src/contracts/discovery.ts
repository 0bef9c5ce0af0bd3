import { z } from 'zod';
import {
  BUG_SEVERITIES,
  BUG_STATUSES,
  PRODUCT_TYPES,
  REJECTION_REASON_KEYS,
  TEST_STATUSES,
  TESTING_TYPES,
  USER_TYPES,
} from '@testio-mcp/domain';
import {
  DEFAULT_PRODUCT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  MAX_PRODUCT_PAGE_SIZE,
  MAX_SCOPED_TEST_IDS,
  boolInput,
  enumInput,
  enumListInput,
  freshnessShape,
  idInput,
  requiredIdListInput,
  intInput,
  paginationInputs,
  paginationSchema,
  sortOrderInput,
  timestamp,
} from './common.js';

const DEFAULT_PAGE_TEXT = 'TESTIO_DEFAULT_PAGE_SIZE, 100';
const REJECTION_REASONS = REJECTION_REASON_KEYS as unknown as readonly [string, ...string[]];

// ---------------------------------------------------------------------------------------------------
// list_products
// ---------------------------------------------------------------------------------------------------

export const LIST_PRODUCTS_SORT_FIELDS = ['title', 'product_type', 'last_synced'] as const;

export const listProductsInputSchema = z.object({
  search: z
    .string()
    .trim()
    .max(200)
    .optional()
    .describe('Case-insensitive text matched against product title and description (substring).'),
  product_type: enumListInput('product_type', PRODUCT_TYPES, 'Only products of these types.'),
  sort_by: enumInput(LIST_PRODUCTS_SORT_FIELDS, 'Sort field (default title).').default('title'),
  sort_order: sortOrderInput('asc'),
  ...paginationInputs({
    maxPerPage: MAX_PRODUCT_PAGE_SIZE,
    defaultPerPage: String(DEFAULT_PRODUCT_PAGE_SIZE),
  }),
});
export type ListProductsInput = z.output<typeof listProductsInputSchema>;

export const productListItemSchema = z.object({
  id: z
    .number()
    .int()
    .describe('TestIO product id (use with list_tests, list_features, get_product_summary).'),
  name: z.string().describe('Product title.'),
  type: z
    .string()
    .nullable()
    .describe(
      'Product type as TestIO reports it: website, mobile_app_ios, mobile_app_android, mobile_app_windows, streaming_app, gaming; null when unknown.',
    ),
  description: z
    .string()
    .nullable()
    .describe(
      'Product description; null when none. Truncated in lists (at most 300 characters, marker "…(truncated)").',
    ),
  test_count: z.number().int().describe('All tests of the product in the mirror, any status.'),
  feature_count: z.number().int().describe('Catalogue features of the product in the mirror.'),
  tests_last_30_days: z
    .number()
    .int()
    .describe(
      'Executed tests (running, locked, archived, customer_finalized) that ended in the last 30 days.',
    ),
  tests_last_90_days: z.number().int().describe('Executed tests that ended in the last 90 days.'),
  last_test_end_at: timestamp('End of the newest executed test.'),
  last_synced: timestamp('When the product row was last read from TestIO.'),
});

export const listProductsOutputSchema = z.object({
  total_count: z.number().int().describe('Products matching the filters, over all pages.'),
  filters_applied: z
    .object({
      search: z.string().nullable().describe('The search text used; null when none was given.'),
      product_type: z
        .array(z.string())
        .nullable()
        .describe('The product types filtered on (lower case); null when none were given.'),
    })
    .describe('The filters this answer applied.'),
  products: z.array(productListItemSchema).describe('This page of products, in the requested order.'),
  page: z.number().int().describe('Same as pagination.page (1-based).'),
  per_page: z.number().int().describe('Same as pagination.per_page: page size used.'),
  pagination: paginationSchema,
  ...freshnessShape,
});
export type ListProductsOutput = z.infer<typeof listProductsOutputSchema>;

// ---------------------------------------------------------------------------------------------------
// list_tests
// ---------------------------------------------------------------------------------------------------

export const LIST_TESTS_SORT_FIELDS = ['start_at', 'end_at', 'status', 'title'] as const;

export const listTestsInputSchema = z.object({
  product_id: idInput('product_id', 'Product id (from list_products), e.g. 598.'),
  statuses: enumListInput('statuses', TEST_STATUSES, 'Only tests in these statuses (default: all).'),
  testing_type: enumInput(TESTING_TYPES, 'Only tests of this testing type.').optional(),
  sort_by: enumInput(LIST_TESTS_SORT_FIELDS, 'Sort field (default end_at).').default('end_at'),
  sort_order: sortOrderInput('desc'),
  ...paginationInputs({ maxPerPage: MAX_PAGE_SIZE, defaultPerPage: DEFAULT_PAGE_TEXT }),
});
export type ListTestsInput = z.output<typeof listTestsInputSchema>;

export const testEnvironmentRefSchema = z.object({
  id: z.number().int().describe('TestIO test environment id.'),
  title: z
    .string()
    .nullable()
    .describe('Environment name (e.g. a staging URL or app build); null when TestIO gives none.'),
});

export const testListItemSchema = z.object({
  test_id: z.number().int().describe('Exploratory test id (use with get_test_summary and list_bugs).'),
  title: z.string().describe('Test title (truncated with "…(truncated)" on very full pages).'),
  goal: z
    .string()
    .nullable()
    .describe(
      'Test goal; null when none. Truncated in lists (marker "…(truncated)"); get_test_summary has the full text.',
    ),
  status: z
    .string()
    .describe(
      'Test status: running, locked, archived, cancelled, customer_finalized, initialized (or waiting, as TestIO sends it).',
    ),
  review_status: z
    .string()
    .nullable()
    .describe("TestIO's review status of the test, as sent; null when none."),
  testing_type: z
    .string()
    .nullable()
    .describe('coverage, rapid, usability, focused or custom; null when unknown.'),
  duration: z
    .number()
    .int()
    .nullable()
    .describe('Whole minutes between starts_at and ends_at; null when either is missing.'),
  starts_at: timestamp('When the test started.'),
  ends_at: timestamp('When the test ended (or is scheduled to end).'),
  test_environment: testEnvironmentRefSchema
    .nullable()
    .describe('The environment the test ran against; null when none.'),
  bug_count: z.number().int().describe('Bugs of the test in the mirror, any status.'),
});

export const listTestsOutputSchema = z.object({
  product: z
    .object({
      id: z.number().int().describe('TestIO product id.'),
      name: z.string().describe('Product title.'),
      type: z.string().nullable().describe('Product type (website, mobile_app_ios, ...); null when unknown.'),
    })
    .describe('The product whose tests these are.'),
  statuses_filter: z.array(z.string()).describe('Statuses filtered on (all six when none were given).'),
  testing_type_filter: z
    .string()
    .nullable()
    .describe('The testing type filtered on; null when none was given.'),
  pagination: paginationSchema,
  total_tests: z.number().int().describe('Tests on this page (see pagination.total_count for all pages).'),
  tests: z
    .array(testListItemSchema)
    .describe('This page of tests, in the requested order (default: newest end first).'),
  ...freshnessShape,
});
export type ListTestsOutput = z.infer<typeof listTestsOutputSchema>;

// ---------------------------------------------------------------------------------------------------
// list_features
// ---------------------------------------------------------------------------------------------------

export const LIST_FEATURES_SORT_FIELDS = ['title', 'test_count', 'bug_count', 'last_synced'] as const;

export const listFeaturesInputSchema = z.object({
  product_id: idInput('product_id', 'Product id (from list_products).'),
  has_user_stories: boolInput(
    'true: only features with at least one user story; false or absent: all features.',
  ).optional(),
  sort_by: enumInput(LIST_FEATURES_SORT_FIELDS, 'Sort field (default title).').default('title'),
  sort_order: sortOrderInput('asc'),
  ...paginationInputs({ maxPerPage: MAX_PAGE_SIZE, defaultPerPage: DEFAULT_PAGE_TEXT }),
});
export type ListFeaturesInput = z.output<typeof listFeaturesInputSchema>;

export const featureListItemSchema = z.object({
  id: z.number().int().describe('Catalogue feature id (use with get_feature_summary).'),
  title: z.string().describe('Feature title.'),
  description: z
    .string()
    .nullable()
    .describe('What the feature is; null when none. Truncated in lists (marker "…(truncated)").'),
  howtofind: z
    .string()
    .nullable()
    .describe('Where testers find the feature in the product; null when none. Truncated in lists.'),
  user_story_count: z.number().int().describe('User stories written for the feature.'),
  test_count: z.number().int().describe('Distinct tests in the mirror that covered the feature.'),
  bug_count: z.number().int().describe('Bugs in the mirror filed against the feature, any status.'),
});

export const listFeaturesOutputSchema = z.object({
  product_id: z.number().int().describe('The product whose catalogue this is.'),
  pagination: paginationSchema,
  features: z
    .array(featureListItemSchema)
    .describe('This page of catalogue features, in the requested order.'),
  total: z.number().int().describe('Features on this page.'),
  ...freshnessShape,
});
export type ListFeaturesOutput = z.infer<typeof listFeaturesOutputSchema>;

/**
 * A page of a product's features with their user stories (REST `GET /api/products/{id}/user_stories`;
 * no MCP tool: `list_features` + `get_feature_summary` cover it there). Each feature carries what
 * `get_feature_summary` would say about its stories and freshness.
 */
export interface FeatureUserStoriesOutput extends Omit<ListFeaturesOutput, 'features'> {
  features: Array<{
    id: number;
    title: string;
    /** The first MAX_USER_STORIES stories, each cut to 300 characters. */
    user_stories: string[];
    user_story_count: number;
    stale: boolean;
    warnings?: string[];
  }>;
}

// ---------------------------------------------------------------------------------------------------
// list_users
// ---------------------------------------------------------------------------------------------------

export const LIST_USERS_SORT_FIELDS = ['username', 'user_type', 'last_activity', 'first_seen'] as const;

export const listUsersInputSchema = z.object({
  user_type: enumInput(
    USER_TYPES,
    'tester (bug reporters) or customer (test creators/submitters); default both.',
  ).optional(),
  days: intInput(
    1,
    36_500,
    'Only users active (a bug reported or a test ended) within this many days (default 365).',
  ).default(365),
  sort_by: enumInput(LIST_USERS_SORT_FIELDS, 'Sort field (default username).').default('username'),
  sort_order: sortOrderInput('asc'),
  ...paginationInputs({ maxPerPage: MAX_PAGE_SIZE, defaultPerPage: DEFAULT_PAGE_TEXT }),
});
export type ListUsersInput = z.output<typeof listUsersInputSchema>;

export const userListItemSchema = z.object({
  id: z.number().int().describe('Local user id (use with get_user_summary).'),
  username: z.string().describe('TestIO username.'),
  user_type: z.enum(USER_TYPES).describe('tester when the user reported bugs, else customer (see roles).'),
  roles: z.array(z.enum(USER_TYPES)).describe('Every role the data shows (a person can be both).'),
  first_seen: timestamp('When the sync first saw the user.'),
  last_activity: timestamp(
    'Newest activity in the data: a bug reported (as tester) or the start/end of a test created or submitted (as customer).',
  ),
});

export const listUsersOutputSchema = z.object({
  users: z.array(userListItemSchema).describe('This page of users, in the requested order.'),
  pagination: paginationSchema,
  total: z.number().int().describe('Users on this page.'),
  filter: z
    .object({
      user_type: z.string().nullable().describe('tester or customer; null when both were listed.'),
      days: z.number().int().describe('The activity window in days.'),
      active_since: z.string().describe('Start of that window: now minus days (ISO 8601 UTC).'),
    })
    .describe('The filters this answer applied.'),
  hint: z.string().optional().describe('Only when nothing matched: where users come from.'),
  ...freshnessShape,
});
export type ListUsersOutput = z.infer<typeof listUsersOutputSchema>;

// ---------------------------------------------------------------------------------------------------
// list_bugs
// ---------------------------------------------------------------------------------------------------

export const LIST_BUGS_SORT_FIELDS = ['reported_at', 'severity', 'status', 'title'] as const;

export const listBugsInputSchema = z.object({
  test_ids: requiredIdListInput(
    'test_ids',
    `Tests whose bugs to list (required, 1-${MAX_SCOPED_TEST_IDS} ids; from list_tests): [123, 456], 123, '123,456' or '[123, 456]'.`,
    MAX_SCOPED_TEST_IDS,
  ),
  status: enumListInput(
    'status',
    BUG_STATUSES,
    'Only bugs in these statuses (forwarded = open, awaiting review).',
  ),
  severity: enumListInput('severity', BUG_SEVERITIES, 'Only bugs of these severities.'),
  rejection_reason: enumListInput(
    'rejection_reason',
    REJECTION_REASONS,
    'Only rejected bugs with these reasons.',
  ),
  reported_by_user_id: idInput(
    'reported_by_user_id',
    'Only bugs reported by this user (id from list_users).',
  ).optional(),
  sort_by: enumInput(
    LIST_BUGS_SORT_FIELDS,
    'Sort field (default reported_at). severity sorts by rank: critical > high > low > visual > content > custom.',
  ).default('reported_at'),
  sort_order: sortOrderInput('desc'),
  ...paginationInputs({ maxPerPage: MAX_PAGE_SIZE, defaultPerPage: DEFAULT_PAGE_TEXT }),
});
export type ListBugsInput = z.output<typeof listBugsInputSchema>;

export const bugListItemSchema = z.object({
  id: z.number().int().describe('Bug id (use with get_bug_summary).'),
  title: z.string().describe('Bug title (truncated with "…(truncated)" on very full pages).'),
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
  rejection_reason: z
    .string()
    .nullable()
    .describe(
      "Rejected bugs only: device_not_relevant, ignored_instructions, intended_behavior, irrelevant, known_bug, not_reproducible or request_timeout (read from TestIO's rejection comment); else null.",
    ),
  test_id: z.number().int().describe('The test the bug was reported in.'),
  reported_at: timestamp('When the bug was reported.'),
});

export const listBugsOutputSchema = z.object({
  bugs: z
    .array(bugListItemSchema)
    .describe('This page of bugs, in the requested order (default: newest first).'),
  pagination: paginationSchema,
  filters_applied: z
    .object({
      test_ids: z
        .array(z.number().int())
        .describe('The test ids asked for (deduplicated); unknown ones are named in warnings.'),
      status: z.array(z.string()).nullable().describe('Bug statuses filtered on; null when none were given.'),
      severity: z.array(z.string()).nullable().describe('Severities filtered on; null when none were given.'),
      rejection_reason: z
        .array(z.string())
        .nullable()
        .describe('Rejection reasons filtered on; null when none were given.'),
      reported_by_user_id: z
        .number()
        .int()
        .nullable()
        .describe('The reporter filtered on (user id); null when none was given.'),
    })
    .describe('The filters this answer applied (all combined with AND).'),
  ...freshnessShape,
});
export type ListBugsOutput = z.infer<typeof listBugsOutputSchema>;
