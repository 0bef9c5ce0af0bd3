import { KNOWN_REJECT_REASONS, rejectBugInputSchema, triageOutputSchema } from '@testio-mcp/services';
import { token } from './accept-bug.js';
import { defineTool } from './define-tool.js';
import { CONFIRMATION_TEXT, runTriage } from './triage-flow.js';

export default defineTool({
  name: 'reject_bug',
  title: 'Reject a bug',
  description: `Reject one bug in TestIO with a reason (${KNOWN_REJECT_REASONS.join(', ')}) and a comment to the tester (default: the reason's default comment). The tester is not paid; a rejected bug cannot be rejected again. ${CONFIRMATION_TEXT}`,
  toolset: 'triage',
  inputSchema: rejectBugInputSchema,
  outputSchema: triageOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  untrustedContent: true,
  examples: [
    {
      description: 'Preview rejecting bug 12345 as a duplicate of a known bug',
      arguments: { bug_id: 12345, reason: 'known_bug' },
    },
  ],
  handler: (input, ctx) =>
    runTriage(
      {
        action: 'reject',
        bug_ids: [input.bug_id],
        reason: input.reason,
        ...(input.comment ? { comment: input.comment } : {}),
        ...token(input),
      },
      ctx,
      'reject_bug',
    ),
});
