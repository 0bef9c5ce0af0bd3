import { BUG_SEVERITIES, type BugDevice, type TestPlatform } from '@testio-mcp/domain';

/**
 * Bug classification and rates (reference-data §3.6, reference-surface §7.2). Buckets are mutually
 * exclusive by stored status: `accepted` → active_accepted, `auto_accepted`, `rejected`, `forwarded` →
 * open; any other status counts only in the total. Rates are null when there are no bugs ("no data" is
 * not "0 %"); the auto-acceptance rate is over accepted bugs and null when none was accepted.
 */

export interface StatusBuckets {
  readonly active_accepted: number;
  readonly auto_accepted: number;
  readonly total_accepted: number;
  readonly rejected: number;
  readonly open: number;
}

export interface AcceptanceRates {
  readonly active_acceptance_rate: number | null;
  readonly auto_acceptance_rate: number | null;
  readonly overall_acceptance_rate: number | null;
  readonly rejection_rate: number | null;
  readonly review_rate: number | null;
  readonly open_count: number;
  readonly has_alert: boolean;
  readonly alert_threshold: number;
}

export function classifyBugs(statuses: Iterable<string | null>): StatusBuckets & { total: number } {
  let active = 0;
  let auto = 0;
  let rejected = 0;
  let open = 0;
  let total = 0;
  for (const status of statuses) {
    total += 1;
    if (status === 'accepted') active += 1;
    else if (status === 'auto_accepted') auto += 1;
    else if (status === 'rejected') rejected += 1;
    else if (status === 'forwarded') open += 1;
  }
  return {
    active_accepted: active,
    auto_accepted: auto,
    total_accepted: active + auto,
    rejected,
    open,
    total,
  };
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
}

export function acceptanceRates(
  buckets: StatusBuckets,
  total: number,
  alertThreshold: number,
): AcceptanceRates {
  const auto = ratio(buckets.auto_accepted, buckets.total_accepted);
  return {
    active_acceptance_rate: ratio(buckets.active_accepted, total),
    auto_acceptance_rate: auto,
    overall_acceptance_rate: ratio(buckets.total_accepted, total),
    rejection_rate: ratio(buckets.rejected, total),
    review_rate: ratio(buckets.active_accepted + buckets.rejected, total),
    open_count: buckets.open,
    has_alert: auto !== null && auto > alertThreshold,
    alert_threshold: alertThreshold,
  };
}

export function countBySeverity(
  severities: Iterable<string | null>,
): Record<(typeof BUG_SEVERITIES)[number], number> {
  const counts = Object.fromEntries(BUG_SEVERITIES.map((s) => [s, 0])) as Record<
    (typeof BUG_SEVERITIES)[number],
    number
  >;
  for (const s of severities) {
    if (s !== null && s in counts) counts[s as keyof typeof counts] += 1;
  }
  return counts;
}

/** Every device of every bug counts once (a bug found on two devices counts twice). */
export function countByPlatform(devices: Iterable<BugDevice>): {
  operating_systems: Record<string, number>;
  browsers: Record<string, number>;
  device_categories: Record<string, number>;
} {
  const os: Record<string, number> = {};
  const browsers: Record<string, number> = {};
  const categories: Record<string, number> = {};
  const bump = (record: Record<string, number>, key: string | null): void => {
    if (key) record[key] = (record[key] ?? 0) + 1;
  };
  for (const d of devices) {
    bump(os, d.operating_system);
    bump(categories, d.category);
    for (const b of d.browsers) bump(browsers, b);
  }
  return { operating_systems: os, browsers, device_categories: categories };
}

/**
 * `"iOS 17.0+ (Smartphones)"`: the OS with its version range (`{v}` when min = max, `{min}-{max}`,
 * `{min}+`, `≤{max}`, or none), then the device category in parentheses when known.
 */
export function platformLabel(
  p: Pick<TestPlatform, 'operating_system' | 'min_version' | 'max_version' | 'category'>,
): string {
  const os = p.operating_system?.trim() || 'Any OS';
  const min = p.min_version?.trim() || null;
  const max = p.max_version?.trim() || null;
  let label = os;
  if (min && max) label = min === max ? `${os} ${min}` : `${os} ${min}-${max}`;
  else if (min) label = `${os} ${min}+`;
  else if (max) label = `${os} ≤${max}`;
  const category = p.category?.trim();
  return category ? `${label} (${category})` : label;
}
