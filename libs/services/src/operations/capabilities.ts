import { METRIC_DIMENSIONS, METRIC_KEYS, SEVERITY_SCORE_WEIGHTS } from '@testio-mcp/domain';
import {
  DEFAULT_ROWS,
  DIMENSION_INFO,
  FILTER_INFO,
  FILTER_KEYS,
  MAX_DIMENSIONS,
  MAX_ROWS,
  METRIC_INFO,
} from '../analytics/registry.js';
import type {
  GetAnalyticsCapabilitiesInput,
  GetAnalyticsCapabilitiesOutput,
} from '../contracts/capabilities.js';
import type { ThresholdsOutput } from '../contracts/thresholds.js';
import type { ServiceContext } from '../context.js';
import { createAnalyticsShared } from './analytics-shared.js';

/** get_analytics_capabilities and the thresholds: what query_metrics and the reports understand. */
export function createCapabilitiesOperations(ctx: ServiceContext) {
  const { thresholdsOutput } = createAnalyticsShared(ctx);

  // The tool takes no arguments today; the input stays in the signature so callers pass the parsed input
  // as they do to every operation.
  async function getAnalyticsCapabilities(
    _input: GetAnalyticsCapabilitiesInput = {},
  ): Promise<GetAnalyticsCapabilitiesOutput> {
    const platforms = ctx.analytics ? await ctx.analytics.listPlatforms() : [];
    return {
      dimensions: METRIC_DIMENSIONS.map((key) => {
        const d = DIMENSION_INFO[key];
        return {
          key,
          description: d.description,
          example: d.example,
          kind: d.kind,
          level: d.level,
          has_id: d.hasId,
        };
      }),
      metrics: METRIC_KEYS.map((key) => ({ key, ...METRIC_INFO[key] })),
      filters: FILTER_KEYS.map((key) => ({
        key,
        description: FILTER_INFO[key].description,
        example: FILTER_INFO[key].example,
        values: FILTER_INFO[key].values ? [...(FILTER_INFO[key].values ?? [])] : null,
      })),
      platforms: platforms.slice(0, 100),
      limits: { max_dimensions: MAX_DIMENSIONS, max_rows: MAX_ROWS, default_rows: DEFAULT_ROWS },
      severity_weights: { ...SEVERITY_SCORE_WEIGHTS },
      thresholds: thresholdsOutput(),
    };
  }

  /** The playbook thresholds in force (prompts and resources quote them). */
  function getThresholds(): Promise<ThresholdsOutput> {
    return Promise.resolve(thresholdsOutput());
  }

  return { getAnalyticsCapabilities, getThresholds };
}
