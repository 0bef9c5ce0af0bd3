#!/usr/bin/env node
/**
 * The pre-commit hook's body (.githooks/pre-commit): lint-staged with lint-staged.config.mjs over the
 * staged files, without ever touching the work tree or the real index.
 *
 * lint-staged's defaults are made for one person per checkout: it stashes, hides unstaged changes of
 * partially staged files by checking them out, re-stages files after its tasks, and on a failure runs
 * `git reset --hard` and re-applies its stash. In a checkout several people (or an editor) write to at
 * the same time, that can drop someone's edits. So: no stash, no hiding, read-only tasks that read the
 * staged blobs themselves (staged-checks.mjs), and lint-staged works on a private copy of the index, so its
 * final `git add` cannot stage unstaged hunks.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

let lintStaged;
try {
  ({ default: lintStaged } = await import('lint-staged'));
} catch {
  process.stderr.write(
    'pre-commit: lint-staged is not installed; run `npm ci` first (or commit with --no-verify)\n',
  );
  process.exit(1);
}

const indexFile = path.resolve(
  ROOT,
  execFileSync('git', ['rev-parse', '--git-path', 'index'], { cwd: ROOT, encoding: 'utf8' }).trim(),
);
const scratch = mkdtempSync(path.join(tmpdir(), 'testio-pre-commit-'));
const privateIndex = path.join(scratch, 'index');
copyFileSync(indexFile, privateIndex);
process.env.GIT_INDEX_FILE = privateIndex;

// The two warnings about the options below would only alarm: nothing is written, so nothing can be lost.
const QUIET = /Skipping backup|Skipping hiding unstaged changes/;
const logger = {
  ...console,
  warn: (...args) => {
    if (!QUIET.test(args.map(String).join(' '))) console.warn(...args);
  },
};

let passed = false;
try {
  passed = await lintStaged(
    {
      cwd: ROOT,
      configPath: path.join(ROOT, 'lint-staged.config.mjs'),
      stash: false,
      hidePartiallyStaged: false,
      // ESLint, Prettier and secretlint are quick; the type check is the long pole, so let them overlap.
      concurrent: true,
      // Report every check's findings, not only the first one's.
      continueOnError: true,
      // Progress lines help at a terminal; elsewhere (an IDE, an agent, CI) only the findings matter.
      quiet: !process.stdout.isTTY,
    },
    logger,
  );
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

if (!passed) {
  process.stderr.write(
    '\npre-commit: the commit was refused (see above). Fix and `git add` the files, or skip the checks once with --no-verify.\n',
  );
}
process.exitCode = passed ? 0 : 1;
