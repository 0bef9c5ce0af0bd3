import type { Clock } from '@testio-mcp/domain';

export interface TestClock extends Clock {
  /** Moves the clock forward; real time keeps flowing on top. */
  advance(ms: number): void;
}

/** Starts at `start` and flows with real time, so durations stay real while tests jump ahead. */
export function createTestClock(start: Date): TestClock {
  const realStart = Date.now();
  let offset = start.getTime() - realStart;
  return {
    now: () => new Date(Date.now() + offset),
    advance(ms) {
      offset += ms;
    },
  };
}
