import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './__fixtures__/run.js';

/**
 * .ci/npm-audit.sh, which .ci/run calls after `npm ci`: one clear line whatever the audit service does,
 * and never a failed or hung CI run. A stand-in `npm` on PATH plays the service.
 */

const ROOT = path.resolve(import.meta.dirname, '../../..');
const scratch = mkdtempSync(path.join(tmpdir(), 'testio-ci-audit-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function audit(fakeNpm: string, env: Record<string, string> = {}) {
  const bin = mkdtempSync(path.join(scratch, 'bin-'));
  writeFileSync(path.join(bin, 'npm'), `#!/bin/sh\n${fakeNpm}\n`);
  chmodSync(path.join(bin, 'npm'), 0o755);
  const started = Date.now();
  const result = await run('bash', [path.join(ROOT, '.ci/npm-audit.sh')], {
    cwd: ROOT,
    env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, ...env },
    timeoutMs: 30_000,
  });
  return { status: result.status, out: result.stdout, ms: Date.now() - started };
}

describe('.ci/npm-audit.sh', () => {
  it('says so when production dependencies have no known vulnerability', async () => {
    const result = await audit('echo "found 0 vulnerabilities"; exit 0');
    expect(result.status).toBe(0);
    expect(result.out).toContain('npm audit --omit=dev: no known vulnerabilities in production dependencies');
  });

  it('reports vulnerabilities without failing the run', async () => {
    const result = await audit(
      'echo "# npm audit report"; echo "2 vulnerabilities (1 moderate, 1 high)"; exit 1',
    );
    expect(result.status).toBe(0);
    expect(result.out).toContain('  audit | 2 vulnerabilities (1 moderate, 1 high)');
    expect(result.out).toContain('npm audit --omit=dev: VULNERABILITIES FOUND');
  });

  it('reports an unreachable audit service without failing the run', async () => {
    const result = await audit('echo "npm error audit endpoint returned an error" >&2; exit 1');
    expect(result.status).toBe(0);
    expect(result.out).toContain(
      'npm audit --omit=dev: NOT CHECKED, the audit service could not be reached or failed (exit 1',
    );
  });

  it('gives up on a service that does not answer', async () => {
    const result = await audit('sleep 20', { NPM_AUDIT_TIMEOUT_SECONDS: '1' });
    expect(result.status).toBe(0);
    expect(result.out).toContain('NOT CHECKED, the audit service did not answer within 1 s');
    expect(result.ms).toBeLessThan(10_000);
  });

  it('is wired into .ci/run after npm ci and before the tests, in the suite run on each Node', () => {
    const ci = readFileSync(path.join(ROOT, '.ci/run'), 'utf8');
    const order = [
      'npm ci || return',
      'bash .ci/npm-audit.sh || true',
      'npm test',
      'node .ci/summarize-tests.mjs',
      'return "$status"',
      'suite node20 || node20=$?',
      'suite node24 || node24=$?',
      '[ "$node20" -eq 0 ] && [ "$node24" -eq 0 ]',
    ];
    const positions = order.map((line) => ci.search(new RegExp(`\\n[ \\w$="./:]*${escape(line)}`)));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
