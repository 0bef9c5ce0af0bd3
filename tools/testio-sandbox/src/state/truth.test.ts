import { BUG_STATUSES } from '@testio-mcp/domain';
import { afterAll, describe, expect, it } from 'vitest';
import type { GroundTruth, RunningSandbox, SandboxScale } from '../types.js';
import {
  type BugLike,
  type ProductLike,
  type TestLike,
  allTests,
  bugsOf,
  control,
  getJson,
  start,
} from '../__fixtures__/client.js';

const running: RunningSandbox[] = [];
afterAll(() => Promise.all(running.map((s) => s.close())));

function statusKey(bug: BugLike): string {
  return bug.status === 'accepted' && bug.auto_accepted ? 'auto_accepted' : bug.status;
}

/** Counts what a client can see by walking the API, in the ground truth's shape. */
async function walk(sandbox: RunningSandbox) {
  const products = (await getJson<{ products: ProductLike[] }>(sandbox, '/products')).products;
  const perProduct = [];
  const perTest = new Map<number, { status: string; bugs: number; bugsByStatus: Record<string, number> }>();
  for (const product of products) {
    const tests: TestLike[] = await allTests(sandbox, product.id, 50);
    const bugs = await bugsOf(
      sandbox,
      tests.map((t) => t.id),
    );
    const testsByStatus: Record<string, number> = {};
    for (const t of tests) {
      testsByStatus[t.status] = (testsByStatus[t.status] ?? 0) + 1;
      perTest.set(t.id, {
        status: t.status,
        bugs: 0,
        bugsByStatus: Object.fromEntries(BUG_STATUSES.map((s) => [s, 0])),
      });
    }
    const bugsByStatus: Record<string, number> = {};
    const bugsBySeverity: Record<string, number> = {};
    for (const bug of bugs) {
      bugsByStatus[statusKey(bug)] = (bugsByStatus[statusKey(bug)] ?? 0) + 1;
      bugsBySeverity[bug.severity] = (bugsBySeverity[bug.severity] ?? 0) + 1;
      const row = perTest.get(bug.test.id);
      if (row) {
        row.bugs++;
        row.bugsByStatus[statusKey(bug)] = (row.bugsByStatus[statusKey(bug)] ?? 0) + 1;
      }
    }
    perProduct.push({
      id: product.id,
      tests: tests.length,
      bugs: bugs.length,
      testsByStatus,
      bugsByStatus,
      bugsBySeverity,
    });
  }
  return { perProduct, perTest };
}

const nonZero = (record: Record<string, number>) =>
  Object.fromEntries(Object.entries(record).filter(([, v]) => v > 0));

describe.each<SandboxScale>(['demo', 'small'])('ground truth at scale %s', (scale) => {
  it('equals the counts a client gets by walking every endpoint', async () => {
    const sandbox = await start({ scale });
    running.push(sandbox);
    const truth = (await control(sandbox, '/truth?per_test=1')).json() as GroundTruth;
    expect(truth).toEqual(sandbox.truth({ perTest: true }));
    const seen = await walk(sandbox);

    for (const product of seen.perProduct) {
      const expected = truth.products.find((p) => p.id === product.id);
      expect(expected).toBeDefined();
      expect({
        id: product.id,
        tests: product.tests,
        bugs: product.bugs,
        testsByStatus: product.testsByStatus,
        bugsByStatus: product.bugsByStatus,
        bugsBySeverity: product.bugsBySeverity,
      }).toEqual({
        id: expected?.id,
        tests: expected?.tests,
        bugs: expected?.bugs,
        testsByStatus: nonZero(expected?.testsByStatus ?? {}),
        bugsByStatus: nonZero(expected?.bugsByStatus ?? {}),
        bugsBySeverity: nonZero(expected?.bugsBySeverity ?? {}),
      });
    }
    expect(truth.tests?.length).toBe(seen.perTest.size);
    for (const row of truth.tests ?? []) {
      expect(seen.perTest.get(row.id)).toEqual({
        status: row.status,
        bugs: row.bugs,
        bugsByStatus: row.bugsByStatus,
      });
    }
    expect(truth.totals.tests).toBe(seen.perTest.size);
    expect(truth.totals.bugs).toBe(seen.perProduct.reduce((sum, p) => sum + p.bugs, 0));
  });
});

describe('ground truth of the catalog', () => {
  it('counts features and user stories as the endpoints list them', async () => {
    const sandbox = await start({ scale: 'demo' });
    running.push(sandbox);
    const truth = sandbox.truth();
    for (const product of truth.products) {
      let featureIds = new Set<number>();
      let stories = 0;
      if (product.hasSections) {
        for (const sectionId of product.sectionIds) {
          const body = await getJson<{ features: Array<{ id: number }> }>(
            sandbox,
            `/products/${product.id}/sections/${sectionId}/features`,
          );
          for (const f of body.features) featureIds.add(f.id);
          const storyIds = await getJson<{ user_stories: unknown[] }>(
            sandbox,
            `/products/${product.id}/user_stories?section_id=${sectionId}`,
          );
          stories += storyIds.user_stories.length;
        }
        expect(stories).toBeGreaterThanOrEqual(product.userStories);
      } else {
        const body = await getJson<{ features: Array<{ id: number }> }>(
          sandbox,
          `/products/${product.id}/features`,
        );
        featureIds = new Set(body.features.map((f) => f.id));
        stories = (
          await getJson<{ user_stories: unknown[] }>(sandbox, `/products/${product.id}/user_stories`)
        ).user_stories.length;
        expect(stories).toBe(product.userStories);
      }
      expect(featureIds.size).toBe(product.features);
    }
    expect(truth.totals.products).toBe(3);
  });
});
