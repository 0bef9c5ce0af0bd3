import { Security, Controller, Get, Path, Query, Response, Route, Tags } from '@tsoa/runtime';
import {
  getUserSummaryInputSchema,
  listUsersInputSchema,
  parseInput,
  type Services,
} from '@testio-mcp/services';
import type { ListUsersResponse } from '../dto/discovery.js';
import type { ErrorBody } from '../dto/error.js';
import type { Id, Offset, PageNumber, PageSize, SortOrder } from '../dto/params.js';
import type { UserSummaryResponse } from '../dto/summaries.js';

/**
 * Days of activity to look back.
 * @isInt
 * @minimum 1
 * @maximum 36500
 * @example 365
 */
type Days = number;

@Route('api/users')
@Security('bearer')
@Security('apiKey')
@Tags('Discovery')
@Response<ErrorBody>(401, 'Missing or invalid API key')
@Response<ErrorBody>(429, 'Rate limit exceeded (see Retry-After)')
export class UsersController extends Controller {
  constructor(private readonly services: Services) {
    super();
  }

  /**
   * Testers (bug reporters) and customers (test creators and submitters) seen in the synced data,
   * sorted and paginated. The same numbers as the MCP tool `list_users`.
   * @summary List users (list_users)
   * @param user_type tester (bug reporters) or customer (test creators/submitters); default both. One of: tester, customer.
   * @param days Only users active (a bug reported or a test ended) within this many days (default 365).
   * @param sort_by Sort field (default username). One of: username, user_type, last_activity, first_seen.
   * @param sort_order Sort direction (default asc). One of: asc, desc.
   * @param page Page number, 1-based (default 1).
   * @param per_page Items per page, 1-200 (default TESTIO_DEFAULT_PAGE_SIZE, 100).
   * @param offset Extra items to skip, ADDED to the page offset: items start at offset + (page - 1) * per_page. To get items 50-99, use offset=50, per_page=50 (page 1). Default 0.
   */
  @Get()
  @Response<ErrorBody>(400, 'Invalid parameter value')
  @Response<ErrorBody>(422, 'Parameter of the wrong type or out of range')
  public async listUsers(
    @Query() user_type?: 'tester' | 'customer',
    @Query() days?: Days,
    @Query() sort_by?: 'username' | 'user_type' | 'last_activity' | 'first_seen',
    @Query() sort_order?: SortOrder,
    @Query() page?: PageNumber,
    @Query() per_page?: PageSize,
    @Query() offset?: Offset,
  ): Promise<ListUsersResponse> {
    const input = parseInput(
      listUsersInputSchema,
      { user_type, days, sort_by, sort_order, page, per_page, offset },
      'list_users',
    );
    return this.services.listUsers(input);
  }

  /**
   * One user: roles, tests created and submitted (customers), bugs reported (testers), first and
   * last activity. The same numbers as the MCP tool `get_user_summary`.
   * @summary User summary (get_user_summary)
   * @param user_id User id (from list_users).
   */
  @Get('{user_id}/summary')
  @Response<ErrorBody>(404, 'No such user')
  @Response<ErrorBody>(422, 'user_id is not a positive integer')
  public async getUserSummary(@Path() user_id: Id): Promise<UserSummaryResponse> {
    return this.services.getUserSummary(
      parseInput(getUserSummaryInputSchema, { user_id }, 'get_user_summary'),
    );
  }
}
