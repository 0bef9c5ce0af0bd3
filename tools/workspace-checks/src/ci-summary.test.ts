import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from './__fixtures__/run.js';

/** .ci/summarize-tests.mjs, which .ci/run feeds the output of `npm test`: the closing lines CI prints. */

const ROOT = path.resolve(import.meta.dirname, '../../..');

async function summarize(output: string): Promise<string> {
  const result = await run(process.execPath, [path.join(ROOT, '.ci/summarize-tests.mjs')], { input: output });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

// What `nx run-many --outputStyle=stream` prints: every line of a task behind its project's name, in colour.
const bold = (text: string) => `\u001b[1m\u001b[32m${text}\u001b[39m\u001b[22m`;
const NX_OUTPUT = [
  `${bold('domain:')}       Tests  35 passed (35)`,
  `${bold('domain:')} =============================== Coverage summary ===============================`,
  `${bold('domain:')} Statements   : 78.11% ( 910/1165 )`,
  `${bold('domain:')} Branches     : 76.92% ( 220/286 )`,
  `${bold('domain:')} Functions    : 85% ( 51/60 )`,
  `${bold('domain:')} Lines        : 78.11% ( 910/1165 )`,
  `${bold('bench:')}       Tests  2 failed | 40 passed | 1 skipped (43)`,
  `${bold('testio-sandbox:')}       Tests  76 passed (76)`,
  `${bold('testio-sandbox:')} Branches     : 82.66% ( 782/946 )`,
  `${bold('testio-sandbox:')} Lines        : 96% ( 2595/2703 )`,
  '',
].join('\n');

describe('.ci/summarize-tests.mjs', () => {
  it('sums the tests of every project and lists line and branch coverage per project', async () => {
    expect(await summarize(NX_OUTPUT)).toBe(
      [
        '151 passed, 2 failed, 1 skipped',
        'coverage            lines  branches',
        '  domain           78.11%    76.92%',
        '  testio-sandbox      96%    82.66%',
        '',
      ].join('\n'),
    );
  });

  it('prints only the test line when no project measured coverage', async () => {
    expect(await summarize('       Tests  3 passed (3)\n')).toBe('3 passed, 0 failed\n');
  });
});
