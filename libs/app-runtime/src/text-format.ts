import { Writable } from 'node:stream';

/** How log lines look: `text` is compact and for people at a terminal, `json` one object per line for machines. */
export type LogFormat = 'json' | 'text';

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'process']);

function formatValue(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value);
}

/** One JSON log line (pino's shape) as `12:00:01 INFO  message key=value`; a line that is not JSON is kept as it is. */
export function formatTextLine(line: string): string {
  try {
    const record = JSON.parse(line) as Record<string, unknown>;
    const time = new Date(Number(record.time)).toISOString().slice(11, 19);
    const level = (LEVEL_NAMES[Number(record.level)] ?? String(record.level)).padEnd(5);
    const fields = Object.entries(record)
      .filter(([k]) => !HIDDEN.has(k))
      .map(([k, v]) => `${k}=${formatValue(v)}`)
      .join(' ');
    return `${time} ${level} ${String(record.msg ?? '')}${fields ? ` ${fields}` : ''}`;
  } catch {
    return line;
  }
}

/** Splits chunks into lines and hands each complete one to `onLine` (without its newline). */
export function lineSplitter(onLine: (line: string) => void): (chunk: string | Buffer) => void {
  let pending = '';
  return (chunk) => {
    pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      onLine(pending.slice(0, newline));
      pending = pending.slice(newline + 1);
      newline = pending.indexOf('\n');
    }
  };
}

/** A stream that renders the JSON lines written to it as text lines on `out`. */
export function textFormatter(out: NodeJS.WritableStream): Writable {
  const split = lineSplitter((line) => out.write(`${formatTextLine(line)}\n`));
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      split(chunk);
      done();
    },
  });
}
