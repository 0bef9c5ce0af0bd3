import { InvalidInputError } from '@testio-mcp/domain';
import { describe, expect, it } from 'vitest';
import type { QueryMetricsOutput } from '../contracts/query-metrics.js';
import { chartMetrics, metricsChartData } from './chart.js';

/** A query_metrics answer as the service returns it (bugs by severity, capped, filtered). */
function answer(overrides: Partial<QueryMetricsOutput> = {}): QueryMetricsOutput {
  return {
    data: [
      { severity: 'low', bug_count: 9, rejection_rate: 0.2 },
      { severity: 'critical', bug_count: 4, rejection_rate: 0.5 },
    ],
    total_rows: 5,
    returned_rows: 2,
    capped: true,
    dimensions: ['severity'],
    metrics: ['bug_count', 'rejection_rate'],
    filters_applied: {
      product_ids: [598],
      test_statuses: null,
      bug_statuses: null,
      severities: ['critical', 'low'],
      testing_types: null,
      platforms: null,
      dimension_values: null,
      test_ids: null,
    },
    period: { start: '2025-01-01T00:00:00.000Z', end: '2025-06-30T23:59:59.999Z' },
    sort: { by: 'bug_count', order: 'desc' },
    visualization_hint: {
      chart_type: 'horizontal_bar',
      x_axis: 'severity',
      y_axis: ['bug_count'],
      y_axis_secondary: ['rejection_rate'],
      series_by: null,
      included_series: null,
      dropped_series_count: 0,
      rationale: '',
      confidence: 'high',
      alternatives: [],
      metric_types: { bug_count: 'count', rejection_rate: 'rate' },
    },
    query_time_ms: 1,
    query_explanation: '',
    data_as_of: null,
    stale: false,
    ...overrides,
  };
}

describe('metricsChartData', () => {
  it('names axes with units, keeps severities in their order and says what the numbers cover', () => {
    const data = metricsChartData(answer());
    expect(data.dimensions).toEqual([
      expect.objectContaining({ key: 'severity', label: 'Severity', kind: 'categorical' }),
    ]);
    expect(data.dimensions[0]?.order?.slice(0, 3)).toEqual(['critical', 'high', 'low']);
    expect(data.metrics.map((m) => [m.key, m.format, m.unit])).toEqual([
      ['bug_count', 'count', 'count'],
      ['rejection_rate', 'percent', undefined],
    ]);
    expect(data.subtitle).toBe(
      'Tests ended 2025-01-01 to 2025-06-30 · product: 598 · severities: critical, low · first 2 of 5 groups',
    );
  });

  it('gives entity dimensions their id field, so repeated names stay apart', () => {
    const data = metricsChartData(answer({ dimensions: ['feature'], period: { start: null, end: null } }));
    expect(data.dimensions[0]).toMatchObject({ key: 'feature', idKey: 'feature_id', kind: 'entity' });
  });
});

describe('chartMetrics', () => {
  it('draws the metric asked for', async () => {
    const chart = await chartMetrics(answer(), 'svg', { metric: 'rejection_rate' });
    expect(chart.plan.metric?.key).toBe('rejection_rate');
    expect(chart.description).toContain('Highest: 50% (critical)');
  });

  it('refuses a metric the query did not compute, naming those it did', async () => {
    const error = await chartMetrics(answer(), 'png', { metric: 'review_rate' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).hint).toContain('bug_count, rejection_rate');
  });
});
