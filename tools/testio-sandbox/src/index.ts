export * from './types.js';
export { startSandbox, createSandboxContext, DEFAULT_FORBIDDEN_TOKEN } from './start.js';
export { createSandboxApp } from './server/app.js';
export type { SandboxContext } from './server/context.js';
export { runSandboxCli, parseSandboxCliArgs, CliUsageError } from './cli.js';
export { parseFaults, sandboxFaultsSchema, InvalidFaultsError } from './faults.js';
