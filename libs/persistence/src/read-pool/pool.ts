import type { Worker } from 'node:worker_threads';
import {
  DatabaseBusyError,
  type AnalyticsReader,
  type Logger,
  type MirrorReader,
  type SearchPort,
} from '@testio-mcp/domain';
import { DEFAULT_BUSY_TIMEOUT_MS } from '../sqlite.js';
import type { ReadHandler } from './handler.js';
import {
  ANALYTICS_LANES,
  laneOf,
  READER_LANES,
  reviveError,
  SEARCH_LANES,
  type FromWorker,
  type Lane,
  type PortName,
  type ToWorker,
} from './protocol.js';
import { startReadWorker } from './spawn.js';

/** The read ports a serving process answers from, wherever they run. */
export interface ReadPorts {
  readonly reader: MirrorReader;
  readonly analytics: AnalyticsReader;
  readonly search: SearchPort;
  /** Worker threads the ports use (0: every read on the serving thread). */
  readonly workers: number;
  /** Stops the workers (their current query finishes first); calls after it fail. */
  close(): Promise<void>;
}

export interface ReadPoolStats {
  readonly size: number;
  /** Threads running now (workers start at their first call). */
  readonly threads: number;
  readonly busy: number;
  readonly queued: number;
  /** Workers that stopped unexpectedly and were replaced. */
  readonly replaced: number;
}

export interface ReadPool extends ReadPorts {
  stats(): ReadPoolStats;
  /** Stops worker `index` as a crash would (tests and the bench): its call fails, a new worker takes over. */
  terminateWorker(index: number): Promise<void>;
}

export interface ReadPoolOptions {
  /** The mirror's file, already opened and migrated by the serving thread (WAL). */
  readonly path: string;
  readonly customerId: number;
  /** Worker threads, at least 1. */
  readonly size: number;
  /**
   * The ports on the serving thread's own connection. With one worker, light reads run here (they take
   * well under a millisecond) and the worker keeps the heavy ones off the loop.
   */
  readonly inLoop: ReadHandler;
  readonly logger?: Logger;
  readonly busyTimeoutMs?: number;
  /** Tests only: see `ReadWorkerData.holdHeavy`. */
  readonly holdHeavy?: SharedArrayBuffer;
}

