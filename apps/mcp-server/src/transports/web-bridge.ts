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

/**
 * Writes a web `Response` to express. A JSON answer (and any other complete body) is read whole and sent
 * with one `end()`: headers and body leave in one write with a Content-Length. An SSE stream is streamed
 * as it comes, but every frame that is ready in the same tick (the headers, a call's result and the end
 * of the stream, for a call that sent no progress) is corked into one write: each write to a socket is a
 * system call and, on loopback, the receiver's TCP work too, which made three writes per answer the
 * largest share of a light call's CPU (docs/performance.md, "Issue 18: the cost of a call").
 */
export async function sendWebResponse(response: Response, res: ExpressResponse): Promise<void> {
  res.status(response.status);
  response.headers.forEach((value, name) => res.setHeader(name, value));
  if (!response.body) {
    res.end();
    return;
  }
  if (!isEventStream(response.headers.get('content-type'))) {
    res.end(Buffer.from(await response.arrayBuffer()));
    return;
  }
  const reader = response.body.getReader();
  res.on('close', () => {
    // The client went away: stop the stream (its end tears the per-request server down).
    reader.cancel().catch(() => undefined);
  });
  let corked = false;
  const cork = () => {
    if (corked) return;
    corked = true;
    res.cork();
    process.nextTick(() => {
      corked = false;
      res.uncork();
    });
  };
  // No flushHeaders(): the headers leave with the first frame (as a Node adapter of the web API does),
  // which for most calls is the result itself.
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (res.destroyed) return;
      cork();
      if (done) break;
      res.write(value);
    }
  } catch {
    // The client went away mid-stream, or the stream failed; nothing is left to answer.
  }
  res.end();
}

function isEventStream(contentType: string | null): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'text/event-stream';
}
