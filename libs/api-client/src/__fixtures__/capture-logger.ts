import { inspect } from 'node:util';
import type { Logger } from '@testio-mcp/domain';

export interface CapturedLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly bindings: Record<string, unknown>;
  readonly obj: object | string;
  readonly msg: string | undefined;
}

export interface CaptureLogger extends Logger {
  readonly lines: CapturedLine[];
  /** Every line rendered as text (bindings, object and message), for "never logs X" assertions. */
  text(): string;
}

export function createCaptureLogger(): CaptureLogger {
  const lines: CapturedLine[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const log = (level: CapturedLine['level']) => (obj: object | string, msg?: string) => {
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
    text: () =>
      lines
        .map(
          (l) =>
            `${l.level} ${inspect(l.bindings, { depth: 10 })} ${inspect(l.obj, { depth: 10 })} ${l.msg ?? ''}`,
        )
        .join('\n'),
  };
}
