import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ReadWorkerData } from './worker.js';

/** Set by the package build (tools/package): the bundled worker's file, relative to the bundle's chunks. */
declare const TESTIO_MCP_BUNDLED_READ_WORKER: string | undefined;

/**
 * A checkout runs the TypeScript sources through tsx, which a worker thread does not inherit on Node 20:
 * the worker starts from a few lines of JavaScript that register tsx and then import the worker module.
 */
const TSX_BOOTSTRAP = `
const { workerData } = require('node:worker_threads');
import(workerData.tsx)
  .then(({ register }) => { register(); return import(workerData.entry); })
  .catch((error) => { process.nextTick(() => { throw error; }); });
`;

/**
 * A worker's heap, bounded like the serving process' own (ADR 0011): its live set is one answer at a
 * time (a report over every test at `large` is tens of MB); past the limit the worker dies, its call
 * fails with a clear error and a new worker takes over, where an unbounded heap would grow the RSS.
 */
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 128, maxYoungGenerationSizeMb: 24 };

export function startReadWorker(data: ReadWorkerData): Worker {
  if (typeof TESTIO_MCP_BUNDLED_READ_WORKER === 'string') {
    return new Worker(new URL(TESTIO_MCP_BUNDLED_READ_WORKER, import.meta.url), {
      workerData: data,
      resourceLimits: RESOURCE_LIMITS,
    });
  }
  const entry = new URL('./worker.ts', import.meta.url).href;
  return new Worker(TSX_BOOTSTRAP, {
    eval: true,
    workerData: { ...data, entry, tsx: tsxEsmApi() },
    resourceLimits: RESOURCE_LIMITS,
  });
}

/** tsx's ESM register API (its CommonJS twin cannot be imported from a worker's eval code). */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const { exports } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    exports: { './esm/api': { import: { default: string } } };
  };
  return pathToFileURL(join(dirname(manifest), exports['./esm/api'].import.default)).href;
}
