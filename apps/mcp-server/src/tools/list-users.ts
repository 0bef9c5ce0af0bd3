import { listUsersInputSchema, listUsersOutputSchema } from '@testio-mcp/services';
import { defineTool } from './define-tool.js';

export { listUsersOutputSchema };

export default defineTool({
  name: 'list_users',
  title: 'List testers and customers',
  description: [
    'List the people seen in the synced data: testers (who reported bugs) and customers (who created or submitted tests), with first-seen and last-activity times.',
    'Filter by user_type and by activity within the last N days (default 365); sort by username, user_type, last_activity or first_seen.',
    "Use get_user_summary for one user's counts, and list_bugs with reported_by_user_id for a tester's bugs. Paginated with exact pagination.total_count and has_more.",
  ].join(' '),
  toolset: 'discovery',
  inputSchema: listUsersInputSchema,
  outputSchema: listUsersOutputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  examples: [
    {
      description: 'Testers active in the last 30 days, most recently active first',
      arguments: { user_type: 'tester', days: 30, sort_by: 'last_activity', sort_order: 'desc' },
    },
    { description: 'Every customer seen in the last year', arguments: { user_type: 'customer' } },
  ],
  handler: (input, { services }) => services.listUsers(input),
});
