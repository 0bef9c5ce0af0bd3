import { listBugsInputSchema, listBugsOutputSchema } from '@testio-mcp/services';
import { defineTool } from './define-tool.js';

export { listBugsOutputSchema };

export default defineTool({
  name: 'list_bugs',
  title: 'List bugs of tests',
  description: [
    'List the bugs of one or more tests (test_ids is required: take them from list_tests), one short line per bug: title, severity, status, known, rejection reason, report time.',
    'Filters combine with AND: status (accepted, auto_accepted, rejected, forwarded = open), severity (critical, high, low, visual, content, custom), rejection_reason, reported_by_user_id.',
    'Sort by reported_at (default, newest first), severity (by rank), status or title. Use get_bug_summary for steps and results of one bug. Paginated with exact pagination.total_count and has_more; unknown test ids are named in warnings.',
  ].join(' '),
  toolset: 'discovery',
  inputSchema: listBugsInputSchema,
  outputSchema: listBugsOutputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  examples: [
    {
      description: 'Critical and high bugs of two tests',
      arguments: { test_ids: [109363, 109364], severity: 'critical,high' },
    },
    {
      description: 'Bugs rejected as not reproducible, one test given as a string',
      arguments: { test_ids: '109363', status: ['rejected'], rejection_reason: ['not_reproducible'] },
    },
  ],
  handler: (input, { services }) => services.listBugs(input),
});
