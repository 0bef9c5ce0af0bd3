export * from './config.js';
export { createSyncContainer, type SyncContainer } from './container.js';
export { runSyncCommand } from './cli/sync-command.js';
export { runWorkerCommand } from './cli/worker-command.js';
export { runProblematicCommand } from './cli/problematic-command.js';
