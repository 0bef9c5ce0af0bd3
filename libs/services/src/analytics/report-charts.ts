import type { ChartData, ChartDimension, ChartMetric, ChartOptions, Row } from '@testio-mcp/charts';
import { BUG_SEVERITIES } from '@testio-mcp/domain';
import type { GenerateQualityReportOutput } from '../contracts/quality-report.js';
import { chartDimension, METRIC_AXES } from './chart.js';
import { REASON_LABEL } from './render.js';

/**
 * The quality report's charts, drawn from the report's own figures (never a second query, so a chart
 * and the table beside it cannot disagree): the monthly trend of tests and bugs and of the rates, bugs
 * by severity and by review outcome, the top rejection reasons, and with several products a comparison
 * of the products.
 */

type ReportData = Pick<
  GenerateQualityReportOutput,
  'period' | 'products' | 'summary' | 'by_product' | 'top_rejection_reasons' | 'monthly_trend'
>;

export interface ReportChartSource {
  /** File-name part and stable id: `trend-volume` gives `<report>.trend-volume.png`. */
  readonly name: string;
  readonly data: ChartData;
  readonly options: ChartOptions;
}

export interface RenderedReportChart {
  readonly name: string;
  readonly title: string;
  /** The text alternative: what the chart shows, and its extremes. */
  readonly description: string;
  readonly svg: string;
  /** Only when PNG was asked for. */
  readonly png: Buffer | null;
}

const MONTH: ChartDimension = chartDimension('month');
const SEVERITY: ChartDimension = chartDimension('severity');
const PRODUCT: ChartDimension = chartDimension('product');
const measure = (label: string, order: readonly string[]): ChartDimension => ({
  key: 'measure',
  label,
  kind: 'categorical',
  order,
});
const TESTS: ChartMetric = { key: 'tests', ...METRIC_AXES.test_count };
const BUGS: ChartMetric = { key: 'bugs', ...METRIC_AXES.bug_count };
const RATE: ChartMetric = { key: 'value', label: 'Rate', format: 'percent' };

const RATES = [
  ['Acceptance', 'overall_acceptance_rate'],
  ['Rejection', 'rejection_rate'],
  ['Review', 'review_rate'],
  ['Auto-acceptance', 'auto_acceptance_rate'],
] as const;
/** The report's reason names that are longer than an axis label keeps (28 characters). */
const SHORT_REASON_LABEL: Record<string, string> = {
  ignored_instructions: 'Instructions not followed',
  request_timeout: 'No answer within 24 h',
};
const OUTCOMES = ['Accepted by the team', 'Accepted automatically', 'Rejected', 'Awaiting review'];

/** "Tests ended 2025-01-01 to 2025-03-31 · 3 products": what every chart of the report covers. */
function subtitleOf(r: ReportData): string {
  const products = r.products.length === 1 ? (r.products[0]?.title ?? '') : `${r.products.length} products`;
  const period = r.period.label === 'all time' ? 'All tests' : `Tests ended ${r.period.label}`;
  return `${period} · ${products}`;
}

