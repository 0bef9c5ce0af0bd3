export * from './freshness.js';
export * from './contracts/index.js';
export { createServices } from './create-services.js';
export type { Services, SyncDataOptions } from './types.js';
export type { ServicesDeps, ServicesSettings, FreshnessBlock } from './context.js';
export { TRUNCATION_MARKER, MAX_DETAIL_TEXT, truncate } from './bounds.js';
export { acceptanceRates, classifyBugs, platformLabel, type AcceptanceRates, type StatusBuckets } from './rates.js';
