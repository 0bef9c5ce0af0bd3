import { Security, Controller, Example, Get, Path, Query, Response, Route, Tags } from '@tsoa/runtime';
import {
  getProductSummaryInputSchema,
  listFeaturesInputSchema,
  listProductsInputSchema,
  parseInput,
  type Services,
} from '@testio-mcp/services';
import type { ErrorBody } from '../dto/error.js';
import type { ListFeaturesResponse, ListProductsResponse, ListTestsResponse } from '../dto/discovery.js';
import type { Id, Offset, PageNumber, PageSize, ProductPageSize, SortOrder } from '../dto/params.js';
import type { ProductSummaryResponse } from '../dto/summaries.js';
import type { UserStoriesResponse } from '../dto/user-stories.js';
import { listUserStories } from '../user-stories.js';
import { listTestsOf } from './list-tests.js';
import { list } from './query.js';

@Route('api/products')
@Security('bearer')
@Security('apiKey')
@Tags('Discovery')
@Response<ErrorBody>(401, 'Missing or invalid API key')
@Response<ErrorBody>(429, 'Rate limit exceeded (see Retry-After)')
export class ProductsController extends Controller {
  constructor(private readonly services: Services) {
    super();
  }

  /**
   * Products of the account with volume and recency counts, filtered, sorted and paginated. The same
   * numbers as the MCP tool `list_products`.
   * @summary List products (list_products)
   * @param search Case-insensitive text matched against product title and description (substring).
   * @param product_type Only products of these types. Valid values: website, mobile_app_ios, mobile_app_android, mobile_app_windows, streaming_app, gaming. Give an array, or a comma-separated string.
   * @param sort_by Sort field (default title). One of: title, product_type, last_synced.
   * @param sort_order Sort direction (default asc). One of: asc, desc.
   * @param page Page number, 1-based (default 1).
   * @param per_page Items per page, 1-100 (default 50).
   * @param offset Extra items to skip, ADDED to the page offset: items start at offset + (page - 1) * per_page. To get items 50-99, use offset=50, per_page=50 (page 1). Default 0.
   */
  @Get()
  @Example<ListProductsResponse>({
    total_count: 1,
    filters_applied: { search: null, product_type: null },
    products: [
      {
        id: 598,
        name: 'Checkout Web',
        type: 'website',
        description: 'Web shop checkout',
        test_count: 42,
        feature_count: 12,
        tests_last_30_days: 3,
        tests_last_90_days: 9,
        last_test_end_at: '2025-05-30T17:00:00.000Z',
        last_synced: '2025-06-01T08:00:00.000Z',
      },
    ],
    page: 1,
    per_page: 50,
    pagination: {
      page: 1,
      per_page: 50,
      offset: 0,
      start_index: 0,
      end_index: 0,
      total_count: 1,
      has_more: false,
    },
    data_as_of: '2025-06-01T08:00:00.000Z',
    stale: false,
  })
  @Response<ErrorBody>(400, 'Invalid parameter value')
  @Response<ErrorBody>(422, 'Parameter of the wrong type or out of range')
  public async listProducts(
    @Query() search?: string,
    @Query() product_type?: string[],
    @Query() sort_by?: 'title' | 'product_type' | 'last_synced',
    @Query() sort_order?: SortOrder,
    @Query() page?: PageNumber,
    @Query() per_page?: ProductPageSize,
    @Query() offset?: Offset,
  ): Promise<ListProductsResponse> {
    const input = parseInput(
      listProductsInputSchema,
      { search, product_type: list(product_type), sort_by, sort_order, page, per_page, offset },
      'list_products',
    );
    return this.services.listProducts(input);
  }

  /**
   * One product: counts of tests (by status), features and user stories, and sync times. The same
   * numbers as the MCP tool `get_product_summary`.
   * @summary Product summary (get_product_summary)
   * @param product_id Product id (from list_products), e.g. 598.
   */
  @Get('{product_id}/summary')
  @Example<ProductSummaryResponse>({
    id: 598,
    title: 'Checkout Web',
    type: 'website',
    description: 'Web shop checkout',
    test_count: 42,
    tests_by_status: { archived: 38, running: 1, locked: 3 },
    feature_count: 12,
    user_story_count: 57,
    last_test_end_at: '2025-05-30T17:00:00.000Z',
    last_synced: '2025-06-01T08:00:00.000Z',
    tests_synced_at: '2025-06-01T08:00:00.000Z',
    data_as_of: '2025-06-01T08:00:00.000Z',
    stale: false,
  })
  @Response<ErrorBody>(404, 'No such product', {
    error: {
      code: 'not_found',
      message: "Product ID '99999' not found",
      hint: 'Use GET /api/products to see available products',
      reason: 'This product may not exist, or it is not visible to this account',
      request_id: '8d3c7d1e-4d6c-4a0e-9f8e-0a1b2c3d4e5f',
    },
  })
  @Response<ErrorBody>(422, 'product_id is not a positive integer')
  public async getProductSummary(@Path() product_id: Id): Promise<ProductSummaryResponse> {
    return this.services.getProductSummary(
      parseInput(getProductSummaryInputSchema, { product_id }, 'get_product_summary'),
    );
  }

