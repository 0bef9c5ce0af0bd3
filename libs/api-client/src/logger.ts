import type { Logger } from '@testio-mcp/domain';

const noop = (): void => undefined;

/** A logger that drops everything: the default when the caller passes none. */
export const noopLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => noopLogger,
};
