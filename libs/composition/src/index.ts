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
  createMirrorEngine,
  offlineApi,
  openMirror,
  type AppApi,
  type Mirror,
  type MirrorEngineOptions,
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
export {
  openTenantMirror,
  tenantRuntime,
  type OpenTenantMirrorOptions,
  type TenantMirror,
} from './tenants/tenant-mirror.js';
export {
  createTenantServices,
  type TenantServices,
  type TenantServicesOptions,
} from './tenants/tenant-services.js';
export {
  createAuditTrail,
  NO_AUDIT,
  type AuditEvent,
  type AuditOutcome,
  type AuditTrail,
  type AuditTrailOptions,
} from './audit/audit-trail.js';
export {
  createRateLimits,
  rateLimitConfig,
  type MakeLimiter,
  type RateBudget,
  type RateDecision,
  type RateLimitConfig,
  type RateLimits,
  type RateLimitSettings,
} from './limits/rate-limits.js';
export {
  openAppDatabase,
  sqliteAppDatabase,
  type AppDatabase,
  type AuditSink,
  type AuditSinkHandle,
  type OpenAppDatabaseOptions,
  type ReadPortsRequest,
  type TenantDatabaseView,
} from './database/app-database.js';
export {
  databaseTarget,
  describeTarget,
  parseDatabaseUrl,
  type DatabaseEngine,
  type DatabaseTarget,
} from './database/target.js';
