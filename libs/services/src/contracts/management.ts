import { z } from 'zod';
import { SEARCH_COUNT_CAP, SYNC_RUN_STATUSES } from '@testio-mcp/domain';
import {
  boolInput,
  dateInput,
  enumInput,
  enumListInput,
  freshnessShape,
  idInput,
  idListInput,
  intInput,
  requiredError,
  timestamp,
} from './common.js';

// ---------------------------------------------------------------------------------------------------
// search
// ---------------------------------------------------------------------------------------------------

export const SEARCH_ENTITY_TYPES = ['product', 'feature', 'test', 'bug'] as const;
export const SEARCH_MATCH_MODES = ['simple', 'raw'] as const;
export const MAX_SEARCH_RESULTS = 100;
const COUNT_CAP = SEARCH_COUNT_CAP.toLocaleString('en-US');

export const searchInputSchema = z.object({
  query: z
    .string({ error: requiredError })
    .trim()
    .min(1, { message: 'Search query cannot be empty' })
    .max(500, { message: 'Search query is too long (500 characters at most)' })
    .describe(
      'Words to find. simple mode: every word must appear (prefix match for words of 2+ letters); punctuation and operators are plain text.',
    ),
  entities: enumListInput('entities', SEARCH_ENTITY_TYPES, 'Entity types to search (default: all).'),
  product_ids: idListInput(
    'product_ids',
    'Only results of these products: [598, 599], 598, "598,599" or "[598, 599]".',
  ),
  start_date: dateInput(
    'Only tests that ended / bugs reported on or after this date. Any date filter leaves out products and features (they have no date).',
  ).optional(),
  end_date: dateInput(
    'Only tests that ended / bugs reported on or before this date (end of that day). Same caveat as start_date.',
  ).optional(),
  limit: intInput(
    1,
    MAX_SEARCH_RESULTS,
    `Most results to return, 1-${MAX_SEARCH_RESULTS} (default 20).`,
  ).default(20),
  match_mode: enumInput(
    SEARCH_MATCH_MODES,
    'simple (default): forgiving word search. raw: SQLite FTS5 syntax (AND, OR, NOT, "phrases", prefix*); a syntax error is reported, never guessed around.',
  ).default('simple'),
});
export type SearchInput = z.output<typeof searchInputSchema>;

export const searchResultSchema = z.object({
  entity_type: z.enum(SEARCH_ENTITY_TYPES).describe('What matched: product, feature, test or bug.'),
  entity_id: z.number().int().describe('Id to pass to the matching get_*_summary tool.'),
  product_id: z.number().int().describe('The product the entity belongs to (its own id for a product).'),
  title: z.string().describe('Title of the entity (at most 300 characters, marker "…(truncated)").'),
  score: z.number().describe('Relevance, higher is better (negated BM25, title weighted; 4 decimals).'),
  rank: z.number().int().describe('1 = best.'),
  snippet: z
    .string()
    .nullable()
    .describe('Best-matching passage, matches between **; null when none could be built.'),
});

export const searchOutputSchema = z.object({
  query: z.string().describe('The query as given (trimmed).'),
  sanitized_query: z
    .string()
    .optional()
    .describe('The full-text expression that ran, when it differs from query.'),
  total: z
    .number()
    .int()
    .describe(
      `Matches for the query and filters (results holds at most limit): exact up to ${COUNT_CAP} per entity type; when total_is_lower_bound, there are at least this many.`,
    ),
  total_is_lower_bound: z
    .boolean()
    .describe(
      `True when counting stopped at its cap (${COUNT_CAP} matches per entity type): total is "at least". Narrow the query or filters for an exact count.`,
    ),
  results: z.array(searchResultSchema).describe('The best matches, best first (at most limit).'),
  ...freshnessShape,
});
export type SearchOutput = z.infer<typeof searchOutputSchema>;

// ---------------------------------------------------------------------------------------------------
// sync_data
// ---------------------------------------------------------------------------------------------------

