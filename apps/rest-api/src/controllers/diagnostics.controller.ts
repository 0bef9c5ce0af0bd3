import { Security, Controller, Get, Query, Response, Route, Tags } from '@tsoa/runtime';
import { getServerDiagnosticsInputSchema, parseInput, type Services } from '@testio-mcp/services';
import type { ErrorBody } from '../dto/error.js';
import type { DiagnosticsResponse } from '../dto/management.js';

/**
 * How many sync runs to list.
 * @isInt
 * @minimum 1
 * @maximum 20
 * @example 5
 */
type EventLimit = number;

@Route('api/diagnostics')
@Security('bearer')
@Security('apiKey')
@Tags('Operations')
@Response<ErrorBody>(401, 'Missing or invalid API key')
@Response<ErrorBody>(429, 'Rate limit exceeded (see Retry-After)')
export class DiagnosticsController extends Controller {
  constructor(private readonly services: Services) {
    super();
  }

  /**
   * One consolidated check: TestIO API reachability (one timed GET /products, no writes), database
   * counts and size, sync health (24 h statistics, circuit breaker) and the stored date range. The
   * same answer as the MCP tool `get_server_diagnostics`.
   * @summary Server diagnostics (get_server_diagnostics)
   * @param include_sync_events Add the most recent sync runs (default false).
   * @param sync_event_limit How many sync runs to list, 1-20 (default 5).
   * @param check_api Probe the TestIO API with one GET /products and time it (default true). The probe never writes and never fails the call.
   */
  @Get()
  @Response<ErrorBody>(422, 'Parameter of the wrong type or out of range')
  public async getDiagnostics(
    @Query() include_sync_events?: boolean,
    @Query() sync_event_limit?: EventLimit,
    @Query() check_api?: boolean,
  ): Promise<DiagnosticsResponse> {
    const input = parseInput(
      getServerDiagnosticsInputSchema,
      { include_sync_events, sync_event_limit, check_api },
      'get_server_diagnostics',
    );
    return this.services.getServerDiagnostics(input);
  }
}