  /**
   * A product's tests, filtered, sorted and paginated. The same numbers as the MCP tool `list_tests`.
   * @summary List a product's tests (list_tests)
   * @param product_id Product id (from list_products), e.g. 598.
   * @param statuses Only tests in these statuses (default: all). Valid values: running, locked, archived, cancelled, customer_finalized, initialized. Give an array, or a comma-separated string.
   * @param testing_type Only tests of this testing type. One of: coverage, rapid, usability, focused, custom.
   * @param sort_by Sort field (default end_at). One of: start_at, end_at, status, title.
   * @param sort_order Sort direction (default desc). One of: asc, desc.
   * @param page Page number, 1-based (default 1).
   * @param per_page Items per page, 1-200 (default TESTIO_DEFAULT_PAGE_SIZE, 100).
   * @param offset Extra items to skip, ADDED to the page offset: items start at offset + (page - 1) * per_page. To get items 50-99, use offset=50, per_page=50 (page 1). Default 0.
   */
  @Get('{product_id}/tests')
  @Response<ErrorBody>(400, 'Invalid parameter value')
  @Response<ErrorBody>(404, 'No such product')
  @Response<ErrorBody>(422, 'Parameter of the wrong type or out of range')
  public async listProductTests(
    @Path() product_id: Id,
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
   * A product's features with user-story, test and bug counts. The same numbers as the MCP tool
   * `list_features`.
   * @summary List a product's features (list_features)
   * @param product_id Product id (from list_products).
   * @param has_user_stories true: only features with at least one user story; false or absent: all features.
   * @param sort_by Sort field (default title). One of: title, test_count, bug_count, last_synced.
   * @param sort_order Sort direction (default asc). One of: asc, desc.
   * @param page Page number, 1-based (default 1).
   * @param per_page Items per page, 1-200 (default TESTIO_DEFAULT_PAGE_SIZE, 100).
   * @param offset Extra items to skip, ADDED to the page offset: items start at offset + (page - 1) * per_page. To get items 50-99, use offset=50, per_page=50 (page 1). Default 0.
   */
  @Get('{product_id}/features')
  @Response<ErrorBody>(400, 'Invalid parameter value')
  @Response<ErrorBody>(404, 'No such product')
  @Response<ErrorBody>(422, 'Parameter of the wrong type or out of range')
  public async listProductFeatures(
    @Path() product_id: Id,
    @Query() has_user_stories?: boolean,
    @Query() sort_by?: 'title' | 'test_count' | 'bug_count' | 'last_synced',
    @Query() sort_order?: SortOrder,
    @Query() page?: PageNumber,
    @Query() per_page?: PageSize,
    @Query() offset?: Offset,
  ): Promise<ListFeaturesResponse> {
    const input = parseInput(
      listFeaturesInputSchema,
      { product_id, has_user_stories, sort_by, sort_order, page, per_page, offset },
      'list_features',
    );
    return this.services.listFeatures(input);
  }

  /**
   * The user stories of a product's features (or of one feature), paginated over the features that
   * have stories. Built from the same services as `list_features` and `get_feature_summary`.
   * @summary List a product's user stories
   * @param product_id Product id (from GET /api/products).
   * @param feature_id Only this feature's stories (catalogue feature id).
   * @param page Page of features with stories, 1-based (default 1).
   * @param per_page Features per page, 1-200 (default 20).
   */
  @Get('{product_id}/user_stories')
  @Response<ErrorBody>(400, 'Invalid parameter value')
  @Response<ErrorBody>(404, 'No such product or feature')
  @Response<ErrorBody>(422, 'Parameter of the wrong type or out of range')
  public async listProductUserStories(
    @Path() product_id: Id,
    @Query() feature_id?: Id,
    @Query() page?: PageNumber,
    @Query() per_page?: PageSize,
  ): Promise<UserStoriesResponse> {
    return listUserStories(this.services, { product_id, feature_id, page, per_page });
  }
}
