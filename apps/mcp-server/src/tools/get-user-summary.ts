import { getUserSummaryInputSchema, getUserSummaryOutputSchema } from '@testio-mcp/services';
import { defineTool } from './define-tool.js';

export { getUserSummaryOutputSchema };

export default defineTool({
  name: 'get_user_summary',
  title: 'User summary',
  description: [
    'One tester or customer: roles, bugs reported (testers), tests created and submitted (customers), first seen and last activity.',
    'User ids come from list_users or get_bug_summary (reported_by_user.id).',
  ].join(' '),
  toolset: 'summaries',
  inputSchema: getUserSummaryInputSchema,
  outputSchema: getUserSummaryOutputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  examples: [{ description: 'Activity of user 77', arguments: { user_id: 77 } }],
  handler: (input, { services }) => services.getUserSummary(input),
});
