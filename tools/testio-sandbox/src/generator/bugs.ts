import { REJECTION_REASONS, type BugSeverity, type RejectionReason } from '@testio-mcp/domain';
import { AUTO_ACCEPT_AFTER_DAYS } from '@testio-mcp/domain';
import { DAY_MS, HOUR_MS } from '../clock.js';
import { STREAM, rngFor } from './prng.js';
import type { TestTable } from './schedule.js';

/**
 * The few facts about a bug that decide counts and status over time. Cheap to derive, so ground truth can
 * stream over a million bugs without building their payloads.
 */
export interface BugCore {
  reportedAt: number;
  severity: BugSeverity;
  /** What the bug becomes once `decidedAt` passes; until then it is `forwarded`. */
  fate: 'accepted' | 'auto_accepted' | 'rejected';
  rejectReason: RejectionReason | null;
  decidedAt: number;
  known: boolean;
  /** NaN unless the customer exported it after accepting. */
  exportedAt: number;
  exportRequested: boolean;
}

const SEVERITY_WEIGHTS: ReadonlyArray<readonly [BugSeverity, number]> = [
  ['low', 28],
  ['high', 25],
  ['critical', 7],
  ['visual', 22],
  ['content', 13],
  ['custom', 5],
];

/** Reasons a customer picks by hand; `request_timeout` is the platform's own automatic rejection. */
const MANUAL_REASONS: ReadonlyArray<readonly [RejectionReason, number]> = [
  ['not_reproducible', 25],
  ['intended_behavior', 20],
  ['known_bug', 18],
  ['irrelevant', 15],
  ['device_not_relevant', 8],
  ['ignored_instructions', 8],
  ['request_timeout', 6],
];

export const AUTO_ACCEPT_MS = AUTO_ACCEPT_AFTER_DAYS * DAY_MS;

export function deriveBugCore(seed: number, table: TestTable, index: number, k: number): BugCore {
  const testId = table.ids[index] ?? 0;
  const count = table.bugCount[index] ?? 1;
  const start = table.startAt[index] ?? 0;
  const end = table.endAt[index] ?? start;
  const rng = rngFor(seed, STREAM.bugCore, testId, k);
  // Spread over the run in id order, so higher bug ids are reported later.
  const reportedAt = start + Math.floor((((k + rng.next()) / count) * (end - start)) / 1000) * 1000;
  const severity = rng.weighted(SEVERITY_WEIGHTS);
  const fate = rng.weighted<BugCore['fate']>([
    ['accepted', 0.76 * 0.72],
    ['auto_accepted', 0.76 * 0.28],
    ['rejected', 0.24],
  ]);
  const rejectReason = fate === 'rejected' ? rng.weighted(MANUAL_REASONS) : null;
  let decidedAt: number;
  if (fate === 'auto_accepted') decidedAt = reportedAt + AUTO_ACCEPT_MS;
  else if (rejectReason === 'request_timeout')
    decidedAt = reportedAt + 24 * HOUR_MS + rng.int(1, 120) * 60_000;
  else decidedAt = reportedAt + Math.floor((0.1 + 9.3 * Math.pow(rng.next(), 2)) * DAY_MS);
  const known = rejectReason === 'known_bug' || rng.chance(0.03);
  const exported = fate === 'accepted' && rng.chance(0.25);
  return {
    reportedAt,
    severity,
    fate,
    rejectReason,
    decidedAt,
    known,
    exportedAt: exported ? decidedAt + rng.int(1, 48) * HOUR_MS : Number.NaN,
    exportRequested: !exported && fate === 'accepted' && rng.chance(0.07),
  };
}

export const REJECTION_TEXT: Readonly<Record<RejectionReason, string>> = REJECTION_REASONS;
