import {
  isLegacyRequest,
  legacyStatelessFallback,
  WebStandardStreamableHTTPServerTransport,
  type LegacyHttpHandler,
  type McpServerFactory,
} from '@modelcontextprotocol/server';

/**
 * 2025-era (Streamable HTTP, stateless) requests, answered as JSON where nothing could be streamed.
 *
 * The SDK's legacy fallback answers every 2025 request with an SSE stream, even a call that can only
 * ever send its result: a stateless server has no session to push anything on, so before the result it
 * can send only progress (for a request that carries a `progressToken`) and a task's messages. Both
 * 2025 revisions let the server answer a request with `application/json` instead (the client must
 * accept both), which saves the stream, its framing and a write per call. Anything that could stream
 * (a progress token, a task, the `tasks/*` methods, a batch, a notification, a body that is not a
 * JSON-RPC request) still goes to the SDK's fallback, so its behaviour is unchanged.
 */

/** Whether a 2025-era body is one request that cannot receive anything before its result. */
export function answersOnlyItsResult(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const message = body as { jsonrpc?: unknown; id?: unknown; method?: unknown; params?: unknown };
  if (message.jsonrpc !== '2.0' || typeof message.method !== 'string') return false;
  if (typeof message.id !== 'string' && typeof message.id !== 'number') return false;
  if (message.method.startsWith('tasks/')) return false;
  if (message.params === undefined) return true;
  if (typeof message.params !== 'object' || message.params === null) return false;
  const params = message.params as { task?: unknown; _meta?: unknown };
  if (params.task !== undefined) return false;
  const meta = params._meta as { progressToken?: unknown } | undefined;
  return meta?.progressToken === undefined;
}

export interface LegacyRoute {
  /** Whether the request is 2025-era (the SDK's own classification, as `createMcpHandler` makes it). */
  isLegacy(request: Request, parsedBody: unknown): Promise<boolean>;
  readonly handle: LegacyHttpHandler;
}

/** The 2025-era leg in front of a `legacy: 'reject'` handler: JSON where possible, the SDK's SSE otherwise. */
export function legacyRoute(
  factory: McpServerFactory,
  onerror: (error: Error) => void,
  maxRequestBodySize: number,
): LegacyRoute {
  const streaming = legacyStatelessFallback(factory, onerror, { maxRequestBodySize });

  const json: LegacyHttpHandler = async (request, options) => {
    const product = await factory({
      era: 'legacy',
      ...(options?.authInfo !== undefined && { authInfo: options.authInfo }),
      requestInfo: request,
    });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
      maxRequestBodySize,
    });
    await product.connect(transport);
    // A client that goes away aborts the handler, as on the SSE leg.
    const teardown = (): void => {
      transport.close().catch(() => undefined);
      product.close().catch(() => undefined);
    };
    request.signal.addEventListener('abort', teardown, { once: true });
    try {
      return await transport.handleRequest(request, {
        ...(options?.authInfo !== undefined && { authInfo: options.authInfo }),
        ...(options?.parsedBody !== undefined && { parsedBody: options.parsedBody }),
      });
    } finally {
      request.signal.removeEventListener('abort', teardown);
      teardown();
    }
  };

  return {
    isLegacy: (request, parsedBody) => isLegacyRequest(request, parsedBody, { maxRequestBodySize }),
    handle: (request, options) =>
      answersOnlyItsResult(options?.parsedBody) ? json(request, options) : streaming(request, options),
  };
}
