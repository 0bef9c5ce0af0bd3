import {
  getAnalyticsCapabilitiesInputSchema,
  getAnalyticsCapabilitiesOutputSchema,
} from '@testio-mcp/services';
import { defineTool } from './define-tool.js';

export { getAnalyticsCapabilitiesOutputSchema };

export default defineTool({
  name: 'get_analytics_capabilities',
  title: 'What query_metrics can do',
  description:
    'Every dimension, metric and filter query_metrics accepts, with a description and an example (and the formula of each metric), the limits, the severity weights, the operating systems in the mirror and the playbook thresholds in force. No parameters.',
  toolset: 'analytics',
  inputSchema: getAnalyticsCapabilitiesInputSchema,
  outputSchema: getAnalyticsCapabilitiesOutputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  examples: [{ description: 'List the dimensions, metrics and filters of query_metrics', arguments: {} }],
  handler: (_input, { services }) => services.getAnalyticsCapabilities({}),
});
