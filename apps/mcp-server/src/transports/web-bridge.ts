import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';

/**
 * The SDK's HTTP entry (`createMcpHandler`) is web-standard: a `Request` in, a `Response` out. These two
 * functions bridge it to express, which has already parsed the JSON body (the SDK takes it as
 * `parsedBody`), instead of adding `@modelcontextprotocol/node` and its Hono dependencies for it.
 */

/** The headers and method of an express request as a web `Request`, aborted when the client goes away. */
export function toWebRequest(req: ExpressRequest, res: ExpressResponse): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    for (const v of Array.isArray(value) ? value : [value]) headers.append(name, v);
  }
  const controller = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) controller.abort();
  });
  return new Request(`${req.protocol}://${req.get('host') ?? 'localhost'}${req.originalUrl}`, {
    method: req.method,
    headers,
    signal: controller.signal,
  });
}

/** Writes a web `Response` (JSON or an SSE stream) to express, streaming the body as it comes. */
export async function sendWebResponse(response: Response, res: ExpressResponse): Promise<void> {
  res.status(response.status);
  response.headers.forEach((value, name) => res.setHeader(name, value));
  if (!response.body) {
    res.end();
    return;
  }
  res.flushHeaders();
  const body = Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>);
  res.on('close', () => body.destroy());
  await new Promise<void>((resolve) => {
    body.on('error', () => {
      // The client went away mid-stream; nothing is left to answer.
      res.end();
      resolve();
    });
    body.on('end', resolve);
    body.pipe(res);
  });
}
