/** The public API: only what other projects import (tests inside the lib import from the file itself). */
export { type SyncEngineOptions } from './options.js';
export { createSyncEngine, type SyncEngine } from './engine.js';
export { createSyncScheduler } from './scheduler.js';
export { createReadThrough, type ReadThrough, type RefreshOutcome } from './read-through.js';
export { isDeadLocalHolder, leaseHolderId } from './lease-holder.js';
export { testNeedsRefresh } from './refresh-policy.js';
export { type SyncPhase, type SyncProgress, type SyncResult, type SyncStatusReport } from './types.js';