interface Call {
  readonly id: number;
  readonly lane: Lane;
  readonly port: PortName;
  readonly method: string;
  readonly args: readonly unknown[];
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Slot {
  readonly index: number;
  worker?: Worker;
  /** The worker opened the mirror and said so. */
  ready: boolean;
  call?: Call;
  exited?: Promise<void>;
}

const CLOSE_GRACE_MS = 5_000;

function workerStopped(reason: string): DatabaseBusyError {
  return new DatabaseBusyError({
    message: 'The query was cut short: the thread running it stopped',
    reason,
    hint: 'Retry the request (a new thread has taken over); if it keeps happening, see the server log, or set TESTIO_READ_WORKERS=0 to read on the main thread',
  });
}

function shuttingDown(): DatabaseBusyError {
  return new DatabaseBusyError({
    message: 'The server is shutting down',
    reason: 'Its read threads are stopping, so no new query is started',
    hint: 'Retry once the server is back',
  });
}

/**
 * A pool of read worker threads (ADR 0027), each with its own read-only connection, behind the three
 * read ports. Calls queue per lane; a free worker takes a light call first, and heavy calls (analytics,
 * reports, search, table counts) hold at most `size - 1` workers at once, so one worker is always left
 * for light calls: a page of tests never waits behind a whole-account aggregate. Workers start at their
 * first call (all of them at once) and are unref'd while idle (an idle pool keeps no process alive).
 */
export function createReadPool(options: ReadPoolOptions): ReadPool {
  const size = Math.max(1, Math.trunc(options.size));
  const heavyLimit = Math.max(1, size - 1);
  const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
  const logger = options.logger;
  const slots: Slot[] = Array.from({ length: size }, (_, index) => ({ index, ready: false }));
  const queues: Record<Lane, Call[]> = { light: [], heavy: [] };
  let nextId = 1;
  let replaced = 0;
  let closing: Promise<void> | undefined;

  const heavyRunning = () => slots.filter((s) => s.call?.lane === 'heavy').length;

  const spawn = (slot: Slot): Worker => {
    const worker = startReadWorker({
      path: options.path,
      customerId: options.customerId,
      busyTimeoutMs,
      ...(options.holdHeavy ? { holdHeavy: options.holdHeavy } : {}),
    });
    slot.worker = worker;
    slot.ready = false;
    let failure: unknown;
    worker.on('message', (message: FromWorker) => onMessage(slot, worker, message));
    worker.on('error', (error) => {
      failure = error;
    });
    slot.exited = new Promise((resolve) => {
      worker.once('exit', (code) => {
        onExit(slot, worker, code, failure);
        resolve();
      });
    });
    worker.unref();
    return worker;
  };

  const onMessage = (slot: Slot, worker: Worker, message: FromWorker): void => {
    if (slot.worker !== worker) return;
    switch (message.type) {
      case 'ready':
        slot.ready = true;
        return;
      case 'log':
        logger?.[message.level](
          message.error ? { err: reviveError(message.error) } : {},
          `read worker ${slot.index}: ${message.message}`,
        );
        return;
      case 'result':
      case 'error': {
        const call = slot.call;
        if (!call || call.id !== message.id) return;
        slot.call = undefined;
        worker.unref();
        if (message.type === 'result') call.resolve(message.value);
        else call.reject(reviveError(message.error));
        pump();
      }
    }
  };

  const onExit = (slot: Slot, worker: Worker, code: number, failure: unknown): void => {
    if (slot.worker !== worker) return;
    const call = slot.call;
    const wasReady = slot.ready;
    slot.worker = undefined;
    slot.call = undefined;
    slot.ready = false;
    if (closing) {
      call?.reject(shuttingDown());
      return;
    }
    const why = failure instanceof Error ? `: ${failure.message}` : '';
    // A worker that failed before it opened the mirror would fail again; one stopped otherwise crashed.
    const crashed = wasReady || failure === undefined;
    logger?.error(
      { err: failure, worker: slot.index, exitCode: code, call: call ? `${call.port}.${call.method}` : null },
      crashed
        ? `read worker ${slot.index} stopped (exit code ${code})${why}; a new one takes its place`
        : `read worker ${slot.index} could not start (exit code ${code})${why}`,
    );
    if (crashed) {
      call?.reject(
        workerStopped(
          `The read thread running ${call.port}.${call.method} exited (code ${code}) before it answered`,
        ),
      );
      replaced++;
      spawn(slot);
    } else {
      // Fail what waits instead of starting worker after worker.
      const error = workerStopped(
        `A read thread could not open the mirror (exit code ${code}${why ? why.replace(/^:/, ',') : ''})`,
      );
      call?.reject(error);
      for (const lane of ['light', 'heavy'] as const) queues[lane].splice(0).forEach((c) => c.reject(error));
    }
    pump();
  };

  const assign = (slot: Slot, call: Call): void => {
    const worker = slot.worker ?? spawn(slot);
    slot.call = call;
    worker.ref();
    const message: ToWorker = {
      type: 'read',
      id: call.id,
      port: call.port,
      method: call.method,
      args: call.args,
    };
    try {
      worker.postMessage(message);
    } catch (error) {
      // Arguments the structured clone cannot copy (a function, a symbol): the caller's mistake.
      slot.call = undefined;
      worker.unref();
      call.reject(error);
    }
  };

  function pump(): void {
    for (;;) {
      const free = slots.find((s) => !s.call);
      if (!free) return;
      const light = queues.light.shift();
      if (light) {
        assign(free, light);
        continue;
      }
      if (heavyRunning() >= heavyLimit) return;
      const heavy = queues.heavy.shift();
      if (!heavy) return;
      assign(free, heavy);
    }
  }

  const call = (port: PortName, method: string, args: readonly unknown[]): Promise<unknown> => {
    const lane = laneOf(port, method) ?? 'heavy';
    if (closing) return Promise.reject(shuttingDown());
    if (size === 1 && lane === 'light') return options.inLoop(port, method, args);
    // The first call starts every worker, so a burst of calls right after it finds them ready.
    if (!slots.some((slot) => slot.worker)) for (const slot of slots) spawn(slot);
    return new Promise((resolve, reject) => {
      queues[lane].push({ id: nextId++, lane, port, method, args, resolve, reject });
      pump();
    });
  };

  const portOf = <T>(name: PortName, lanes: Readonly<Record<string, Lane>>): T =>
    Object.fromEntries(
      Object.keys(lanes).map((method) => [method, (...args: unknown[]) => call(name, method, args)]),
    ) as T;

  return {
    reader: portOf<MirrorReader>('reader', READER_LANES),
    analytics: portOf<AnalyticsReader>('analytics', ANALYTICS_LANES),
    search: portOf<SearchPort>('search', SEARCH_LANES),
    workers: size,
    stats: () => ({
      size,
      threads: slots.filter((s) => s.worker).length,
      busy: slots.filter((s) => s.call).length,
      queued: queues.light.length + queues.heavy.length,
      replaced,
    }),
    async terminateWorker(index) {
      const slot = slots[index];
      const worker = slot?.worker;
      if (!worker) return;
      const exited = slot.exited;
      await worker.terminate();
      await exited;
    },
    close() {
      closing ??= (async () => {
        for (const lane of ['light', 'heavy'] as const) {
          queues[lane].splice(0).forEach((c) => c.reject(shuttingDown()));
        }
        await Promise.all(
          slots.map(async (slot) => {
            const worker = slot.worker;
            if (!worker) return;
            const exited = slot.exited;
            worker.ref();
            worker.postMessage({ type: 'close' } satisfies ToWorker);
            let timer: NodeJS.Timeout | undefined;
            const late = new Promise<'late'>((resolve) => {
              timer = setTimeout(() => resolve('late'), CLOSE_GRACE_MS);
              timer.unref();
            });
            if ((await Promise.race([exited, late])) === 'late') await worker.terminate();
            clearTimeout(timer);
            await exited;
          }),
        );
      })();
      return closing;
    },
  };
}
