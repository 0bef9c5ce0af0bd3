import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface LocalServer {
  /** `http://127.0.0.1:<port>/customer/v2` */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** Highest number of requests being handled at the same time. */
  readonly maxInFlight: number;
  setHandler(handler: Handler): void;
  close(): Promise<void>;
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

/** A tiny real HTTP server on 127.0.0.1 that records requests and measures concurrency. */
export async function startLocalServer(
  initial: Handler = (_req, res) => json(res, 200, {}),
): Promise<LocalServer> {
  let handler = initial;
  let inFlight = 0;
  let maxInFlight = 0;
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        inFlight--;
      }
    };
    res.on('close', finish);
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    Promise.resolve(handler(req, res)).catch(() => {
      if (!res.headersSent) json(res, 500, { error: 'fixture failure' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/customer/v2`,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    setHandler: (h) => {
      handler = h;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A counting pass-through proxy: forwards every request to `targetOrigin` (e.g. the sandbox) and
 * records how many were in flight at once, so a concurrency cap can be checked on the wire.
 */
export async function startCountingProxy(targetOrigin: string): Promise<LocalServer> {
  const { request } = await import('node:http');
  const target = new URL(targetOrigin);
  return startLocalServer(
    (req, res) =>
      new Promise<void>((resolve) => {
        const upstream = request(
          {
            host: target.hostname,
            port: target.port,
            method: req.method,
            path: req.url,
            headers: req.headers,
          },
          (upRes) => {
            res.writeHead(upRes.statusCode ?? 502, upRes.headers);
            upRes.pipe(res);
            upRes.on('end', resolve);
          },
        );
        upstream.on('error', () => {
          if (!res.headersSent) json(res, 502, { error: 'proxy failure' });
          resolve();
        });
        req.pipe(upstream);
      }),
  );
}
