import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RunningSandbox } from '@testio-mcp/testio-sandbox';
import { callTool, connectMcp } from '../mcp.js';
import { copyMirror, ensureMirror, pick, readSamples, rng } from '../mirror.js';
import { MEMORY_PROBE } from '../paths.js';
import { launchCli, productEnv } from '../process.js';
import { formatTable, round, writeResult } from '../results.js';
import { startBenchSandbox, type Scale } from '../sandbox.js';

/**
 * `soak`: servers and workers run for weeks, so memory must stay flat and no listener may pile up on a
 * long-lived object. At the same time, on one mirror, as `testio-mcp start` runs them: the server answers
 * `--calls` read tool calls from a few SDK clients over Streamable HTTP, and the worker runs `--cycles`
 * incremental syncs against the sandbox, whose clock moves an hour every tenth cycle (new tests, status
 * changes, bug decisions, one deleted test), so the syncs have small changes to write. Resident memory
 * (VmRSS) and the V8 heap in use (through a probe preloaded into both processes, asked on SIGUSR2) are
 * sampled along the way; growth is measured from the end of a warm-up (the first tenth) to the end, and
 * every process warning (MaxListenersExceeded and the like) of the server, the worker and the bench's
 * own clients is counted.
 */

export interface SoakBenchOptions {
  readonly scale: Scale;
  readonly calls: number;
  readonly cycles: number;
  /** Concurrent SDK clients of the server (default 4). */
  readonly clients?: number;
  readonly fresh?: boolean;
  /** Where the results JSON goes (default bench-results/). */
  readonly resultsDir?: string;
}

/** The sandbox's clock moves this often (in cycles) and this far, so incremental syncs find changes. */
const ADVANCE_EVERY_CYCLES = 10;
const ADVANCE_HOURS = 1;

interface MemoryTrace {
  readonly samples: number[];
  readonly warmedUpKb: number;
  readonly finalKb: number;
  readonly maxKb: number;
  readonly growthPercent: number;
}

/**
 * VmRSS and its anonymous part (RssAnon: heaps, SQLite's page caches, buffers; not mapped files such as
 * the node binary), in kB, or null once the process is gone.
 */
export function readRssKb(pid: number): { rss: number; anon: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+)\s*kB/.exec(status);
    const anon = /RssAnon:\s+(\d+)\s*kB/.exec(status);
    return rss && anon ? { rss: Number(rss[1]), anon: Number(anon[1]) } : null;
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

