export * from './config.js';
export { createApp, loadOpenApiSpec, DEFAULT_APP_OPTIONS, type AppDeps, type AppOptions } from './app.js';
export { runApiCommand, reportApiError, REST_API_VERSION, type RunApiOptions } from './cli.js';
export {
  appOptionsFromSettings,
  createRestContainer,
  resolveRestRuntime,
  type RestContainer,
  type RestRuntime,
} from './container.js';
export { createHealthProbe, evaluateHealth, type HealthProbe, type HealthSnapshot } from './health.js';
export { createMetrics, type ApiMetrics } from './metrics.js';
export type { ErrorBody } from './dto/error.js';
export {
  prepareHostedRestApi,
  restApiHost,
  type HostedRestApi,
  type HostedRestParts,
  type HostedRestPrepareOptions,
  type PreparedRestApi,
} from './hosted.js';
