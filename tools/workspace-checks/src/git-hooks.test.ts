import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as runCommand, type RunResult } from './__fixtures__/run.js';

/**
 * The commit hooks as a contributor meets them: a fresh clone of this repository, `npm run prepare` (what
 * `npm install`/`npm ci` run), then real `git commit`s through the real .githooks/pre-commit.
 *
 * The clone gets the work tree's copy of the files under test (committed there first, without the hook),
 * so the test judges the hook being written, not the last commit's. node_modules is a symlink to this
 * checkout's: `npm ci` has already run.
 */

const ROOT = path.resolve(import.meta.dirname, '../../..');
const FILES_UNDER_TEST = [
  'package.json',
  'lint-staged.config.mjs',
  '.githooks/pre-commit',
  '.secretlintrc.json',
  '.secretlintignore',
  '.prettierrc.json',
  '.prettierignore',
  'eslint.config.mjs',
  'tools/workspace-checks/package.json',
  'tools/workspace-checks/scripts/install-git-hooks.mjs',
  'tools/workspace-checks/scripts/pre-commit.mjs',
  'tools/workspace-checks/scripts/staged-checks.mjs',
  'tools/workspace-checks/secretlint/secretlint-rule-testio-token.mjs',
];

const scratch = mkdtempSync(path.join(tmpdir(), 'testio-hooks-test-'));
const clone = path.join(scratch, 'clone');

/** git and npm as in CI: no identity, no global or system configuration, no GIT_* from a calling hook. */
function isolatedEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('GIT_') && !key.startsWith('VITEST') && key !== 'NODE_ENV') env[key] = value;
  }
  return {
    ...env,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: path.join(scratch, 'no-global-gitconfig'),
    NX_DAEMON: 'false',
  };
}

const IDENTITY = [
  '-c',
  'user.name=Hook Test',
  '-c',
  'user.email=hook-test@example.invalid',
  '-c',
  'commit.gpgsign=false',
];

function run(command: string, args: string[], cwd = clone): Promise<RunResult> {
  return runCommand(command, args, { cwd, env: isolatedEnv(), timeoutMs: 180_000 });
}

async function git(args: string[], cwd = clone): Promise<string> {
  const result = await run('git', args, cwd);
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout.trim();
}

function write(file: string, content: string): void {
  mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
  writeFileSync(path.join(clone, file), content);
}

