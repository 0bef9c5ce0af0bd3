import type { Logger } from '@testio-mcp/domain';

export interface CapturedLogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly bindings: Record<string, unknown>;
  readonly obj: object | string;
  readonly msg: string | undefined;
}

export interface CaptureLogger extends Logger {
  readonly lines: CapturedLogLine[];
  /** Messages (the `msg` argument, or the string form) at the given level or any. */
  messages(level?: CapturedLogLine['level']): string[];
}

/** A `Logger` that keeps every line in memory, for assertions in tests. */
export function createCaptureLogger(): CaptureLogger {
  const lines: CapturedLogLine[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const log = (level: CapturedLogLine['level']) => (obj: object | string, msg?: string) => {
      lines.push({ level, bindings, obj, msg });
    };
    return {
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return {
    ...make({}),
    lines,
    messages: (level) =>
      lines
        .filter((l) => level === undefined || l.level === level)
        .map((l) => l.msg ?? (typeof l.obj === 'string' ? l.obj : '')),
  };
}
