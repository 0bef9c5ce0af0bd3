import { describe, expect, it } from 'vitest';
import type { AdvanceSummary } from '../types.js';
import {
  type BugLike,
  type ProductLike,
  type TestLike,
  TEST_ANCHOR,
  allTests,
  bugsOf,
  call,
  control,
  getJson,
  must,
  start,
} from '../__fixtures__/client.js';

describe('advancing the clock', () => {
  it('brings new tests, status changes, new bugs and a deleted test, all visible over HTTP', async () => {
    const sandbox = await start({ scale: 'small' });
    try {
      const before = sandbox.truth({ perTest: true });
      const summary = sandbox.advance({ days: 1 });
      expect(summary.now).toBe(new Date(TEST_ANCHOR.getTime() + 86_400_000).toISOString());
      expect(summary.newTests.length).toBeGreaterThan(0);
      expect(summary.statusChanges.length).toBeGreaterThan(0);
      expect(summary.newBugs).toBeGreaterThan(0);
      expect(summary.deletedTests).toHaveLength(1);

      for (const id of summary.newTests) {
        const body = await getJson<{ exploratory_test: TestLike }>(sandbox, `/exploratory_tests/${id}`);
        expect(body.exploratory_test.id).toBe(id);
      }
      for (const change of summary.statusChanges.slice(0, 10)) {
        const body = await getJson<{ exploratory_test: TestLike }>(
          sandbox,
          `/exploratory_tests/${change.testId}`,
        );
        expect(body.exploratory_test.status).toBe(change.to);
        expect(before.tests?.find((t) => t.id === change.testId)?.status).toBe(change.from);
      }

      const deleted = must(summary.deletedTests[0]);
      expect((await call(sandbox, `/exploratory_tests/${deleted}`)).status).toBe(404);
      expect(await bugsOf(sandbox, [deleted])).toEqual([]);
      const products = (await getJson<{ products: ProductLike[] }>(sandbox, '/products')).products;
      const listed = new Set<number>();
      for (const product of products) for (const t of await allTests(sandbox, product.id)) listed.add(t.id);
      expect(listed.has(deleted)).toBe(false);
      for (const id of summary.newTests) expect(listed.has(id)).toBe(true);

      const after = sandbox.truth();
      expect(after.now).toBe(summary.now);
      expect(after.totals.tests).toBe(before.totals.tests + summary.newTests.length - 1);
      expect(after.totals.bugs).toBe(
        before.totals.bugs + summary.newBugs - (before.tests?.find((t) => t.id === deleted)?.bugs ?? 0),
      );
      expect(listed.size).toBe(after.totals.tests);
    } finally {
      await sandbox.close();
    }
  });

  it('hides a deleted test’s bugs from GET /bugs/{id}', async () => {
    const [sandbox, preview] = await Promise.all([start({ scale: 'small' }), start({ scale: 'small' })]);
    try {
      // Same seed, same calls: the preview tells which test the next advance deletes.
      let bugs: BugLike[] = [];
      for (let step = 0; step < 10 && bugs.length === 0; step++) {
        const deleted = must(preview.advance({ hours: 6 }).deletedTests[0]);
        bugs = await bugsOf(sandbox, [deleted]);
        sandbox.advance({ hours: 6 });
      }
      expect(bugs.length).toBeGreaterThan(0);
      for (const bug of bugs.slice(0, 5)) expect((await call(sandbox, `/bugs/${bug.id}`)).status).toBe(404);
    } finally {
      await Promise.all([sandbox.close(), preview.close()]);
    }
  });

  it('decides forwarded bugs within ten days, auto-accepting the rest', async () => {
    const sandbox = await start({ scale: 'small' });
    try {
      const tests = (sandbox.truth({ perTest: true }).tests ?? []).filter(
        (t) => (t.bugsByStatus['forwarded'] ?? 0) > 0,
      );
      expect(tests.length).toBeGreaterThan(0);
      const open = (
        await bugsOf(
          sandbox,
          tests.map((t) => t.id),
        )
      ).filter((b) => b.status === 'forwarded');
      const summary = sandbox.advance({ days: 10, hours: 1 });
      expect(summary.bugStatusChanges).toBeGreaterThanOrEqual(open.length - 40);
      const gone = new Set(summary.deletedTests);
      const now = (
        await bugsOf(
          sandbox,
          tests.map((t) => t.id).filter((id) => !gone.has(id)),
        )
      ).filter((b) => open.some((o) => o.id === b.id));
      expect(now.length).toBeGreaterThan(0);
      expect(now.every((b) => b.status !== 'forwarded')).toBe(true);
      expect(now.some((b: BugLike) => b.auto_accepted)).toBe(true);
    } finally {
      await sandbox.close();
    }
  });

  it('is steerable over HTTP with a JSON body or a query, and validates input', async () => {
    const sandbox = await start();
    try {
      const byBody = (
        await control(sandbox, '/advance', 'POST', { days: 1, hours: 2 })
      ).json() as AdvanceSummary;
      expect(byBody.now).toBe(new Date(TEST_ANCHOR.getTime() + 26 * 3_600_000).toISOString());
      const byQuery = (await control(sandbox, '/advance?hours=3', 'POST')).json() as AdvanceSummary;
      expect(byQuery.now).toBe(new Date(TEST_ANCHOR.getTime() + 29 * 3_600_000).toISOString());
      expect((await control(sandbox, '/health')).json()).toMatchObject({ now: byQuery.now });
      expect((await control(sandbox, '/advance', 'POST', { days: -1 })).status).toBe(400);
      expect((await control(sandbox, '/advance', 'POST', { hours: 'soon' })).status).toBe(400);
    } finally {
      await sandbox.close();
    }
  });
});
