import type { PlaybookThreshold, PlaybookThresholds, ReportTestRow } from '@testio-mcp/domain';
import { BUG_SEVERITIES } from '@testio-mcp/domain';

/**
 * Bug classification, the five rates and health against the playbook thresholds (reference-data §3.6,
 * reference-surface §7.2), over report rows. Buckets are exclusive by stored status: accepted →
 * active_accepted, auto_accepted, rejected, forwarded → open. Every rate is null when its denominator
 * is 0 ("no data" is not "0 %").
 */

export type Health = 'healthy' | 'warning' | 'critical' | 'unknown';

export interface Buckets {
  active_accepted: number;
  auto_accepted: number;
  total_accepted: number;
  rejected: number;
  open: number;
  reviewed: number;
}

export interface Rates {
  active_acceptance_rate: number | null;
  auto_acceptance_rate: number | null;
  overall_acceptance_rate: number | null;
  rejection_rate: number | null;
  review_rate: number | null;
}

export function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

export function bucketsOf(byStatus: Readonly<Record<string, number>>): Buckets {
  const active = byStatus['accepted'] ?? 0;
  const auto = byStatus['auto_accepted'] ?? 0;
  const rejected = byStatus['rejected'] ?? 0;
  return {
    active_accepted: active,
    auto_accepted: auto,
    total_accepted: active + auto,
    rejected,
    open: byStatus['forwarded'] ?? 0,
    reviewed: active + rejected,
  };
}

export function ratesOf(b: Buckets, totalBugs: number): Rates {
  return {
    active_acceptance_rate: ratio(b.active_accepted, totalBugs),
    auto_acceptance_rate: ratio(b.auto_accepted, b.total_accepted),
    overall_acceptance_rate: ratio(b.total_accepted, totalBugs),
    rejection_rate: ratio(b.rejected, totalBugs),
    review_rate: ratio(b.reviewed, totalBugs),
  };
}

/** Boundaries are inclusive: a rate equal to the warning level is a warning. */
export function healthOf(value: number | null, t: PlaybookThreshold): Health {
  if (value === null) return 'unknown';
  if (t.direction === 'above') {
    if (value >= t.critical) return 'critical';
    if (value >= t.warning) return 'warning';
    return 'healthy';
  }
  if (value <= t.critical) return 'critical';
  if (value <= t.warning) return 'warning';
  return 'healthy';
}

const RANK: Record<Health, number> = { unknown: 0, healthy: 1, warning: 2, critical: 3 };

export function worst(values: readonly Health[]): Health {
  return values.reduce<Health>((w, h) => (RANK[h] > RANK[w] ? h : w), 'unknown');
}

export function indicators(rates: Rates, t: PlaybookThresholds) {
  const health_indicators = {
    rejection_rate: healthOf(rates.rejection_rate, t.rejection_rate),
    auto_acceptance_rate: healthOf(rates.auto_acceptance_rate, t.auto_acceptance_rate),
    review_rate: healthOf(rates.review_rate, t.review_rate),
  };
  return { health_indicators, health_status: worst(Object.values(health_indicators)) };
}

export type SeverityCounts = Record<(typeof BUG_SEVERITIES)[number], number>;

/** The figures of a set of report rows (a product, the whole report). */
export function statsOf(rows: readonly ReportTestRow[], t: PlaybookThresholds) {
  const testsByStatus: Record<string, number> = {};
  const testsByType: Record<string, number> = {};
  const bugStatus: Record<string, number> = {};
  const severity = Object.fromEntries(BUG_SEVERITIES.map((s) => [s, 0])) as SeverityCounts;
  let bugs = 0;
  let known = 0;
  for (const r of rows) {
    testsByStatus[r.status] = (testsByStatus[r.status] ?? 0) + 1;
    const type = r.testingType ?? 'unknown';
    testsByType[type] = (testsByType[type] ?? 0) + 1;
    bugs += r.bugs;
    known += r.knownBugs;
    for (const [k, v] of Object.entries(r.bugsByStatus)) bugStatus[k] = (bugStatus[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.bugsBySeverity))
      if (k in severity) severity[k as keyof SeverityCounts] += v;
  }
  const buckets = bucketsOf(bugStatus);
  const rates = ratesOf(buckets, bugs);
  return {
    total_tests: rows.length,
    tests_by_status: testsByStatus,
    tests_by_type: testsByType,
    total_bugs: bugs,
    bugs_by_status: buckets,
    bugs_by_severity: severity,
    known_bugs: known,
    avg_bugs_per_test: rows.length === 0 ? 0 : Math.round((bugs / rows.length) * 100) / 100,
    ...rates,
    ...indicators(rates, t),
  };
}
export type ReportStats = ReturnType<typeof statsOf>;
