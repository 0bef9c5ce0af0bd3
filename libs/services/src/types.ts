import type { SyncTrigger } from '@testio-mcp/domain';
import type { SyncProgress } from '@testio-mcp/sync';
import type { createCapabilitiesOperations } from './operations/capabilities.js';
import type { createDiscoveryOperations } from './operations/discovery.js';
import type { createManagementOperations } from './operations/management.js';
import type { createQualityReportOperations } from './operations/quality-report.js';
import type { createQueryMetricsOperations } from './operations/query-metrics.js';
import type { createSummaryOperations } from './operations/summaries.js';
import type { createTriageOperations } from './operations/triage.js';

export interface AnalyticsProgress {
  readonly progress: number;
  readonly total: number;
  readonly message: string;
}

export interface AnalyticsOptions {
  /** Called once per step (the MCP layer maps it to progress notifications). */
  readonly onProgress?: (progress: AnalyticsProgress) => void;
  /** Checked between steps: once aborted (a cancelled MCP task), the next step is not started. */
  readonly signal?: AbortSignal;
}

export interface SyncDataOptions {
  /** Called once per phase/product/page while the sync runs (the MCP layer maps it to progress notifications). */
  readonly onProgress?: (progress: SyncProgress) => void;
  readonly signal?: AbortSignal;
  /** Who asked, as recorded in the sync history. Default `mcp`. */
  readonly trigger?: SyncTrigger;
}

/**
 * One method per operation, as the group factories in operations/ define them: adding an operation to a
 * group's factory adds it here (and to `createServices`, which spreads the factories). Each takes the
 * PARSED input (the output type of the operation's input schema) and returns the output type. Failures
 * are domain errors: `NotFoundError` subclasses, `InvalidInputError`, `ConflictError` (sync already
 * running), `UpstreamError` (only where TestIO is the answer, e.g. a test that must be re-read).
 */
export type Services = ReturnType<typeof createDiscoveryOperations> &
  ReturnType<typeof createSummaryOperations> &
  ReturnType<typeof createManagementOperations> &
  ReturnType<typeof createQueryMetricsOperations> &
  ReturnType<typeof createQualityReportOperations> &
  ReturnType<typeof createCapabilitiesOperations> &
  ReturnType<typeof createTriageOperations>;
