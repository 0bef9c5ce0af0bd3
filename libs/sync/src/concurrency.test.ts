import { describe, expect, it } from 'vitest';
import { forEachConcurrent } from './concurrency.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('forEachConcurrent', () => {
  it('runs every item with at most `limit` at a time', async () => {
    let running = 0;
    let peak = 0;
    const done: number[] = [];
    await forEachConcurrent([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      running++;
      peak = Math.max(peak, running);
      await tick(5);
      running--;
      done.push(item);
    });
    expect(peak).toBe(3);
    expect(done.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('starts nothing after a failure, waits for the running items, then throws the first failure', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = forEachConcurrent([1, 2, 3, 4], 2, async (item) => {
      started.push(item);
      if (item === 1) throw new Error('first');
      await tick(20);
      finished.push(item);
    });
    await expect(run).rejects.toThrow('first');
    expect(started).toEqual([1, 2]);
    expect(finished).toEqual([2]);
  });

  it('starts nothing once the signal is aborted', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    await forEachConcurrent(
      [1, 2, 3],
      1,
      async (item) => {
        started.push(item);
        controller.abort();
      },
      controller.signal,
    );
    expect(started).toEqual([1]);
  });
});
