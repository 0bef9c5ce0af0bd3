export { formatTextLine, lineSplitter, textFormatter, type LogFormat } from './text-format.js';
export {
  createRotatingFile,
  resolveUserPath,
  type RotatingFile,
  type RotatingFileOptions,
} from './rotating-file.js';
export {
  createLogDestination,
  loggingFromSettings,
  REDACT_PATHS,
  rootLoggerOptions,
  type LogDestination,
  type LogFileOptions,
  type LoggingSettings,
  type LogLevel,
  type RootLoggerOptions,
} from './logging.js';
export { waitForStop, type StopReason, type StopRequest, type WaitForStopOptions } from './stop-signal.js';
export { HEAP_FLAGS, heapFlagsFor } from './node-flags.js';
