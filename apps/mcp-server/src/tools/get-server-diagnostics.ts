import { getServerDiagnosticsInputSchema, getServerDiagnosticsOutputSchema } from '@testio-mcp/services';
import { defineTool } from './define-tool.js';

export { getServerDiagnosticsOutputSchema };

export default defineTool({
  name: 'get_server_diagnostics',
  title: 'Server diagnostics',
  description: [
    'Health of this server in one call: TestIO API reachability and latency, the local mirror (path, size, row counts), sync state (running, last sync and its status, 24 h success rate, circuit breaker, problematic ranges) and the date range of stored tests.',
    'Use it when answers look stale or empty, or before sync_data. include_sync_events lists recent sync runs.',
  ].join(' '),
  toolset: 'admin',
  inputSchema: getServerDiagnosticsInputSchema,
  outputSchema: getServerDiagnosticsOutputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  examples: [
    {
      description: 'Health, with the last 10 sync runs',
      arguments: { include_sync_events: true, sync_event_limit: 10 },
    },
    { description: 'Mirror and sync state only, without probing TestIO', arguments: { check_api: false } },
  ],
  handler: (input, { services }) => services.getServerDiagnostics(input),
});
