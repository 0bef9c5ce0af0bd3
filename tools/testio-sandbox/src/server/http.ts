import type { Response } from 'express';
import { type MalformedKind, malform } from '../faults.js';

const JSON_TYPE = 'application/json; charset=utf-8';

/** Thrown by handlers; the error middleware turns it into `{"error": message}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function notFound(what: string): HttpError {
  return new HttpError(404, `${what} not found`);
}

function malformedKind(res: Response): MalformedKind | undefined {
  return res.locals['malformed'] as MalformedKind | undefined;
}

export function sendJson(res: Response, body: unknown, status = 200): void {
  const json = JSON.stringify(body);
  const kind = malformedKind(res);
  if (kind) {
    const broken = malform(kind, json);
    res.status(200).type(broken.contentType).send(broken.body);
    return;
  }
  res.status(status).type(JSON_TYPE).send(json);
}

export function sendError(res: Response, status: number, message: string): void {
  sendJson(res, { error: message }, status);
}

const FLUSH_AT = 256 * 1024;

/**
 * `{"<key>": [...]}` written as it is generated: a product-wide bug list at the `large` scale is far
 * bigger than anything worth holding as one string.
 */
export async function sendJsonList(res: Response, key: string, items: Iterable<string>): Promise<void> {
  const kind = malformedKind(res);
  if (kind) {
    sendJson(res, JSON.parse(`{${JSON.stringify(key)}:[${[...items].join(',')}]}`));
    return;
  }
  res.status(200).type(JSON_TYPE);
  let buffer = `{${JSON.stringify(key)}:[`;
  let first = true;
  for (const item of items) {
    buffer += first ? item : `,${item}`;
    first = false;
    if (buffer.length >= FLUSH_AT) {
      const flushed = res.write(buffer);
      buffer = '';
      if (!flushed) await drainedOrClosed(res);
      if (res.destroyed) return;
    }
  }
  res.end(`${buffer}]}`);
}

function drainedOrClosed(res: Response): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

/** Path ids are plain digits; anything else names no resource. */
export function parseId(value: unknown): number | null {
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) return null;
  return Number(value);
}

export function requireId(value: unknown, what: string): number {
  const id = parseId(value);
  if (id === null) throw notFound(what);
  return id;
}

/** Comma-separated (or repeated) integer lists, as in `filter_test_cycle_ids=1,2`. */
export function parseIdList(value: unknown, name: string): number[] | null {
  if (value === undefined) return null;
  const raw = (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(','));
  const ids: number[] = [];
  for (const part of raw) {
    const trimmed = part.trim();
    if (trimmed === '') continue;
    if (!/^\d{1,15}$/.test(trimmed))
      throw new HttpError(400, `${name} must be comma-separated integers, got "${part}"`);
    ids.push(Number(trimmed));
  }
  return ids;
}

export function singleQuery(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.length > 0 ? String(value[value.length - 1]) : undefined;
  return value === undefined ? undefined : String(value);
}
