import { createLogDestination, rootLoggerOptions, type RootLoggerOptions } from '@testio-mcp/app-runtime';
import type { Logger } from '@testio-mcp/domain';
import { pino } from 'pino';

export { textFormatter, type LogFormat, type RootLoggerOptions } from '@testio-mcp/app-runtime';

/**
 * The process's root logger: stderr (text on a terminal, JSON otherwise), plus the rotated JSON file of
 * LOG_FILE when set; tokens and keys redacted in both. Everything but pino itself is shared with the
 * other apps through libs/app-runtime; libraries get child loggers and never create one.
 */
export function createRootLogger(options: RootLoggerOptions): Logger & pino.Logger {
  return pino(rootLoggerOptions(options), createLogDestination(options));
}
