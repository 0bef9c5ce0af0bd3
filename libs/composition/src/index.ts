export {
  resolveRuntime,
  resolveRuntimeWithoutToken,
  resolveServingRuntime,
  type AppRuntime,
  type ResolveRuntimeOptions,
  type RuntimeSettings,
} from './runtime.js';
export {
  createApi,
  offlineApi,
  openMirror,
  type AppApi,
  type Mirror,
  type MirrorSettings,
  type OpenMirrorOptions,
} from './mirror.js';
export {
  createAppServices,
  openReadPorts,
  openServingParts,
  type CreateAppServicesOptions,
  type OpenServingPartsOptions,
  type ServiceSettings,
  type ServingParts,
  type ServingSettings,
} from './services.js';
export { createProcessLogger, createRootLogger } from './logger.js';
export { isReportedCliError, reportCliError } from './cli-errors.js';
export * from './auth/index.js';
