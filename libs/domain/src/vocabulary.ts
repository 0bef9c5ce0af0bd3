/**
 * The exact strings TestIO and the reference product use. Every surface validates against these, so a
 * typo in a filter is caught at the edge instead of silently matching nothing.
 */

/** Test statuses a user may filter by. */
export const TEST_STATUSES = [
  'running',
  'locked',
  'archived',
  'cancelled',
  'customer_finalized',
  'initialized',
] as const;
export type TestStatus = (typeof TEST_STATUSES)[number];

/**
 * Every status the API may send. `waiting` exists upstream (a test waiting to start) but is not a
 * filter value in the reference; we accept it on the wire and treat it as mutable.
 */
export const UPSTREAM_TEST_STATUSES = [...TEST_STATUSES, 'waiting'] as const;
export type UpstreamTestStatus = (typeof UPSTREAM_TEST_STATUSES)[number];

/** Statuses of tests that actually ran: the default scope of reports and metrics. */
export const EXECUTED_TEST_STATUSES = ['running', 'locked', 'archived', 'customer_finalized'] as const;

/** Tests in these statuses still change upstream, so cached copies go stale after the TTL. */
export const MUTABLE_TEST_STATUSES = [
  'customer_finalized',
  'waiting',
  'running',
  'locked',
  'initialized',
] as const;

/** Final statuses: a cached copy never goes stale. */
export const IMMUTABLE_TEST_STATUSES = ['archived', 'cancelled'] as const;

export const TESTING_TYPES = ['coverage', 'rapid', 'usability', 'focused', 'custom'] as const;
export type TestingType = (typeof TESTING_TYPES)[number];

export const PRODUCT_TYPES = [
  'website',
  'mobile_app_ios',
  'mobile_app_android',
  'mobile_app_windows',
  'streaming_app',
  'gaming',
] as const;
export type ProductType = (typeof PRODUCT_TYPES)[number];

/** Functional severities; the API's `severity` field also carries the non-functional bug type. */
export const FUNCTIONAL_SEVERITIES = ['low', 'high', 'critical'] as const;
export const NON_FUNCTIONAL_BUG_TYPES = ['visual', 'content', 'custom'] as const;
export const BUG_SEVERITIES = ['critical', 'high', 'low', 'visual', 'content', 'custom'] as const;
export type BugSeverity = (typeof BUG_SEVERITIES)[number];

/** Bug statuses as the API sends them. `forwarded` means open, awaiting the customer's review. */
export const UPSTREAM_BUG_STATUSES = ['accepted', 'rejected', 'forwarded'] as const;
export type UpstreamBugStatus = (typeof UPSTREAM_BUG_STATUSES)[number];

/**
 * Stored bug statuses: `auto_accepted` splits API `accepted` + `auto_accepted: true` (accepted by the
 * platform after 10 days without review) from bugs a customer accepted.
 */
export const BUG_STATUSES = ['accepted', 'auto_accepted', 'rejected', 'forwarded'] as const;
export type BugStatus = (typeof BUG_STATUSES)[number];

/** Days after which TestIO accepts a forwarded bug on the customer's behalf. */
export const AUTO_ACCEPT_AFTER_DAYS = 10;

/**
 * Rejection reasons and the default comment TestIO posts with each; the reason of a rejected bug is
 * recovered by finding this text in its comments.
 */
export const REJECTION_REASONS = {
  device_not_relevant: 'This device is not relevant and the bug will not be fixed.',
  ignored_instructions: 'The test instructions were not followed.',
  intended_behavior: 'The behaviour/design described here is intentional.',
  irrelevant: 'This bug is not relevant and will not be fixed.',
  known_bug: 'This is a legit bug but already known.',
  not_reproducible: 'With the information provided it was not possible to reproduce this bug.',
  request_timeout:
    "Your bug was rejected automatically, because you didn't respond to the request within 24 hours",
} as const;
export type RejectionReason = keyof typeof REJECTION_REASONS;
export const REJECTION_REASON_KEYS = Object.keys(REJECTION_REASONS) as RejectionReason[];

export const USER_TYPES = ['tester', 'customer'] as const;
export type UserType = (typeof USER_TYPES)[number];

export const EXPORT_STATUSES = ['export_requested', 'not_exported', 'exported'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

export const REPORT_LANGUAGES = ['en', 'de'] as const;

/** The section every product has, even a legacy product without sections. */
export const DEFAULT_SECTION_NAME = 'default-section';

/** Upper bound of test ids per `GET /bugs?filter_test_cycle_ids=` request. */
export const MAX_TESTS_PER_BUG_REQUEST = 15;

/** Without `page`, the exploratory test list returns only this many of the newest tests. */
export const UNPAGINATED_TEST_LIMIT = 150;

/** Page size the API uses when `page` is given without `per_page`. */
export const DEFAULT_TEST_PAGE_SIZE = 25;
