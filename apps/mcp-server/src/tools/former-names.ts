/**
 * Tool names of the reference product's earlier releases (v0.1-v0.4) and today's tool for each, with
 * how to call it. Used where a reference user brings an old name with them: ENABLED_TOOLS /
 * DISABLED_TOOLS (the name counts as its replacement, with a warning) and calls to an old name. Where
 * the old question maps onto the replacement's arguments without guessing (`call`), the old name stays
 * callable and the replacement answers; otherwise the error names the replacement and its arguments.
 * None of them is listed in tools/list: a listed alias costs every conversation its whole schema.
 */

type Args = Readonly<Record<string, unknown>>;

export interface FormerToolName {
  /** Today's tool that answers what the old one did. */
  readonly replacement: string;
  /** How to ask it the old question, for the warning and the error. */
  readonly how: string;
  /** The replacement's arguments for the old call's, when the mapping is exact. */
  readonly call?: (args: Args) => Record<string, unknown>;
}

/** Only the arguments the replacement also takes, so an old call never trips its strict input check. */
function pick(args: Args, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((key) => args[key] !== undefined).map((key) => [key, args[key]]));
}

const REPORT_KEYS = ['test_ids', 'start_date', 'end_date', 'statuses', 'output_file', 'overwrite'];

/** The reference's single `product_id` of older report tools, or today's `product_ids`. */
const reportArgs = (args: Args) => ({
  ...pick(args, REPORT_KEYS),
  ...(args['product_ids'] !== undefined
    ? { product_ids: args['product_ids'] }
    : args['product_id'] !== undefined
      ? { product_ids: args['product_id'] }
      : {}),
});

export const FORMER_TOOL_NAMES: Readonly<Record<string, FormerToolName>> = {
  health_check: {
    replacement: 'get_server_diagnostics',
    how: 'get_server_diagnostics (no arguments)',
    call: () => ({}),
  },
  get_database_stats: {
    replacement: 'get_server_diagnostics',
    how: 'get_server_diagnostics (its database part)',
    call: () => ({ check_api: false }),
  },
  get_sync_history: {
    replacement: 'get_server_diagnostics',
    how: 'get_server_diagnostics with include_sync_events=true',
    call: (args) => ({
      include_sync_events: true,
      check_api: false,
      ...(args['limit'] !== undefined ? { sync_event_limit: args['limit'] } : {}),
    }),
  },
  get_cache_stats: {
    replacement: 'get_server_diagnostics',
    how: 'get_server_diagnostics (its database part)',
    call: () => ({ check_api: false }),
  },
  clear_cache: { replacement: 'sync_data', how: "sync_data with since='all' (re-reads everything)" },
  force_sync_product: {
    replacement: 'sync_data',
    how: "sync_data with product_ids=[id] and since='all'",
    call: (args) => ({ product_ids: [args['product_id']], since: 'all' }),
  },
  get_test_status: {
    replacement: 'get_test_summary',
    how: 'get_test_summary with the same test_id',
    call: (args) => pick(args, ['test_id']),
  },
  get_test_bugs: {
    replacement: 'list_bugs',
    how: 'list_bugs with test_ids=[test_id]',
    call: (args) => ({
      test_ids: args['test_ids'] ?? args['test_id'],
      ...pick(args, ['status', 'severity', 'page', 'per_page']),
    }),
  },
  list_user_stories: {
    replacement: 'list_features',
    how: 'list_features with product_id and has_user_stories=true (get_feature_summary shows the stories)',
  },
  get_test_activity_by_timeframe: {
    replacement: 'query_metrics',
    how: "query_metrics with dimensions=['month'] (or 'week'), metrics=['test_count'] and start_date/end_date",
  },
  generate_status_report: {
    replacement: 'generate_quality_report',
    how: 'generate_quality_report with product_ids',
    call: reportArgs,
  },
  generate_ebr_report: {
    replacement: 'generate_quality_report',
    how: 'generate_quality_report with product_ids',
    call: reportArgs,
  },
};

/** The replacement and its arguments for a call to a callable former name; undefined otherwise. */
export function translateFormerCall(
  name: string,
  args: Args,
): { readonly replacement: string; readonly args: Record<string, unknown> } | undefined {
  const former = Object.hasOwn(FORMER_TOOL_NAMES, name) ? FORMER_TOOL_NAMES[name] : undefined;
  if (!former?.call) return undefined;
  return { replacement: former.replacement, args: former.call(args) };
}

/** Levenshtein distance, for "did you mean" on a mistyped name (names are short: O(n·m) is fine). */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The valid name closest to `name`, or undefined when nothing is reasonably close. */
export function closestName(name: string, valid: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of valid) {
    const distance = editDistance(name, candidate);
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(name.length / 3)) ? best.name : undefined;
}
