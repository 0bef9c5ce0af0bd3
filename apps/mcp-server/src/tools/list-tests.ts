import { listTestsInputSchema, listTestsOutputSchema } from '@testio-mcp/services';
import { defineTool } from './define-tool.js';

export { listTestsOutputSchema };

export default defineTool({
  name: 'list_tests',
  title: 'List tests of a product',
  description: [
    "List a product's exploratory tests (test cycles): title, goal (shortened), status, testing type, start/end, environment and bug count.",
    'Filter by statuses (running, locked, archived, cancelled, customer_finalized, initialized; a list or "running,locked") and testing type; sort by end_at (default, newest first), start_at, status or title.',
    'Use get_test_summary for one test in depth and list_bugs with these test ids for its bugs. Paginated with exact pagination.total_count and has_more.',
  ].join(' '),
  toolset: 'discovery',
  inputSchema: listTestsInputSchema,
  outputSchema: listTestsOutputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  examples: [
    {
      description: 'The running and locked tests of product 598, newest first',
      arguments: { product_id: 598, statuses: 'running,locked' },
    },
    {
      description: 'The second page of 20 rapid tests, oldest first',
      arguments: { product_id: 598, testing_type: 'rapid', sort_order: 'asc', page: 2, per_page: 20 },
    },
  ],
  handler: (input, { services }) => services.listTests(input),
});
