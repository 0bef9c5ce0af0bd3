import type {
  AnalyticsReader,
  AnalyticsScope,
  MetricDimension,
  MetricQuery,
  MetricQueryResult,
  MetricRow,
  ReportBreakdowns,
  ReportTestRow,
} from '@testio-mcp/domain';
import { toDomainError } from '../errors.js';
import type { Sqlite } from '../sqlite.js';
import { aggregatePath, buildAggregateMetricSql, type AggregatePath } from './analytics/aggregate-sql.js';
import { buildMetricSql } from './analytics/bug-level-sql.js';
import { METRICS, scopeParams } from './analytics/cube.js';
import {
  PLATFORMS,
  REPORT_PLATFORMS,
  REPORT_PLATFORMS_FROM_TOTALS,
  REPORT_REJECTIONS,
  REPORT_REJECTIONS_FROM_COUNTS,
  REPORT_TESTS,
  REPORT_TESTS_FROM_TOTALS,
  toReportTest,
  type ReportTestRaw,
} from './analytics/report-sql.js';

// The statement builders are part of this reader's surface (tests and the A/B benchmark use them).
export { aggregatePath, buildAggregateMetricSql, buildMetricSql, scopeParams, type AggregatePath };

/**
 * The metric cube and the quality-report aggregates on SQLite: the statements live in `analytics/`
 * (`cube.ts` the vocabulary maps and the shared outer query, `bug-level-sql.ts` the reference path over
 * the bugs, `aggregate-sql.ts` the per-test aggregates of ADR 0021, `report-sql.ts` the report); this
 * file picks a statement, binds the parameters and shapes the rows.
 */

function run<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(toDomainError(error));
  }
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

export interface AnalyticsReaderOptions {
  /**
   * Answer from the per-test aggregates where a query allows it (default). `false` always computes from
   * the bugs: the reference the aggregates are tested against.
   */
  readonly aggregates?: boolean;
}

export function createAnalyticsReader(
  db: Sqlite,
  customerId: number,
  options: AnalyticsReaderOptions = {},
): AnalyticsReader {
  const aggregates = options.aggregates ?? true;
  const cache = new Map<string, ReturnType<Sqlite['prepare']>>();
  const statement = (sql: string) => {
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare(sql);
      if (cache.size > 500) cache.clear();
      cache.set(sql, stmt);
    }
    return stmt;
  };
  return {
    runMetricQuery(query: MetricQuery): Promise<MetricQueryResult> {
      return run(() => {
        const hasBugFilter = Boolean(query.scope.bugStatuses?.length || query.scope.severities?.length);
        const hasPlatformFilter = Boolean(query.scope.platforms?.length);
        const values = Object.entries(query.scope.dimensionValues ?? {}).filter(
          (entry): entry is [MetricDimension, readonly string[]] => (entry[1]?.length ?? 0) > 0,
        );
        const filterDimensions = values.map(([key]) => key).sort();
        const shape = { ...query, hasBugFilter, hasPlatformFilter, filterDimensions };
        const sql = (aggregates ? buildAggregateMetricSql(shape) : null) ?? buildMetricSql(shape);
        const valueParams: Record<string, string> = {};
        for (const [key, list] of values) {
          valueParams[`dv_${key}`] = JSON.stringify(list.map((v) => v.toLowerCase()));
          valueParams[`dvi_${key}`] = JSON.stringify(list.filter((v) => /^\d+$/.test(v)).map(Number));
        }
        const raw = statement(sql).all({
          ...scopeParams(customerId, query.scope),
          ...valueParams,
          limit: Math.max(1, Math.trunc(query.limit)),
        }) as Array<Record<string, unknown>>;
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
      });
    },

    reportTests(scope: AnalyticsScope): Promise<ReportTestRow[]> {
      return run(() =>
        (
          statement(aggregates ? REPORT_TESTS_FROM_TOTALS : REPORT_TESTS).all(
            scopeParams(customerId, scope),
          ) as ReportTestRaw[]
        ).map(toReportTest),
      );
    },

    reportBreakdowns(scope: AnalyticsScope): Promise<ReportBreakdowns> {
      return run(() => {
        const params = scopeParams(customerId, scope);
        const rejectionReasons = statement(
          aggregates ? REPORT_REJECTIONS_FROM_COUNTS : REPORT_REJECTIONS,
        ).all(params) as Array<{
          product_id: number;
          reason: string | null;
          bugs: number;
        }>;
        const platforms = statement(aggregates ? REPORT_PLATFORMS_FROM_TOTALS : REPORT_PLATFORMS).all(
          params,
        ) as Array<{
          product_id: number;
          platform: string | null;
          bugs: number;
        }>;
        return {
          rejectionReasons: rejectionReasons.map((r) => ({
            productId: r.product_id,
            reason: r.reason,
            bugs: r.bugs,
          })),
          platforms: platforms.map((r) => ({ productId: r.product_id, platform: r.platform, bugs: r.bugs })),
        };
      });
    },

    listPlatforms(): Promise<string[]> {
      return run(() =>
        (statement(PLATFORMS).all({ cid: customerId }) as Array<{ os: string }>).map((r) => r.os),
      );
    },
  };
}
