import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { createReadHandler } from './handler.js';
import { forwardingLogger, serveReads, type ReadWorkerPort } from './serve.js';

/**
 * A read worker (ADR 0027): one thread, one read-only connection to the mirror, one request at a time.
 * The serving thread's pool sends it port calls by name and gets plain rows back (`serve.ts`).
 */

export interface ReadWorkerData {
  readonly path: string;
  readonly customerId: number;
  readonly busyTimeoutMs: number;
  /**
   * Tests only: heavy calls wait until element 0 of this buffer is non-zero, so a test can hold a heavy
   * query in flight for as long as it needs without timing anything.
   */
  readonly holdHeavy?: SharedArrayBuffer;
}

if (!parentPort) throw new Error('the read worker runs in a worker thread');
const port = parentPort as unknown as ReadWorkerPort;
const data = workerData as ReadWorkerData;

// Read-only: the sync is the one writer. The file is already in WAL mode (the serving thread opened and
// migrated it), which a read-only connection keeps.
const db = new Database(data.path, { readonly: true, fileMustExist: true, timeout: data.busyTimeoutMs });
db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(data.busyTimeoutMs))}`);
serveReads(port, createReadHandler(db, data.customerId, forwardingLogger(port)), {
  ...(data.holdHeavy ? { hold: new Int32Array(data.holdHeavy) } : {}),
  onClose: () => {
    db.close();
    // tsx's module hooks (in a checkout) keep a port open: leave explicitly.
    process.exit(0);
  },
});
