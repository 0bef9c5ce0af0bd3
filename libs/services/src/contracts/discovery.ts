import { z } from 'zod';
import { BUG_SEVERITIES, BUG_STATUSES, PRODUCT_TYPES, REJECTION_REASON_KEYS, TEST_STATUSES, TESTING_TYPES, USER_TYPES } from '@testio-mcp/domain';
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
  ...paginationInputs({ maxPerPage: MAX_PRODUCT_PAGE_SIZE, defaultPerPage: String(DEFAULT_PRODUCT_PAGE_SIZE) }),
});
export type ListProductsInput = z.output<typeof listProductsInputSchema>;

export const productListItemSchema = z.object({
  id: z.number().int(),
  name: z.string().describe('Product title.'),
  type: z.string().nullable().describe('website, mobile_app_ios, mobile_app_android, streaming_app, ...'),
  description: z.string().nullable().describe('Truncated to 300 characters in lists.'),
  test_count: z.number().int().describe('All tests of the product in the mirror, any status.'),
  feature_count: z.number().int(),
  tests_last_30_days: z.number().int().describe('Executed tests (running, locked, archived, customer_finalized) that ended in the last 30 days.'),
  tests_last_90_days: z.number().int().describe('Executed tests that ended in the last 90 days.'),
  last_test_end_at: timestamp('End of the newest executed test.'),
  last_synced: timestamp('When the product row was last read from TestIO.'),
});

