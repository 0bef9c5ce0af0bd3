export {
  resolveRuntime,
  resolveRuntimeWithoutToken,
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
export { createAppServices, type CreateAppServicesOptions, type ServiceSettings } from './services.js';
export { createProcessLogger, createRootLogger } from './logger.js';
export { isReportedCliError, reportCliError } from './cli-errors.js';
