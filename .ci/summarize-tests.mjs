// Reads the output of `npm test` on stdin and prints the closing lines: 'N passed, N failed', summed over
// every vitest run, so CI can tell how many tests ran without knowing Nx or vitest; then the line and
// branch coverage of each project that measured it (vitest's text-summary, prefixed 'project:' by Nx).
import { createInterface } from 'node:readline';

let passed = 0;
let failed = 0;
let skipped = 0;
/** project -> { Lines, Branches } as printed, e.g. '97.53%'. */
const coverage = new Map();
for await (const raw of createInterface({ input: process.stdin })) {
  // eslint-disable-next-line no-control-regex
  const line = raw.replace(/\u001b\[[0-9;]*m/g, '');
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
