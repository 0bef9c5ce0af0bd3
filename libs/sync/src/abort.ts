/** Thrown (or used as the abort reason) when a run is stopped through its signal. */
export class SyncAbortedError extends Error {
  constructor(message = 'The sync was cancelled') {
    super(message);
    this.name = 'SyncAbortedError';
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw signal.reason instanceof Error ? signal.reason : new SyncAbortedError();
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
