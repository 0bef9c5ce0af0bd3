/**
 * How long-running commands stop: the first SIGINT or SIGTERM (or the abort signal, or another reason
 * such as "stdin closed") starts a clean shutdown that must finish within the grace period; past it, or
 * on a second SIGINT/SIGTERM, the process exits at once (status 1 after the grace period, 130 after a
 * second SIGINT, 143 after a second SIGTERM).
 */

export type StopReason = NodeJS.Signals | 'abort' | (string & {});

export interface StopRequest {
  /** What asked to stop: `SIGINT`, `SIGTERM`, `abort`, or the reason `also` resolved with. */
  readonly reason: StopReason;
  /** The shutdown finished: cancels the grace timer and the second-signal handler. */
  done(): void;
}

export interface WaitForStopOptions {
  /** Seconds the shutdown may take after the first request (SHUTDOWN_GRACE_PERIOD_SECONDS). */
  readonly graceSeconds: number;
  /** Stops like SIGINT (tests, embedding). */
  readonly signal?: AbortSignal | undefined;
  /** Another reason to stop, e.g. the stdio client closing stdin. */
  readonly also?: Promise<string> | undefined;
  /** Where the forced-exit message goes; default stderr. */
  readonly report?: (message: string) => void;
  /** Default `process.exit`. */
  readonly exit?: (code: number) => void;
}

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export function waitForStop(options: WaitForStopOptions): Promise<StopRequest> {
  const report = options.report ?? ((message: string) => process.stderr.write(`${message}\n`));
  const exit = options.exit ?? ((code: number) => process.exit(code));
  return new Promise((resolve) => {
    let stopping = false;
    let grace: NodeJS.Timeout | undefined;
    const force = (signal: NodeJS.Signals) => {
      report(`second ${signal} received while stopping: exiting now`);
      exit(signal === 'SIGINT' ? 130 : 143);
    };
    const done = () => {
      if (grace) clearTimeout(grace);
      for (const s of SIGNALS) {
        process.off(s, first);
        process.off(s, force);
      }
    };
    const begin = (reason: StopReason) => {
      if (stopping) return;
      stopping = true;
      for (const s of SIGNALS) {
        process.off(s, first);
        process.on(s, force);
      }
      grace = setTimeout(() => {
        report(
          `shutdown took longer than the grace period (${options.graceSeconds} s, SHUTDOWN_GRACE_PERIOD_SECONDS): exiting now`,
        );
        exit(1);
      }, options.graceSeconds * 1000);
      grace.unref();
      resolve({ reason, done });
    };
    function first(signal: NodeJS.Signals) {
      begin(signal);
    }
    for (const s of SIGNALS) process.on(s, first);
    if (options.signal?.aborted) begin('abort');
    else options.signal?.addEventListener('abort', () => begin('abort'), { once: true });
    options.also?.then(begin, () => undefined);
  });
}
