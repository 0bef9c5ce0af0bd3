import { InvalidInputError } from '@testio-mcp/domain';
import { syncDataInputSchema, syncDataOutputSchema } from '@testio-mcp/services';
import { defineTool, type ToolContext } from './define-tool.js';

export { syncDataOutputSchema };

/** Page-by-page progress can be chatty on big accounts: at most one update per interval within a phase. */
export const PROGRESS_INTERVAL_MS = 250;

export default defineTool({
  name: 'sync_data',
  title: 'Sync the mirror now',
  description: [
    'Refresh the local mirror from TestIO now, instead of waiting for the background sync: products, then features, then tests with their bugs.',
    "No since: incremental (new and changed tests). since='all': re-read everything (a client with elicitation asks the person first). since=a date ('2025-01-01', 'last 30 days'): re-read every test that ended on or after it. product_ids limits the run.",
    'Sends progress notifications when the client asks for them. Only one sync runs at a time: if one is already running, wait and check get_server_diagnostics. Writes only the local mirror, never TestIO.',
  ].join(' '),
  toolset: 'admin',
  inputSchema: syncDataInputSchema,
  outputSchema: syncDataOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  runsAsTask: true,
  examples: [
    { description: 'Pick up new and changed tests of every product', arguments: {} },
    {
      description: 'Re-read the tests of product 598 that ended in the last 30 days',
      arguments: { product_ids: [598], since: 'last 30 days' },
    },
  ],
  handler: async (input, ctx) => {
    if (input.since?.trim().toLowerCase() === 'all') await confirmFullResync(ctx, input.product_ids);
    let step = 0;
    let lastPhase: string | undefined;
    let lastSentAt = 0;
    return ctx.services.syncData(input, {
      signal: ctx.signal,
      onProgress: (progress) => {
        const now = Date.now();
        const milestone = progress.phase !== lastPhase || progress.phase === 'done';
        if (!milestone && now - lastSentAt < PROGRESS_INTERVAL_MS) return;
        lastPhase = progress.phase;
        lastSentAt = now;
        step += 1;
        void ctx.reportProgress({ progress: step, message: progress.message });
      },
    });
  },
});

/** `1 h 5 min`, `4 min 12 s`, `38 s`. */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/**
 * A full forced resync re-reads every test and bug (minutes on a large account): a client that supports
 * elicitation asks the person first, saying how long the last one took (issue 17). Others run it as before.
 */
export async function confirmFullResync(
  ctx: ToolContext,
  productIds: readonly number[] | undefined,
): Promise<void> {
  if (!ctx.elicitation.supported) return;
  const diagnostics = await ctx.services.getServerDiagnostics({
    include_sync_events: true,
    sync_event_limit: 50,
    check_api: false,
  });
  const last = diagnostics.events?.find(
    (e) => e.mode === 'force' && e.duration_seconds !== null && e.status !== 'running',
  );
  const scope = productIds && productIds.length > 0 ? `products ${productIds.join(', ')}` : 'every product';
  const history =
    last?.duration_seconds != null
      ? `The last full sync took ${duration(last.duration_seconds)} (${last.started_at_relative}).`
      : 'No full sync has finished yet, so how long it takes is not known.';
  const answer = await ctx.elicitation.confirm(
    `Re-read ${scope} from TestIO (a full resync: every test and bug)? ${history} The mirror stays readable meanwhile.`,
    'Yes, start the full resync',
  );
  if (answer.action === 'accept') return;
  throw new InvalidInputError({
    field: 'since',
    message: 'The full resync was not started: the person did not confirm it',
    reason: 'A full resync re-reads every test and bug from TestIO and can take minutes',
    hint: "Call sync_data without since for a quick incremental sync, or since='last 30 days' for recent tests",
  });
}