/** `git commit` through the hook; returns the exit status and everything it printed. */
async function commit(message: string): Promise<{ status: number | null; output: string }> {
  const result = await run('git', [...IDENTITY, 'commit', '-m', message]);
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

const head = () => git(['rev-parse', 'HEAD']);
const staged = async () => (await git(['diff', '--cached', '--name-only'])).split('\n').filter(Boolean);

beforeAll(async () => {
  await git(['clone', '--quiet', ROOT, clone], scratch);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
  for (const file of FILES_UNDER_TEST) {
    mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
    copyFileSync(path.join(ROOT, file), path.join(clone, file));
  }
  // A tiny Nx project of its own, so the type check has something quick to check.
  write(
    'tools/hook-probe/project.json',
    JSON.stringify({
      name: 'hook-probe',
      tags: ['type:tool', 'scope:tools'],
      targets: {
        typecheck: {
          executor: 'nx:run-commands',
          dependsOn: [],
          cache: false,
          options: { command: 'tsc -p tsconfig.json --noEmit', cwd: '{projectRoot}' },
        },
      },
    }),
  );
  write(
    'tools/hook-probe/tsconfig.json',
    JSON.stringify({ extends: '../../tsconfig.base.json', include: ['src/**/*.ts'] }),
  );
  write('tools/hook-probe/src/index.ts', 'export function answer(): number {\n  return 42;\n}\n');
  await git(['add', '--', ...FILES_UNDER_TEST, 'tools/hook-probe']);
  await git([...IDENTITY, 'commit', '--quiet', '--no-verify', '--allow-empty', '-m', 'the hook under test']);
}, 120_000);

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('prepare installs the hooks', () => {
  it('sets core.hooksPath in a fresh clone', async () => {
    expect((await run('git', ['config', '--local', '--get', 'core.hooksPath'])).stdout.trim()).toBe('');
    const result = await run('npm', ['run', 'prepare']);
    expect(result.status).toBe(0);
    expect(await git(['config', '--local', '--get', 'core.hooksPath'])).toBe('.githooks');
    // Running it again (every npm install does) changes nothing.
    expect((await run('npm', ['run', 'prepare'])).status).toBe(0);
    expect(await git(['config', '--local', '--get', 'core.hooksPath'])).toBe('.githooks');
  });

  it('does nothing, successfully, outside a git work tree and without the installer (a tarball)', async () => {
    const plain = path.join(scratch, 'unpacked');
    mkdirSync(path.join(plain, 'tools/workspace-checks/scripts'), { recursive: true });
    copyFileSync(path.join(ROOT, 'package.json'), path.join(plain, 'package.json'));
    const withoutInstaller = await run('npm', ['run', 'prepare'], plain);
    expect(withoutInstaller.status).toBe(0);
    copyFileSync(
      path.join(ROOT, 'tools/workspace-checks/scripts/install-git-hooks.mjs'),
      path.join(plain, 'tools/workspace-checks/scripts/install-git-hooks.mjs'),
    );
    const withInstaller = await run('npm', ['run', 'prepare'], plain);
    expect(withInstaller.status).toBe(0);
    expect(withInstaller.stderr).toContain('nothing to install');
  });

  it("leaves another repository's hooks alone when installed inside it", async () => {
    const outer = path.join(scratch, 'outer');
    const inner = path.join(outer, 'node_modules/testio-mcp');
    mkdirSync(path.join(inner, 'tools/workspace-checks/scripts'), { recursive: true });
    mkdirSync(path.join(inner, '.githooks'));
    await git(['init', '--quiet', outer], scratch);
    copyFileSync(path.join(ROOT, 'package.json'), path.join(inner, 'package.json'));
    copyFileSync(path.join(ROOT, '.githooks/pre-commit'), path.join(inner, '.githooks/pre-commit'));
    copyFileSync(
      path.join(ROOT, 'tools/workspace-checks/scripts/install-git-hooks.mjs'),
      path.join(inner, 'tools/workspace-checks/scripts/install-git-hooks.mjs'),
    );
    const result = await run('npm', ['run', 'prepare'], inner);
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('leaving its hooks alone');
    expect((await run('git', ['config', '--local', '--get', 'core.hooksPath'], outer)).stdout.trim()).toBe(
      '',
    );
  });
});

// A commit runs ESLint, Prettier, secretlint and Nx; on a loaded two-core CI machine that can take a while.
describe('the pre-commit hook', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    if ((await run('git', ['config', '--local', '--get', 'core.hooksPath'])).stdout.trim() !== '.githooks') {
      expect((await run('npm', ['run', 'prepare'])).status).toBe(0);
    }
  });

  it('refuses a commit with a lint error, naming the file and the rule', async () => {
    const before = await head();
    write('scratch/lint-error.mjs', 'const unused = 1;\nexport const value = 2;\n');
    await git(['add', 'scratch/lint-error.mjs']);
    const result = await commit('a lint error');
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('scratch/lint-error.mjs');
    expect(result.output).toContain('no-unused-vars');
    expect(result.output).toContain('ESLint (--max-warnings=0) refused scratch/lint-error.mjs');
    expect(await head()).toBe(before);
    // Nothing was changed behind the committer's back: still staged, still as written.
    expect(await staged()).toEqual(['scratch/lint-error.mjs']);
    expect(readFileSync(path.join(clone, 'scratch/lint-error.mjs'), 'utf8')).toBe(
      'const unused = 1;\nexport const value = 2;\n',
    );
    await git(['rm', '--quiet', '--force', 'scratch/lint-error.mjs']);
  });

  it('refuses a commit that adds a secret, naming the file', async () => {
    const before = await head();
    write(
      'deploy/production.env',
      'TESTIO_CUSTOMER_API_BASE_URL=https://api.test.io/customer/v2\nTESTIO_CUSTOMER_API_TOKEN=8c1f4e2a9b7d3c6e5f0a1b2c3d4e5f6a7b8c9d0e\n',
    );
    await git(['add', '--force', 'deploy/production.env']);
    const result = await commit('a leaked token');
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('deploy/production.env');
    expect(result.output).toContain('TestioApiToken');
    expect(result.output).not.toContain('8c1f4e2a9b7d3c6e5f0a1b2c3d4e5f6a7b8c9d0e');
    expect(await head()).toBe(before);
    await git(['rm', '--quiet', '--force', 'deploy/production.env']);
  });

  it('refuses every staged file Prettier would format, new or old, naming each', async () => {
    const before = await head();
    write('scratch/old.json', '{"a":1,\n"b":[1,2]}\n');
    await git(['add', 'scratch/old.json']);
    await git([...IDENTITY, 'commit', '--quiet', '--no-verify', '-m', 'an unformatted file, hook skipped']);
    const withOld = await head();
    expect(withOld).not.toBe(before);
    write('scratch/old.json', '{"a":1,\n"b":[1,2,3]}\n');
    write('scratch/new.json', '{"a":1,\n"b":[1,2]}\n');
    await git(['add', 'scratch/old.json', 'scratch/new.json']);
    const refused = await commit('two unformatted files');
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain('Prettier: not formatted: scratch/new.json, scratch/old.json\n');
    expect(refused.output).toContain('npx prettier --write scratch/new.json scratch/old.json');
    expect(await head()).toBe(withOld);
    write('scratch/old.json', '{ "a": 1, "b": [1, 2, 3] }\n');
    write('scratch/new.json', '{ "a": 1, "b": [1, 2] }\n');
    await git(['add', 'scratch/old.json', 'scratch/new.json']);
    expect((await commit('formatted')).status).toBe(0);
  });

  it('type-checks the touched Nx project and refuses a type error', async () => {
    const before = await head();
    write('tools/hook-probe/src/index.ts', "export function answer(): number {\n  return 'forty-two';\n}\n");
    await git(['add', 'tools/hook-probe/src/index.ts']);
    const result = await commit('a type error');
    expect(result.status).not.toBe(0);
    expect(result.output).toContain('type check of hook-probe');
    expect(result.output).toContain('TS2322');
    expect(result.output).toContain('Type check failed in hook-probe');
    expect(await head()).toBe(before);
    await git(['checkout', 'HEAD', '--', 'tools/hook-probe/src/index.ts']);
  });

  it('judges the staged content, not the work tree, and leaves unstaged changes alone', async () => {
    // Staged: clean. Unstaged on top: a lint error. The commit passes and records the clean version.
    write('scratch/partial.mjs', 'export const one = 1;\n');
    await git(['add', 'scratch/partial.mjs']);
    write('scratch/partial.mjs', 'export const one = 1;\nconst unused = 2;\n');
    const result = await commit('partially staged');
    expect(result.output).not.toContain('no-unused-vars');
    expect(result.status).toBe(0);
    expect(await git(['show', 'HEAD:scratch/partial.mjs'])).toBe('export const one = 1;');
    expect(readFileSync(path.join(clone, 'scratch/partial.mjs'), 'utf8')).toBe(
      'export const one = 1;\nconst unused = 2;\n',
    );
    expect(await staged()).toEqual([]);
    await git(['checkout', '--', 'scratch/partial.mjs']);

    // Staged: a lint error. Fixed in the work tree only: still refused, since the error is what git records.
    write('scratch/partial.mjs', 'export const one = 1;\nconst unused = 2;\n');
    await git(['add', 'scratch/partial.mjs']);
    write('scratch/partial.mjs', 'export const one = 1;\n');
    const refused = await commit('error staged, fix unstaged');
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain('ESLint (--max-warnings=0) refused scratch/partial.mjs');
    expect(await git(['show', ':scratch/partial.mjs'])).toBe('export const one = 1;\nconst unused = 2;');
    expect(readFileSync(path.join(clone, 'scratch/partial.mjs'), 'utf8')).toBe('export const one = 1;\n');
    await git(['reset', '--quiet', '--', 'scratch/partial.mjs']);
    await git(['checkout', '--', 'scratch/partial.mjs']);
  });

  it('lets a clean commit through', async () => {
    const before = await head();
    write('scratch/clean.mjs', 'export const answer = 42;\n');
    write(
      'scratch/NOTES.md',
      '# Notes\n\nSet `TESTIO_CUSTOMER_API_TOKEN` in `.env`; the sandbox uses `sandbox-token`.\n',
    );
    write('tools/hook-probe/src/index.ts', 'export function answer(): number {\n  return 43;\n}\n');
    await git(['add', 'scratch/clean.mjs', 'scratch/NOTES.md', 'tools/hook-probe/src/index.ts']);
    const result = await commit('clean');
    expect(result.status, result.output).toBe(0);
    expect(await git(['rev-parse', 'HEAD~1'])).toBe(before);
    expect((await git(['show', '--name-only', '--format=', 'HEAD'])).split('\n').sort()).toEqual([
      'scratch/NOTES.md',
      'scratch/clean.mjs',
      'tools/hook-probe/src/index.ts',
    ]);
    expect(existsSync(path.join(clone, '.git/lint-staged_unstaged.patch'))).toBe(false);
    expect(await git(['stash', 'list'])).toBe('');
  });
});
