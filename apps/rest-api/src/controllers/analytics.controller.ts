import { Readable } from 'node:stream';
import { Body, Controller, Get, Post, Produces, Query, Response, Route, Security, Tags } from '@tsoa/runtime';
import {
  chartMetrics,
  generateQualityReportInputSchema,
  metricsChartRequestSchema,
  parseInput,
  queryMetricsInputSchema,
  type Services,
} from '@testio-mcp/services';
import type {
  CapabilitiesResponse,
  MetricChartRequest,
  MetricQueryRequest,
  MetricQueryResponse,
  QualityReportResponse,
  ThresholdsResponse,
} from '../dto/analytics.js';
import type { ErrorBody } from '../dto/error.js';
import { list } from './query.js';

/**
 * Tests listed one by one in by_test and the Markdown.
 * @isInt
 * @minimum 0
 * @maximum 100
 * @example 20
 */
type MaxTests = number;

@Route('api')
@Security('bearer')
@Security('apiKey')
@Tags('Analytics')
@Response<ErrorBody>(401, 'Missing or invalid API key')
@Response<ErrorBody>(429, 'Rate limit exceeded (see Retry-After)')
export class AnalyticsController extends Controller {
  constructor(private readonly services: Services) {
    super();
  }

  /**
   * The product quality report: tests and bugs of one or several products in a period, with
   * acceptance, auto-acceptance, rejection and review rates and their health against the playbook
   * thresholds, per product and per test, top rejection reasons, bugs by severity and platform, a
   * monthly trend and the report as Markdown. The MCP tool `generate_quality_report`'s answer plus
   * `test_data` (every test of the scope).
   * @summary Quality report (generate_quality_report)
   * @param product_ids Products (default all). Repeat the parameter or separate with commas.
   * @param test_ids Only these tests (not with dates or statuses). Repeat the parameter or separate with commas.
   * @param start_date Tests that ended on or after this date ('2025-01-31', 'last 90 days', 'this quarter').
   * @param end_date Tests that ended on or before this date (end of that day).
   * @param statuses Test statuses (default executed: running, locked, archived, customer_finalized; "all" = every status).
   * @param max_tests Tests listed in by_test and the Markdown, 0-100 (default 20); test_data has them all.
   * @param output_file Also write the report (.md, .json, .tests.csv) under the export directory: a relative name such as acme/q2.
   * @param overwrite Replace existing export files of that name (default false).
   */
  @Get('quality-report')
  @Response<ErrorBody>(400, 'Invalid parameter value (unknown status, bad dates, refused output_file)')
  @Response<ErrorBody>(404, 'Unknown product or test')
  @Response<ErrorBody>(422, 'Parameter of the wrong type or out of range')
  public async getQualityReport(
    @Query() product_ids?: string[],
    @Query() test_ids?: string[],
    @Query() start_date?: string,
    @Query() end_date?: string,
    @Query() statuses?: string[],
    @Query() max_tests?: MaxTests,
    @Query() output_file?: string,
    @Query() overwrite?: boolean,
  ): Promise<QualityReportResponse> {
    const input = parseInput(
      generateQualityReportInputSchema,
      {
        product_ids: list(product_ids),
        test_ids: list(test_ids),
        start_date,
        end_date,
        statuses: list(statuses),
        max_tests,
        output_file,
        overwrite,
      },
      'generate_quality_report',
    );
    return this.services.getQualityReportWithTests(input);
  }

  /**
   * Ad-hoc metrics ("pivot table"): 1-3 dimensions, one or more metrics, filters and a date range on
   * the test end date. The same rows as the MCP tool `query_metrics`.
   * @summary Query metrics (query_metrics)
   */
  @Post('analytics/query')
  @Response<ErrorBody>(400, 'Unknown dimension, metric or filter value (the error lists the valid ones)')
  @Response<ErrorBody>(404, 'Unknown product')
  @Response<ErrorBody>(413, 'Body too large')
  @Response<ErrorBody>(422, 'Body does not match the schema')
  public async queryMetrics(@Body() body: MetricQueryRequest): Promise<MetricQueryResponse> {
    return this.services.queryMetrics(parseInput(queryMetricsInputSchema, body, 'query_metrics'));
  }

  /**
   * The rows of POST /api/analytics/query drawn as a chart, 800 x 450: a time dimension draws a line (one
   * per value of a second dimension), one category bars sorted by value, two categories stacked bars
   * (counts) or grouped bars (rates), a third dimension one small chart per value. Rates have a percent
   * axis; the palette is colour-blind safe; at most 20 categories and 8 series are drawn (the subtitle
   * says when some are left out). The header `X-Chart-Description` carries the text alternative.
   * @summary Chart of a metrics query (query_metrics with chart)
   */
  @Post('analytics/chart')
  @Produces('image/png')
  @Produces('image/svg+xml')
  @Response<ErrorBody>(400, 'Unknown dimension, metric, filter value or chart_metric')
  @Response<ErrorBody>(404, 'Unknown product')
  @Response<ErrorBody>(422, 'Body does not match the schema')
  public async chart(@Body() body: MetricChartRequest): Promise<Readable> {
    const input = parseInput(metricsChartRequestSchema, body, 'query_metrics');
    const chart = await chartMetrics(await this.services.queryMetrics(input), input.format, {
      theme: input.theme,
      ...(input.chart_type ? { type: input.chart_type } : {}),
      ...(input.chart_metric ? { metric: input.chart_metric } : {}),
    });
    this.setHeader('Content-Type', chart.mimeType);
    this.setHeader('Content-Length', String(chart.body.length));
    // Header values are Latin-1: labels (feature titles) may not be, so the text is URI-encoded.
    this.setHeader('X-Chart-Description', encodeURIComponent(chart.description));
    return Readable.from([chart.body]);
  }

  /**
   * Every dimension, metric and filter of POST /api/analytics/query with descriptions, examples and
   * formulas, the limits and the thresholds. The same answer as the MCP tool
   * `get_analytics_capabilities`.
   * @summary Analytics capabilities (get_analytics_capabilities)
   */
  @Get('analytics/capabilities')
  public async getCapabilities(): Promise<CapabilitiesResponse> {
    return this.services.getAnalyticsCapabilities({});
  }

  /**
   * The playbook thresholds in force (PLAYBOOK_* settings): the levels at which a rate turns
   * warning or critical in the quality report.
   * @summary Playbook thresholds
   */
  @Get('thresholds')
  public async getThresholds(): Promise<ThresholdsResponse> {
    return this.services.getThresholds();
  }
}
