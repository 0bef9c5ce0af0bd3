export * from './freshness.js';
export * from './contracts/index.js';
export { createServices } from './create-services.js';
export type { Services, SyncDataOptions, AnalyticsOptions, AnalyticsProgress } from './types.js';
export type { ServicesDeps, ServicesSettings, FreshnessBlock } from './context.js';
export { TRUNCATION_MARKER, MAX_DETAIL_TEXT, truncate } from './bounds.js';
export {
  acceptanceRates,
  classifyBugs,
  platformLabel,
  type AcceptanceRates,
  type StatusBuckets,
} from './rates.js';
export {
  DIMENSION_INFO,
  METRIC_INFO,
  FILTER_INFO,
  FILTER_KEYS,
  MAX_DIMENSIONS,
  MAX_ROWS,
  DEFAULT_ROWS,
  type DimensionInfo,
  type MetricInfo,
  type FilterInfo,
} from './analytics/registry.js';
export { healthOf, type Health } from './analytics/health.js';
