import type { CountMap, Freshness } from './common.js';

// ---------------------------------------------------------------------------------------------------
// Thresholds (GET /api/thresholds, and in every report and capabilities answer)
// ---------------------------------------------------------------------------------------------------

export interface Threshold {
  /** Warning level, a fraction 0-1. @example 0.2 */
  warning: number;
  /** Critical level, a fraction 0-1. @example 0.35 */
  critical: number;
  /** above: worse the higher the rate; below: worse the lower. */
  direction: 'above' | 'below';
}

/** The playbook thresholds this server is configured with (PLAYBOOK_* settings). */
export interface ThresholdsResponse {
  /** Rejected / all bugs (default 0.20 / 0.35, above). */
  rejection_rate: Threshold;
  /** Auto-accepted / accepted bugs (default 0.20 / 0.40, above). */
  auto_acceptance_rate: Threshold;
  /** Reviewed / all bugs (default 0.80 / 0.60, below). */
  review_rate: Threshold;
}

export type Health = 'healthy' | 'warning' | 'critical' | 'unknown';

// ---------------------------------------------------------------------------------------------------
// POST /api/analytics/query (query_metrics)
// ---------------------------------------------------------------------------------------------------

/** Filters of a metric query; each takes an array or a comma-separated string. */
export interface MetricFilters {
  /** Only tests of these products. @example [598] */
  product_ids?: number[] | number | string;
  /** Test statuses (default executed: running, locked, archived, customer_finalized; "all" = every status). */
  test_statuses?: string[] | string;
  /** Bug statuses: accepted, auto_accepted, rejected, forwarded. */
  bug_statuses?: string[] | string;
  /** Severities: critical, high, low, visual, content, custom. */
  severities?: string[] | string;
  /** Testing types: coverage, rapid, usability, focused, custom. */
  testing_types?: string[] | string;
  /** Operating system names (case-insensitive). @example ["iOS", "Android"] */
  platforms?: string[] | string;
  /** The reference's name of product_ids. */
  product_id?: number[] | number | string;
  /** The reference's name of test_statuses (TEST statuses). */
  status?: string[] | string;
  /** The reference's name of severities. */
  severity?: string[] | string;
  /** The reference's name of testing_types. */
  testing_type?: string[] | string;
  /** The reference's name of platforms. */
  platform?: string[] | string;
  /** Feature titles or ids (need not be among the dimensions). */
  feature?: DimensionFilterValue;
  /** Product titles or ids. */
  product?: DimensionFilterValue;
  /** Bug authors: usernames or user ids (keeps only their bugs). */
  tester?: DimensionFilterValue;
  /** Test creators: usernames or user ids. */
  customer?: DimensionFilterValue;
  /** Months of the test end date, e.g. "2025-01". */
  month?: DimensionFilterValue;
  /** Weeks of the test end date, e.g. "2025-W03" (as the week dimension). */
  week?: DimensionFilterValue;
  /** Quarters of the test end date, e.g. "2025-Q1". */
  quarter?: DimensionFilterValue;
  /** Rejection reasons (keeps only bugs rejected for them). */
  rejection_reason?: DimensionFilterValue;
  /** Test environment titles or ids. */
  test_environment?: DimensionFilterValue;
  /** true or false (keeps only bugs with that known flag). */
  known_bug?: DimensionFilterValue;
}

/** One value or a list of values of a dimension (not split on commas). */
export type DimensionFilterValue = string | number | boolean | Array<string | number | boolean> | null;

export interface MetricQueryRequest {
  /**
   * Metrics to compute (GET /api/analytics/capabilities lists them).
   * @example ["bug_count", "rejection_rate"]
   */
  metrics: string[] | string;
  /**
   * 1-3 dimensions to group by.
   * @example ["feature"]
   */
  dimensions: string[] | string;
  filters?: MetricFilters;
  /** Tests that ended on or after this date ('2025-01-31', 'last 90 days'). */
  start_date?: string;
  /** Tests that ended on or before this date (end of that day). */
  end_date?: string;
  /** A selected dimension or metric. */
  sort_by?: string;
  sort_order?: 'asc' | 'desc';
  /**
   * Most rows (default 100; capped at 1000 with a warning).
   * @isInt
   * @minimum 1
   */
  limit?: number;
  /**
   * Only the N most recent tests matching the filters.
   * @isInt
   * @minimum 1
   */
  tests_limit?: number;
}

