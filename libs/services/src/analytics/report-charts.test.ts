import { describe, expect, it } from 'vitest';
import { reportChartSources } from './report-charts.js';

const severities = { critical: 1, high: 0, low: 3, visual: 0, content: 0, custom: 0 };
const stats = {
  bugs_by_severity: severities,
  bugs_by_status: {
    active_accepted: 2,
    auto_accepted: 0,
    total_accepted: 2,
    rejected: 2,
    open: 0,
    reviewed: 4,
  },
  rejection_rate: 0.5,
  review_rate: 1,
};
const month = (m: string) => ({
  month: m,
  tests: 2,
  bugs: 4,
  active_acceptance_rate: 0.5,
  auto_acceptance_rate: 0,
  overall_acceptance_rate: 0.5,
  rejection_rate: 0.5,
  review_rate: 1,
});
const report = (products: number) => ({
  period: { label: '2025-01-01 to 2025-03-31', start: null, end: null },
  products: Array.from({ length: products }, (_, i) => ({ id: i + 1, title: `P${i + 1}` })),
  summary: stats,
  by_product: Array.from({ length: products }, (_, i) => ({
    product_id: i + 1,
    product_title: `P${i + 1}`,
    ...stats,
  })),
  top_rejection_reasons: [{ reason: 'request_timeout', bugs: 2, share: 1 }],
  monthly_trend: [month('2025-01'), month('2025-02'), month('unknown')],
});

describe('reportChartSources', () => {
  it('draws one product without the product comparisons, and months without an end date off the axis', () => {
    const sources = reportChartSources(report(1) as never);
    expect(sources.map((s) => s.name)).toEqual([
      'trend-tests',
      'trend-bugs',
      'trend-rates',
      'bugs-by-severity',
      'bugs-by-status',
      'rejection-reasons',
    ]);
    const [tests, , rates, bySeverity, byStatus, reasons] = sources;
    expect(tests?.data.rows.map((r) => r['month'])).toEqual(['2025-01', '2025-02']);
    expect(tests?.data.subtitle).toBe('Tests ended 2025-01-01 to 2025-03-31 · P1');
    expect(rates?.data.rows).toHaveLength(2 * 4);
    // Only severities and outcomes that occurred; the reason under its short name.
    expect(bySeverity?.data.rows.map((r) => r['severity'])).toEqual(['critical', 'low']);
    expect(byStatus?.data.rows.map((r) => r['measure'])).toEqual(['Accepted by the team', 'Rejected']);
    expect(reasons?.data.rows).toEqual([{ reason: 'No answer within 24 h', bugs: 2 }]);
  });

  it('compares the products when there are several', () => {
    const sources = reportChartSources(report(3) as never);
    expect(sources.map((s) => s.name).slice(-2)).toEqual(['products-bugs-by-severity', 'products-rates']);
    expect(sources.at(-1)?.data.rows).toHaveLength(3 * 2);
    expect(sources[0]?.data.subtitle).toBe('Tests ended 2025-01-01 to 2025-03-31 · 3 products');
  });
});
