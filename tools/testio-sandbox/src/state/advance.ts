import { DAY_MS, HOUR_MS } from '../clock.js';
import { AUTO_ACCEPT_MS } from '../generator/bugs.js';
import { STREAM, rngFor } from '../generator/prng.js';
import type { AdvanceOptions, AdvanceSummary } from '../types.js';
import type { Account } from './account.js';

export class InvalidAdvanceError extends Error {}

/**
 * Moves the account's clock forward. Statuses, new tests and bug decisions follow from the generated
 * schedule; the one thing time alone cannot produce is a deletion, so every advance deletes one test.
 */
export function advanceAccount(account: Account, options: AdvanceOptions): AdvanceSummary {
  const days = options.days ?? 0;
  const hours = options.hours ?? 0;
  for (const [name, value] of [
    ['days', days],
    ['hours', hours],
  ] as const) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InvalidAdvanceError(`${name} must be a non-negative number, got ${String(value)}`);
    }
  }
  const delta = Math.round(days * DAY_MS + hours * HOUR_MS);
  const from = account.now;
  const to = from + delta;
  const { table } = account;
  if (delta === 0) {
    return {
      now: new Date(to).toISOString(),
      newTests: [],
      statusChanges: [],
      bugStatusChanges: 0,
      newBugs: 0,
      deletedTests: [],
    };
  }

  account.now = to;
  account.advanceCount++;
  const deleted = pickTestToDelete(account);
  if (deleted >= 0) account.deleteTest(deleted);

  const summary: AdvanceSummary = {
    now: new Date(to).toISOString(),
    newTests: [],
    statusChanges: [],
    bugStatusChanges: 0,
    newBugs: 0,
    deletedTests: deleted >= 0 ? [table.ids[deleted] ?? 0] : [],
  };

  for (let index = 0; index < table.count; index++) {
    if (account.deletedTests.has(index)) continue;
    const created = table.createdAt[index] ?? 0;
    if (created > to) continue;
    const testId = table.ids[index] ?? 0;
    if (created > from) {
      summary.newTests.push(testId);
    } else {
      const before = account.testStatusAt(index, from);
      const after = account.testStatusAt(index, to);
      if (before !== null && after !== null && before !== after)
        summary.statusChanges.push({ testId, from: before, to: after });
    }
    const end = table.endAt[index] ?? 0;
    if ((table.bugCount[index] ?? 0) === 0 || (table.startAt[index] ?? 0) > to) continue;
    // Bugs are reported during the run and decided within ten days of it; older tests hold no news.
    if (end + AUTO_ACCEPT_MS + 2 * DAY_MS < from) continue;
    account.forEachVisibleBug(
      index,
      (_k, bugId, core) => {
        if (core.reportedAt > from) {
          summary.newBugs++;
        } else if (account.bugStatusKey(bugId, core, from) !== account.bugStatusKey(bugId, core, to)) {
          summary.bugStatusChanges++;
        }
      },
      to,
    );
  }
  return summary;
}

/** Prefers a test still in flight, so a staleness check (re-fetching mutable tests) finds the 404. */
function pickTestToDelete(account: Account): number {
  const { table } = account;
  const mutable: number[] = [];
  const any: number[] = [];
  for (let index = 0; index < table.count; index++) {
    if (!account.testExists(index)) continue;
    any.push(index);
    if (account.isMutable(account.testStatusAt(index, account.now))) mutable.push(index);
  }
  const pool = mutable.length > 0 ? mutable : any;
  if (pool.length === 0) return -1;
  return rngFor(account.seed, STREAM.advance, account.advanceCount).pick(pool);
}
