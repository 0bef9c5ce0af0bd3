import type {
  MetricDimension,
  MetricQuery,
  MetricQueryResult,
  MetricRow,
  ReportBreakdowns,
} from '@testio-mcp/domain';
import { METRICS, type ListEncoding, type MetricSqlQuery } from './cube.js';

/**
 * What the analytics readers of both engines share besides the statements: the shape a metric query is
 * built from, the parameters of its dimension filters, and the rows turned into the port's answers.
 */

/** The statement shape of a metric query, and its dimension filters (keys with at least one value). */
export function metricShape(query: MetricQuery): {
  shape: MetricSqlQuery;
  values: Array<[MetricDimension, readonly string[]]>;
} {
  const hasBugFilter = Boolean(query.scope.bugStatuses?.length || query.scope.severities?.length);
  const hasPlatformFilter = Boolean(query.scope.platforms?.length);
  const values = Object.entries(query.scope.dimensionValues ?? {}).filter(
    (entry): entry is [MetricDimension, readonly string[]] => (entry[1]?.length ?? 0) > 0,
  );
  const filterDimensions = values.map(([key]) => key).sort();
  return { shape: { ...query, hasBugFilter, hasPlatformFilter, filterDimensions }, values };
}

/**
 * The parameters of the dimension filters: `dv_<key>` the labels in lower case, `dvi_<key>` the values
 * that are ids; and the row limit.
 */
export function metricParams(
  query: MetricQuery,
  values: Array<[MetricDimension, readonly string[]]>,
  encode: ListEncoding,
): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const [key, list] of values) {
    params[`dv_${key}`] = encode(list.map((v) => v.toLowerCase()));
    params[`dvi_${key}`] = encode(list.filter((v) => /^\d+$/.test(v)).map(Number));
  }
  params['limit'] = Math.max(1, Math.trunc(query.limit));
  return params;
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** The statement's rows (`d<i>_label`, `d<i>_id`, `m_<key>`, `total_rows`) as the port's result. */
export function toMetricResult(
  query: MetricQuery,
  raw: ReadonlyArray<Record<string, unknown>>,
): MetricQueryResult {
  const rows: MetricRow[] = raw.map((r) => ({
    dimensions: Object.fromEntries(
      query.dimensions.map((key, i) => {
        const label = r[`d${i}_label`];
        const id = r[`d${i}_id`];
        return [
          key,
          {
            label: label === null || label === undefined ? null : String(label),
            id: typeof id === 'number' ? id : null,
          },
        ];
      }),
    ),
    metrics: Object.fromEntries(
      query.metrics.map((key) => {
        const value = r[`m_${key}`];
        if (typeof value !== 'number') return [key, null];
        return [key, METRICS[key].kind === 'rate' ? round(value) : value];
      }),
    ),
  }));
  const total = raw[0]?.['total_rows'];
  return { rows, totalRows: typeof total === 'number' ? total : 0 };
}

/** The breakdown statements' rows as the port's answer. */
export function toBreakdowns(
  rejectionReasons: ReadonlyArray<{ product_id: number; reason: string | null; bugs: number }>,
  platforms: ReadonlyArray<{ product_id: number; platform: string | null; bugs: number }>,
): ReportBreakdowns {
  return {
    rejectionReasons: rejectionReasons.map((r) => ({
      productId: r.product_id,
      reason: r.reason,
      bugs: r.bugs,
    })),
    platforms: platforms.map((r) => ({ productId: r.product_id, platform: r.platform, bugs: r.bugs })),
  };
}
