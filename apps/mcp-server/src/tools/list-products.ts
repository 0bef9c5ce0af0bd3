import { listProductsInputSchema, listProductsOutputSchema } from '@testio-mcp/services';
import { defineTool } from './define-tool.js';

export { listProductsOutputSchema };

export default defineTool({
  name: 'list_products',
  title: 'List products',
  description: [
    'List the products of the TestIO account, with how much testing each has seen: all-time test and feature counts, executed tests in the last 30 and 90 days, and when the newest test ended.',
    'Start here to find product ids for list_tests, list_features, get_product_summary and search. Filter by text (title and description) and product type; sort by title, product_type or last_synced.',
    'The product list is re-read from TestIO when it is more than a minute old. Paginated: pagination.total_count is exact, has_more says whether to ask for page + 1. Bug statistics are per test (get_test_summary), not here.',
  ].join(' '),
  toolset: 'discovery',
  inputSchema: listProductsInputSchema,
  outputSchema: listProductsOutputSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  examples: [
    {
      description: 'Mobile apps, most recently synced first',
      arguments: {
        product_type: ['mobile_app_ios', 'mobile_app_android'],
        sort_by: 'last_synced',
        sort_order: 'desc',
      },
    },
    { description: 'Products whose name mentions "shop"', arguments: { search: 'shop', per_page: 10 } },
  ],
  handler: (input, { services }) => services.listProducts(input),
});
