import { performance } from 'node:perf_hooks';
import type { Logger } from '@testio-mcp/domain';
import type { SyncProgress } from './types.js';

export interface ProgressReporter {
  /** Reports at once when `always`, otherwise at most once per interval. Never throws. */
  report(progress: SyncProgress, always?: boolean): void;
}

/**
 * Wraps a caller's progress callback: per-page updates are throttled, phase and product boundaries
 * always go through, and a throwing callback is logged instead of breaking the sync.
 */
export function createProgressReporter(
  onProgress: ((progress: SyncProgress) => void) | undefined,
  intervalMs: number,
  logger: Logger,
): ProgressReporter {
  let last = Number.NEGATIVE_INFINITY;
  let warned = false;
  return {
    report(progress, always = false) {
      if (!onProgress) return;
      const now = performance.now();
      if (!always && now - last < intervalMs) return;
      last = now;
      try {
        onProgress(progress);
      } catch (error) {
        if (!warned) logger.warn({ err: error }, 'sync progress callback threw; ignoring it');
        warned = true;
      }
    },
  };
}
