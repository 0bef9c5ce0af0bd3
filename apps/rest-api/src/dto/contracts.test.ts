import type * as c from '@testio-mcp/services';
import { describe, expectTypeOf, it } from 'vitest';
import type { z } from 'zod';
import type {
  ListBugsResponse,
  ListFeaturesResponse,
  ListProductsResponse,
  ListTestsResponse,
  ListUsersResponse,
} from './discovery.js';
import type {
  DiagnosticsResponse,
  ProblematicTestsResponse,
  SearchResponse,
  SyncDataResult,
  SyncEvent,
} from './management.js';
import type {
  BugSummaryResponse,
  FeatureSummaryResponse,
  ProductSummaryResponse,
  TestSummaryResponse,
  UserSummaryResponse,
} from './summaries.js';
import type { Pagination } from './common.js';
import type {
  CapabilitiesResponse,
  MetricQueryResponse,
  QualityReport,
  QualityReportResponse,
  ReportTest,
  ThresholdsResponse,
} from './analytics.js';

/**
 * The DTOs tsoa reads (plain interfaces) are exactly the services' output types (`z.infer` of the
 * contracts' output schemas), so REST answers and their OpenAPI schemas cannot drift from the MCP
 * tools. Checked by `tsc` (the typecheck target); the runtime body is empty on purpose.
 */
describe('REST DTOs equal the services output schemas', () => {
  it('discovery', () => {
    expectTypeOf<Pagination>().toEqualTypeOf<z.infer<typeof c.paginationSchema>>();
    expectTypeOf<ListProductsResponse>().toEqualTypeOf<z.infer<typeof c.listProductsOutputSchema>>();
    expectTypeOf<ListTestsResponse>().toEqualTypeOf<z.infer<typeof c.listTestsOutputSchema>>();
    expectTypeOf<ListFeaturesResponse>().toEqualTypeOf<z.infer<typeof c.listFeaturesOutputSchema>>();
    expectTypeOf<ListUsersResponse>().toEqualTypeOf<z.infer<typeof c.listUsersOutputSchema>>();
    expectTypeOf<ListBugsResponse>().toEqualTypeOf<z.infer<typeof c.listBugsOutputSchema>>();
  });

  it('summaries', () => {
    expectTypeOf<TestSummaryResponse>().toEqualTypeOf<z.infer<typeof c.getTestSummaryOutputSchema>>();
    expectTypeOf<ProductSummaryResponse>().toEqualTypeOf<z.infer<typeof c.getProductSummaryOutputSchema>>();
    expectTypeOf<FeatureSummaryResponse>().toEqualTypeOf<z.infer<typeof c.getFeatureSummaryOutputSchema>>();
    expectTypeOf<UserSummaryResponse>().toEqualTypeOf<z.infer<typeof c.getUserSummaryOutputSchema>>();
    expectTypeOf<BugSummaryResponse>().toEqualTypeOf<z.infer<typeof c.getBugSummaryOutputSchema>>();
  });

  it('search, sync and diagnostics', () => {
    expectTypeOf<SearchResponse>().toEqualTypeOf<z.infer<typeof c.searchOutputSchema>>();
    expectTypeOf<SyncDataResult>().toEqualTypeOf<z.infer<typeof c.syncDataOutputSchema>>();
    expectTypeOf<SyncEvent>().toEqualTypeOf<z.infer<typeof c.syncEventSchema>>();
    expectTypeOf<DiagnosticsResponse>().toEqualTypeOf<z.infer<typeof c.getServerDiagnosticsOutputSchema>>();
    expectTypeOf<ProblematicTestsResponse>().toEqualTypeOf<
      z.infer<typeof c.getProblematicTestsOutputSchema>
    >();
  });

  it('analytics', () => {
    expectTypeOf<MetricQueryResponse>().toEqualTypeOf<z.infer<typeof c.queryMetricsOutputSchema>>();
    expectTypeOf<CapabilitiesResponse>().toEqualTypeOf<
      z.infer<typeof c.getAnalyticsCapabilitiesOutputSchema>
    >();
    expectTypeOf<QualityReport>().toEqualTypeOf<z.infer<typeof c.generateQualityReportOutputSchema>>();
    expectTypeOf<QualityReportResponse>().toEqualTypeOf<
      z.infer<typeof c.qualityReportWithTestsOutputSchema>
    >();
    expectTypeOf<ReportTest>().toEqualTypeOf<z.infer<typeof c.reportTestSchema>>();
    expectTypeOf<ThresholdsResponse>().toEqualTypeOf<z.infer<typeof c.getThresholdsOutputSchema>>();
  });
});
