import { acceptBugInputSchema, triageOutputSchema } from '@testio-mcp/services';
import { defineTool } from './define-tool.js';
import { CONFIRMATION_TEXT, runTriage } from './triage-flow.js';

export default defineTool({
  name: 'accept_bug',
  title: 'Accept a bug',
  description: `Accept one bug in TestIO (the tester is paid for it). Accepting an accepted bug changes nothing. ${CONFIRMATION_TEXT}`,
  toolset: 'triage',
  inputSchema: acceptBugInputSchema,
  outputSchema: triageOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  untrustedContent: true,
  examples: [{ description: 'Preview accepting bug 12345', arguments: { bug_id: 12345 } }],
  handler: (input, ctx) =>
    runTriage({ action: 'accept', bug_ids: [input.bug_id], ...token(input) }, ctx, 'accept_bug'),
});

export function token(input: { confirmation_token?: string | undefined }) {
  return input.confirmation_token ? { confirmation_token: input.confirmation_token } : {};
}
