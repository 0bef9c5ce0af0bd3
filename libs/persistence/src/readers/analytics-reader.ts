import type {
  AnalyticsReader,
  AnalyticsScope,
  MetricQuery,
  MetricQueryResult,
  ReportBreakdowns,
  ReportTestRow,
} from '@testio-mcp/domain';
import { toDomainError } from '../errors.js';
import type { Sqlite } from '../sqlite.js';
import { aggregatePath, buildAggregateMetricSql, type AggregatePath } from './analytics/aggregate-sql.js';
import { buildMetricSql } from './analytics/bug-level-sql.js';
import { scopeParams } from './analytics/cube.js';
import { metricParams, metricShape, toBreakdowns, toMetricResult } from './analytics/shape.js';
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
 * the bugs, `aggregate-sql.ts` the per-test aggregates of ADR 0021, `report-sql.ts` the report,
 * `dialect.ts` what SQLite and PostgreSQL spell differently, `shape.ts` the rows as answers); this file
 * picks a statement, binds the parameters and shapes the rows. PostgreSQL: `postgres/analytics/` (ADR 0031).
 */

function run<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(toDomainError(error));
  }
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
        const { shape, values } = metricShape(query);
        const sql = (aggregates ? buildAggregateMetricSql(shape) : null) ?? buildMetricSql(shape);
        const raw = statement(sql).all({
          ...scopeParams(customerId, query.scope),
          ...metricParams(query, values, JSON.stringify),
        }) as Array<Record<string, unknown>>;
        return toMetricResult(query, raw);
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
        ).all(params) as Array<{ product_id: number; reason: string | null; bugs: number }>;
        const platforms = statement(aggregates ? REPORT_PLATFORMS_FROM_TOTALS : REPORT_PLATFORMS).all(
          params,
        ) as Array<{ product_id: number; platform: string | null; bugs: number }>;
        return toBreakdowns(rejectionReasons, platforms);
      });
    },

    listPlatforms(): Promise<string[]> {
      return run(() =>
        (statement(PLATFORMS).all({ cid: customerId }) as Array<{ os: string }>).map((r) => r.os),
      );
    },
  };
}
