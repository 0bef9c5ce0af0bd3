import type { SandboxFaults } from '@testio-mcp/testio-sandbox';
import { afterEach, describe, expect, it } from 'vitest';
import { startBenchSandbox } from '../sandbox.js';
import { announce, FULL } from './__fixtures__/config.js';
import {
  expectConsistent,
  expectMatchesTruth,
  expectNoDanglingRun,
  runStatuses,
} from './__fixtures__/mirror-checks.js';
import { RELIABILITY_ENGINES } from './__fixtures__/engines.js';
import { findSecret } from './__fixtures__/secrets.js';
import { startStack, type Stack } from './__fixtures__/stack.js';

/**
 * `testio-mcp sync --force` against a sandbox that misbehaves: 429 storms, 500s, requests never
 * answered, malformed and truncated bodies, and the sandbox going away mid-sync. Whatever the outcome,
 * the process ends on its own, the mirror is consistent with no run left `running`, and the next plain
 * `testio-mcp sync` (no faults) heals it to the sandbox's ground truth. On both engines.
 */

const SCALE = FULL ? 'small' : 'demo';
// Short HTTP timeout so "never answered" costs seconds; quick retries.
const CLIENT_ENV = { HTTP_TIMEOUT_SECONDS: '2', LOG_LEVEL: 'warn' };

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

const ALL_SCENARIOS: Array<[string, SandboxFaults]> = [
  ['429 storm (every 2nd request, Retry-After 1 s)', { rateLimit: { everyNth: 2, retryAfterSeconds: 1 } }],
  ['429 burst on the first 12 requests', { rateLimit: { times: 12, retryAfterSeconds: 1 } }],
  ['500s on 30% of requests', { failRate: 0.3 }],
  [
    'timeouts on /bugs and a product list',
    {
      timeouts: [
        { pathPrefix: '/bugs', times: 3 },
        { pathPrefix: '/products', times: 1 },
      ],
    },
  ],
  [
    'malformed bodies: truncated, HTML, array, wrong shape',
    {
      malformed: [
        { pathPrefix: '/bugs', kind: 'truncated', times: 4 },
        { pathPrefix: '/products', kind: 'not-json', times: 2 },
        { pathPrefix: '/exploratory_tests', kind: 'array', times: 2 },
        { pathPrefix: '/products', kind: 'wrong-shape', times: 3 },
      ],
    },
  ],
  [
    'every request truncated',
    {
      malformed: [
        { pathPrefix: '/products', kind: 'truncated' },
        { pathPrefix: '/bugs', kind: 'truncated' },
      ],
    },
  ],
];

/** The reduced run keeps one scenario per kind of fault. */
const SCENARIOS = FULL
  ? ALL_SCENARIOS
  : ALL_SCENARIOS.filter(([name]) => /burst|500s|malformed bodies/.test(name));

async function expectHealsAfter(
  s: Stack,
  faulted: { code: number | null; signal: NodeJS.Signals | null; out: string; err: string },
): Promise<void> {
  // The faulted run ended by itself, with a documented exit code (0 success/partial, 1 failure).
  expect(faulted.signal).toBeNull();
  expect([0, 1], faulted.out + faulted.err).toContain(faulted.code);
  await expectConsistent(s);
  await expectNoDanglingRun(s);
  s.sandbox.setFaults({});
  const heal = await s.run(['sync'], CLIENT_ENV);
  expect(heal.code, heal.out + heal.err).toBe(0);
  expect(heal.out).toMatch(/outcome\s+success/);
  await expectConsistent(s);
  await expectMatchesTruth(s, s.sandbox.truth());
  expect(findSecret(s.output(), s.secrets), 'a secret in the sync output').toBeNull();
}

describe.each(RELIABILITY_ENGINES)('sync under upstream faults, on $name', ({ name: engine }) => {
  announce('sync faults', { engine, scale: SCALE, scenarios: SCENARIOS.length + 1 });

  it.each(SCENARIOS)('%s: the mirror stays consistent and the next sync heals it', async (_name, faults) => {
    stack = await startStack({ scale: SCALE, faults, engine });
    const faulted = await stack.run(['sync', '--force'], CLIENT_ENV);
    console.error(
      `[reliability] ${_name}: exit ${faulted.code}, ${/outcome\s+(\w+)/.exec(faulted.out)?.[1] ?? 'no outcome'}, runs ${(await runStatuses(stack)).join(',')}`,
    );
    await expectHealsAfter(stack, faulted);
  });

  it('the sandbox goes away mid-sync and comes back: consistent, then healed', async () => {
    stack = await startStack({ scale: SCALE, faults: { latencyMs: 20 }, engine });
    const port = stack.sandbox.port;
    const sync = stack.launch(['sync', '--force'], CLIENT_ENV);
    for (let i = 0; i < 400 && stack.sandbox.requestLog().length < 8; i++)
      await new Promise((r) => setTimeout(r, 25));
    expect(stack.sandbox.requestLog().length).toBeGreaterThanOrEqual(8);
    await stack.sandbox.close();
    const { code, signal } = await sync.exited;
    console.error(
      `[reliability] sandbox gone: exit ${code}, ${/outcome\s+(\w+)/.exec(sync.out())?.[1] ?? 'no outcome'}`,
    );
    expect(signal).toBeNull();
    expect([0, 1]).toContain(code);
    await expectConsistent(stack);
    await expectNoDanglingRun(stack);
    // The same account comes back on the same address.
    const back = await startBenchSandbox({ scale: SCALE, token: stack.secrets.token, port });
    try {
      const heal = await stack.run(['sync'], CLIENT_ENV);
      expect(heal.code, heal.out + heal.err).toBe(0);
      expect(heal.out).toMatch(/outcome\s+success/);
      await expectMatchesTruth(stack, back.truth());
    } finally {
      await back.close();
    }
  });
});
