import { markBugKnownInputSchema, triageOutputSchema } from '@testio-mcp/services';
import { token } from './accept-bug.js';
import { defineTool } from './define-tool.js';
import { CONFIRMATION_TEXT, runTriage } from './triage-flow.js';

export default defineTool({
  name: 'mark_bug_known',
  title: 'Mark a bug as known',
  description: `Mark one bug as known in TestIO (already in your tracker); its status stays. ${CONFIRMATION_TEXT}`,
  toolset: 'triage',
  inputSchema: markBugKnownInputSchema,
  outputSchema: triageOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  untrustedContent: true,
  examples: [{ description: 'Preview marking bug 12345 as known', arguments: { bug_id: 12345 } }],
  handler: (input, ctx) =>
    runTriage({ action: 'mark_known', bug_ids: [input.bug_id], ...token(input) }, ctx, 'mark_bug_known'),
});
