import { Security, Controller, Get, Path, Query, Response, Route, Tags } from '@tsoa/runtime';
import { getTestSummaryInputSchema, parseInput, type Services } from '@testio-mcp/services';
import type { ListTestsResponse } from '../dto/discovery.js';
import type { ErrorBody } from '../dto/error.js';
import type { Id, Offset, PageNumber, PageSize, SortOrder } from '../dto/params.js';
import type { TestSummaryResponse } from '../dto/summaries.js';
import { listTestsOf } from './list-tests.js';

@Route('api/tests')
@Security('bearer')
@Security('apiKey')
@Tags('Discovery')
@Response<ErrorBody>(401, 'Missing or invalid API key')
@Response<ErrorBody>(429, 'Rate limit exceeded (see Retry-After)')
export class TestsController extends Controller {
  constructor(private readonly services: Services) {
    super();
  }

  /**
   * A product's tests, filtered, sorted and paginated: `GET /api/products/{product_id}/tests` with the
   * product as a query parameter. The same numbers as the MCP tool `list_tests`.
   * @summary List tests (list_tests)
   * @param product_id Product id (from list_products), e.g. 598.
   * @param statuses Only tests in these statuses (default: all). Valid values: running, locked, archived, cancelled, customer_finalized, initialized. Give an array, or a comma-separated string.
   * @param testing_type Only tests of this testing type. One of: coverage, rapid, usability, focused, custom.
   * @param sort_by Sort field (default end_at). One of: start_at, end_at, status, title.
   * @param sort_order Sort direction (default desc). One of: asc, desc.
   * @param page Page number, 1-based (default 1).
   * @param per_page Items per page, 1-200 (default TESTIO_DEFAULT_PAGE_SIZE, 100).
   * @param offset Extra items to skip, ADDED to the page offset: items start at offset + (page - 1) * per_page. To get items 50-99, use offset=50, per_page=50 (page 1). Default 0.
   */
  @Get()
  @Response<ErrorBody>(400, 'Invalid parameter value')
  @Response<ErrorBody>(404, 'No such product')
  @Response<ErrorBody>(422, 'Parameter missing, of the wrong type or out of range')
  public async listTests(
    @Query() product_id: Id,
    @Query() statuses?: string[],
    @Query() testing_type?: 'rapid' | 'focused' | 'coverage' | 'usability' | 'custom',
    @Query() sort_by?: 'start_at' | 'end_at' | 'status' | 'title',
    @Query() sort_order?: SortOrder,
    @Query() page?: PageNumber,
    @Query() per_page?: PageSize,
    @Query() offset?: Offset,
  ): Promise<ListTestsResponse> {
    return listTestsOf(this.services, {
      product_id,
      statuses,
      testing_type,
      sort_by,
      sort_order,
      page,
      per_page,
      offset,
    });
  }

  /**
   * One test: configuration, status, required platforms and bug statistics (severity, status,
   * platform, acceptance rates, recent bugs). The test and its bugs are re-read from TestIO when
   * stale. The same numbers as the MCP tool `get_test_summary`.
   * @summary Test summary (get_test_summary)
   * @param test_id Exploratory test id (from list_tests), e.g. 109363.
   */
  @Get('{test_id}/summary')
  @Response<ErrorBody>(404, 'No such test')
  @Response<ErrorBody>(422, 'test_id is not a positive integer')
  @Response<ErrorBody>(502, 'TestIO answered with an error')
  @Response<ErrorBody>(503, 'TestIO is unreachable or rate-limiting')
  public async getTestSummary(@Path() test_id: Id): Promise<TestSummaryResponse> {
    return this.services.getTestSummary(
      parseInput(getTestSummaryInputSchema, { test_id }, 'get_test_summary'),
    );
  }
}
