import { resolveContext, type ServicesDeps } from './context.js';
import { createCapabilitiesOperations } from './operations/capabilities.js';
import { createDiscoveryOperations } from './operations/discovery.js';
import { createManagementOperations } from './operations/management.js';
import { createQualityReportOperations } from './operations/quality-report.js';
import { createQueryMetricsOperations } from './operations/query-metrics.js';
import { createSummaryOperations } from './operations/summaries.js';
import { createTriageOperations } from './operations/triage.js';
import type { Services } from './types.js';

/**
 * The read side of TestIO MCP, framework-free: one method per operation (tool), each taking the parsed
 * input of its contract and returning its output. Apps wire the ports (`MirrorReader`, `SearchPort`
 * from `libs/persistence`, the read-through cache and sync engine from `libs/sync`, the TestIO client).
 */
export function createServices(deps: ServicesDeps): Services {
  const ctx = resolveContext(deps);
  return {
    ...createDiscoveryOperations(ctx),
    ...createSummaryOperations(ctx),
    ...createManagementOperations(ctx),
    ...createQueryMetricsOperations(ctx),
    ...createQualityReportOperations(ctx),
    ...createCapabilitiesOperations(ctx),
    ...createTriageOperations(ctx),
  };
}
