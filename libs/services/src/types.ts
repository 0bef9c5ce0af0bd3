import type { SyncTrigger } from '@testio-mcp/domain';
import type { SyncProgress } from '@testio-mcp/sync';
import type * as c from './contracts/index.js';

export interface AnalyticsProgress {
  readonly progress: number;
  readonly total: number;
  readonly message: string;
}

export interface AnalyticsOptions {
  /** Called once per step (the MCP layer maps it to progress notifications). */
  readonly onProgress?: (progress: AnalyticsProgress) => void;
}

export interface SyncDataOptions {
  /** Called once per phase/product/page while the sync runs (the MCP layer maps it to progress notifications). */
  readonly onProgress?: (progress: SyncProgress) => void;
  readonly signal?: AbortSignal;
  /** Who asked, as recorded in the sync history. Default `mcp`. */
  readonly trigger?: SyncTrigger;
}

/**
 * One method per operation. Each takes the PARSED input (the output type of the operation's input
 * schema) and returns the output type. Failures are domain errors: `NotFoundError` subclasses,
 * `InvalidInputError`, `ConflictError` (sync already running), `UpstreamError` (only where TestIO is
 * the answer, e.g. a test that must be re-read).
 */
export interface Services {
  listProducts(input: c.ListProductsInput): Promise<c.ListProductsOutput>;
  listTests(input: c.ListTestsInput): Promise<c.ListTestsOutput>;
  listFeatures(input: c.ListFeaturesInput): Promise<c.ListFeaturesOutput>;
  /** A page of features with their user stories, in one reader query (REST's user-stories listing). */
  listFeatureUserStories(input: c.ListFeaturesInput): Promise<c.FeatureUserStoriesOutput>;
  listUsers(input: c.ListUsersInput): Promise<c.ListUsersOutput>;
  listBugs(input: c.ListBugsInput): Promise<c.ListBugsOutput>;
  getTestSummary(input: c.GetTestSummaryInput): Promise<c.GetTestSummaryOutput>;
  getProductSummary(input: c.GetProductSummaryInput): Promise<c.GetProductSummaryOutput>;
  getFeatureSummary(input: c.GetFeatureSummaryInput): Promise<c.GetFeatureSummaryOutput>;
  getUserSummary(input: c.GetUserSummaryInput): Promise<c.GetUserSummaryOutput>;
  getBugSummary(input: c.GetBugSummaryInput): Promise<c.GetBugSummaryOutput>;
  search(input: c.SearchInput): Promise<c.SearchOutput>;
  syncData(input: c.SyncDataInput, options?: SyncDataOptions): Promise<c.SyncDataOutput>;
  getServerDiagnostics(input: c.GetServerDiagnosticsInput): Promise<c.GetServerDiagnosticsOutput>;
  /** Recent sync runs and the last 24 h counts (REST's sync history). */
  getSyncHistory(input: c.GetSyncHistoryInput): Promise<c.GetSyncHistoryOutput>;
  getProblematicTests(input: c.GetProblematicTestsInput): Promise<c.GetProblematicTestsOutput>;
  queryMetrics(input: c.QueryMetricsInput, options?: AnalyticsOptions): Promise<c.QueryMetricsOutput>;
  getAnalyticsCapabilities(
    input?: c.GetAnalyticsCapabilitiesInput,
  ): Promise<c.GetAnalyticsCapabilitiesOutput>;
  generateQualityReport(
    input: c.GenerateQualityReportInput,
    options?: AnalyticsOptions,
  ): Promise<c.GenerateQualityReportOutput>;
  /** The quality report plus every test of the scope (`test_data`), as REST serves it. */
  getQualityReportWithTests(
    input: c.GenerateQualityReportInput,
    options?: AnalyticsOptions,
  ): Promise<c.QualityReportWithTestsOutput>;
  /** The playbook thresholds in force. */
  getThresholds(): Promise<c.GetThresholdsOutput>;
}
