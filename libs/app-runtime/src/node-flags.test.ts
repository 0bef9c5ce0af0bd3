import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { HEAP_FLAGS, heapFlagsFor } from './node-flags.js';

describe('heapFlagsFor', () => {
  it('gives every heap flag when NODE_OPTIONS sets none', () => {
    expect(heapFlagsFor({})).toEqual([...HEAP_FLAGS]);
    expect(heapFlagsFor({ NODE_OPTIONS: '--enable-source-maps' })).toEqual([...HEAP_FLAGS]);
  });

  it('leaves out a limit the person set in NODE_OPTIONS, whichever spelling they used', () => {
    expect(heapFlagsFor({ NODE_OPTIONS: '--max-old-space-size=4096' })).toEqual(
      HEAP_FLAGS.filter((f) => !f.startsWith('--max-old-space-size')),
    );
    expect(heapFlagsFor({ NODE_OPTIONS: '--trace-warnings --max_semi_space_size=32' })).toEqual(
      HEAP_FLAGS.filter((f) => !f.startsWith('--max-semi-space-size')),
    );
  });

  it('are flags this Node accepts and applies', () => {
    const result = spawnSync(
      process.execPath,
      [
        ...HEAP_FLAGS,
        '-e',
        "process.stdout.write(String(require('v8').getHeapStatistics().heap_size_limit))",
      ],
      // FORCE_COLOR (set by Nx) would make console.log colour the number; write it plainly instead.
      { encoding: 'utf8' },
    );
    expect(result.status, result.stderr).toBe(0);
    const oldSpaceMb = Number(/--max-old-space-size=(\d+)/.exec(HEAP_FLAGS.join(' '))?.[1]);
    // The heap limit is old space plus young generation: above the old-space cap, far below Node's default.
    const limitMb = Number(result.stdout.trim()) / 1024 / 1024;
    expect(limitMb).toBeGreaterThanOrEqual(oldSpaceMb);
    expect(limitMb).toBeLessThan(oldSpaceMb + 100);
  });
});
