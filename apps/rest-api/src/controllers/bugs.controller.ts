import { Security, Controller, Get, Path, Query, Response, Route, Tags } from '@tsoa/runtime';
import {
  getBugSummaryInputSchema,
  listBugsInputSchema,
  parseInput,
  type Services,
} from '@testio-mcp/services';
import type { ListBugsResponse } from '../dto/discovery.js';
import type { ErrorBody } from '../dto/error.js';
import type { Id, Offset, PageNumber, PageSize, SortOrder } from '../dto/params.js';
import type { BugSummaryResponse } from '../dto/summaries.js';
import { list } from './query.js';

@Route('api/bugs')
@Security('bearer')
@Security('apiKey')
@Tags('Discovery')
@Response<ErrorBody>(401, 'Missing or invalid API key')
@Response<ErrorBody>(429, 'Rate limit exceeded (see Retry-After)')
export class BugsController extends Controller {
  constructor(private readonly services: Services) {
    super();
  }

  /**
   * Bugs of the given tests (scoping keeps the answer small), with AND-combined filters, sorted and
   * paginated. The same numbers as the MCP tool `list_bugs`.
   * @summary List bugs of tests (list_bugs)
   * @param test_ids Tests whose bugs to list (required, 1-100 ids; from list_tests): [123, 456], 123, '123,456' or '[123, 456]'.
   * @param status Only bugs in these statuses (forwarded = open, awaiting review). Valid values: accepted, auto_accepted, rejected, forwarded. Give an array, or a comma-separated string.
   * @param severity Only bugs of these severities. Valid values: critical, high, low, visual, content, custom. Give an array, or a comma-separated string.
   * @param rejection_reason Only rejected bugs with these reasons. Valid values: device_not_relevant, ignored_instructions, intended_behavior, irrelevant, known_bug, not_reproducible, request_timeout. Give an array, or a comma-separated string.
   * @param reported_by_user_id Only bugs reported by this user (id from list_users).
   * @param sort_by Sort field (default reported_at). severity sorts by rank: critical > high > low > visual > content > custom. One of: reported_at, severity, status, title.
   * @param sort_order Sort direction (default desc). One of: asc, desc.
   * @param page Page number, 1-based (default 1).
   * @param per_page Items per page, 1-200 (default TESTIO_DEFAULT_PAGE_SIZE, 100).
   * @param offset Extra items to skip, ADDED to the page offset: items start at offset + (page - 1) * per_page. To get items 50-99, use offset=50, per_page=50 (page 1). Default 0.
   */
  @Get()
  @Response<ErrorBody>(400, 'Invalid parameter value (e.g. no test ids)')
  @Response<ErrorBody>(422, 'Parameter missing, of the wrong type or out of range')
  public async listBugs(
    @Query() test_ids: string[],
    @Query() status?: string[],
    @Query() severity?: string[],
    @Query() rejection_reason?: string[],
    @Query() reported_by_user_id?: Id,
    @Query() sort_by?: 'reported_at' | 'severity' | 'status' | 'title',
    @Query() sort_order?: SortOrder,
    @Query() page?: PageNumber,
    @Query() per_page?: PageSize,
    @Query() offset?: Offset,
  ): Promise<ListBugsResponse> {
    const input = parseInput(
      listBugsInputSchema,
      {
        test_ids: list(test_ids),
        status: list(status),
        severity: list(severity),
        rejection_reason: list(rejection_reason),
        reported_by_user_id,
        sort_by,
        sort_order,
        page,
        per_page,
        offset,
      },
      'list_bugs',
    );
    return this.services.listBugs(input);
  }

  /**
   * One bug: severity, status, known flag, steps and results, rejection reason, reporter, test,
   * product, feature and devices. The same answer as the MCP tool `get_bug_summary`.
   * @summary Bug summary (get_bug_summary)
   * @param bug_id Bug id (from list_bugs), e.g. 12345.
   */
  @Get('{bug_id}/summary')
  @Response<ErrorBody>(404, 'No such bug')
  @Response<ErrorBody>(422, 'bug_id is not a positive integer')
  public async getBugSummary(@Path() bug_id: Id): Promise<BugSummaryResponse> {
    return this.services.getBugSummary(parseInput(getBugSummaryInputSchema, { bug_id }, 'get_bug_summary'));
  }
}
