import { getProductSummaryInputSchema, getProductSummaryOutputSchema } from '@testio-mcp/services';
import { entityLink } from '../resources/entities.js';
import { defineTool } from './define-tool.js';

export { getProductSummaryOutputSchema };

export default defineTool({
  name: 'get_product_summary',
  title: 'Product summary',
  description: [
    'One product at a glance: type, description, number of tests (and per status), features and user stories, when its newest test ended and when it was last synced.',
    'Use list_tests and list_features to drill down.',
  ].join(' '),
  toolset: 'summaries',
  inputSchema: getProductSummaryInputSchema,
  outputSchema: getProductSummaryOutputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  examples: [{ description: 'Test and feature counts of product 598', arguments: { product_id: 598 } }],
  handler: (input, { services }) => services.getProductSummary(input),
  attachments: (output) => Promise.resolve([entityLink('product', output.id)]),
});
