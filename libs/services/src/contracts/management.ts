import { z } from 'zod';
import { SYNC_RUN_STATUSES } from '@testio-mcp/domain';
import { boolInput, dateInput, enumInput, enumListInput, freshnessShape, idInput, idListInput, intInput, timestamp } from './common.js';

// ---------------------------------------------------------------------------------------------------
// search
// ---------------------------------------------------------------------------------------------------

export const SEARCH_ENTITY_TYPES = ['product', 'feature', 'test', 'bug'] as const;
export const SEARCH_MATCH_MODES = ['simple', 'raw'] as const;
export const MAX_SEARCH_RESULTS = 100;

export const searchInputSchema = z.object({
  query: z
    .string()
    .trim()
    .min(1, { message: 'Search query cannot be empty' })
    .max(500, { message: 'Search query is too long (500 characters at most)' })
    .describe('Words to find. simple mode: every word must appear (prefix match for words of 2+ letters); punctuation and operators are plain text.'),
  entities: enumListInput('entities', SEARCH_ENTITY_TYPES, 'Entity types to search (default: all).'),
  product_ids: idListInput('product_ids', 'Only results of these products: [598, 599], 598, "598,599" or "[598, 599]".'),
  start_date: dateInput('Only tests that ended / bugs reported on or after this date. Any date filter leaves out products and features (they have no date).').optional(),
  end_date: dateInput('Only tests that ended / bugs reported on or before this date (end of that day). Same caveat as start_date.').optional(),
  limit: intInput(1, MAX_SEARCH_RESULTS, `Most results to return, 1-${MAX_SEARCH_RESULTS} (default 20).`).default(20),
  match_mode: enumInput(
    SEARCH_MATCH_MODES,
    "simple (default): forgiving word search. raw: SQLite FTS5 syntax (AND, OR, NOT, \"phrases\", prefix*); a syntax error is reported, never guessed around.",
  ).default('simple'),
});
export type SearchInput = z.output<typeof searchInputSchema>;

export const searchResultSchema = z.object({
  entity_type: z.enum(SEARCH_ENTITY_TYPES),
  entity_id: z.number().int().describe('Id to pass to the matching get_*_summary tool.'),
  product_id: z.number().int(),
  title: z.string(),
  score: z.number().describe('Relevance, higher is better (negated BM25, title weighted; 4 decimals).'),
  rank: z.number().int().describe('1 = best.'),
  snippet: z.string().nullable().describe('Best-matching passage, matches between **; null when none could be built.'),
});

export const searchOutputSchema = z.object({
  query: z.string(),
  sanitized_query: z.string().optional().describe('The full-text expression that ran, when it differs from query.'),
  total: z.number().int().describe('All matches for the query and filters (results holds at most limit).'),
  results: z.array(searchResultSchema),
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
      "Absent: incremental (new and changed tests). 'all': full resync of every test and bug. A date ('2025-01-01', 'last 30 days', 'yesterday'): re-read every test that ended on or after it, with its bugs.",
    ),
});
export type SyncDataInput = z.output<typeof syncDataInputSchema>;

export const syncDataOutputSchema = z.object({
  run_id: z.number().int().describe('The sync run (see get_server_diagnostics events).'),
  status: z
    .enum(['success', 'partial_failure', 'failure', 'interrupted'])
    .describe('success: nothing went wrong; partial_failure: some items were skipped (see errors); failure: the run failed (see errors); interrupted: stopped early.'),
  mode: z.enum(['incremental', 'refresh', 'force']),
  product_ids: z.array(z.number().int()).nullable().describe('Products in scope; null = all.'),
  products_synced: z.number().int(),
  products_deleted: z.number().int(),
  features_refreshed: z.number().int(),
  tests_discovered: z.number().int(),
  tests_updated: z.number().int(),
  tests_deleted: z.number().int(),
  bugs_synced: z.number().int(),
  failed_ranges: z.number().int().describe('Ranges of test lists TestIO could not serve; see get_problematic_tests.'),
  duration_seconds: z.number(),
  started_at: z.string(),
  finished_at: z.string(),
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
  check_api: boolInput('Probe the TestIO API with one GET /products and time it (default true). The probe never writes and never fails the call.').default(true),
});
export type GetServerDiagnosticsInput = z.output<typeof getServerDiagnosticsInputSchema>;

