import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from './__fixtures__/run.js';

/**
 * The secret scanner: secretlint with the recommended preset and our TestIO rule (.secretlintrc.json),
 * over every git-tracked file except those .secretlintignore lists (scripts/scan-secrets.mjs, the
 * `secrets` target, which `test` depends on) and over staged files (the pre-commit hook). The fixtures
 * in __fixtures__/secrets hold fake credentials on purpose, to prove that the scanner fires.
 */

const ROOT = path.resolve(import.meta.dirname, '../../..');
const FIXTURES = path.join(import.meta.dirname, '__fixtures__/secrets');
const require = createRequire(import.meta.url);
const SECRETLINT = path.join(path.dirname(require.resolve('secretlint/package.json')), 'bin/secretlint.js');
const PRESET_ONLY = JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] });

/** Outside the repository, so .secretlintignore does not apply (secretlint reads it from its cwd). */
const scratch = mkdtempSync(path.join(tmpdir(), 'testio-secrets-test-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Finding {
  file: string;
  line: number;
  ruleId: string;
  messageId: string;
  message: string;
}

/**
 * Runs the secretlint CLI (JSON output) on paths relative to `cwd` and returns what it found. In the
 * repository .secretlintignore applies; in the scratch directory nothing is ignored.
 */
async function secretlint(
  files: string[],
  options: { config?: 'repo' | 'preset-only'; cwd?: string } = {},
): Promise<Finding[]> {
  const cwd = options.cwd ?? ROOT;
  const args = [SECRETLINT, '--no-glob', '--format', 'json', '--no-color'];
  if (options.config === 'preset-only') args.push('--secretlintrcJSON', PRESET_ONLY);
  else args.push('--secretlintrc', path.join(ROOT, '.secretlintrc.json'));
  // A file, not stdout: secretlint exits before a large report is through the pipe.
  const output = path.join(scratch, `report-${Math.random().toString(36).slice(2)}.json`);
  args.push('--output', output);
  const result = await run(process.execPath, [...args, ...files], { cwd });
  if (result.status !== 0) throw new Error(`secretlint failed (${result.status}): ${result.stderr}`);
  const reports = JSON.parse(readFileSync(output, 'utf8')) as Array<{
    filePath: string;
    messages: Array<{ ruleId: string; messageId: string; message: string; loc: { start: { line: number } } }>;
  }>;
  return reports.flatMap((r) =>
    r.messages.map((m) => ({
      file: path.relative(cwd, r.filePath),
      line: m.loc.start.line,
      ruleId: m.ruleId,
      messageId: m.messageId,
      message: m.message,
    })),
  );
}

/** A fixture copied to the scratch directory, where no ignore file applies; returns its name there. */
function unignored(name: string): string {
  copyFileSync(path.join(FIXTURES, name), path.join(scratch, name));
  return name;
}

/** The environment without GIT_* (set when this runs inside a git hook), so git works on `cwd` alone. */
function noGitEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('GIT_')));
}

function scanSecrets(repo: string) {
  return run(process.execPath, [path.join(ROOT, 'tools/workspace-checks/scripts/scan-secrets.mjs'), repo], {
    env: noGitEnv(),
  });
}

async function git(args: string[], cwd: string): Promise<number | null> {
  return (await run('git', args, { cwd, env: noGitEnv() })).status;
}

