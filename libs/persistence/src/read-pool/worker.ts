import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Logger } from '@testio-mcp/domain';
import { createReadHandler } from './handler.js';
import { laneOf, serializeError, type FromWorker, type ToWorker } from './protocol.js';

/**
 * A read worker (ADR 0027): one thread, one read-only connection to the mirror, one request at a time.
 * The serving thread's pool sends it port calls by name and gets plain rows back.
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

const port = parentPort;
if (!port) throw new Error('the read worker runs in a worker thread');
const data = workerData as ReadWorkerData;
const post = (message: FromWorker) => port.postMessage(message);

// What the readers log (search failures) goes to the serving thread's logger.
const forward =
  (level: 'error' | 'warn') =>
  (obj: object | string, msg?: string): void => {
    const err = typeof obj === 'object' && obj !== null ? (obj as { err?: unknown }).err : undefined;
    post({
      type: 'log',
      level,
      message: msg ?? (typeof obj === 'string' ? obj : 'read worker'),
      ...(err === undefined ? {} : { error: serializeError(err) }),
    });
  };
const logger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: forward('warn'),
  error: forward('error'),
  child: () => logger,
};

// Read-only: the sync is the one writer. The file is already in WAL mode (the serving thread opened and
// migrated it), which a read-only connection keeps.
const db = new Database(data.path, { readonly: true, fileMustExist: true, timeout: data.busyTimeoutMs });
db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(data.busyTimeoutMs))}`);
const handle = createReadHandler(db, data.customerId, logger);
const hold = data.holdHeavy ? new Int32Array(data.holdHeavy) : undefined;

port.on('message', (message: ToWorker) => {
  if (message.type === 'close') {
    db.close();
    // tsx's module hooks (in a checkout) keep a port open: leave explicitly.
    process.exit(0);
  }
  const { id, port: name, method, args } = message;
  if (hold && laneOf(name, method) === 'heavy') Atomics.wait(hold, 0, 0);
  handle(name, method, args).then(
    (value) => post({ type: 'result', id, value }),
    (error: unknown) => post({ type: 'error', id, error: serializeError(error) }),
  );
});
post({ type: 'ready' });
