import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from './__fixtures__/independent-clients.js';
import { startDemoServer, type DemoServer } from './__fixtures__/demo-server.js';
import { ROOT } from './__fixtures__/processes.js';

/**
 * The official MCP conformance suite against `testio-mcp serve --transport http` on the sandbox: every
 * server scenario each release ships (`--suite all`), for every revision it knows. 0.1.16 is the suite
 * of the 2025 revisions; 0.2.0-alpha.12 adds 2026-07-28 and re-checks the 2025 ones with its wire-schema
 * validation. Scenarios that need the SDK demo servers' fixture tools (or a session a stateless server
 * has not got) are in conformance/expected-failures.yml, each with its reason; the suite itself fails a
 * run on a failure not listed there and on a listed scenario that passes. It needs Node 22+, so it runs
 * on the registry's Node 24 (`.ci/node24.sh`), as CI's second suite does.
 */

const require = createRequire(import.meta.url);
const BASELINE = path.join(import.meta.dirname, '../conformance/expected-failures.yml');
const SUITES = {
  '0.1.16': path.join(
    path.dirname(require.resolve('@modelcontextprotocol/conformance/package.json')),
    'dist/index.js',
  ),
  '0.2.0-alpha.12': path.join(
    path.dirname(require.resolve('mcp-conformance-next/package.json')),
    'dist/index.js',
  ),
} as const;
const RUNS: [keyof typeof SUITES, string][] = [
  ['0.1.16', '2025-06-18'],
  ['0.1.16', '2025-11-25'],
  ['0.2.0-alpha.12', '2025-06-18'],
  ['0.2.0-alpha.12', '2025-11-25'],
  ['0.2.0-alpha.12', '2026-07-28'],
];

const plain = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex

let node24: string;
let server: DemoServer;

beforeAll(async () => {
  const { stdout } = await promisify(execFile)('bash', [path.join(ROOT, '.ci/node24.sh')], {
    timeout: 300_000,
  });
  node24 = path.join(stdout.trim(), 'bin/node');
  server = await startDemoServer('conformance');
}, 400_000);

afterAll(async () => {
  await server?.stop();
});

interface Entry {
  readonly scenario: string;
  /** The one revision it applies to, or undefined for all. */
  readonly revision: string | undefined;
  readonly reason: string;
}

/** The baseline's entries, each with the reason after its `#` (led by `[revision]` if scoped). */
function baseline(): Entry[] {
  return readFileSync(BASELINE, 'utf8')
    .split('\n')
    .filter((line) => /^\s+-\s/.test(line))
    .map((line) => {
      const [, scenario = '', revision, reason = ''] =
        /^\s+-\s+(\S+)\s*(?:#\s*(?:\[([\d-]+)\]\s*)?(.*))?$/.exec(line) ?? [];
      return { scenario, revision, reason: reason.trim() };
    });
}

/** The suite's own baseline format for one revision (it reports stale entries only for what it ran). */
function baselineFor(revision: string): string {
  const file = path.join(server.dir, `expected-failures.${revision}.yml`);
  const scenarios = baseline().filter((e) => e.revision === undefined || e.revision === revision);
  writeFileSync(file, `server:\n${scenarios.map((e) => `  - ${e.scenario}\n`).join('')}`);
  return file;
}

describe('official MCP conformance suite, every server scenario (Node 24)', () => {
  it('lists each expected failure once, with a reason, and only scenarios a suite ships', async () => {
    const entries = baseline();
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.filter((e) => e.reason.length < 10).map((e) => e.scenario)).toEqual([]);
    expect(new Set(entries.map((e) => e.scenario)).size).toBe(entries.length);
    const revisions = new Set(RUNS.map(([, revision]) => revision));
    expect(entries.filter((e) => e.revision !== undefined && !revisions.has(e.revision))).toEqual([]);
    const shipped = new Set<string>();
    for (const [suite, revision] of RUNS) {
      const listed = await runCommand(node24, [
        SUITES[suite],
        'list',
        '--server',
        '--spec-version',
        revision,
      ]);
      expect(listed.code, listed.stderr).toBe(0);
      for (const match of plain(listed.stdout).matchAll(/^\s+-\s+(\S+)/gm)) shipped.add(match[1] ?? '');
    }
    expect(entries.map((e) => e.scenario).filter((s) => !shipped.has(s))).toEqual([]);
  }, 120_000);

  it.each(RUNS)(
    'conformance %s, revision %s: every failure is an expected one and none of those passes',
    async (suite, revision) => {
      const out = mkdtempSync(path.join(server.dir, 'results-'));
      const run = await runCommand(
        node24,
        [
          SUITES[suite],
          'server',
          '--url',
          server.mcpUrl,
          '--suite',
          'all',
          '--spec-version',
          revision,
          '--expected-failures',
          baselineFor(revision),
          '-o',
          out,
        ],
        process.env,
        300_000,
      );
      const text = plain(run.stdout);
      const summary = text.slice(text.indexOf('=== SUMMARY'));
      expect(run.code, `${summary}\n${run.stderr}`).toBe(0);
      expect(summary).toMatch(/Baseline check passed/);
      // The scenarios that must pass did run and pass: the generic ones every product server answers.
      for (const scenario of [
        'tools-list',
        'tools-call-error',
        'resources-list',
        'prompts-list',
        'completion-complete',
      ])
        expect(summary).toMatch(new RegExp(`✓ ${scenario}: [1-9]\\d* passed, 0 failed`));
    },
    320_000,
  );
});
