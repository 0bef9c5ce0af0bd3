import { listFeaturesInputSchema, listFeaturesOutputSchema } from '@testio-mcp/services';
import { defineTool } from './define-tool.js';

export { listFeaturesOutputSchema };

export default defineTool({
  name: 'list_features',
  title: 'List features of a product',
  description: [
    "List a product's features (the areas testers are pointed at) with their user-story, test and bug counts.",
    'has_user_stories=true keeps only features with user stories. Sort by title, test_count, bug_count or last_synced.',
    'Use get_feature_summary for the full description and the user stories of one feature. Paginated with exact pagination.total_count and has_more.',
  ].join(' '),
  toolset: 'discovery',
  inputSchema: listFeaturesInputSchema,
  outputSchema: listFeaturesOutputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  examples: [
    {
      description: 'The features of product 598 that found the most bugs',
      arguments: { product_id: 598, sort_by: 'bug_count', sort_order: 'desc', per_page: 10 },
    },
    {
      description: 'Only features that have user stories',
      arguments: { product_id: 598, has_user_stories: true },
    },
  ],
  handler: (input, { services }) => services.listFeatures(input),
});
