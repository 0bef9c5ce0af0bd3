import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, expectMirrorMatchesTruth, startE2E, type E2E } from './__fixtures__/harness.js';

/**
 * The sync as the worker runs it, end to end: the sandbox over HTTP on 127.0.0.1, the real TestIO
 * client, the real SQLite mirror. The numbers are compared with the sandbox's ground truth.
 */

let e2e: E2E | undefined;

afterEach(async () => {
  await e2e?.close();
  e2e = undefined;
});

describe('sync into SQLite', () => {
  it('a full sync of seed 7 small matches the ground truth per product, status and severity', async () => {
    e2e = await startE2E();
    const result = await e2e.engine().run({ mode: 'force', trigger: 'manual_cli' });
    expect(result.status).toBe('success');
    expect(result.errors).toEqual([]);
    expectMirrorMatchesTruth(await e2e.db.queries.countsForTruthComparison(), e2e.sandbox.truth());
    // The run reports what the client sent; the sandbox saw all of it except attempts that got no answer
    // (a keep-alive connection closed under the request, which the client retries), as in engine tests.
    const sent = e2e.api.stats();
    expect(result.counts.upstreamCalls).toBe(sent.requests);
    expect(e2e.sandbox.requestLog().length).toBeLessThanOrEqual(sent.requests);
    expect(e2e.sandbox.requestLog().length).toBeGreaterThanOrEqual(sent.requests - sent.failedRequests);
    const integrity = e2e.db.sqlite.pragma('integrity_check', { simple: true });
    expect(integrity).toBe('ok');
  });

  it('after the account moves on, an incremental sync returns to ground truth with far fewer calls', async () => {
    e2e = await startE2E();
    const engine = e2e.engine();
    await engine.run({ mode: 'force', trigger: 'manual_cli' });
    const fullCalls = e2e.sandbox.requestLog().length;

    const moved = e2e.sandbox.advance({ days: 3 });
    e2e.clock.advance(3 * DAY_MS);
    expect(moved.deletedTests.length).toBeGreaterThan(0);
    e2e.sandbox.resetRequestLog();

    const result = await engine.run({ mode: 'incremental', trigger: 'background' });
    const incrementalCalls = e2e.sandbox.requestLog().length;
    expect(result.status).toBe('success');
    expectMirrorMatchesTruth(await e2e.db.queries.countsForTruthComparison(), e2e.sandbox.truth());
    expect(result.counts.testsDeleted).toBe(moved.deletedTests.length);
    expect(result.counts.testsDiscovered).toBe(moved.newTests.length);
    // The figures the issue asks to see: a full sync against an incremental one after three days.
    process.stderr.write(
      `[sync e2e] full sync: ${fullCalls} upstream calls; incremental after 3 days: ${incrementalCalls}\n`,
    );
    expect(incrementalCalls).toBeLessThan(fullCalls / 2);

    // Nothing changed upstream since: one list call per product, plus the product list.
    e2e.sandbox.resetRequestLog();
    const idle = await engine.run({ mode: 'incremental', trigger: 'background' });
    expect(idle.status).toBe('success');
    const productCount = e2e.sandbox.truth().products.length;
    expect(e2e.sandbox.requestLog().length).toBeLessThanOrEqual(productCount + 1);
  });

  it('completes under 10% injected 500s and 429s, records what it could not read, and a retry heals it', async () => {
    e2e = await startE2E();
    const truth = e2e.sandbox.truth({ perTest: true });
    // One test TestIO cannot serve at all (its pages answer 500 even one by one), on top of the noise.
    const poisoned = truth.tests?.find((t) => t.status === 'archived')?.id;
    expect(poisoned).toBeDefined();
    e2e.sandbox.setFaults({
      failRate: 0.1,
      rateLimit: { everyNth: 10, retryAfterSeconds: 1 },
      failTests: [poisoned as number],
    });
    const engine = e2e.engine();

    const first = await engine.run({ mode: 'force', trigger: 'manual_cli' });
    expect(first.status).toBe('partial_failure');
    expect(first.failedRanges.length, JSON.stringify(first.errors)).toBeGreaterThan(0);
    const open = await e2e.db.stores.syncState.listProblematicRanges();
    expect(open.length).toBeGreaterThan(0);
    expect(open.every((r) => r.resolvedAt === null)).toBe(true);

    // The faults stop; retrying what was missed brings the mirror to the truth and resolves every range.
    e2e.sandbox.setFaults({});
    const retried = await engine.retryProblematic({ trigger: 'manual_cli' });
    expect(retried.remaining).toBe(0);
    expect(retried.resolved).toBeGreaterThan(0);
    const healed = await engine.run({ mode: 'incremental', trigger: 'manual_cli' });
    expect(healed.status).toBe('success');
    expectMirrorMatchesTruth(await e2e.db.queries.countsForTruthComparison(), e2e.sandbox.truth());
    expect(await e2e.db.stores.syncState.listProblematicRanges()).toEqual([]);
  });
});
