import type { Freshness } from './common.js';

// ---------------------------------------------------------------------------------------------------
// GET /api/search (search)
// ---------------------------------------------------------------------------------------------------

export type SearchEntityType = 'product' | 'feature' | 'test' | 'bug';

export interface SearchResult {
  entity_type: SearchEntityType;
  /** Id to pass to the matching summary endpoint. */
  entity_id: number;
  product_id: number;
  title: string;
  /** Relevance, higher is better (negated BM25, title weighted; 4 decimals). */
  score: number;
  /** 1 = best. */
  rank: number;
  /** Best-matching passage, matches between **; null when none could be built. */
  snippet: string | null;
}

export interface SearchResponse extends Freshness {
  /** @example "login crash" */
  query: string;
  /** The full-text expression that ran, when it differs from query. */
  sanitized_query?: string;
  /**
   * Matches for the query and filters (results holds at most limit): exact up to 1,000 per entity type;
   * when total_is_lower_bound, there are at least this many.
   */
  total: number;
  /** True when counting stopped at its cap (1,000 matches per entity type): total is "at least". */
  total_is_lower_bound: boolean;
  results: SearchResult[];
}

// ---------------------------------------------------------------------------------------------------
// The outcome of a sync run (sync_data)
// ---------------------------------------------------------------------------------------------------

export type SyncRunOutcome = 'success' | 'partial_failure' | 'failure' | 'interrupted';
export type SyncRunStatus = 'running' | 'success' | 'partial_failure' | 'failure' | 'interrupted';

export interface SyncDataResult {
  /** The sync run (see GET /api/sync/history). */
  run_id: number;
  /**
   * success: nothing went wrong; partial_failure: some items were skipped (see errors); failure: the
   * run failed (see errors); interrupted: stopped early.
   */
  status: SyncRunOutcome;
  mode: 'incremental' | 'refresh' | 'force';
  /** Products in scope; null = all. */
  product_ids: number[] | null;
  products_synced: number;
  products_deleted: number;
  features_refreshed: number;
  tests_discovered: number;
  tests_updated: number;
  tests_deleted: number;
  bugs_synced: number;
  /** Ranges of test lists TestIO could not serve; see GET /api/sync/problematic. */
  failed_ranges: number;
  duration_seconds: number;
  started_at: string;
  finished_at: string;
  /** What could not be synced (at most 20 listed). */
  errors: string[];
  /** Notes that did not change the outcome (at most 20 listed). */
  warnings: string[];
}

// ---------------------------------------------------------------------------------------------------
// GET /api/diagnostics (get_server_diagnostics)
// ---------------------------------------------------------------------------------------------------

export interface SyncEvent {
  run_id: number;
  /** startup, background, manual_cli, mcp or rest. */
  trigger: string;
  mode: string;
  status: SyncRunStatus;
  started_at: string;
  started_at_relative: string;
  /** End of the run. ISO 8601 UTC, or null. */
  completed_at: string | null;
  duration_seconds: number | null;
  products_synced: number | null;
  tests_discovered: number | null;
  tests_updated: number | null;
  bugs_synced: number | null;
  warnings_count: number;
  error: string | null;
}

/** TestIO API reachability. */
export interface DiagnosticsApi {
  /** False when the probe was skipped (check_api false or no API configured). */
  checked: boolean;
  connected: boolean | null;
  latency_ms: number | null;
  product_count: number | null;
  message: string;
}

export interface DiagnosticsDatabase {
  path: string;
  size_mb: number | null;
  product_count: number;
  feature_count: number;
  test_count: number;
  bug_count: number;
  user_count: number;
}

export interface CircuitBreaker {
  failures: number;
  max_failures: number;
  window_seconds: number;
  /** When automatic syncs resume. ISO 8601 UTC, or null. */
  retry_at: string | null;
  last_error: string | null;
  reason: string;
}

export interface DiagnosticsSync {
  /** A sync holds the lease right now. */
  running: boolean;
  /** End of the newest finished run. ISO 8601 UTC, or null. */
  last_sync: string | null;
  last_sync_relative: string | null;
  last_sync_status: SyncRunStatus | null;
  last_sync_duration_seconds: number | null;
  /** End of the newest run with status success or partial_failure. ISO 8601 UTC, or null. */
  last_successful_sync: string | null;
  /** Percent of finished runs in the last 24 h that succeeded (success or partial_failure); null when none. */
  success_rate_24h: number | null;
  /** Runs with status success. */
  syncs_completed_24h: number;
  /** Runs with status partial_failure. */
  syncs_partial_24h: number;
  /** Runs with status failure. */
  syncs_failed_24h: number;
  syncs_interrupted_24h: number;
  /** Automatic syncs are paused after repeated failures. */
  circuit_breaker_active: boolean;
  circuit_breaker: CircuitBreaker;
  /** See GET /api/sync/problematic. */
  open_problematic_ranges: number;
}

export interface DiagnosticsStorage {
  /** End of the oldest test. ISO 8601 UTC, or null. */
  oldest_test_date: string | null;
  /** End of the newest test. ISO 8601 UTC, or null. */
  newest_test_date: string | null;
}

export interface DiagnosticsResponse {
  api: DiagnosticsApi;
  database: DiagnosticsDatabase;
  sync: DiagnosticsSync;
  storage: DiagnosticsStorage;
  events?: SyncEvent[];
  /** When the data behind this answer was last read from TestIO (ISO 8601 UTC); null if never synced. */
  data_as_of: string | null;
  /** Problems that did not stop the answer. */
  warnings?: string[];
}

// ---------------------------------------------------------------------------------------------------
// GET /api/sync/problematic (get_problematic_tests)
// ---------------------------------------------------------------------------------------------------

export interface ProblematicRange {
  id: number;
  product_id: number;
  /** "start-end": 0-based positions in the newest-first test list when last seen. @example "50-74" */
  position_range: string;
  recovery_attempts: number;
  /** Readable test just newer than the range. */
  boundary_before_id: number | null;
  /** Its end. ISO 8601 UTC, or null. */
  boundary_before_end_at: string | null;
  /** Readable test just older than the range. */
  boundary_after_id: number | null;
  /** Its end. ISO 8601 UTC, or null. */
  boundary_after_end_at: string | null;
  last_error: string;
  first_seen_at: string;
  last_seen_at: string;
  /** When a complete sync resolved it. ISO 8601 UTC, or null. */
  resolved_at: string | null;
}

export interface ProblematicTestsResponse {
  count: number;
  /** At most 100 ranges, newest first. */
  tests: ProblematicRange[];
  message: string;
}
