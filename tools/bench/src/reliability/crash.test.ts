import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { announce, FULL, runs, SEED } from './__fixtures__/config.js';
import {
  expectConsistent,
  expectMatchesTruth,
  expectNoDanglingRun,
  runStatuses,
} from './__fixtures__/mirror-checks.js';
import { startStack, type Stack } from './__fixtures__/stack.js';

/**
 * SIGKILL of sync processes (`sync --force`, `sync`, `worker`) at random moments, with the account
 * changing between some of them. After every kill the database passes its integrity and foreign-key
 * checks; at the end one plain `testio-mcp sync` completes, matches the ground truth, and leaves no
 * run `running`.
 */

const KILLS = runs(3, 20);
let stack: Stack;

beforeAll(async () => {
  announce('crash safety', { kills: KILLS });
  stack = await startStack({ scale: 'small', faults: { latencyMs: 10 } });
});

afterAll(async () => {
  await stack?.close();
});

/**
 * What each process is killed in, and about how long it runs on `small` here (process start included):
 * a kill past that lands on an exited process and tests nothing. The worker runs one forced cycle
 * (`TESTIO_REFRESH_INTERVAL_SECONDS=0`, `TESTIO_FORCE_INITIAL_SYNC`); a plain sync has little to do.
 */
const COMMANDS = [
  { args: ['sync', '--force'], lastsMs: 3_000 },
  { args: ['sync'], lastsMs: 1_200 },
  { args: ['worker'], lastsMs: 3_000 },
] as const;

/** Resolves once `reached()` holds (polled every 10 ms) or the process has exited. */
async function midSync(reached: () => boolean, exited: Promise<unknown>): Promise<void> {
  let done = false;
  void exited.then(() => (done = true));
  while (!done && !reached()) await new Promise((r) => setTimeout(r, 10));
}

describe('SIGKILL at random points', () => {
  it(`survives ${KILLS} kills, then resumes to the ground truth`, async () => {
    const plan = fc.sample(
      fc.constantFrom(...COMMANDS).chain(({ args, lastsMs }) =>
        fc.record({
          command: fc.constant(args),
          // Unbiased: fast-check's bias would pile kills on 100 ms, before the process has even opened
          // the database.
          delayMs: fc.noBias(fc.integer({ min: 100, max: lastsMs })),
          advance: fc.boolean(),
        }),
      ),
      { numRuns: KILLS, seed: SEED },
    );
    plan[0] = { command: ['sync', '--force'], delayMs: 0, advance: false };
    for (const [i, step] of plan.entries()) {
      if (FULL && step.advance && i > 0) stack.sandbox.advance({ hours: 12 });
      const started = Date.now();
      const proc = stack.launch([...step.command], { LOG_LEVEL: 'warn', TESTIO_FORCE_INITIAL_SYNC: 'true' });
      // The first kill lands mid-sync on any machine: once the run has read some pages (a full sync of
      // `small` makes 76 requests), so there is always an interrupted run to close afterwards.
      if (i === 0) await midSync(() => stack.sandbox.requestLog().length >= 20, proc.exited);
      else await new Promise((r) => setTimeout(r, step.delayMs));
      proc.child.kill('SIGKILL');
      const { signal } = await proc.exited;
      console.error(
        `[reliability] kill ${i + 1}/${KILLS}: ${step.command.join(' ')} after ${Date.now() - started} ms (${signal ?? 'had exited'}), ${stack.sandbox.requestLog().length} upstream requests so far`,
      );
      expectConsistent(stack.dbPath);
    }
    const statuses = runStatuses(stack.dbPath);
    expect(statuses.length).toBeGreaterThan(0);

    const final = await stack.run(['sync'], { LOG_LEVEL: 'warn' });
    expect(final.code, final.out + final.err).toBe(0);
    expect(final.out).toMatch(/outcome\s+success/);
    expectConsistent(stack.dbPath);
    expectNoDanglingRun(stack.dbPath);
    // Once the account changed, bugs read before the change stay as read until they are read again (fresh
    // for CACHE_TTL_SECONDS, and bugs of tests past the walk are refreshed on read): the bug counts are
    // only promised when nothing changed.
    const advanced = FULL && plan.some((step, i) => step.advance && i > 0);
    await expectMatchesTruth(stack.dbPath, stack.sandbox.truth(), { bugs: !advanced });
    const after = runStatuses(stack.dbPath);
    expect(after.filter((s) => s === 'interrupted').length, after.join(',')).toBeGreaterThan(0);
  }, 1_800_000);
});
