export * from './fts-query.js';
export { openDatabase } from './database.js';
export type { MirrorDatabase, OpenDatabaseOptions, TenantDatabase } from './database.js';
export { DEFAULT_MIGRATIONS_DIR, migrate, MigrationError, readMigrations } from './migrator.js';
export type { MigrateOptions, MigrateResult, MigrationFile } from './migrator.js';
export { connectionPragmas, DEFAULT_BUSY_TIMEOUT_MS, openSqlite } from './sqlite.js';
export type { Sqlite } from './sqlite.js';
export { createPrismaClient } from './prisma-client.js';
export { createSyncStores } from './stores/index.js';
export type { StoreContext } from './stores/index.js';
export {
  createSearchIndex,
  DEFAULT_SEARCH_LIMIT,
  MAX_SEARCH_LIMIT,
  SEARCHABLE_ENTITIES,
  TITLE_WEIGHT,
} from './search.js';
export type { SearchEntityType, SearchHit, SearchIndex, SearchOptions, SearchResult } from './search.js';
export { MirrorQueries } from './queries.js';
export type { EntityCounts, MirrorCounts, ProductCounts } from './queries.js';
export { dbTime, fromDbTime, toDbTime } from './time.js';
export type { DbTime } from './time.js';
export { rawJson, stripSecrets } from './secrets.js';
export {
  compactBugRaw,
  compactTestFeatureRaw,
  compactTestRaw,
  expandBugRaw,
  expandTestFeatureRaw,
  expandTestRaw,
} from './raw-payloads.js';
export { decodeRaw, decodeRawText, encodeRaw } from './raw-codec.js';
export type { PrismaClient } from './generated/prisma/client.js';
export {
  createMirrorReader,
  createMirrorSearch,
  createAnalyticsReader,
  aggregatePath,
  buildAggregateMetricSql,
  buildMetricSql,
  type AggregatePath,
  type AnalyticsReaderOptions,
  createReportFileWriter,
  stripReportExtension,
} from './readers/index.js';
export { databaseSizeBytes, defaultDatabasePath, demoDatabasePath, resolveUserPath } from './paths.js';
export { createPrincipalStore } from './principals.js';
export type { ApiKeyRow, PrincipalStore, TenantRow } from './principals.js';
export {
  createAuditStore,
  openAuditDatabase,
  setBusyTimeout,
  type AuditQuery,
  type AuditRow,
  type AuditStore,
} from './audit.js';
export {
  createReadPorts,
  createReadPool,
  createReadHandler,
  defaultReadWorkers,
  READER_LANES,
  ANALYTICS_LANES,
  SEARCH_LANES,
} from './read-pool/index.js';
export type {
  CreateReadPortsOptions,
  Lane,
  ReadHandler,
  ReadPool,
  ReadPoolOptions,
  ReadPoolStats,
  ReadPorts,
} from './read-pool/index.js';
export { createPgPool, withTransaction as withPgTransaction, redactUrl } from './postgres/pool.js';
export type { PgClient, PgPool, PgPoolOptions } from './postgres/pool.js';
export { DEFAULT_PG_MIGRATIONS_DIR, migratePostgres } from './postgres/migrator.js';
export type { PgMigrateOptions } from './postgres/migrator.js';
export { openPostgresDatabase } from './postgres/database.js';
export type { OpenPostgresDatabaseOptions, PgMirrorDatabase, PgTenantDatabase } from './postgres/database.js';
export { createPgSyncStores } from './postgres/stores/index.js';
export type { PgStoreContext } from './postgres/stores/index.js';
export { pgDomainError } from './postgres/errors.js';
export { PgMirrorQueries } from './postgres/queries.js';
export { buildMirrorCounts } from './queries.js';
export { createPgAuditStore, createPgPrincipalStore } from './postgres/principals.js';
export type { AsyncOf, PgAuditStore, PgPrincipalStore } from './postgres/principals.js';
// PostgreSQL: the read side (readers, search; ADR 0030).
export { createPgMirrorReader } from './postgres/readers/index.js';
export { createPgMirrorSearch, createPgSearchIndex, SEARCH_CONFIG } from './postgres/search.js';
export { FtsSyntaxError, parseFtsExpression, toTsQueries } from './postgres/fts-expression.js';
export type { FtsNode, TsQueries } from './postgres/fts-expression.js';
// Analytics on PostgreSQL (ADR 0031): the AnalyticsReader port over a pool.
export { buildPgMetricSql, createPgAnalyticsReader, pgScopeParams } from './postgres/analytics/reader.js';
export type { PgAnalyticsReaderOptions } from './postgres/analytics/reader.js';
// State serving instances share (ADR 0035): sync jobs, rate-limit windows, shared keys.
export { createInstanceSecretStore, createRateWindowStore, createSyncJobStore } from './shared-state.js';
export {
  createPgInstanceSecretStore,
  createPgRateWindowStore,
  createPgSyncJobStore,
} from './postgres/shared-state.js';
// MCP tasks every instance reads, cancels and answers (ADR 0035).
export { createMcpTaskStore } from './mcp-tasks.js';
export { createPgMcpTaskStore } from './postgres/mcp-tasks.js';
// Moving a SQLite mirror to PostgreSQL (`testio-mcp db copy`, ADR 0036).
export { copySqliteToPostgres, DERIVED_TABLES, PROCESS_TABLES } from './postgres/copy.js';
export { DERIVED_REBUILDS, rebuildDerived } from './postgres/rebuild-derived.js';
export type { RebuiltTable } from './postgres/rebuild-derived.js';
export type { CopyTableResult, CopyToPostgresOptions, CopyToPostgresResult } from './postgres/copy.js';
// The principals on PostgreSQL behind the synchronous port: an in-memory copy kept fresh (ADR 0034).
export { openPgPrincipalSnapshot, PRINCIPALS_CHANNEL } from './postgres/principal-snapshot.js';
export type { PgPrincipalSnapshot, PgPrincipalSnapshotOptions } from './postgres/principal-snapshot.js';