export const syncDataInputSchema = z.object({
  product_ids: idListInput(
    'product_ids',
    'Products to sync (default: the configured scope TESTIO_PRODUCT_IDS, or all products). Must lie inside that scope.',
  ),
  since: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .describe(
      "Absent: incremental (new and changed tests). 'all': full resync of every test and bug. A date ('2025-01-01', 'Jan 15 2025', 'last 30 days'; grammar: docs/dates.md): re-read every test that ended on or after it, with its bugs.",
    ),
});
export type SyncDataInput = z.output<typeof syncDataInputSchema>;

export const syncDataOutputSchema = z.object({
  run_id: z.number().int().describe('The sync run (see get_server_diagnostics events).'),
  status: z
    .enum(['success', 'partial_failure', 'failure', 'interrupted'])
    .describe(
      'success: nothing went wrong; partial_failure: some items were skipped (see errors); failure: the run failed (see errors); interrupted: stopped early.',
    ),
  mode: z
    .enum(['incremental', 'refresh', 'force'])
    .describe(
      'incremental when since was absent (new and changed tests); force when since was given (every test, or those that ended on or after since, with their bugs); refresh (incremental ignoring the cache TTL) is not started by sync_data.',
    ),
  product_ids: z.array(z.number().int()).nullable().describe('Products in scope; null = all.'),
  products_synced: z.number().int().describe('Products read from TestIO and written to the mirror.'),
  products_deleted: z
    .number()
    .int()
    .describe('Products removed from the mirror because TestIO no longer lists them.'),
  features_refreshed: z
    .number()
    .int()
    .describe('Catalogue features written while refreshing product catalogues.'),
  tests_discovered: z.number().int().describe('Tests written that were new to the mirror.'),
  tests_updated: z.number().int().describe('Tests already in the mirror that were re-read and rewritten.'),
  tests_deleted: z
    .number()
    .int()
    .describe('Tests removed from the mirror because TestIO no longer has them.'),
  bugs_synced: z.number().int().describe('Bugs read from TestIO and written to the mirror.'),
  failed_ranges: z
    .number()
    .int()
    .describe('Ranges of test lists TestIO could not serve; see get_problematic_tests.'),
  duration_seconds: z.number().describe('Wall-clock duration of the run in seconds (2 decimals).'),
  started_at: z.string().describe('When the run started (ISO 8601 UTC).'),
  finished_at: z.string().describe('When the run finished (ISO 8601 UTC).'),
  errors: z.array(z.string()).describe('What could not be synced (at most 20 listed).'),
  warnings: z.array(z.string()).describe('Notes that did not change the outcome (at most 20 listed).'),
});
export type SyncDataOutput = z.infer<typeof syncDataOutputSchema>;

// ---------------------------------------------------------------------------------------------------
// get_server_diagnostics
// ---------------------------------------------------------------------------------------------------

export const getServerDiagnosticsInputSchema = z.object({
  include_sync_events: boolInput('Add the most recent sync runs (default false).').default(false),
  sync_event_limit: intInput(1, 20, 'How many sync runs to list, 1-20 (default 5).').default(5),
  check_api: boolInput(
    'Probe the TestIO API with one GET /products and time it (default true). The probe never writes and never fails the call.',
  ).default(true),
});
export type GetServerDiagnosticsInput = z.output<typeof getServerDiagnosticsInputSchema>;

export const syncEventSchema = z.object({
  run_id: z.number().int().describe('Sync run id (sync_data returns it as run_id).'),
  trigger: z.string().describe('What started the run: startup, background, manual_cli, mcp or rest.'),
  mode: z
    .string()
    .describe('incremental, refresh (incremental ignoring the cache TTL) or force (full walk).'),
  status: z.enum(SYNC_RUN_STATUSES).describe('running, success, partial_failure, failure or interrupted.'),
  started_at: z.string().describe('When the run started (ISO 8601 UTC).'),
  started_at_relative: z
    .string()
    .describe('The same, relative to now: "just now", "42 seconds ago", "3 hours ago", "2 days ago".'),
  completed_at: timestamp('End of the run; null while it runs.'),
  duration_seconds: z
    .number()
    .nullable()
    .describe('Run duration in seconds (2 decimals); null while it runs.'),
  products_synced: z
    .number()
    .int()
    .nullable()
    .describe('Products written; null when the run recorded no counts.'),
  tests_discovered: z
    .number()
    .int()
    .nullable()
    .describe('Tests new to the mirror; null when the run recorded no counts.'),
  tests_updated: z
    .number()
    .int()
    .nullable()
    .describe('Known tests rewritten; null when the run recorded no counts.'),
  bugs_synced: z.number().int().nullable().describe('Bugs written; null when the run recorded no counts.'),
  warnings_count: z.number().int().describe('Warnings the run recorded.'),
  error: z.string().nullable().describe('Why the run failed (at most 500 characters); null when it did not.'),
});

