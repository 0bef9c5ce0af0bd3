#!/usr/bin/env node
/**
 * The root `prepare` script (npm runs it on `npm install` and `npm ci` in this checkout): points git at
 * the versioned hooks in `.githooks/` (`git config core.hooksPath .githooks`), so every clone runs the
 * same pre-commit checks without a hook manager.
 *
 * It does nothing, successfully, when there is nothing to install into: outside a git work tree (an
 * unpacked tarball, a folder without .git), when git is not installed, or when this package is not the
 * root of the work tree (e.g. installed inside another project, whose hooks are not ours to replace).
 * A core.hooksPath set to something else is left alone, with a note.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';

const HOOKS_DIR = '.githooks';
const root = process.cwd();

function git(...args) {
  try {
    return execFileSync('git', args, {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return null;
  }
}

function say(message) {
  process.stderr.write(`git hooks: ${message}\n`);
}

const topLevel = git('rev-parse', '--show-toplevel');
if (topLevel === null || !existsSync(path.join(root, HOOKS_DIR, 'pre-commit'))) {
  say('not a git checkout of this repository, nothing to install');
} else if (realpathSync(topLevel) !== realpathSync(root)) {
  say(`${root} is not the root of the git work tree ${topLevel}, leaving its hooks alone`);
} else {
  const current = git('config', '--local', '--get', 'core.hooksPath');
  if (current === HOOKS_DIR) {
    say(`core.hooksPath is already ${HOOKS_DIR}`);
  } else if (current) {
    say(
      `core.hooksPath is ${current}, leaving it; run \`git config core.hooksPath ${HOOKS_DIR}\` to use ours`,
    );
  } else if (git('config', '--local', 'core.hooksPath', HOOKS_DIR) === null) {
    say(`could not set core.hooksPath; run \`git config core.hooksPath ${HOOKS_DIR}\` yourself`);
  } else {
    say(
      `core.hooksPath set to ${HOOKS_DIR} (pre-commit: ESLint, Prettier, type check, secretlint on staged files)`,
    );
  }
}
