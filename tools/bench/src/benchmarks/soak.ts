import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyMirror, ensureMirror, pick, readSamples, rng } from '../mirror.js';
import { launchCli, productEnv, startMcpHttp, type Launched } from '../process.js';
import { formatTable, round, writeResult } from '../results.js';
import { startBenchSandbox, type Scale } from '../sandbox.js';

/**
 * `soak`: servers and workers run for weeks, so memory must stay flat and no listener may pile up on a
 * long-lived object. The server answers `--calls` tool calls over Streamable HTTP (plain JSON-RPC POSTs,
 * so the figures are the server's and not a client library's); the worker runs `--cycles` incremental
 * syncs against the sandbox. Resident memory (VmRSS) is sampled along the way; growth is measured from
 * the end of a warm-up (the first tenth) to the end, and any process warning (MaxListenersExceeded and
 * the like) is counted.
 */

export interface SoakBenchOptions {
  readonly scale: Scale;
  readonly calls: number;
  readonly cycles: number;
  readonly fresh?: boolean;
}

interface MemoryTrace {
  readonly samples: number[];
  readonly warmedUpKb: number;
  readonly finalKb: number;
  readonly maxKb: number;
  readonly growthPercent: number;
}

export function readVmRssKb(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+)\s*kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** Growth from the end of the warm-up to the end; the median of the last few samples smooths GC timing. */
export function memoryTrace(samples: readonly number[]): MemoryTrace {
  const settled = (slice: readonly number[]) => {
    const sorted = [...slice].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? 0;
  };
  const warmUpEnd = Math.max(1, Math.floor(samples.length / 10));
  const warmedUpKb = settled(samples.slice(warmUpEnd, warmUpEnd + 5));
  const finalKb = settled(samples.slice(-5));
  return {
    samples: [...samples],
    warmedUpKb,
    finalKb,
    maxKb: Math.max(0, ...samples),
    growthPercent: warmedUpKb > 0 ? round(((finalKb - warmedUpKb) / warmedUpKb) * 100, 1) : 0,
  };
}

/** Node's process warnings in a line of output, e.g. `(node:123) MaxListenersExceededWarning: …`. */
export function isProcessWarning(line: string): boolean {
  return /\(node:\d+\) \w*Warning:/.test(line);
}

/**
 * Watches a process's output line by line as it arrives (the captured output is capped, and a soak
 * writes more than the cap): keeps the warnings and calls `onLine` for every line.
 */
function lineWatcher(onLine: (line: string) => void = () => undefined) {
  const warnings: string[] = [];
  const partial = { stdout: '', stderr: '' };
  return {
    warnings,
    onOutput(text: string, stream: 'stdout' | 'stderr') {
      const lines = (partial[stream] + text).split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const line of lines) {
        if (isProcessWarning(line)) warnings.push(line);
        onLine(line);
      }
    },
  };
}

async function soakServer(
  env: NodeJS.ProcessEnv,
  dir: string,
  dbPath: string,
  calls: number,
): Promise<{ trace: MemoryTrace; warnings: string[]; errors: number; seconds: number }> {
  const watcher = lineWatcher();
  const server = await startMcpHttp(env, dir, watcher.onOutput);
  const samples = readSamples(dbPath, 200);
  const random = rng(11);
  const requests: Array<() => [string, Record<string, unknown>]> = [
    () => ['list_products', {}],
    () => ['get_product_summary', { product_id: pick(random, samples.productIds) }],
    () => ['get_test_summary', { test_id: pick(random, samples.testIds) }],
    () => ['list_tests', { product_id: pick(random, samples.productIds), per_page: 20 }],
    () => ['search', { query: pick(random, samples.words), limit: 10 }],
  ];
  const trace: number[] = [];
  const every = Math.max(1, Math.floor(calls / 200));
  let errors = 0;
  let firstError: string | null = null;
  const started = performance.now();
  try {
    for (let i = 0; i < calls; i++) {
      const [name, args] = (requests[i % requests.length] as () => [string, Record<string, unknown>])();
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id: i,
          method: 'tools/call',
          params: { name, arguments: args },
        }),
      });
      const text = await response.text();
      if (!response.ok || text.includes('"isError":true')) {
        errors++;
        firstError ??= `${name}: ${text.slice(0, 300)}`;
      }
      if (i % every === 0) {
        const kb = readVmRssKb(server.proc.pid);
        if (kb !== null) trace.push(kb);
        if (i % (every * 20) === 0) process.stderr.write(`server: ${i} of ${calls} calls\n`);
      }
    }
    if (firstError) process.stderr.write(`first failed call: ${firstError}\n`);
    return {
      trace: memoryTrace(trace),
      warnings: watcher.warnings,
      errors,
      seconds: round((performance.now() - started) / 1000, 1),
    };
  } finally {
    await server.proc.stop();
  }
}