describe('secret scanner', () => {
  it('the whole-repository scan (the `secrets` target) lists what it finds and fails', async () => {
    // A small repository of its own: one leaked token, one deliberate fake that .secretlintignore excuses.
    const repo = path.join(scratch, 'repo');
    const fixture = 'tools/workspace-checks/src/__fixtures__/secrets/leaked-credentials.txt';
    mkdirSync(path.join(repo, 'deploy'), { recursive: true });
    mkdirSync(path.dirname(path.join(repo, fixture)), { recursive: true });
    for (const file of ['.secretlintrc.json', '.secretlintignore', fixture])
      copyFileSync(path.join(ROOT, file), path.join(repo, file));
    writeFileSync(
      path.join(repo, 'deploy/prod.env'),
      'LOG_LEVEL=info\nTESTIO_CUSTOMER_API_TOKEN=Xk29fLq81ZpT0aVw3NcE\n',
    );
    writeFileSync(path.join(repo, 'README.md'), 'Set TESTIO_CUSTOMER_API_TOKEN=<your token> in .env\n');
    expect(await git(['init', '--quiet'], repo)).toBe(0);
    expect(await git(['add', '.'], repo)).toBe(0);

    const found = await scanSecrets(repo);
    expect(found.status).toBe(1);
    expect(found.stderr).toContain('secrets: 1 possible secret(s) in git-tracked files');
    expect(found.stderr).toMatch(/deploy\/prod\.env:2 {2}TestioApiToken/);
    expect(found.stderr).not.toContain('Xk29fLq81ZpT0aVw3NcE');
    expect(found.stderr).not.toContain('leaked-credentials');

    expect(await git(['rm', '--quiet', '--cached', 'deploy/prod.env'], repo)).toBe(0);
    const clean = await scanSecrets(repo);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toContain('secrets: 4 git-tracked files scanned, no secrets found');
  });

  it('leaves the fake-secret fixtures out of the whole-repository scan', async () => {
    expect(await secretlint([path.relative(ROOT, path.join(FIXTURES, 'leaked-credentials.txt'))])).toEqual(
      [],
    );
    expect(
      (await secretlint([unignored('leaked-credentials.txt')], { cwd: scratch })).length,
    ).toBeGreaterThan(0);
  });

  it('fires on a fake AWS secret key, GitHub token and private key (recommended preset)', async () => {
    const findings = await secretlint([unignored('leaked-credentials.txt')], { cwd: scratch });
    expect(findings.map((f) => [f.line, f.messageId])).toEqual([
      [4, 'AWSSecretAccessKey'],
      [6, 'GITHUB_TOKEN'],
      [8, 'PrivateKey'],
    ]);
    // Reports mask the secret itself.
    expect(findings.map((f) => f.message).join('\n')).not.toMatch(/ghp_[A-Za-z0-9]{36}/);
  });

  it('catches a TestIO token in an env file and in a curl command, which the preset alone misses', async () => {
    const files = ['testio.env', 'testio-curl.md'].map(unignored);
    expect(await secretlint(files, { config: 'preset-only', cwd: scratch })).toEqual([]);
    const findings = await secretlint(files, { cwd: scratch });
    expect(findings.map((f) => [f.file, f.line, f.messageId])).toEqual([
      ['testio.env', 3, 'TestioApiToken'],
      ['testio.env', 4, 'TestioRestApiKey'],
      ['testio-curl.md', 3, 'TestioAuthorizationHeader'],
    ]);
    expect(findings[0]?.message).toContain('TESTIO_CUSTOMER_API_TOKEN');
    expect(findings[0]?.message).not.toContain('326278c84d42');
  });

  it('does not fire on placeholders, variables or the sandbox token', async () => {
    expect(await secretlint([unignored('placeholders.env')], { cwd: scratch })).toEqual([]);
  });

  it('leaves test files to the preset: made-up TestIO tokens pass, real credential formats do not', async () => {
    // Built at run time, so this file itself holds no GitHub token for the whole-repository scan to find.
    const githubToken = `ghp_${'A1b2C3d4e5F6'.repeat(3)}`;
    const content = `const env = { TESTIO_CUSTOMER_API_TOKEN: 'Xk29fLq81ZpT0aVw3NcE' };\nconst gh = '${githubToken}';\n`;
    writeFileSync(path.join(scratch, 'client.test.ts'), content);
    expect((await secretlint(['client.test.ts'], { cwd: scratch })).map((f) => f.messageId)).toEqual([
      'GITHUB_TOKEN',
    ]);
    writeFileSync(path.join(scratch, 'client.ts'), content);
    expect((await secretlint(['client.ts'], { cwd: scratch })).map((f) => f.messageId)).toEqual([
      'TestioApiToken',
      'GITHUB_TOKEN',
    ]);
  });

  it.each([
    ['a .env line', 'TESTIO_CUSTOMER_API_TOKEN=Xk29fLq81ZpT0aVw3NcE\n', 1],
    ['a shell export', 'export TESTIO_CUSTOMER_API_TOKEN="Xk29fLq81ZpT0aVw3NcE"\n', 1],
    ['YAML', 'env:\n  TESTIO_CUSTOMER_API_TOKEN: Xk29fLq81ZpT0aVw3NcE\n', 1],
    ['JSON', '{ "env": { "TESTIO_CUSTOMER_API_TOKEN": "Xk29fLq81ZpT0aVw3NcE" } }\n', 1],
    [
      'one real key among several',
      'TESTIO_API_KEYS=replace-with-a-long-random-key,Xk29fLq81ZpT0aVw3NcE\n',
      1,
    ],
    ['an HTTP header', "headers: { Authorization: 'Token Xk29fLq81ZpT0aVw3NcE' }\n", 1],
    ['code that reads the variable', 'TESTIO_CUSTOMER_API_TOKEN: z.string().trim().min(1).optional(),\n', 0],
    [
      'an empty value followed by another line',
      'TESTIO_CUSTOMER_API_TOKEN=\nOTHER=Xk29fLq81ZpT0aVw3NcE\n',
      0,
    ],
    ['a short value', 'TESTIO_CUSTOMER_API_TOKEN=abc123\n', 0],
    ['a template', 'Authorization: `Token ${token}`\n', 0],
    ['an identifier in code', "const MESSAGE_OF = { TESTIO_API_KEYS: 'TestioRestApiKey' };\n", 0],
  ])('the TestIO rule on %s', async (_label, content, expected) => {
    const file = `case-${Math.random().toString(36).slice(2)}.txt`;
    writeFileSync(path.join(scratch, file), content);
    expect(await secretlint([file], { cwd: scratch })).toHaveLength(expected);
  });
});
