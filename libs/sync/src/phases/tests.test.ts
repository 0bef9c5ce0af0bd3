import { describe, expect, it } from 'vitest';
import { UpstreamError, type TestSyncState, type UpstreamExploratoryTest } from '@testio-mcp/domain';
import { StopRule, needsBugs, placeTests, testsToPass } from './walk-rules.js';

const DAY = 86_400_000;
const now = new Date('2026-01-20T00:00:00.000Z');
const ago = (days: number) => new Date(now.getTime() - days * DAY);

function upstream(id: number, endDaysAgo: number, status = 'archived'): UpstreamExploratoryTest {
  return { id, status, end_at: ago(endDaysAgo).toISOString() } as UpstreamExploratoryTest;
}

function local(
  id: number,
  endDaysAgo: number,
  status: string,
  syncedDaysAgo: number | null,
  bugsDaysAgo: number | null = syncedDaysAgo,
): TestSyncState {
  return {
    id,
    productId: 1,
    status,
    endAt: ago(endDaysAgo),
    syncedAt: syncedDaysAgo === null ? null : ago(syncedDaysAgo),
    bugsSyncedAt: bugsDaysAgo === null ? null : ago(bugsDaysAgo),
  };
}

const error = new UpstreamError({ message: 'boom', status: 500, operation: { method: 'GET', path: 'x' } });

describe('placeTests', () => {
  it('gives readable tests their list positions around failed ranges', () => {
    const tests = [upstream(1, 1), upstream(2, 2), upstream(3, 3)];
    const placed = placeTests({
      offset: 25,
      tests,
      failedRanges: [
        { productId: 1, offset: 25, count: 1, error },
        { productId: 1, offset: 27, count: 2, error },
      ],
    });
    expect(placed.map((p) => [p.position, p.test.id])).toEqual([
      [26, 1],
      [29, 2],
      [30, 3],
    ]);
  });
});

describe('StopRule', () => {
  it('needs `margin` known tests, the first known one included', () => {
    const rule = new StopRule(3, []);
    rule.observe(upstream(10, 0), false);
    rule.observe(upstream(9, 1), true);
    rule.observe(upstream(8, 2), true);
    expect(rule.canStop()).toBe(false);
    rule.observe(upstream(7, 3), true);
    expect(rule.canStop()).toBe(true);
  });

  it('does not stop before passing every test it must refresh, however deep in the list', () => {
    const rule = new StopRule(1, [{ id: 50, endAt: ago(10).getTime() }]);
    rule.observe(upstream(1, 1), true);
    expect(rule.canStop()).toBe(false);
    rule.observe(upstream(2, 10), true); // same end: not passed yet
    expect(rule.canStop()).toBe(false);
    rule.observe(upstream(3, 11), true);
    expect(rule.canStop()).toBe(true);
    expect(rule.oldestEndAt).toBe(ago(11).getTime());
  });

  it('counts a test it must refresh as passed once seen', () => {
    const rule = new StopRule(1, [{ id: 2, endAt: ago(5).getTime() }]);
    rule.observe(upstream(2, 5), true);
    expect(rule.canStop()).toBe(true);
  });
});

describe('testsToPass', () => {
  const states = [
    local(1, -2, 'initialized', 0.01), // fresh mutable
    local(2, 3, 'locked', 2), // stale mutable
    local(3, 30, 'archived', 20, 10), // bugs read 20 days after its end: settled
    local(4, 40, 'archived', 1, null), // bugs never read
    local(5, 12, 'archived', 0.01, 8), // bugs read 4 days after its end: still settling then
  ];
  it('incremental: stale mutable tests and tests whose bugs may have changed', () => {
    expect(testsToPass(states, { mode: 'incremental', now, ttlSeconds: 3600 }).map((t) => t.id)).toEqual([
      2, 4, 5,
    ]);
  });
  it('refresh: every mutable or settling test regardless of the TTL', () => {
    expect(testsToPass(states, { mode: 'refresh', now, ttlSeconds: 3600 }).map((t) => t.id)).toEqual([
      1, 2, 4, 5,
    ]);
  });
  it('ignores tests older than since', () => {
    expect(
      testsToPass(states, { mode: 'incremental', now, ttlSeconds: 3600, since: ago(20) }).map((t) => t.id),
    ).toEqual([2, 5]);
  });
});

describe('needsBugs', () => {
  const opts = { now, ttlSeconds: 3600 };
  it('always in force mode and for new tests', () => {
    expect(needsBugs(upstream(1, 100), local(1, 100, 'archived', 1, 1), { ...opts, mode: 'force' })).toBe(
      true,
    );
    expect(needsBugs(upstream(1, 100), undefined, { ...opts, mode: 'incremental' })).toBe(true);
  });
  it('when the status changed', () => {
    expect(
      needsBugs(upstream(1, 40, 'archived'), local(1, 40, 'customer_finalized', 0.001, 0.001), {
        ...opts,
        mode: 'incremental',
      }),
    ).toBe(true);
  });
  it('for mutable tests after the TTL (incremental) or always (refresh)', () => {
    const fresh = local(1, 1, 'locked', 0.01, 0.01);
    expect(needsBugs(upstream(1, 1, 'locked'), fresh, { ...opts, mode: 'incremental' })).toBe(false);
    expect(needsBugs(upstream(1, 1, 'locked'), fresh, { ...opts, mode: 'refresh' })).toBe(true);
    expect(
      needsBugs(upstream(1, 1, 'locked'), local(1, 1, 'locked', 2, 2), { ...opts, mode: 'incremental' }),
    ).toBe(true);
  });
  it('never for settled final tests', () => {
    expect(needsBugs(upstream(1, 100), local(1, 100, 'archived', 1, 50), { ...opts, mode: 'refresh' })).toBe(
      false,
    );
  });
});
