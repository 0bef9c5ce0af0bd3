import { getProblematicTestsInputSchema, getProblematicTestsOutputSchema } from '@testio-mcp/services';
import { defineTool } from './define-tool.js';

export { getProblematicTestsOutputSchema };

export default defineTool({
  name: 'get_problematic_tests',
  title: 'Tests TestIO could not serve',
  description: [
    "Ranges of a product's test list that TestIO answered with server errors during sync, so the tests in them may be missing or stale in the mirror.",
    'Each range names its position and the readable tests just before and after it (ids and end times), for a support ticket. A later complete sync resolves a range; include_resolved lists those too.',
  ].join(' '),
  toolset: 'admin',
  inputSchema: getProblematicTestsInputSchema,
  outputSchema: getProblematicTestsOutputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  examples: [
    { description: 'Open problem ranges of every product', arguments: {} },
    {
      description: 'Every range of product 598, resolved ones included',
      arguments: { product_id: 598, include_resolved: true },
    },
  ],
  handler: (input, { services }) => services.getProblematicTests(input),
});