export const getServerDiagnosticsOutputSchema = z.object({
  api: z
    .object({
      checked: z
        .boolean()
        .describe('False when the probe was skipped (check_api false or no API configured).'),
      connected: z.boolean().nullable().describe('Whether GET /products answered; null when not checked.'),
      latency_ms: z
        .number()
        .nullable()
        .describe('Milliseconds the probe took (until the answer, error or timeout); null when not checked.'),
      product_count: z
        .number()
        .int()
        .nullable()
        .describe(
          'Products the API listed (within TESTIO_PRODUCT_IDS when set); null when not checked or not connected.',
        ),
      message: z
        .string()
        .describe(
          'Outcome in words, e.g. "Connected. 12 products available." or "API connection failed: ...".',
        ),
    })
    .describe('TestIO API reachability.'),
  database: z
    .object({
      path: z.string().describe('Path of the SQLite mirror file.'),
      size_mb: z.number().nullable().describe('File size in MiB (2 decimals); null when unknown.'),
      product_count: z.number().int().describe('Products in the mirror.'),
      feature_count: z.number().int().describe('Catalogue features in the mirror.'),
      test_count: z.number().int().describe('Tests in the mirror.'),
      bug_count: z.number().int().describe('Bugs in the mirror.'),
      user_count: z.number().int().describe('Users (testers and customers) in the mirror.'),
    })
    .describe('The local mirror: where it is, its size and row counts.'),
  sync: z
    .object({
      running: z.boolean().describe('A sync holds the lease right now.'),
      last_sync: timestamp('End of the newest finished run.'),
      last_sync_relative: z
        .string()
        .nullable()
        .describe('last_sync relative to now ("3 hours ago"); null when no run finished.'),
      last_sync_status: z
        .enum(SYNC_RUN_STATUSES)
        .nullable()
        .describe('Status of that run; null when no run finished.'),
      last_sync_duration_seconds: z
        .number()
        .nullable()
        .describe('Duration of that run in seconds (2 decimals); null when unknown.'),
      last_successful_sync: timestamp('End of the newest run with status success or partial_failure.'),
      success_rate_24h: z
        .number()
        .nullable()
        .describe(
          'Percent 0-100 (1 decimal, not a fraction) of the runs started in the last 24 h and finished that succeeded (success or partial_failure); null when none finished.',
        ),
      syncs_completed_24h: z.number().int().describe('Runs started in the last 24 h with status success.'),
      syncs_partial_24h: z
        .number()
        .int()
        .describe('Runs started in the last 24 h with status partial_failure.'),
      syncs_failed_24h: z.number().int().describe('Runs started in the last 24 h with status failure.'),
      syncs_interrupted_24h: z
        .number()
        .int()
        .describe('Runs started in the last 24 h with status interrupted (stopped early).'),
      circuit_breaker_active: z.boolean().describe('Automatic syncs are paused after repeated failures.'),
      circuit_breaker: z
        .object({
          failures: z.number().int().describe('Runs with status failure started within the window.'),
          max_failures: z
            .number()
            .int()
            .describe('Failures within the window that pause automatic syncs (default 3).'),
          window_seconds: z.number().describe('Length of the window in seconds (default 300).'),
          retry_at: timestamp(
            'When automatic syncs resume if nothing else fails; null while the breaker is closed.',
          ),
          last_error: z
            .string()
            .nullable()
            .describe(
              'Error of the newest failed run in the window (at most 500 characters); null while the breaker is closed.',
            ),
          reason: z.string().describe('The breaker state in words.'),
        })
        .describe(
          'State of the circuit breaker of automatic syncs (manual sync_data calls are not blocked by it).',
        ),
      open_problematic_ranges: z
        .number()
        .int()
        .describe('Unresolved ranges of test lists TestIO could not serve; see get_problematic_tests.'),
    })
    .describe('Sync health over the last 50 runs.'),
  storage: z
    .object({
      oldest_test_date: timestamp('End of the oldest test.'),
      newest_test_date: timestamp('End of the newest test.'),
    })
    .describe('Time span of the tests in the mirror (by end date).'),
  events: z
    .array(syncEventSchema)
    .optional()
    .describe(
      'Only with include_sync_events: the newest sync runs, newest first (at most sync_event_limit).',
    ),
  data_as_of: freshnessShape.data_as_of.describe(
    'End of the newest successful sync run (success or partial_failure), ISO 8601 UTC; null when none.',
  ),
  warnings: freshnessShape.warnings.describe(
    'Health problems: automatic syncs paused, or the API probe failed. Absent when none.',
  ),
});
export type GetServerDiagnosticsOutput = z.infer<typeof getServerDiagnosticsOutputSchema>;

