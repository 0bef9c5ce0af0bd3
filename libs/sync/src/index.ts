export * from './refresh-policy.js';
export * from './types.js';
export {
  resolveSyncEngineOptions,
  type SyncEngineOptions,
  type ResolvedSyncEngineOptions,
} from './options.js';
export {
  createSyncEngine,
  type SyncEngine,
  type SyncEngineDeps,
  type RetryProblematicOptions,
  type RetryProblematicResult,
} from './engine.js';
export {
  evaluateCircuitBreaker,
  decideAutomaticSync,
  formatDuration,
  type BreakerOptions,
  type BreakerState,
  type AutomaticSyncDecision,
  type AutomaticSyncInput,
} from './breaker.js';
export {
  acquireSyncLease,
  syncInProgressError,
  startHeartbeat,
  type Heartbeat,
  type LeaseConfig,
} from './lease.js';
export { createSyncScheduler, type SyncScheduler, type SyncSchedulerOptions } from './scheduler.js';
export {
  createReadThrough,
  type ReadThrough,
  type ReadThroughDeps,
  type RefreshOutcome,
  type RefreshFailure,
  type RefreshOptions,
} from './read-through.js';
export { SingleFlight } from './single-flight.js';
export { SyncAbortedError } from './abort.js';
export { fetchProductCatalogue, type ProductCatalogue } from './phases/features.js';
export { createCountingApi, type CountingApi } from './upstream-calls.js';
export { isDeadLocalHolder, leaseHolderId } from './lease-holder.js';
