import { markBugFixedInputSchema, triageOutputSchema } from '@testio-mcp/services';
import { token } from './accept-bug.js';
import { defineTool } from './define-tool.js';
import { CONFIRMATION_TEXT, runTriage } from './triage-flow.js';

export default defineTool({
  name: 'mark_bug_fixed',
  title: 'Mark a bug as fixed',
  description: `Mark one bug as fixed in TestIO (TestIO's answer shows no field for it). ${CONFIRMATION_TEXT}`,
  toolset: 'triage',
  inputSchema: markBugFixedInputSchema,
  outputSchema: triageOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  untrustedContent: true,
  examples: [{ description: 'Preview marking bug 12345 as fixed', arguments: { bug_id: 12345 } }],
  handler: (input, ctx) =>
    runTriage({ action: 'mark_fixed', bug_ids: [input.bug_id], ...token(input) }, ctx, 'mark_bug_fixed'),
});