export const listProductsOutputSchema = z.object({
  total_count: z.number().int().describe('Products matching the filters, over all pages.'),
  filters_applied: z.object({
    search: z.string().nullable(),
    product_type: z.array(z.string()).nullable(),
  }),
  products: z.array(productListItemSchema),
  page: z.number().int(),
  per_page: z.number().int(),
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

export const testEnvironmentRefSchema = z.object({ id: z.number().int(), title: z.string().nullable() });

export const testListItemSchema = z.object({
  test_id: z.number().int(),
  title: z.string(),
  goal: z.string().nullable().describe('Truncated in lists (marker "…(truncated)"); get_test_summary has the full text.'),
  status: z.string(),
  review_status: z.string().nullable(),
  testing_type: z.string().nullable(),
  duration: z.number().int().nullable().describe('Minutes between starts_at and ends_at.'),
  starts_at: timestamp('Start.'),
  ends_at: timestamp('End.'),
  test_environment: testEnvironmentRefSchema.nullable(),
  bug_count: z.number().int().describe('Bugs of the test in the mirror.'),
});

export const listTestsOutputSchema = z.object({
  product: z.object({ id: z.number().int(), name: z.string(), type: z.string().nullable() }),
  statuses_filter: z.array(z.string()).describe('Statuses filtered on (all six when none were given).'),
  testing_type_filter: z.string().nullable(),
  pagination: paginationSchema,
  total_tests: z.number().int().describe('Tests on this page (see pagination.total_count for all pages).'),
  tests: z.array(testListItemSchema),
  ...freshnessShape,
});
export type ListTestsOutput = z.infer<typeof listTestsOutputSchema>;

// ---------------------------------------------------------------------------------------------------
// list_features
// ---------------------------------------------------------------------------------------------------

export const LIST_FEATURES_SORT_FIELDS = ['title', 'test_count', 'bug_count', 'last_synced'] as const;

export const listFeaturesInputSchema = z.object({
  product_id: idInput('product_id', 'Product id (from list_products).'),
  has_user_stories: boolInput('true: only features with at least one user story; false or absent: all features.').optional(),
  sort_by: enumInput(LIST_FEATURES_SORT_FIELDS, 'Sort field (default title).').default('title'),
  sort_order: sortOrderInput('asc'),
  ...paginationInputs({ maxPerPage: MAX_PAGE_SIZE, defaultPerPage: DEFAULT_PAGE_TEXT }),
});
export type ListFeaturesInput = z.output<typeof listFeaturesInputSchema>;

export const featureListItemSchema = z.object({
  id: z.number().int().describe('Catalogue feature id (use with get_feature_summary).'),
  title: z.string(),
  description: z.string().nullable().describe('Truncated in lists.'),
  howtofind: z.string().nullable().describe('Truncated in lists.'),
  user_story_count: z.number().int(),
  test_count: z.number().int().describe('Tests that covered the feature.'),
  bug_count: z.number().int().describe('Bugs filed against the feature.'),
});

export const listFeaturesOutputSchema = z.object({
  product_id: z.number().int(),
  pagination: paginationSchema,
  features: z.array(featureListItemSchema),
  total: z.number().int().describe('Features on this page.'),
  ...freshnessShape,
});
export type ListFeaturesOutput = z.infer<typeof listFeaturesOutputSchema>;

// ---------------------------------------------------------------------------------------------------
// list_users
// ---------------------------------------------------------------------------------------------------

export const LIST_USERS_SORT_FIELDS = ['username', 'user_type', 'last_activity', 'first_seen'] as const;

export const listUsersInputSchema = z.object({
  user_type: enumInput(USER_TYPES, 'tester (bug reporters) or customer (test creators/submitters); default both.').optional(),
  days: intInput(1, 36_500, 'Only users active (a bug reported or a test ended) within this many days (default 365).').default(365),
  sort_by: enumInput(LIST_USERS_SORT_FIELDS, 'Sort field (default username).').default('username'),
  sort_order: sortOrderInput('asc'),
  ...paginationInputs({ maxPerPage: MAX_PAGE_SIZE, defaultPerPage: DEFAULT_PAGE_TEXT }),
});
export type ListUsersInput = z.output<typeof listUsersInputSchema>;

export const userListItemSchema = z.object({
  id: z.number().int().describe('Local user id (use with get_user_summary).'),
  username: z.string(),
  user_type: z.enum(USER_TYPES).describe('tester when the user reported bugs, else customer (see roles).'),
  roles: z.array(z.enum(USER_TYPES)).describe('Every role the data shows (a person can be both).'),
  first_seen: timestamp('When the sync first saw the user.'),
  last_activity: timestamp('Newest bug reported (tester) or test ended (customer).'),
});

export const listUsersOutputSchema = z.object({
  users: z.array(userListItemSchema),
  pagination: paginationSchema,
  total: z.number().int().describe('Users on this page.'),
  filter: z.object({ user_type: z.string().nullable(), days: z.number().int(), active_since: z.string() }),
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
  status: enumListInput('status', BUG_STATUSES, 'Only bugs in these statuses (forwarded = open, awaiting review).'),
  severity: enumListInput('severity', BUG_SEVERITIES, 'Only bugs of these severities.'),
  rejection_reason: enumListInput('rejection_reason', REJECTION_REASONS, 'Only rejected bugs with these reasons.'),
  reported_by_user_id: idInput('reported_by_user_id', 'Only bugs reported by this user (id from list_users).').optional(),
  sort_by: enumInput(LIST_BUGS_SORT_FIELDS, 'Sort field (default reported_at). severity sorts by rank: critical > high > low > visual > content > custom.').default('reported_at'),
  sort_order: sortOrderInput('desc'),
  ...paginationInputs({ maxPerPage: MAX_PAGE_SIZE, defaultPerPage: DEFAULT_PAGE_TEXT }),
});
export type ListBugsInput = z.output<typeof listBugsInputSchema>;

export const bugListItemSchema = z.object({
  id: z.number().int().describe('Bug id (use with get_bug_summary).'),
  title: z.string(),
  severity: z.string().nullable(),
  status: z.string().nullable().describe('accepted, auto_accepted, rejected or forwarded (open).'),
  known: z.boolean(),
  rejection_reason: z.string().nullable(),
  test_id: z.number().int(),
  reported_at: timestamp('When the bug was reported.'),
});

export const listBugsOutputSchema = z.object({
  bugs: z.array(bugListItemSchema),
  pagination: paginationSchema,
  filters_applied: z.object({
    test_ids: z.array(z.number().int()),
    status: z.array(z.string()).nullable(),
    severity: z.array(z.string()).nullable(),
    rejection_reason: z.array(z.string()).nullable(),
    reported_by_user_id: z.number().int().nullable(),
  }),
  ...freshnessShape,
});
export type ListBugsOutput = z.infer<typeof listBugsOutputSchema>;