/** REST `GET /api/sync/history` (no MCP tool: `get_server_diagnostics` with include_sync_events covers it). */
export const getSyncHistoryInputSchema = z.object({
  limit: intInput(1, 20, 'How many runs to list, 1-20 (default 10).').default(10),
});
export type GetSyncHistoryInput = z.output<typeof getSyncHistoryInputSchema>;

const diagnosticsSync = getServerDiagnosticsOutputSchema.shape.sync.shape;

export const getSyncHistoryOutputSchema = z.object({
  runs: z
    .array(syncEventSchema)
    .describe('The newest sync runs by any process, newest first (at most limit).'),
  count: z.number().int().describe('Runs listed.'),
  last_24h: z
    .object({
      completed: diagnosticsSync.syncs_completed_24h,
      partial: diagnosticsSync.syncs_partial_24h,
      failed: diagnosticsSync.syncs_failed_24h,
      interrupted: diagnosticsSync.syncs_interrupted_24h,
      success_rate: diagnosticsSync.success_rate_24h,
    })
    .describe('Finished run counts of the last 24 h.'),
  data_as_of: getServerDiagnosticsOutputSchema.shape.data_as_of,
});
export type GetSyncHistoryOutput = z.infer<typeof getSyncHistoryOutputSchema>;

// ---------------------------------------------------------------------------------------------------
// get_problematic_tests
// ---------------------------------------------------------------------------------------------------

export const getProblematicTestsInputSchema = z.object({
  product_id: idInput('product_id', 'Only ranges of this product (default: all).').optional(),
  include_resolved: boolInput('Also list ranges a later complete sync resolved (default false).').default(
    false,
  ),
});
export type GetProblematicTestsInput = z.output<typeof getProblematicTestsInputSchema>;

export const problematicRangeSchema = z.object({
  id: z.number().int().describe('Id of the recorded range.'),
  product_id: z.number().int().describe('The product whose test list it is.'),
  position_range: z
    .string()
    .describe('"start-end": 0-based positions in the newest-first test list when last seen.'),
  recovery_attempts: z
    .number()
    .int()
    .describe('How many syncs failed on this range (1 when first recorded; each later failure adds 1).'),
  boundary_before_id: z.number().int().nullable().describe('Readable test just newer than the range.'),
  boundary_before_end_at: timestamp('Its end.'),
  boundary_after_id: z.number().int().nullable().describe('Readable test just older than the range.'),
  boundary_after_end_at: timestamp('Its end.'),
  last_error: z.string().describe('The newest error TestIO gave for the range (at most 500 characters).'),
  first_seen_at: z.string().describe('When a sync first failed to read the range (ISO 8601 UTC).'),
  last_seen_at: z.string().describe('When a sync last failed to read the range (ISO 8601 UTC).'),
  resolved_at: timestamp('When a complete sync resolved it; null while open.'),
});

export const getProblematicTestsOutputSchema = z.object({
  count: z.number().int().describe('Ranges listed in tests.'),
  tests: z.array(problematicRangeSchema).describe('At most 100 ranges, newest first.'),
  message: z.string().describe('What the list means and what to do next, in words.'),
});
export type GetProblematicTestsOutput = z.infer<typeof getProblematicTestsOutputSchema>;

/** Re-exported so callers can name the type of one search result. */
export type SearchResultItem = z.infer<typeof searchResultSchema>;
