import { listTestsInputSchema, parseInput, type ListTestsInput, type Services } from '@testio-mcp/services';
import type { ListTestsResponse } from '../dto/discovery.js';
import { list } from './query.js';

/** The query of both routes to `list_tests` (`/api/tests?product_id=` and `/api/products/{id}/tests`). */
export interface ListTestsQuery {
  readonly product_id: number;
  readonly statuses?: string[] | undefined;
  readonly testing_type?: ListTestsInput['testing_type'] | undefined;
  readonly sort_by?: ListTestsInput['sort_by'] | undefined;
  readonly sort_order?: ListTestsInput['sort_order'] | undefined;
  readonly page?: number | undefined;
  readonly per_page?: number | undefined;
  readonly offset?: number | undefined;
}

/** One implementation behind both routes: the MCP tool's contract parses the query, the service answers. */
export function listTestsOf(
  services: Pick<Services, 'listTests'>,
  query: ListTestsQuery,
): Promise<ListTestsResponse> {
  const input = parseInput(listTestsInputSchema, { ...query, statuses: list(query.statuses) }, 'list_tests');
  return services.listTests(input);
}