async function soakWorker(
  env: NodeJS.ProcessEnv,
  dir: string,
  cycles: number,
): Promise<{ trace: MemoryTrace; warnings: string[]; cycles: number; seconds: number }> {
  const trace: number[] = [];
  let finished = 0;
  let exited = false;
  let onCycle: () => void = () => undefined;
  // Each 'sync finished' line is one cycle; RSS is read right after it.
  const watcher = lineWatcher((line) => {
    if (!line.includes('"msg":"sync finished"')) return;
    finished++;
    const kb = readVmRssKb(worker.pid);
    if (kb !== null) trace.push(kb);
    if (finished % 50 === 0) process.stderr.write(`worker: ${finished} of ${cycles} cycles\n`);
    onCycle();
  });
  // The shortest interval the worker accepts (1 s): each cycle is an incremental sync of a fresh-enough mirror.
  const worker: Launched = launchCli(['worker'], {
    env: { ...env, TESTIO_REFRESH_INTERVAL_SECONDS: '1', LOG_LEVEL: 'info' },
    cwd: dir,
    onOutput: watcher.onOutput,
  });
  void worker.exited.then(() => {
    exited = true;
    onCycle();
  });
  const started = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      onCycle = () => {
        if (finished >= cycles) resolve();
        else if (exited)
          reject(
            new Error(
              `the worker exited after ${finished} of ${cycles} cycles:\n${worker.err().slice(-2000)}`,
            ),
          );
      };
    });
    return {
      trace: memoryTrace(trace),
      warnings: watcher.warnings,
      cycles: finished,
      seconds: round((performance.now() - started) / 1000, 1),
    };
  } finally {
    await worker.stop();
  }
}

export async function runSoakBenchmark(options: SoakBenchOptions): Promise<unknown> {
  const mirror = await ensureMirror(options.scale, { fresh: options.fresh });
  const dir = mkdtempSync(join(tmpdir(), 'testio-bench-soak-'));
  const sandbox = await startBenchSandbox({ scale: options.scale });
  try {
    const dbPath = copyMirror(mirror, dir);
    // The worker logs at info (its 'sync finished' lines count the cycles, set in soakWorker); the server
    // at info too, because its ready line is an info line; the line watcher reads both as they come.
    const env = productEnv(sandbox, dbPath, { LOG_LEVEL: 'info', CACHE_TTL_SECONDS: '86400' });
    console.error(
      `soak benchmark: scale ${options.scale}, ${options.calls} server calls, ${options.cycles} worker cycles`,
    );
    const server = await soakServer(env, dir, dbPath, options.calls);
    const worker = await soakWorker(env, dir, options.cycles);
    const mb = (kb: number) => round(kb / 1024, 1);
    console.log(
      formatTable(
        ['process', 'work', 'seconds', 'RSS after warm-up MB', 'RSS at end MB', 'growth %', 'warnings'],
        [
          [
            'serve (http)',
            `${options.calls} calls, ${server.errors} errors`,
            server.seconds,
            mb(server.trace.warmedUpKb),
            mb(server.trace.finalKb),
            server.trace.growthPercent,
            server.warnings.length,
          ],
          [
            'worker',
            `${worker.cycles} incremental syncs`,
            worker.seconds,
            mb(worker.trace.warmedUpKb),
            mb(worker.trace.finalKb),
            worker.trace.growthPercent,
            worker.warnings.length,
          ],
        ],
      ),
    );
    for (const line of [...server.warnings, ...worker.warnings].slice(0, 10)) console.log(line);
    const figures = {
      server: { ...server, trace: { ...server.trace, samples: server.trace.samples.map(mb) } },
      worker: { ...worker, trace: { ...worker.trace, samples: worker.trace.samples.map(mb) } },
    };
    const file = writeResult({ benchmark: 'soak', scale: options.scale, options: { ...options }, figures });
    console.error(`results: ${file}`);
    return figures;
  } finally {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