/**
 * The body of POST /api/analytics/query plus how to draw it.
 * @example {
 *   "dimensions": ["month"],
 *   "metrics": ["rejection_rate", "bug_count"],
 *   "start_date": "6 months ago",
 *   "format": "png"
 * }
 */
export interface MetricChartRequest extends MetricQueryRequest {
  /** Image format (default png, 800 x 450). */
  format?: 'png' | 'svg';
  /** Light or dark background (default light). */
  theme?: 'light' | 'dark';
  /** Overrides the chart chosen from the data: a time dimension draws a line, one category sorted bars, two stacked (counts) or grouped (rates) bars. */
  chart_type?: 'line' | 'bar' | 'grouped_bar' | 'stacked_bar';
  /**
   * The metric to draw, one of `metrics` (default the first).
   * @example "rejection_rate"
   */
  chart_metric?: string;
}

export interface MetricFiltersApplied {
  product_ids: number[] | null;
  test_statuses: string[] | null;
  bug_statuses: string[] | null;
  severities: string[] | null;
  testing_types: string[] | null;
  platforms: string[] | null;
  dimension_values: Record<string, string[]> | null;
  test_ids: number[] | null;
}

export type ChartType =
  'line' | 'multi_line' | 'pie' | 'horizontal_bar' | 'grouped_bar' | 'stacked_bar' | 'table';

/** A chart suggestion (the reference's rules). */
export interface VisualizationHint {
  chart_type: ChartType;
  /** Dimension on the x axis; null for none. */
  x_axis: string | null;
  /** Metrics on the main y axis. */
  y_axis: string[];
  /** Rates, when mixed with counts. */
  y_axis_secondary: string[];
  /** Dimension giving one line or bar group per value. */
  series_by: string | null;
  /** Its values to draw, largest first. */
  included_series: string[] | null;
  /** Series left out of the chart. */
  dropped_series_count: number;
  rationale: string;
  confidence: 'high' | 'medium' | 'low';
  alternatives: string[];
  /** count or rate per metric. */
  metric_types: Record<string, 'count' | 'rate'>;
}

export interface MetricQueryResponse extends Freshness {
  /** One object per group: "<dimension>", "<dimension>_id" where it has ids, "<metric>" per metric. */
  data: Array<Record<string, string | number | null>>;
  /** Groups before the limit. */
  total_rows: number;
  returned_rows: number;
  /** True when total_rows is above returned_rows. */
  capped: boolean;
  dimensions: string[];
  metrics: string[];
  filters_applied: MetricFiltersApplied;
  period: { start: string | null; end: string | null };
  sort: { by: string; order: 'asc' | 'desc' };
  visualization_hint: VisualizationHint;
  /** Time the query took on the server, in milliseconds. */
  query_time_ms: number;
  query_explanation: string;
}

// ---------------------------------------------------------------------------------------------------
// GET /api/analytics/capabilities (get_analytics_capabilities)
// ---------------------------------------------------------------------------------------------------

export type MetricDimensionKey =
  | 'feature'
  | 'product'
  | 'platform'
  | 'tester'
  | 'customer'
  | 'severity'
  | 'status'
  | 'testing_type'
  | 'month'
  | 'week'
  | 'quarter'
  | 'rejection_reason'
  | 'test_environment'
  | 'known_bug';

export type MetricKeyName =
  | 'test_count'
  | 'bug_count'
  | 'bug_severity_score'
  | 'features_tested'
  | 'active_testers'
  | 'bugs_per_test'
  | 'tests_created'
  | 'tests_submitted'
  | 'overall_acceptance_rate'
  | 'rejection_rate'
  | 'review_rate'
  | 'active_acceptance_rate'
  | 'auto_acceptance_rate';

export type MetricFilterKey =
  'product_ids' | 'test_statuses' | 'bug_statuses' | 'severities' | 'testing_types' | 'platforms';

export interface DimensionCapability {
  key: MetricDimensionKey;
  description: string;
  example: string;
  kind: 'entity' | 'categorical' | 'time';
  level: 'test' | 'bug' | 'both';
  has_id: boolean;
}

