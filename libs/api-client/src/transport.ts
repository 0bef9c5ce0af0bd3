import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { type AxiosAdapter, type AxiosInstance } from 'axios';
import axiosRetry from 'axios-retry';
import PQueue from 'p-queue';
import type { Logger } from '@testio-mcp/domain';
import type { ResolvedClientOptions, TestIOClientOptions } from './options.js';
import { createRetryConfig } from './retry.js';

export interface TransportStats {
  /** Attempts currently on the wire. */
  readonly inFlight: number;
  /** Attempts waiting for a free slot. */
  readonly queued: number;
  /** HTTP requests sent since the client was created, retries and page re-reads included. */
  readonly requests: number;
  /** Of those, the ones that got no response or an error status (4xx/5xx). */
  readonly failedRequests: number;
}

export interface Transport {
  readonly http: AxiosInstance;
  stats(): TransportStats;
  /** Destroys the keep-alive agents this transport created (not agents passed in by the caller). */
  close(): void;
}

/**
 * How long an idle keep-alive socket is kept for the next request. Without a `timeout`, Node's agent keeps
 * a free socket forever and ignores the server's `Keep-Alive: timeout=N` hint (it only lowers a timeout it
 * already has), so the server closes the socket first: a request sent on it at that moment gets no answer
 * (ECONNRESET / socket hang up) and is retried, an upstream call the server never saw. With a timeout the
 * agent closes an idle socket itself, 1 s before the server's announced timeout, and never after 4 s (below
 * Node's own server default of 5 s, the shortest idle timeout servers commonly use). Each request's own
 * socket timeout is axios' `timeout`, so this applies to idle sockets only.
 */
export const FREE_SOCKET_TIMEOUT_MS = 4_000;

/**
 * The axios instance behind a client.
 *
 * Concurrency: the cap applies to **attempts**, not calls. The queue wraps axios' HTTP adapter, so
 * every attempt (first try and each retry) takes a slot only while it is on the wire; a request
 * sleeping in a retry backoff or a `Retry-After` wait holds no slot. At most `maxConcurrentRequests`
 * HTTP requests of this client are ever in flight, whatever mix of calls is running.
 */
export function createTransport(
  options: ResolvedClientOptions,
  agents: Pick<TestIOClientOptions, 'httpAgent' | 'httpsAgent'>,
  logger: Logger,
): Transport {
  const owned: Array<HttpAgent | HttpsAgent> = [];
  const agentOptions = {
    keepAlive: true,
    maxSockets: options.maxConcurrentRequests,
    maxFreeSockets: options.maxConcurrentRequests,
    timeout: FREE_SOCKET_TIMEOUT_MS,
  };
  const httpAgent = agents.httpAgent ?? new HttpAgent(agentOptions);
  const httpsAgent = agents.httpsAgent ?? new HttpsAgent(agentOptions);
  if (!agents.httpAgent) owned.push(httpAgent);
  if (!agents.httpsAgent) owned.push(httpsAgent);

  const queue = new PQueue({ concurrency: options.maxConcurrentRequests });
  const httpAdapter = axios.getAdapter('http');
  let requests = 0;
  let failedRequests = 0;
  const adapter: AxiosAdapter = (config) =>
    queue.add(
      async () => {
        requests++;
        try {
          const response = await httpAdapter(config);
          if (response.status >= 400) failedRequests++;
          return response;
        } catch (error) {
          failedRequests++;
          throw error;
        }
      },
      { signal: (config.signal as AbortSignal | undefined) ?? undefined },
    );

  const http = axios.create({
    baseURL: options.baseUrl,
    allowAbsoluteUrls: false,
    timeout: options.timeoutMs,
    headers: {
      Authorization: `Token ${options.token}`,
      Accept: 'application/json',
      'User-Agent': options.userAgent,
    },
    httpAgent,
    httpsAgent,
    adapter,
    // Redirects could carry the Authorization header elsewhere; TestIO does not use them.
    maxRedirects: 0,
    // The body is parsed and validated by us (see parse.ts) so a broken body gets a precise error.
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
    transitional: { clarifyTimeoutError: true, forcedJSONParsing: false, silentJSONParsing: true },
  });
  axiosRetry(http, createRetryConfig(options, logger));

  return {
    http,
    stats: () => ({ inFlight: queue.pending, queued: queue.size, requests, failedRequests }),
    close: () => {
      queue.clear();
      for (const agent of owned) agent.destroy();
    },
  };
}
