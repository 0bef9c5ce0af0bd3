import { describe, expect, it, vi } from 'vitest';
import { waitForStop } from './stop-signal.js';

describe('waitForStop', () => {
  it('resolves with the first signal, forces the exit on a second one, and lets go when done', async () => {
    const exits: number[] = [];
    const reports: string[] = [];
    const waiting = waitForStop({
      graceSeconds: 30,
      exit: (code) => exits.push(code),
      report: (m) => reports.push(m),
    });
    process.emit('SIGTERM', 'SIGTERM');
    const stop = await waiting;
    expect(stop.reason).toBe('SIGTERM');
    expect(exits).toEqual([]);
    process.emit('SIGINT', 'SIGINT');
    expect(exits).toEqual([130]);
    expect(reports[0]).toContain('second SIGINT');
    stop.done();
    expect(process.listenerCount('SIGINT')).toBe(0);
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });

  it('exits with status 1 when the shutdown outlasts the grace period', async () => {
    // Fake timers: the grace period passes when the test says so, not after a guessed real wait.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const exits: number[] = [];
      const controller = new AbortController();
      const waiting = waitForStop({
        graceSeconds: 0.05,
        signal: controller.signal,
        exit: (code) => exits.push(code),
        report: () => undefined,
      });
      controller.abort();
      const stop = await waiting;
      expect(stop.reason).toBe('abort');
      vi.advanceTimersByTime(49);
      expect(exits).toEqual([]);
      vi.advanceTimersByTime(1);
      expect(exits).toEqual([1]);
      stop.done();
    } finally {
      vi.useRealTimers();
    }
  });

  it('stops for another reason too, e.g. stdin closed', async () => {
    const stop = await waitForStop({
      graceSeconds: 5,
      also: Promise.resolve('stdin closed'),
      exit: () => undefined,
    });
    expect(stop.reason).toBe('stdin closed');
    stop.done();
  });
});
