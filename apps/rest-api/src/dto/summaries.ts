import type { CountMap, Freshness, NamedRef, TestEnvironmentRef, TitledRef } from './common.js';
import type { UserType } from './discovery.js';

// ---------------------------------------------------------------------------------------------------
// GET /api/tests/{test_id}/summary (get_test_summary)
// ---------------------------------------------------------------------------------------------------

export interface RequirementSummary {
  /**
   * "{OS} {min}+", "{OS} {min}-{max}", "{OS} ≤{max}", "{OS} {v}" or "{OS}", then " ({device category})".
   * @example "iOS 17.0+ (Smartphones)"
   */
  platform: string;
  browsers: string[];
}

export interface BugsBySeverity {
  critical: number;
  high: number;
  low: number;
  visual: number;
  content: number;
  custom: number;
}

export interface BugsByStatus {
  /** Accepted by the customer. */
  active_accepted: number;
  /** Accepted automatically after 10 days without review. */
  auto_accepted: number;
  /** active_accepted + auto_accepted. */
  total_accepted: number;
  rejected: number;
  /** Forwarded, awaiting the customer review. */
  open: number;
}

export interface AcceptanceRates {
  /** active_accepted / total bugs. 0-1, rounded to 4 decimals; null when there are no bugs. */
  active_acceptance_rate: number | null;
  /** auto_accepted / (active_accepted + auto_accepted); null when no bug was accepted. */
  auto_acceptance_rate: number | null;
  /** (active_accepted + auto_accepted) / total bugs. 0-1; null when there are no bugs. */
  overall_acceptance_rate: number | null;
  /** rejected / total bugs. 0-1; null when there are no bugs. */
  rejection_rate: number | null;
  /** (active_accepted + rejected) / total bugs: the share a human reviewed. 0-1; null when there are no bugs. */
  review_rate: number | null;
  open_count: number;
  /** auto_acceptance_rate above AUTO_ACCEPTANCE_ALERT_THRESHOLD (default 0.20). */
  has_alert: boolean;
  alert_threshold: number;
}

export interface RecentBug {
  id: number;
  title: string;
  severity: string | null;
  status: string | null;
  /** When the bug was reported. ISO 8601 UTC, or null. */
  created_at: string | null;
  known: boolean;
}

export interface TestDetail {
  /** @example 109363 */
  id: number;
  title: string;
  /** Long text is truncated with the marker "…(truncated)". */
  goal: string | null;
  /** Truncated like goal. */
  instructions: string | null;
  /** Truncated like goal. */
  out_of_scope: string | null;
  testing_type: string | null;
  /** Minutes between starts_at and ends_at. */
  duration: number | null;
  status: string;
  review_status: string | null;
  /** Required platforms; null when none. */
  requirements_summary: RequirementSummary[] | null;
  enable_low: boolean | null;
  enable_high: boolean | null;
  enable_critical: boolean | null;
  /** Start. ISO 8601 UTC, or null. */
  starts_at: string | null;
  /** End. ISO 8601 UTC, or null. */
  ends_at: string | null;
  test_environment: TestEnvironmentRef | null;
  product: NamedRef;
  /** The first feature the test covered (catalogue id); see features for all. */
  feature: NamedRef | null;
  /** Every feature the test covered (catalogue ids). */
  features: NamedRef[];
}

export interface BugsByPlatform {
  operating_systems: CountMap;
  browsers: CountMap;
  device_categories: CountMap;
}

export interface TestBugStats {
  total_count: number;
  known_bugs_count: number;
  by_severity: BugsBySeverity;
  by_status: BugsByStatus;
  /** Counts over every device of every bug (a bug found on two devices counts twice). */
  by_platform: BugsByPlatform;
  acceptance_rates: AcceptanceRates;
  /** The 3 most recently reported bugs. */
  recent_bugs: RecentBug[];
}

export interface TestSummaryResponse extends Freshness {
  test: TestDetail;
  bugs: TestBugStats;
}

// ---------------------------------------------------------------------------------------------------
// GET /api/products/{product_id}/summary (get_product_summary)
// ---------------------------------------------------------------------------------------------------

export interface ProductSummaryResponse extends Freshness {
  /** @example 598 */
  id: number;
  title: string;
  type: string | null;
  /** Truncated with "…(truncated)" when long. */
  description: string | null;
  test_count: number;
  /** Tests per status (only statuses present). */
  tests_by_status: CountMap;
  feature_count: number;
  user_story_count: number;
  /** End of the newest executed test. ISO 8601 UTC, or null. */
  last_test_end_at: string | null;
  /** When the product row was last read from TestIO. ISO 8601 UTC, or null. */
  last_synced: string | null;
  /** When the product's test list was last walked. ISO 8601 UTC, or null. */
  tests_synced_at: string | null;
}

// ---------------------------------------------------------------------------------------------------
// GET /api/features/{feature_id}/summary (get_feature_summary)
// ---------------------------------------------------------------------------------------------------

export interface FeatureSummaryResponse extends Freshness {
  id: number;
  title: string;
  description: string | null;
  howtofind: string | null;
  /** At most 50 listed; see user_story_count. */
  user_stories: string[];
  user_story_count: number;
  test_count: number;
  bug_count: number;
  product: NamedRef;
}

// ---------------------------------------------------------------------------------------------------
// GET /api/users/{user_id}/summary (get_user_summary)
// ---------------------------------------------------------------------------------------------------

export interface UserSummaryResponse extends Freshness {
  id: number;
  username: string;
  user_type: UserType;
  roles: UserType[];
  /** Customers: tests they created; null for pure testers. */
  tests_created_count: number | null;
  /** Customers: tests they submitted; null for pure testers. */
  tests_submitted_count: number | null;
  /** Testers: bugs they reported; null for pure customers. */
  bugs_reported_count: number | null;
  /** When the sync first saw the user. ISO 8601 UTC, or null. */
  first_seen: string | null;
  /** Newest bug reported or test ended by this user. ISO 8601 UTC, or null. */
  last_activity: string | null;
}

// ---------------------------------------------------------------------------------------------------
// GET /api/bugs/{bug_id}/summary (get_bug_summary)
// ---------------------------------------------------------------------------------------------------

export interface UserRef {
  id: number;
  username: string;
}

export interface BugDevice {
  category: string | null;
  operating_system: string | null;
  device: string | null;
  browsers: string[];
}

export interface BugSummaryResponse extends Freshness {
  id: number;
  title: string;
  severity: string | null;
  status: string | null;
  known: boolean;
  /** Truncated with "…(truncated)" when long. */
  actual_result: string | null;
  /** Truncated when long. */
  expected_result: string | null;
  /** Truncated when long. */
  steps: string | null;
  rejection_reason: string | null;
  reported_by_user: UserRef | null;
  test: TitledRef;
  product: NamedRef;
  /** Catalogue feature (GET /api/features/{feature_id}/summary), or null. */
  feature: TitledRef | null;
  /** At most 10 devices. */
  devices: BugDevice[];
  /** When the bug was reported. ISO 8601 UTC, or null. */
  reported_at: string | null;
}
