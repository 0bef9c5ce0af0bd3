#!/usr/bin/env node
/**
 * The checks the pre-commit hook runs through lint-staged (lint-staged.config.mjs), one per call:
 *
 *   node tools/workspace-checks/scripts/staged-checks.mjs eslint|prettier|secretlint|typecheck FILE...
 *
 * (`projects FILE...` prints the Nx projects the type check would cover.)
 *
 * ESLint, Prettier and secretlint judge the STAGED content of each file (`git show :path`), which is what
 * the commit records, and never write to the work tree or the index: several people may share a checkout.
 * The type check runs the touched Nx projects' `typecheck` targets on the work tree (TypeScript cannot
 * check an index snapshot), with the Nx cache.
 *
 * Every staged file Prettier can parse must be formatted (the whole tree is, and `npm test` runs
 * `prettier --check .`). Fix with `npx prettier --write FILE`.
 *
 * Exit status: 0 when every file passes, 1 when one does not (the message names the file), 2 on misuse.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const PROJECT_PARENTS = ['apps', 'libs', 'tools'];
const TYPED = /\.(ts|mts|cts|tsx)$/;

/** The staged blob of a repository-relative path (honours GIT_INDEX_FILE), or null when not staged. */
function staged(rel) {
  return gitShow(`:${rel}`);
}

function gitShow(spec) {
  try {
    return execFileSync('git', ['show', spec], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return null;
  }
}

function rel(file) {
  return path.relative(ROOT, path.resolve(ROOT, file)).split(path.sep).join('/');
}

/**
 * Nx projects (name and root) of the workspace: every `project.json` one level under apps/, libs/ and
 * tools/, read from disk so a project created but not yet committed counts too.
 */
export function listProjects(root = ROOT) {
  const projects = [];
  for (const parent of PROJECT_PARENTS) {
    const dir = path.join(root, parent);
    if (!existsSync(dir)) continue;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name, 'project.json');
      if (!entry.isDirectory() || !existsSync(file)) continue;
      const { name } = JSON.parse(readFileSync(file, 'utf8'));
      projects.push({ name: name ?? entry.name, root: `${parent}/${entry.name}` });
    }
  }
  return projects;
}

/** The names of the projects whose TypeScript the given repository-relative paths touch, sorted. */
export function projectsToTypecheck(files, projects) {
  const names = new Set();
  for (const file of files) {
    if (!TYPED.test(file)) continue;
    const owner = projects
      .filter((p) => file.startsWith(`${p.root}/`))
      .sort((a, b) => b.root.length - a.root.length)[0];
    if (owner) names.add(owner.name);
  }
  return [...names].sort();
}

async function eslintCheck(files) {
  const { ESLint } = await import('eslint');
  // The module-boundary rule reads the cached project graph; make sure it exists and is current.
  const { createProjectGraphAsync } = await import('@nx/devkit');
  await createProjectGraphAsync({ exitOnError: false });
  const eslint = new ESLint({ cwd: ROOT });
  const results = [];
  for (const file of files) {
    const filePath = path.join(ROOT, file);
    if (await eslint.isPathIgnored(filePath)) continue;
    const code = staged(file);
    if (code === null) continue;
    results.push(...(await eslint.lintText(code, { filePath, warnIgnored: false })));
  }
  const problems = results.reduce((n, r) => n + r.errorCount + r.warningCount, 0);
  if (problems === 0) return 0;
  const formatter = await eslint.loadFormatter('stylish');
  process.stderr.write(await formatter.format(results));
  const failed = results.filter((r) => r.errorCount + r.warningCount > 0).map((r) => rel(r.filePath));
  process.stderr.write(`ESLint (--max-warnings=0) refused ${failed.join(', ')}\n`);
  return 1;
}