export const syncEventSchema = z.object({
  run_id: z.number().int(),
  trigger: z.string(),
  mode: z.string(),
  status: z.enum(SYNC_RUN_STATUSES),
  started_at: z.string(),
  started_at_relative: z.string(),
  completed_at: timestamp('End of the run.'),
  duration_seconds: z.number().nullable(),
  products_synced: z.number().int().nullable(),
  tests_discovered: z.number().int().nullable(),
  tests_updated: z.number().int().nullable(),
  bugs_synced: z.number().int().nullable(),
  warnings_count: z.number().int(),
  error: z.string().nullable(),
});

export const getServerDiagnosticsOutputSchema = z.object({
  api: z
    .object({
      checked: z.boolean().describe('False when the probe was skipped (check_api false or no API configured).'),
      connected: z.boolean().nullable(),
      latency_ms: z.number().nullable(),
      product_count: z.number().int().nullable(),
      message: z.string(),
    })
    .describe('TestIO API reachability.'),
  database: z.object({
    path: z.string(),
    size_mb: z.number().nullable(),
    product_count: z.number().int(),
    feature_count: z.number().int(),
    test_count: z.number().int(),
    bug_count: z.number().int(),
    user_count: z.number().int(),
  }),
  sync: z.object({
    running: z.boolean().describe('A sync holds the lease right now.'),
    last_sync: timestamp('End of the newest finished run.'),
    last_sync_relative: z.string().nullable(),
    last_sync_status: z.enum(SYNC_RUN_STATUSES).nullable(),
    last_sync_duration_seconds: z.number().nullable(),
    last_successful_sync: timestamp('End of the newest run with status success or partial_failure.'),
    success_rate_24h: z.number().nullable().describe('Percent of finished runs in the last 24 h that succeeded (success or partial_failure); null when none.'),
    syncs_completed_24h: z.number().int().describe('Runs with status success.'),
    syncs_partial_24h: z.number().int().describe('Runs with status partial_failure.'),
    syncs_failed_24h: z.number().int().describe('Runs with status failure.'),
    syncs_interrupted_24h: z.number().int(),
    circuit_breaker_active: z.boolean().describe('Automatic syncs are paused after repeated failures.'),
    circuit_breaker: z.object({
      failures: z.number().int(),
      max_failures: z.number().int(),
      window_seconds: z.number(),
      retry_at: timestamp('When automatic syncs resume.'),
      last_error: z.string().nullable(),
      reason: z.string(),
    }),
    open_problematic_ranges: z.number().int().describe('See get_problematic_tests.'),
  }),
  storage: z.object({
    oldest_test_date: timestamp('End of the oldest test.'),
    newest_test_date: timestamp('End of the newest test.'),
  }),
  events: z.array(syncEventSchema).optional(),
  data_as_of: freshnessShape.data_as_of,
  warnings: freshnessShape.warnings,
});
export type GetServerDiagnosticsOutput = z.infer<typeof getServerDiagnosticsOutputSchema>;

// ---------------------------------------------------------------------------------------------------
// get_problematic_tests
// ---------------------------------------------------------------------------------------------------

export const getProblematicTestsInputSchema = z.object({
  product_id: idInput('product_id', 'Only ranges of this product (default: all).').optional(),
  include_resolved: boolInput('Also list ranges a later complete sync resolved (default false).').default(false),
});
export type GetProblematicTestsInput = z.output<typeof getProblematicTestsInputSchema>;

export const problematicRangeSchema = z.object({
  id: z.number().int(),
  product_id: z.number().int(),
  position_range: z.string().describe('"start-end": 0-based positions in the newest-first test list when last seen.'),
  recovery_attempts: z.number().int(),
  boundary_before_id: z.number().int().nullable().describe('Readable test just newer than the range.'),
  boundary_before_end_at: timestamp('Its end.'),
  boundary_after_id: z.number().int().nullable().describe('Readable test just older than the range.'),
  boundary_after_end_at: timestamp('Its end.'),
  last_error: z.string(),
  first_seen_at: z.string(),
  last_seen_at: z.string(),
  resolved_at: timestamp('When a complete sync resolved it.'),
});

export const getProblematicTestsOutputSchema = z.object({
  count: z.number().int(),
  tests: z.array(problematicRangeSchema).describe('At most 100 ranges, newest first.'),
  message: z.string(),
});
export type GetProblematicTestsOutput = z.infer<typeof getProblematicTestsOutputSchema>;

/** Re-exported so callers can name the type of one search result. */
export type SearchResultItem = z.infer<typeof searchResultSchema>;