export interface MetricCapability {
  key: MetricKeyName;
  description: string;
  formula: string;
  kind: 'count' | 'rate';
}

export interface FilterCapability {
  key: MetricFilterKey;
  description: string;
  example: string;
  values: string[] | null;
}

export interface CapabilitiesResponse {
  dimensions: DimensionCapability[];
  metrics: MetricCapability[];
  filters: FilterCapability[];
  platforms: string[];
  limits: { max_dimensions: number; max_rows: number; default_rows: number };
  severity_weights: Record<string, number>;
  thresholds: ThresholdsResponse;
}

// ---------------------------------------------------------------------------------------------------
// GET /api/quality-report (generate_quality_report + test_data)
// ---------------------------------------------------------------------------------------------------

export interface ReportBugsByStatus {
  active_accepted: number;
  auto_accepted: number;
  total_accepted: number;
  rejected: number;
  /** Awaiting review (API status forwarded). */
  open: number;
  /** active_accepted + rejected. */
  reviewed: number;
}

export interface ReportSeverities {
  critical: number;
  high: number;
  low: number;
  visual: number;
  content: number;
  custom: number;
}

export interface HealthIndicators {
  rejection_rate: Health;
  auto_acceptance_rate: Health;
  review_rate: Health;
}

export interface ReportStats {
  total_tests: number;
  tests_by_status: CountMap;
  tests_by_type: CountMap;
  total_bugs: number;
  bugs_by_status: ReportBugsByStatus;
  bugs_by_severity: ReportSeverities;
  known_bugs: number;
  avg_bugs_per_test: number;
  active_acceptance_rate: number | null;
  auto_acceptance_rate: number | null;
  overall_acceptance_rate: number | null;
  rejection_rate: number | null;
  review_rate: number | null;
  health_indicators: HealthIndicators;
  health_status: Health;
}

export interface ProductReport extends ReportStats {
  product_id: number;
  product_title: string;
}

export interface ReportTest {
  test_id: number;
  product_id: number;
  title: string;
  status: string;
  testing_type: string | null;
  start_at: string | null;
  end_at: string | null;
  test_environment: { id: number; title: string | null } | null;
  bugs_count: number;
  bugs: ReportBugsByStatus;
  active_acceptance_rate: number | null;
  auto_acceptance_rate: number | null;
  overall_acceptance_rate: number | null;
  rejection_rate: number | null;
  review_rate: number | null;
  health_status: Health;
}

export interface MonthlyTrend {
  /** YYYY-MM ("unknown" for tests without an end). */
  month: string;
  tests: number;
  bugs: number;
  active_acceptance_rate: number | null;
  auto_acceptance_rate: number | null;
  overall_acceptance_rate: number | null;
  rejection_rate: number | null;
  review_rate: number | null;
}

export interface ReportExportChart {
  /** Chart id. @example "trend-rates" */
  name: string;
  title: string;
  /** Text alternative: what the chart shows, and its extremes. */
  description: string;
}

export interface ReportExportFile {
  path: string;
  /** markdown, json, csv, html (the report with its charts, self-contained) or png (one chart). */
  format: 'markdown' | 'json' | 'csv' | 'html' | 'png';
  size_bytes: number;
  /** The chart a png file draws; null for the other files. */
  chart: ReportExportChart | null;
}

export interface ReportExport {
  directory: string;
  files: ReportExportFile[];
  record_count: number;
}

export interface QualityReport extends Freshness {
  title: string;
  period: { label: string; start: string | null; end: string | null };
  statuses_applied: string[];
  products: Array<{ id: number; title: string }>;
  test_ids: number[] | null;
  summary: ReportStats;
  by_product: ProductReport[];
  by_test: ReportTest[];
  tests_listed: number;
  top_rejection_reasons: Array<{ reason: string; bugs: number; share: number }>;
  bugs_by_platform: Array<{ platform: string; bugs: number }>;
  monthly_trend: MonthlyTrend[];
  thresholds: ThresholdsResponse;
  /** The report as Markdown. */
  markdown: string;
  export: ReportExport | null;
}

/** The MCP tool's answer plus every test of the scope. */
export interface QualityReportResponse extends QualityReport {
  test_data: ReportTest[];
}
