import {
  createLogDestination,
  loggingFromSettings,
  rootLoggerOptions,
  type LoggingSettings,
  type RootLoggerOptions,
} from '@testio-mcp/app-runtime';
import { referenceOnlySettingWarnings, type EnvRecord, type Logger } from '@testio-mcp/domain';
import { pino } from 'pino';

/**
 * The process's root logger: stderr (text on a terminal, JSON otherwise), plus the rotated JSON file of
 * LOG_FILE when set; tokens and keys redacted in both. Everything but pino itself lives in
 * libs/app-runtime; libraries get child loggers and never create one.
 */
export function createRootLogger(options: RootLoggerOptions): Logger & pino.Logger {
  return pino(rootLoggerOptions(options), createLogDestination(options));
}

/**
 * The root logger of one process (`mcp-server`, `rest-api`, `sync-worker`, ...) from its settings, every
 * line marked `demo` in demo mode; then one warning per setting carried over from the reference that is
 * replaced or unused: not an error, but never silently ignored.
 */
export function createProcessLogger(
  settings: LoggingSettings,
  env: EnvRecord,
  base: { readonly process: string; readonly demo: boolean },
): Logger & pino.Logger {
  const logger = createRootLogger({
    ...loggingFromSettings(settings),
    base: { process: base.process, ...(base.demo ? { demo: true } : {}) },
  });
  for (const { variable, message } of referenceOnlySettingWarnings(env)) logger.warn({ variable }, message);
  return logger;
}
