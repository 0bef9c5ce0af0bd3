import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';

/**
 * A `fetch` for the MCP SDK's `StreamableHTTPClientTransport` (its `fetch` option) that gives every
 * request a signal of its own.
 *
 * Why: the transport (SDK 1.32.2) passes one `AbortController.signal`, alive as long as the client, to
 * every request, and undici adds an `abort` listener to a request's signal that it removes only when the
 * request is garbage-collected. A client that makes thousands of calls between two collections piles
 * up thousands of listeners on that one signal and Node prints `MaxListenersExceededWarning` (issue 18).
 * Here undici's listener lands on a per-request signal that is collected with the request, and the one
 * listener this adds to the long-lived signal (it forwards an abort, as the transport's `close()` sends)
 * is removed as soon as the response body has been read to the end, has failed or was cancelled, so a
 * `close()` still aborts a stream being read.
 */
export function fetchWithRequestSignal(base: FetchLike = fetch): FetchLike {
  return async (url, init) => {
    const outer = init?.signal;
    // Without a signal there is nothing to pile up; an aborted one makes `base` reject at once.
    if (!outer || outer.aborted) return base(url, init);
    const request = new AbortController();
    const forward = () => request.abort(outer.reason);
    outer.addEventListener('abort', forward, { once: true });
    const release = () => outer.removeEventListener('abort', forward);
    let response: Response;
    try {
      response = await base(url, { ...init, signal: request.signal });
    } catch (error) {
      release();
      throw error;
    }
    return releaseWhenBodyEnds(response, release);
  };
}

/** Statuses a `Response` can be built with around a body (a null-body status or 0 cannot). */
function canRewrap(response: Response): boolean {
  return (
    response.body !== null &&
    response.status >= 200 &&
    response.status <= 599 &&
    ![204, 205, 304].includes(response.status)
  );
}

/**
 * The same response, its body passed through a stream that calls `release` once, when the body ends,
 * fails or is cancelled. A response without a body is finished already.
 */
function releaseWhenBodyEnds(response: Response, release: () => void): Response {
  if (!canRewrap(response) || response.body === null) {
    release();
    return response;
  }
  const reader = response.body.getReader();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) {
          release();
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        release();
        controller.error(error);
      }
    },
    cancel(reason) {
      release();
      return reader.cancel(reason);
    },
  });
  const wrapped = new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  // The SDK reads `url` to name a redirect's origin; a constructed Response has none of its own.
  Object.defineProperty(wrapped, 'url', { value: response.url });
  Object.defineProperty(wrapped, 'redirected', { value: response.redirected });
  return wrapped;
}
