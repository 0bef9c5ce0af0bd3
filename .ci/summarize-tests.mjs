// Reads the output of `npm test` on stdin and prints one closing line, 'N passed, N failed', summed
// over every vitest run, so CI can tell how many tests ran without knowing Nx or vitest.
import { createInterface } from 'node:readline';

let passed = 0;
let failed = 0;
let skipped = 0;
for await (const raw of createInterface({ input: process.stdin })) {
  // eslint-disable-next-line no-control-regex
  const line = raw.replace(/\u001b\[[0-9;]*m/g, '');
  const match = line.match(/^\S*:?\s*Tests\s+(.*)\(\d+\)\s*$/);
  if (!match) continue;
  for (const [, n, kind] of match[1].matchAll(/(\d+) (passed|failed|skipped|todo)/g)) {
    if (kind === 'passed') passed += Number(n);
    else if (kind === 'failed') failed += Number(n);
    else skipped += Number(n);
  }
}
process.stdout.write(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
