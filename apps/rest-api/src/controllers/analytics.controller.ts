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
   * @param product_ids Products to report on (at most 50): [598, 599], 598 or "598,599". Default: every product.
   * @param test_ids Only these tests (at most 500); they must belong to product_ids when that is given. Cannot be combined with dates or statuses.
   * @param start_date Only tests that ended on or after this date (start of day, UTC). ISO date ('2025-01-31') or timestamp, 'Jan 15 2025', '15 January 2025', 'today', 'last Friday', 'last 30 days', '3 weeks ago', 'last month' (one month back), 'this quarter'. UTC. Refused as ambiguous: a bare year ('2025') and '01/02/2025'. Grammar: docs/dates.md.
   * @param end_date Only tests that ended on or before this date (end of day, UTC). ISO date ('2025-01-31') or timestamp, 'Jan 15 2025', '15 January 2025', 'today', 'last Friday', 'last 30 days', '3 weeks ago', 'last month' (one month back), 'this quarter'. UTC. Refused as ambiguous: a bare year ('2025') and '01/02/2025'. Grammar: docs/dates.md.
   * @param statuses Test statuses to include (default: executed tests: running, locked, archived, customer_finalized; 'all' = every status). Valid values: running, locked, archived, cancelled, customer_finalized, initialized, all. Give an array, or a comma-separated string.
   * @param max_tests Tests listed one by one in by_test and the Markdown (newest first; default 20). Every test is in the totals and in the export.
   * @param output_file Also write the full report to files under the export directory (TESTIO_EXPORT_DIR): a relative name such as 'acme/q2-quality' gives acme/q2-quality.md, .json, .tests.csv, .html and a .png per chart. Absolute paths and '..' are refused.
   * @param overwrite Replace files of the same name in the export directory (default false: refuse).
   * @param format json (default): the report as JSON. html: one self-contained page (charts inline as SVG, no external URLs) that prints to PDF from a browser.
   */
  @Get('quality-report')
  @Produces('application/json')
  @Produces('text/html')
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
    @Query() format?: 'json' | 'html',
  ): Promise<QualityReportResponse | Readable> {
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
    if (format !== 'html') return this.services.getQualityReportWithTests(input);
    const html = Buffer.from(await this.services.getQualityReportHtml(input), 'utf8');
    this.setHeader('Content-Type', 'text/html; charset=utf-8');
    this.setHeader('Content-Length', String(html.length));
    return Readable.from([html]);
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