async function prettierCheck(files) {
  const prettier = await import('prettier');
  const ignorePath = [path.join(ROOT, '.prettierignore')];
  const unformatted = [];
  for (const file of files) {
    const filepath = path.join(ROOT, file);
    const info = await prettier.getFileInfo(filepath, { ignorePath });
    if (info.ignored || !info.inferredParser) continue;
    const code = staged(file);
    if (code === null) continue;
    const options = { ...(await prettier.resolveConfig(filepath)), filepath };
    // A file Prettier cannot parse is ESLint's and TypeScript's to report, with a better message.
    if ((await prettier.check(code, options).catch(() => null)) === false) unformatted.push(file);
  }
  if (unformatted.length === 0) return 0;
  process.stderr.write(
    `Prettier: not formatted: ${unformatted.join(', ')}\n` +
      `  fix: npx prettier --write ${unformatted.join(' ')} && git add ${unformatted.join(' ')}\n`,
  );
  return 1;
}

function secretlintCheck(files) {
  // secretlint reads files, so give it the staged blobs in a scratch copy of their paths.
  const scratch = mkdtempSync(path.join(tmpdir(), 'testio-secretlint-'));
  try {
    const written = [];
    for (const file of files) {
      const blob = execFileSyncOrNull(['cat-file', 'blob', `:${file}`]);
      if (blob === null) continue;
      mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
      writeFileSync(path.join(scratch, file), blob);
      written.push(file);
    }
    if (written.length === 0) return 0;
    copyFileSync(path.join(ROOT, '.secretlintignore'), path.join(scratch, '.secretlintignore'));
    const require = createRequire(path.join(ROOT, 'package.json'));
    const bin = path.join(path.dirname(require.resolve('secretlint/package.json')), 'bin/secretlint.js');
    const result = spawnSync(
      process.execPath,
      [
        bin,
        '--no-glob',
        ...(process.stderr.isTTY ? [] : ['--no-color']),
        '--secretlintrc',
        path.join(ROOT, '.secretlintrc.json'),
        '--secretlintignore',
        '.secretlintignore',
        ...written,
      ],
      { cwd: scratch, encoding: 'utf8' },
    );
    if (result.status === 0) return 0;
    const shown = `${result.stdout}${result.stderr}`.split(scratch + path.sep).join('');
    process.stderr.write(`${shown}\nsecretlint found what looks like a secret in the staged files above.\n`);
    process.stderr.write(
      '  Keep credentials in an untracked .env file; a deliberate fake belongs in .secretlintignore.\n',
    );
    return 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function execFileSyncOrNull(args) {
  try {
    return execFileSync('git', args, {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch {
    return null;
  }
}

function typecheck(files) {
  const names = projectsToTypecheck(files, listProjects());
  if (names.length === 0) return 0;
  const require = createRequire(path.join(ROOT, 'package.json'));
  const nxPackage = require.resolve('nx/package.json');
  const nx = path.join(path.dirname(nxPackage), JSON.parse(readFileSync(nxPackage, 'utf8')).bin.nx);
  process.stderr.write(`type check of ${names.join(', ')}\n`);
  const result = spawnSync(
    process.execPath,
    [
      nx,
      'run-many',
      '-t',
      'typecheck',
      '-p',
      names.join(','),
      '--outputStyle=static-failures-only',
      '--skipSync',
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      env: { ...process.env, NX_DAEMON: 'false' },
    },
  );
  if (result.status === 0) return 0;
  process.stderr.write(`${result.stdout}${result.stderr}\nType check failed in ${names.join(', ')}\n`);
  return 1;
}

/** Not a check: prints the projects `typecheck` would check for FILE..., one a line (for tests and debugging). */
function projects(files) {
  for (const name of projectsToTypecheck(files, listProjects())) process.stdout.write(`${name}\n`);
  return 0;
}

const CHECKS = {
  eslint: eslintCheck,
  prettier: prettierCheck,
  secretlint: secretlintCheck,
  typecheck,
  projects,
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [check, ...args] = process.argv.slice(2);
  const run = check ? CHECKS[check] : undefined;
  if (!run) {
    process.stderr.write(`usage: staged-checks.mjs ${Object.keys(CHECKS).join('|')} FILE...\n`);
    process.exit(2);
  }
  process.exitCode = await run(args.map(rel));
}
