import { syncDataInputSchema, syncDataOutputSchema } from '@testio-mcp/services';
import { defineTool } from './define-tool.js';

export { syncDataOutputSchema };

/** Page-by-page progress can be chatty on big accounts: at most one update per interval within a phase. */
export const PROGRESS_INTERVAL_MS = 250;

export default defineTool({
  name: 'sync_data',
  title: 'Sync the mirror now',
  description: [
    'Refresh the local mirror from TestIO now, instead of waiting for the background sync: products, then features, then tests with their bugs.',
    "No since: incremental (new and changed tests). since='all': re-read everything. since=a date ('2025-01-01', 'last 30 days'): re-read every test that ended on or after it. product_ids limits the run.",
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