/** The heap in use (kB) from a line the memory probe printed, or null for any other line. */
export function probeHeapKb(line: string): number | null {
  const match = /^bench-memory (\{.*\})$/.exec(line.trim());
  if (!match) return null;
  const figures = JSON.parse(match[1] as string) as { heapUsed?: unknown };
  return typeof figures.heapUsed === 'number' ? Math.round(figures.heapUsed / 1024) : null;
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

interface ProcessSoak {
  readonly rss: MemoryTrace;
  readonly rssAnon: MemoryTrace;
  readonly heap: MemoryTrace;
  readonly warnings: string[];
  readonly seconds: number;
}

/** A soaked process: launched with the memory probe; `sample()` reads its RSS and asks for its heap. */
function launchProbed(args: string[], env: NodeJS.ProcessEnv, dir: string, onLine: (line: string) => void) {
  const rss: number[] = [];
  const anon: number[] = [];
  const heap: number[] = [];
  const watcher = lineWatcher((line) => {
    const kb = probeHeapKb(line);
    if (kb !== null) heap.push(kb);
    else onLine(line);
  });
  const proc = launchCli(args, {
    env,
    cwd: dir,
    onOutput: watcher.onOutput,
    nodeArgs: ['--require', MEMORY_PROBE],
  });
  return {
    proc,
    watcher,
    sample() {
      const kb = readRssKb(proc.pid);
      if (kb === null) return;
      rss.push(kb.rss);
      anon.push(kb.anon);
      proc.child.kill('SIGUSR2');
    },
    traces: () => ({ rss: memoryTrace(rss), rssAnon: memoryTrace(anon), heap: memoryTrace(heap) }),
  };
}

async function soakServer(
  env: NodeJS.ProcessEnv,
  dir: string,
  dbPath: string,
  calls: number,
  clients: number,
): Promise<ProcessSoak & { errors: number; gone: number; firstError: string | null }> {
  const server = launchProbed(['serve', '--transport', 'http'], env, dir, () => undefined);
  const samples = readSamples(dbPath, 200);
  const requests: Array<(random: () => number) => [string, Record<string, unknown>]> = [
    () => ['list_products', {}],
    (r) => ['get_product_summary', { product_id: pick(r, samples.productIds) }],
    (r) => ['get_test_summary', { test_id: pick(r, samples.testIds) }],
    (r) => ['list_tests', { product_id: pick(r, samples.productIds), per_page: 20 }],
    (r) => ['search', { query: pick(r, samples.words), limit: 10 }],
  ];
  const every = Math.max(1, Math.floor(calls / 200));
  let next = 0;
  let errors = 0;
  // A test the worker removed after the sandbox deleted it: the right answer, not a failure.
  let gone = 0;
  let firstError: string | null = null;
  const connected: Client[] = [];
  try {
    const match = await server.proc.waitFor(/MCP server ready at (http:\/\/127\.0\.0\.1:\d+\/mcp)/);
    const url = match[1] as string;
    for (let k = 0; k < clients; k++) connected.push(await connectMcp(url, `soak-${k}`));
    const started = performance.now();
    // The clients share one counter, so the calls are spread over them as they free up.
    const loop = async (client: Client, seed: number) => {
      const random = rng(seed);
      for (let i = next++; i < calls; i = next++) {
        const [name, args] = (requests[i % requests.length] as (typeof requests)[number])(random);
        try {
          const answer = await callTool(client, name, args);
          if (answer.isError && answer.text.includes('deleted upstream')) gone++;
          else if (answer.isError) {
            errors++;
            firstError ??= `${name}: ${answer.text.slice(0, 300)}`;
          }
        } catch (error) {
          errors++;
          firstError ??= `${name}: ${error instanceof Error ? error.message : String(error)}`;
        }
        if (i % every === 0) {
          server.sample();
          if (i % (every * 20) === 0) process.stderr.write(`server: ${i} of ${calls} calls\n`);
        }
      }
    };
    await Promise.all(connected.map((client, k) => loop(client, 11 + k)));
    const seconds = round((performance.now() - started) / 1000, 1);
    // The last heap answer arrives after the signal: give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (firstError) process.stderr.write(`first failed call: ${firstError}\n`);
    return { ...server.traces(), warnings: server.watcher.warnings, errors, gone, firstError, seconds };
  } finally {
    await Promise.all(connected.map((client) => client.close()));
    await server.proc.stop();
  }
}

async function soakWorker(
  env: NodeJS.ProcessEnv,
  dir: string,
  sandbox: RunningSandbox,
  cycles: number,
): Promise<ProcessSoak & { cycles: number; failed: number; advances: number }> {
  let finished = 0;
  let failed = 0;
  let advances = 0;
  let exited = false;
  let onCycle: () => void = () => undefined;
  // Each 'sync finished' line is one cycle; RSS and heap are read right after it.
  const worker = launchProbed(
    ['worker'],
    // The shortest interval the worker accepts (1 s): each cycle is an incremental sync.
    { ...env, TESTIO_REFRESH_INTERVAL_SECONDS: '1', LOG_LEVEL: 'info' },
    dir,
    (line) => {
      if (!line.includes('"msg":"sync finished"')) return;
      finished++;
      if (!line.includes('"status":"success"')) failed++;
      worker.sample();
      if (finished % ADVANCE_EVERY_CYCLES === 0) {
        sandbox.advance({ hours: ADVANCE_HOURS });
        advances++;
      }
      if (finished % 50 === 0) process.stderr.write(`worker: ${finished} of ${cycles} cycles\n`);
      onCycle();
    },
  );
  void worker.proc.exited.then(() => {
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
              `the worker exited after ${finished} of ${cycles} cycles:\n${worker.proc.err().slice(-2000)}`,
            ),
          );
      };
    });
    const seconds = round((performance.now() - started) / 1000, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    return {
      ...worker.traces(),
      warnings: worker.watcher.warnings,
      cycles: finished,
      failed,
      advances,
      seconds,
    };
  } finally {
    await worker.proc.stop();
  }
}

