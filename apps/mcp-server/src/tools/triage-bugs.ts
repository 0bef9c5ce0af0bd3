import { triageBugsInputSchema, triageOutputSchema } from '@testio-mcp/services';
import { token } from './accept-bug.js';
import { defineTool } from './define-tool.js';
import { CONFIRMATION_TEXT, runTriage } from './triage-flow.js';

export default defineTool({
  name: 'triage_bugs',
  title: 'Triage several bugs',
  description: `One action over a list of bugs, with an outcome per bug; bugs already so are left alone, and a refusal that would repeat (rate limit, not allowed) stops the run. ${CONFIRMATION_TEXT}`,
  toolset: 'triage',
  inputSchema: triageBugsInputSchema,
  outputSchema: triageOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  untrustedContent: true,
  examples: [
    {
      description: 'Preview accepting bugs 12345 and 12346',
      arguments: { action: 'accept', bug_ids: [12345, 12346] },
    },
  ],
  handler: (input, ctx) =>
    runTriage(
      {
        action: input.action,
        bug_ids: input.bug_ids,
        ...(input.reason ? { reason: input.reason } : {}),
        ...(input.comment ? { comment: input.comment } : {}),
        ...token(input),
      },
      ctx,
      'triage_bugs',
    ),
});
