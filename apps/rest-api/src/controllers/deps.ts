import type { Clock } from '@testio-mcp/domain';
import type { Services } from '@testio-mcp/services';
import type { HealthPolicy, HealthProbe } from '../health.js';
import type { SyncJobs } from '../sync-jobs.js';

/** What controllers are constructed with (see `createApp`, which registers their factories). */
export interface ControllerDeps {
  readonly services: Services;
  readonly syncJobs: SyncJobs;
  readonly health: { readonly probe: HealthProbe; readonly policy: HealthPolicy };
  readonly clock: Clock;
}
