import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isProcessWarning, memoryTrace, probeHeapKb, runSoakBenchmark } from './soak.js';

/** `npm run bench -- soak` with tiny counts: it runs both processes to the end and writes its figures. */

const resultsDir = mkdtempSync(join(tmpdir(), 'testio-bench-soak-results-'));

afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

interface Trace {
  samples: number[];
  growthPercent: number;
}

interface SoakFigures {
  file: string;
  server: { errors: number; clients: number; rss: Trace; rssAnon: Trace; heap: Trace; warnings: string[] };
  worker: {
    cycles: number;
    failed: number;
    advances: number;
    rss: Trace;
    rssAnon: Trace;
    heap: Trace;
    warnings: string[];
  };
  benchWarnings: string[];
}

describe('soak benchmark', () => {
  it('runs the server through its calls and the worker through its cycles, sampling both, and writes JSON', async () => {
    const figures = (await runSoakBenchmark({
      scale: 'demo',
      calls: 60,
      cycles: 11,
      clients: 3,
      resultsDir,
    })) as SoakFigures;
    expect(figures.server.errors).toBe(0);
    expect(figures.server.clients).toBe(3);
    expect(figures.worker.cycles).toBe(11);
    expect(figures.worker.failed).toBe(0);
    // The sandbox's clock moved once (every tenth cycle), so the eleventh sync had changes to fetch.
    expect(figures.worker.advances).toBe(1);
    for (const soak of [figures.server, figures.worker]) {
      expect(soak.rss.samples.length).toBeGreaterThan(0);
      expect(soak.rssAnon.samples.length).toBe(soak.rss.samples.length);
      expect(soak.heap.samples.length).toBeGreaterThan(0);
      expect(soak.warnings).toEqual([]);
    }
    expect(figures.benchWarnings).toEqual([]);
    expect(existsSync(figures.file)).toBe(true);
    const written = JSON.parse(readFileSync(figures.file, 'utf8')) as { benchmark: string; figures: unknown };
    expect(written.benchmark).toBe('soak');
    expect(written.figures).toMatchObject({ worker: { cycles: 11 }, server: { errors: 0 } });
  }, 300_000);
});

describe('soak helpers', () => {
  it('measures growth from the end of the warm-up to the end, smoothed by medians', () => {
    const flat = memoryTrace([50, 100, 100, 101, 99, 100, 100, 100, 100, 100, 101, 99, 100]);
    expect(flat.growthPercent).toBe(0);
    const growing = memoryTrace(Array.from({ length: 40 }, (_, i) => 100 + i * 2));
    expect(growing.growthPercent).toBeGreaterThan(50);
  });

  it('reads the probe line and tells Node warnings from other output', () => {
    expect(probeHeapKb('bench-memory {"rss":1,"heapUsed":2048000,"heapTotal":3}')).toBe(2000);
    expect(probeHeapKb('{"level":30,"msg":"sync finished"}')).toBeNull();
    expect(
      isProcessWarning(
        '(node:123) MaxListenersExceededWarning: Possible EventTarget memory leak detected. 11 abort listeners added to [AbortSignal].',
      ),
    ).toBe(true);
    expect(isProcessWarning('{"msg":"a warning about nothing"}')).toBe(false);
  });
});
