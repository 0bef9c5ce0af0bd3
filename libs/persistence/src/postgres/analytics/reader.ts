import type {
  AnalyticsReader,
  AnalyticsScope,
  MetricQuery,
  MetricQueryResult,
  ReportBreakdowns,
  ReportTestRow,
} from '@testio-mcp/domain';
import type pg from 'pg';
import { buildAggregateMetricSql } from '../../readers/analytics/aggregate-sql.js';
import { buildMetricSql } from '../../readers/analytics/bug-level-sql.js';
import { scopeParams, type MetricSqlQuery } from '../../readers/analytics/cube.js';
import { toReportTest, type ReportTestRaw } from '../../readers/analytics/report-sql.js';
import { metricParams, metricShape, toBreakdowns, toMetricResult } from '../../readers/analytics/shape.js';
import { pgDomainError } from '../errors.js';
import { POSTGRES } from './dialect.js';
import { bindNamed } from './named-params.js';
import { PG_REPORT } from './report-sql.js';

/**
 * The metric cube and the quality report on PostgreSQL (ADR 0031): the same statement builders as SQLite
 * (`readers/analytics/`: paths, metric definitions, outer query) in PostgreSQL's spelling (`dialect.ts`),
 * the same row shaping. Lists are bound as arrays, times as Dates.
 */

export interface PgAnalyticsReaderOptions {
  /**
   * Answer from the per-test aggregates where a query allows it (default). `false` always computes from
   * the bugs: the reference the aggregates are tested against.
   */
  readonly aggregates?: boolean;
}

/** A scope's parameters on PostgreSQL: lists as arrays, times as Dates. */
export function pgScopeParams(customerId: number, scope: AnalyticsScope): Record<string, unknown> {
  return scopeParams(
    customerId,
    scope,
    (values) => [...values],
    (value) => value,
  );
}

/** The PostgreSQL statement of one metric query (aggregate path first unless `aggregates` is false). */
export function buildPgMetricSql(shape: MetricSqlQuery, aggregates = true): string {
  return (aggregates ? buildAggregateMetricSql(shape, POSTGRES) : null) ?? buildMetricSql(shape, POSTGRES);
}

export function createPgAnalyticsReader(
  pool: pg.Pool,
  customerId: number,
  options: PgAnalyticsReaderOptions = {},
): AnalyticsReader {
  const aggregates = options.aggregates ?? true;
  const rows = async <T>(sql: string, params: Record<string, unknown>): Promise<T[]> => {
    const { text, values } = bindNamed(sql, params);
    try {
      return (await pool.query(text, values)).rows as T[];
    } catch (error) {
      throw pgDomainError(error);
    }
  };
  return {
    async runMetricQuery(query: MetricQuery): Promise<MetricQueryResult> {
      const { shape, values } = metricShape(query);
      const sql = buildPgMetricSql(shape, aggregates);
      const raw = await rows<Record<string, unknown>>(sql, {
        ...pgScopeParams(customerId, query.scope),
        ...metricParams(query, values, (list) => [...list]),
      });
      return toMetricResult(query, raw);
    },

    async reportTests(scope: AnalyticsScope): Promise<ReportTestRow[]> {
      const raw = await rows<ReportTestRaw>(
        aggregates ? PG_REPORT.testsFromTotals : PG_REPORT.tests,
        pgScopeParams(customerId, scope),
      );
      return raw.map(toReportTest);
    },

    async reportBreakdowns(scope: AnalyticsScope): Promise<ReportBreakdowns> {
      const params = pgScopeParams(customerId, scope);
      const [rejectionReasons, platforms] = await Promise.all([
        rows<{ product_id: number; reason: string | null; bugs: number }>(
          aggregates ? PG_REPORT.rejectionsFromCounts : PG_REPORT.rejections,
          params,
        ),
        rows<{ product_id: number; platform: string | null; bugs: number }>(
          aggregates ? PG_REPORT.platformsFromTotals : PG_REPORT.platforms,
          params,
        ),
      ]);
      return toBreakdowns(rejectionReasons, platforms);
    },

    async listPlatforms(): Promise<string[]> {
      const raw = await rows<{ os: string }>(PG_REPORT.listPlatforms, { cid: customerId });
      return raw.map((r) => r.os);
    },
  };
}
