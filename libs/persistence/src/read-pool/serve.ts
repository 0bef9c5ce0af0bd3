import type { Logger } from '@testio-mcp/domain';
import type { ReadHandler } from './handler.js';
import { laneOf, serializeError, type FromWorker, type ToWorker } from './protocol.js';

/** The worker's end of its channel to the pool (`parentPort`, or a `MessagePort` in tests). */
export interface ReadWorkerPort {
  postMessage(message: FromWorker): void;
  on(event: 'message', listener: (message: ToWorker) => void): unknown;
}

/** A logger whose warnings and errors (a failed search) go to the serving thread's logger. */
export function forwardingLogger(port: Pick<ReadWorkerPort, 'postMessage'>): Logger {
  const forward =
    (level: 'error' | 'warn') =>
    (obj: object | string, msg?: string): void => {
      const err = typeof obj === 'object' ? (obj as { err?: unknown }).err : undefined;
      port.postMessage({
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
  return logger;
}

export interface ServeReadsOptions {
  /** Tests only: heavy calls wait until element 0 is non-zero (see `ReadWorkerData.holdHeavy`). */
  readonly hold?: Int32Array;
  /** The pool asked the worker to stop: close the connection and leave. */
  readonly onClose: () => void;
}

/** What a read worker does with its channel: answer each call, say when it is ready, stop when told. */
export function serveReads(port: ReadWorkerPort, handle: ReadHandler, options: ServeReadsOptions): void {
  port.on('message', (message) => {
    if (message.type === 'close') {
      options.onClose();
      return;
    }
    const { id, port: name, method, args } = message;
    if (options.hold && laneOf(name, method) === 'heavy') Atomics.wait(options.hold, 0, 0);
    handle(name, method, args).then(
      (value) => port.postMessage({ type: 'result', id, value }),
      (error: unknown) => port.postMessage({ type: 'error', id, error: serializeError(error) }),
    );
  });
  port.postMessage({ type: 'ready' });
}
