export * from './common.js';
export * from './discovery.js';
export * from './summaries.js';
export * from './management.js';
export * from './analytics.js';
