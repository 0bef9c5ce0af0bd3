import type { SyncProgress } from '@testio-mcp/sync';

/**
 * Shows a sync's progress: on a terminal, one status line rewritten in place; elsewhere (CI, pipes,
 * log files), plain lines at phase and product boundaries only, so logs stay readable.
 */

export interface ProgressDisplay {
  update(progress: SyncProgress): void;
  /** Clears the live line, if any, before a summary is printed. */
  finish(): void;
}

const PHASE_LABEL: Record<SyncProgress['phase'], string> = {
  products: 'products',
  features: 'features',
  tests: 'tests',
  bugs: 'bugs',
  done: 'done',
};

function describe(progress: SyncProgress): string {
  const product =
    progress.productCount > 0 && progress.phase !== 'products' && progress.phase !== 'done'
      ? ` [${Math.min(progress.productIndex + 1, progress.productCount)}/${progress.productCount}]`
      : '';
  const id = progress.productId !== undefined ? ` product ${progress.productId}` : '';
  const page = progress.page !== undefined ? ` page ${progress.page}` : '';
  const seen = progress.testsSeen !== undefined ? ` (${progress.testsSeen} tests seen)` : '';
  return `${PHASE_LABEL[progress.phase]}${product}${id}${page}${seen}: ${progress.message}`;
}

export function createProgressDisplay(out: NodeJS.WriteStream | NodeJS.WritableStream): ProgressDisplay {
  const isTTY = Boolean((out as NodeJS.WriteStream).isTTY);
  const columns = (): number => (out as NodeJS.WriteStream).columns ?? 100;

  if (isTTY) {
    let shown = false;
    return {
      update(progress) {
        const line = describe(progress);
        out.write(`\r\x1b[2K${line.length > columns() - 1 ? `${line.slice(0, columns() - 2)}…` : line}`);
        shown = true;
      },
      finish() {
        if (shown) out.write('\r\x1b[2K');
        shown = false;
      },
    };
  }

  let lastKey = '';
  return {
    update(progress) {
      // One line per phase and product: page-by-page detail would flood a log.
      const key = `${progress.phase}:${progress.productId ?? ''}`;
      if (key === lastKey) return;
      lastKey = key;
      out.write(`${describe(progress)}\n`);
    },
    finish() {
      // Plain lines leave nothing on screen to clear.
      lastKey = '';
    },
  };
}
