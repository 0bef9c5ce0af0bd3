// Reads the output of `npm test` on stdin and prints the closing lines: 'N passed, N failed', summed over
// every vitest run, so CI can tell how many tests ran without knowing Nx or vitest; then the line and
// branch coverage of each project that measured it (vitest's text-summary, prefixed 'project:' by Nx); then
// what went wrong, if anything: failed test files and tests, unhandled errors and the tasks Nx saw fail, so
// the tail of a CI log says why a suite failed even when the failure scrolled far up.
import { createInterface } from 'node:readline';

let passed = 0;
let failed = 0;
let skipped = 0;
/** project -> { Lines, Branches } as printed, e.g. '97.53%'. */
const coverage = new Map();
/** Distinct lines that say what failed, in order of appearance. */
const problems = new Set();
const MAX_PROBLEMS = 40;
let inFailedTasks = false;
let afterUnhandled = false;
for await (const raw of createInterface({ input: process.stdin })) {
  // eslint-disable-next-line no-control-regex
  const line = raw.replace(/\u001b\[[0-9;]*m/g, '');
  noteProblem(line);
  const figure = line.match(/^(?:(\S+):)?\s*(Lines|Branches)\s*:\s*([\d.]+%)/);
  if (figure) {
    const [, project = '(unnamed)', kind, percent] = figure;
    coverage.set(project, { ...coverage.get(project), [kind]: percent });
    continue;
  }
  const match = line.match(/^\S*:?\s*Tests\s+(.*)\(\d+\)\s*$/);
  if (!match) continue;
  for (const [, n, kind] of match[1].matchAll(/(\d+) (passed|failed|skipped|todo)/g)) {
    if (kind === 'passed') passed += Number(n);
    else if (kind === 'failed') failed += Number(n);
    else skipped += Number(n);
  }
}
function noteProblem(line) {
  const text = line.replace(/^\S+:\s/, '').trim();
  if (/^Failed tasks:|targets failed, including the following:/.test(text)) {
    inFailedTasks = true;
    return;
  }
  if (inFailedTasks) {
    if (/^- \S+/.test(text)) return add(`task failed: ${text.slice(2)}`);
    if (text !== '') inFailedTasks = false;
  }
  if (/^(FAIL|×|✗)\s+\S/.test(text)) return add(text);
  if (/Unhandled (Error|Rejection)/.test(text)) {
    afterUnhandled = true;
    return add(text.replace(/[⎯\s]+/g, ' ').trim());
  }
  if (afterUnhandled && /Error\b/.test(text)) {
    afterUnhandled = false;
    return add(`  ${text}`);
  }
}

function add(text) {
  if (problems.size < MAX_PROBLEMS) problems.add(text);
}

process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
if (coverage.size > 0) {
  const projects = [...coverage.keys()].sort();
  const width = Math.max(...projects.map((p) => p.length));
  process.stdout.write(`${'coverage'.padEnd(width + 4)}${'lines'.padStart(7)}  ${'branches'.padStart(8)}\n`);
  for (const project of projects) {
    const { Lines = '-', Branches = '-' } = coverage.get(project);
    process.stdout.write(`  ${project.padEnd(width)}  ${Lines.padStart(7)}  ${Branches.padStart(8)}\n`);
  }
}
if (problems.size > 0) {
  process.stdout.write('what failed:\n');
  for (const problem of problems) process.stdout.write(`  ${problem}\n`);
}
