import type { Freshness, Pagination, TestEnvironmentRef } from './common.js';

// ---------------------------------------------------------------------------------------------------
// GET /api/products (list_products)
// ---------------------------------------------------------------------------------------------------

export interface ProductListItem {
  /** @example 598 */
  id: number;
  /** Product title. @example "Checkout Web" */
  name: string;
  /** website, mobile_app_ios, mobile_app_android, streaming_app, ... @example "website" */
  type: string | null;
  /** Truncated to 300 characters in lists. */
  description: string | null;
  /** All tests of the product in the mirror, any status. */
  test_count: number;
  feature_count: number;
  /** Executed tests (running, locked, archived, customer_finalized) that ended in the last 30 days. */
  tests_last_30_days: number;
  /** Executed tests that ended in the last 90 days. */
  tests_last_90_days: number;
  /** End of the newest executed test. ISO 8601 UTC, or null. */
  last_test_end_at: string | null;
  /** When the product row was last read from TestIO. ISO 8601 UTC, or null. */
  last_synced: string | null;
}

export interface ProductFiltersApplied {
  search: string | null;
  product_type: string[] | null;
}

export interface ListProductsResponse extends Freshness {
  /** Products matching the filters, over all pages. */
  total_count: number;
  filters_applied: ProductFiltersApplied;
  products: ProductListItem[];
  page: number;
  per_page: number;
  pagination: Pagination;
}

// ---------------------------------------------------------------------------------------------------
// GET /api/products/{product_id}/tests, GET /api/tests (list_tests)
// ---------------------------------------------------------------------------------------------------

export interface TestListItem {
  /** @example 109363 */
  test_id: number;
  title: string;
  /** Truncated in lists (marker "…(truncated)"); the test summary has the full text. */
  goal: string | null;
  /** @example "archived" */
  status: string;
  review_status: string | null;
  /** @example "coverage" */
  testing_type: string | null;
  /** Minutes between starts_at and ends_at. */
  duration: number | null;
  /** Start. ISO 8601 UTC, or null. */
  starts_at: string | null;
  /** End. ISO 8601 UTC, or null. */
  ends_at: string | null;
  test_environment: TestEnvironmentRef | null;
  /** Bugs of the test in the mirror. */
  bug_count: number;
}

export interface ProductTypeRef {
  id: number;
  name: string;
  type: string | null;
}

export interface ListTestsResponse extends Freshness {
  product: ProductTypeRef;
  /** Statuses filtered on (all six when none were given). */
  statuses_filter: string[];
  testing_type_filter: string | null;
  pagination: Pagination;
  /** Tests on this page (see pagination.total_count for all pages). */
  total_tests: number;
  tests: TestListItem[];
}

// ---------------------------------------------------------------------------------------------------
// GET /api/products/{product_id}/features (list_features)
// ---------------------------------------------------------------------------------------------------

export interface FeatureListItem {
  /** Catalogue feature id (use with GET /api/features/{feature_id}/summary). */
  id: number;
  title: string;
  /** Truncated in lists. */
  description: string | null;
  /** Truncated in lists. */
  howtofind: string | null;
  user_story_count: number;
  /** Tests that covered the feature. */
  test_count: number;
  /** Bugs filed against the feature. */
  bug_count: number;
}

export interface ListFeaturesResponse extends Freshness {
  product_id: number;
  pagination: Pagination;
  features: FeatureListItem[];
  /** Features on this page. */
  total: number;
}

// ---------------------------------------------------------------------------------------------------
// GET /api/users (list_users)
// ---------------------------------------------------------------------------------------------------

export type UserType = 'tester' | 'customer';

export interface UserListItem {
  /** Local user id (use with GET /api/users/{user_id}/summary). */
  id: number;
  username: string;
  /** tester when the user reported bugs, else customer (see roles). */
  user_type: UserType;
  /** Every role the data shows (a person can be both). */
  roles: UserType[];
  /** When the sync first saw the user. ISO 8601 UTC, or null. */
  first_seen: string | null;
  /** Newest bug reported (tester) or test ended (customer). ISO 8601 UTC, or null. */
  last_activity: string | null;
}

export interface UserFilter {
  user_type: string | null;
  days: number;
  active_since: string;
}

export interface ListUsersResponse extends Freshness {
  users: UserListItem[];
  pagination: Pagination;
  /** Users on this page. */
  total: number;
  filter: UserFilter;
  /** Only when nothing matched: where users come from. */
  hint?: string;
}

// ---------------------------------------------------------------------------------------------------
// GET /api/bugs (list_bugs)
// ---------------------------------------------------------------------------------------------------

export interface BugListItem {
  /** Bug id (use with GET /api/bugs/{bug_id}/summary). */
  id: number;
  title: string;
  /** @example "high" */
  severity: string | null;
  /** accepted, auto_accepted, rejected or forwarded (open). */
  status: string | null;
  known: boolean;
  rejection_reason: string | null;
  test_id: number;
  /** When the bug was reported. ISO 8601 UTC, or null. */
  reported_at: string | null;
}

export interface BugFiltersApplied {
  test_ids: number[];
  status: string[] | null;
  severity: string[] | null;
  rejection_reason: string[] | null;
  reported_by_user_id: number | null;
}

export interface ListBugsResponse extends Freshness {
  bugs: BugListItem[];
  pagination: Pagination;
  filters_applied: BugFiltersApplied;
}
