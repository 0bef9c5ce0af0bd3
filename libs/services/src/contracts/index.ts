export * from './common.js';
export * from './discovery.js';
export * from './summaries.js';
export * from './management.js';
export * from './thresholds.js';
export * from './query-metrics.js';
export * from './capabilities.js';
export * from './quality-report.js';
