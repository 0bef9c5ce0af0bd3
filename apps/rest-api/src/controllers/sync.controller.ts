import {
  Security,
  Body,
  Controller,
  Get,
  Path,
  Post,
  Query,
  Response,
  Route,
  SuccessResponse,
  Tags,
} from '@tsoa/runtime';
import { NotFoundError } from '@testio-mcp/domain';
import {
  getProblematicTestsInputSchema,
  getSyncHistoryInputSchema,
  parseInput,
  syncDataInputSchema,
  type Services,
} from '@testio-mcp/services';
import type { ErrorBody } from '../dto/error.js';
import type { ProblematicTestsResponse } from '../dto/management.js';
import type { Id } from '../dto/params.js';
import type { SyncHistoryResponse, SyncJob, SyncRequest } from '../dto/sync.js';
import type { SyncJobs } from '../sync-jobs.js';

/**
 * How many runs to list.
 * @isInt
 * @minimum 1
 * @maximum 20
 * @example 10
 */
type HistoryLimit = number;

@Route('api/sync')
@Security('bearer')
@Security('apiKey')
@Tags('Sync')
@Response<ErrorBody>(401, 'Missing or invalid API key')
@Response<ErrorBody>(429, 'Rate limit exceeded (see Retry-After)')
export class SyncController extends Controller {
  constructor(
    private readonly services: Services,
    private readonly jobs: SyncJobs,
  ) {
    super();
  }

  /**
   * Starts a sync of the mirror in the background (the arguments of the MCP tool `sync_data`) and
   * answers at once with a job to poll: `GET /api/sync/{id}`. 409 when a sync is already running, in
   * this process or another (worker, MCP server, CLI).
   * @summary Start a sync (sync_data)
   */
  @Post()
  @SuccessResponse(202, 'Accepted: the sync runs in the background')
  @Response<ErrorBody>(400, 'Invalid product ids or since date')
  @Response<ErrorBody>(409, 'A sync is already running')
  @Response<ErrorBody>(413, 'Body too large')
  @Response<ErrorBody>(422, 'Body does not match the schema (unknown or mistyped property)')
  public async startSync(@Body() body?: SyncRequest): Promise<SyncJob> {
    const job = await this.jobs.start(parseInput(syncDataInputSchema, body ?? {}, 'sync_data'));
    this.setStatus(202);
    this.setHeader('Location', job.href);
    return job;
  }

  /**
   * Recent sync runs of the mirror by any process (worker, MCP, CLI, REST), newest first, with the
   * last 24 h counts. Read from the same diagnostics service as `GET /api/diagnostics`.
   * @summary Sync history
   * @param limit How many runs to list, 1-20 (default 10).
   */
  @Get('history')
  @Response<ErrorBody>(422, 'limit out of range')
  public async getSyncHistory(@Query() limit?: HistoryLimit): Promise<SyncHistoryResponse> {
    return this.services.getSyncHistory(parseInput(getSyncHistoryInputSchema, { limit }, 'sync_history'));
  }

  /**
   * Ranges of product test lists that TestIO could not serve (HTTP 5xx even one by one), with the
   * readable tests around them, for support tickets. The same answer as the MCP tool
   * `get_problematic_tests`.
   * @summary Problematic test ranges (get_problematic_tests)
   * @param product_id Only ranges of this product (default: all).
   * @param include_resolved Also list ranges a later complete sync resolved (default false).
   */
  @Get('problematic')
  @Response<ErrorBody>(422, 'Parameter of the wrong type or out of range')
  public async getProblematicTests(
    @Query() product_id?: Id,
    @Query() include_resolved?: boolean,
  ): Promise<ProblematicTestsResponse> {
    return this.services.getProblematicTests(
      parseInput(getProblematicTestsInputSchema, { product_id, include_resolved }, 'get_problematic_tests'),
    );
  }

  /**
   * The state of a sync started with `POST /api/sync`: running (with its last progress), completed
   * (with the run's outcome) or failed (with the error; `abandoned` when the instance running it stopped).
   * Any instance on the same database answers, for the tenant that started the job.
   * @summary Sync job state
   * @param id Job id from POST /api/sync.
   */
  @Get('{id}')
  @Response<ErrorBody>(404, "No such job (unknown id, another tenant's job, or pruned)")
  public async getSyncJob(@Path() id: string): Promise<SyncJob> {
    const job = await this.jobs.get(id);
    if (!job) {
      throw new NotFoundError('sync_run', id, {
        message: `Sync job '${id}' not found`,
        reason:
          'Jobs are kept in the mirror database for the tenant that started them (the newest 50 finished ones)',
        hint: 'GET /api/sync/history lists every recorded run',
      });
    }
    return job;
  }
}