/** Both soaks at once; when one fails the other still finishes before the sandbox goes. */
async function both<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

export async function runSoakBenchmark(options: SoakBenchOptions): Promise<unknown> {
  const clients = options.clients ?? 4;
  const mirror = await ensureMirror(options.scale, { fresh: options.fresh });
  const dir = mkdtempSync(join(tmpdir(), 'testio-bench-soak-'));
  const sandbox = await startBenchSandbox({ scale: options.scale });
  // The bench's own SDK clients: a MaxListenersExceededWarning in this process counts as well.
  const benchWarnings: string[] = [];
  const onWarning = (warning: Error) => benchWarnings.push(`${warning.name}: ${warning.message}`);
  process.on('warning', onWarning);
  try {
    const dbPath = copyMirror(mirror, dir);
    // Both processes log at info: the server's ready line and the worker's 'sync finished' lines (one
    // per cycle) are info lines; the line watcher reads them as they come. No rate limit: the soak's
    // clients are no abuse, and a 429 would be an error of the bench, not of the server.
    const env = productEnv(sandbox, dbPath, {
      LOG_LEVEL: 'info',
      CACHE_TTL_SECONDS: '86400',
      TESTIO_RATE_LIMIT_VIEWER: '0',
      TESTIO_RATE_LIMIT_OPERATOR: '0',
      TESTIO_RATE_LIMIT_ADMIN: '0',
    });
    console.error(
      `soak benchmark: scale ${options.scale}, ${options.calls} server calls from ${clients} clients, ${options.cycles} worker cycles, at the same time`,
    );
    const [server, worker] = await both(
      soakServer(env, dir, dbPath, options.calls, clients),
      soakWorker(env, dir, sandbox, options.cycles),
    );
    const mb = (kb: number) => round(kb / 1024, 1);
    const row = (name: string, work: string, soak: ProcessSoak) => [
      name,
      work,
      soak.seconds,
      mb(soak.rss.warmedUpKb),
      mb(soak.rss.finalKb),
      soak.rss.growthPercent,
      soak.rssAnon.growthPercent,
      mb(soak.heap.warmedUpKb),
      mb(soak.heap.finalKb),
      soak.heap.growthPercent,
      soak.warnings.length,
    ];
    console.log(
      formatTable(
        [
          'process',
          'work',
          'seconds',
          'RSS after warm-up MB',
          'RSS at end MB',
          'RSS growth %',
          'anon RSS growth %',
          'heap after warm-up MB',
          'heap at end MB',
          'heap growth %',
          'warnings',
        ],
        [
          row(
            'serve (http)',
            `${options.calls} calls, ${server.errors} errors, ${server.gone} deleted tests`,
            server,
          ),
          row('worker', `${worker.cycles} incremental syncs, ${worker.failed} failed`, worker),
        ],
      ),
    );
    console.log(`process warnings of the bench's own ${clients} SDK clients: ${benchWarnings.length}`);
    for (const line of [...server.warnings, ...worker.warnings, ...benchWarnings].slice(0, 10))
      console.log(line);
    const inMb = (trace: MemoryTrace) => ({
      ...trace,
      samples: trace.samples.map(mb),
      warmedUpMb: mb(trace.warmedUpKb),
      finalMb: mb(trace.finalKb),
      maxMb: mb(trace.maxKb),
    });
    const figures = {
      server: {
        ...server,
        clients,
        rss: inMb(server.rss),
        rssAnon: inMb(server.rssAnon),
        heap: inMb(server.heap),
      },
      worker: {
        ...worker,
        advanceEveryCycles: ADVANCE_EVERY_CYCLES,
        advanceHours: ADVANCE_HOURS,
        rss: inMb(worker.rss),
        rssAnon: inMb(worker.rssAnon),
        heap: inMb(worker.heap),
      },
      benchWarnings,
    };
    const file = writeResult(
      { benchmark: 'soak', scale: options.scale, options: { ...options, clients }, figures },
      options.resultsDir,
    );
    console.error(`results: ${file}`);
    return { ...figures, file };
  } finally {
    process.off('warning', onWarning);
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