/** The charts of a report, as tables for the chart library; what to draw, not yet drawn. */
export function reportChartSources(r: ReportData): ReportChartSource[] {
  const subtitle = subtitleOf(r);
  // Tests without an end date have no place on a time axis; the Markdown's table still lists them.
  const months = r.monthly_trend.filter((m) => m.month !== 'unknown');
  const s = r.summary;
  const sources: ReportChartSource[] = [
    // Tests and bugs apart: on one axis a few dozen tests a month drew a flat line under a thousand bugs.
    {
      name: 'trend-tests',
      data: {
        title: 'Tests by month',
        subtitle,
        dimensions: [MONTH],
        metrics: [TESTS],
        rows: months.map((m) => ({ month: m.month, tests: m.tests })),
      },
      options: {},
    },
    {
      name: 'trend-bugs',
      data: {
        title: 'Bugs by month',
        subtitle,
        dimensions: [MONTH],
        metrics: [BUGS],
        rows: months.map((m) => ({ month: m.month, bugs: m.bugs })),
      },
      options: {},
    },
    {
      name: 'trend-rates',
      data: {
        title: 'Acceptance, rejection and review rates by month',
        subtitle,
        dimensions: [
          MONTH,
          measure(
            'Rate',
            RATES.map(([label]) => label),
          ),
        ],
        metrics: [RATE],
        rows: months.flatMap((m) =>
          RATES.map(([label, key]): Row => ({ month: m.month, measure: label, value: m[key] })),
        ),
      },
      options: {},
    },
    {
      name: 'bugs-by-severity',
      data: {
        title: 'Bugs by severity',
        subtitle,
        dimensions: [SEVERITY],
        metrics: [BUGS],
        rows: BUG_SEVERITIES.filter((k) => s.bugs_by_severity[k] > 0).map((k) => ({
          severity: k,
          bugs: s.bugs_by_severity[k],
        })),
      },
      options: {},
    },
    {
      name: 'bugs-by-status',
      data: {
        title: 'Bugs by review outcome',
        subtitle,
        dimensions: [measure('Review outcome', OUTCOMES)],
        metrics: [BUGS],
        rows: [
          s.bugs_by_status.active_accepted,
          s.bugs_by_status.auto_accepted,
          s.bugs_by_status.rejected,
          s.bugs_by_status.open,
        ].flatMap((bugs, i) => (bugs > 0 ? [{ measure: OUTCOMES[i] ?? '', bugs }] : [])),
      },
      options: {},
    },
    {
      name: 'rejection-reasons',
      data: {
        title: 'Why bugs were rejected',
        subtitle,
        dimensions: [{ key: 'reason', label: 'Rejection reason', kind: 'categorical' }],
        metrics: [BUGS],
        rows: r.top_rejection_reasons.map((x) => ({
          reason: SHORT_REASON_LABEL[x.reason] ?? REASON_LABEL[x.reason] ?? x.reason,
          bugs: x.bugs,
        })),
      },
      options: {},
    },
  ];
  if (r.by_product.length > 1) {
    sources.push(
      {
        name: 'products-bugs-by-severity',
        data: {
          title: 'Bugs by product and severity',
          subtitle,
          dimensions: [PRODUCT, SEVERITY],
          metrics: [BUGS],
          rows: r.by_product.flatMap((p) =>
            BUG_SEVERITIES.filter((k) => p.bugs_by_severity[k] > 0).map((k) => ({
              product: p.product_title,
              product_id: p.product_id,
              severity: k,
              bugs: p.bugs_by_severity[k],
            })),
          ),
        },
        options: { type: 'stacked_bar' },
      },
      {
        name: 'products-rates',
        data: {
          title: 'Rejection and review rates by product',
          subtitle,
          dimensions: [PRODUCT, measure('Rate', ['Rejection', 'Review'])],
          metrics: [RATE],
          rows: r.by_product.flatMap((p) => [
            {
              product: p.product_title,
              product_id: p.product_id,
              measure: 'Rejection',
              value: p.rejection_rate,
            },
            { product: p.product_title, product_id: p.product_id, measure: 'Review', value: p.review_rate },
          ]),
        },
        options: { type: 'grouped_bar' },
      },
    );
  }
  return sources;
}

/** Draws every chart of the report as SVG, and as PNG too when `png` is asked for. */
export async function renderReportCharts(
  r: ReportData,
  options: { png: boolean },
): Promise<RenderedReportChart[]> {
  // Loaded on the first chart: vega and resvg stay out of the servers' start-up.
  const { describeChart, prepareChart, specToSvg, svgToPng } = await import('@testio-mcp/charts');
  const out: RenderedReportChart[] = [];
  for (const source of reportChartSources(r)) {
    const prepared = prepareChart(source.data, source.options);
    const svg = await specToSvg(prepared.spec);
    out.push({
      name: source.name,
      title: prepared.title,
      description: describeChart(prepared),
      svg,
      png: options.png ? svgToPng(svg) : null,
    });
  }
  return out;
}
