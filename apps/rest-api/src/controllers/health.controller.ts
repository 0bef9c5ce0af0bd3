import { Security, Controller, Get, Response, Route, Tags } from '@tsoa/runtime';
import type { Clock } from '@testio-mcp/domain';
import type { HealthResponse } from '../dto/health.js';
import { evaluateHealth, type HealthPolicy, type HealthProbe } from '../health.js';

@Route('health')
@Security('bearer')
@Security('apiKey')
@Tags('Operations')
export class HealthController extends Controller {
  constructor(
    private readonly probe: HealthProbe,
    private readonly policy: HealthPolicy,
    private readonly clock: Clock,
  ) {
    super();
  }

  /**
   * Whether the API can answer: the database is reachable (else 503), when the mirror was last
   * synced successfully, and who holds the sync lease. `degraded` (still 200) means stale data or
   * paused syncing. Needs an API key only when the server requires keys (any non-loopback bind).
   * @summary Health check
   */
  @Get()
  @Response<HealthResponse>(503, 'Unhealthy: the database does not answer')
  public async getHealth(): Promise<HealthResponse> {
    const report = evaluateHealth(await this.probe(), this.policy, this.clock.now());
    if (report.status === 'unhealthy') this.setStatus(503);
    this.setHeader('Cache-Control', 'no-store');
    return report;
  }
}
