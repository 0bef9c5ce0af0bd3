import { createTestIOClient } from '@testio-mcp/api-client';
import { isDomainError, UpstreamError } from '@testio-mcp/domain';

/** What `GET /products` said about a token. */
export type TokenCheck =
  | { readonly ok: true; readonly products: readonly { readonly id: number; readonly name: string }[] }
  | { readonly ok: false; readonly kind: 'refused' | 'unreachable' | 'failed'; readonly message: string };

/**
 * Asks the TestIO API (or the sandbox) for the products the token can see: one request, one retry at
 * most, so a wrong token or an unreachable address is reported within seconds. The token is never part
 * of the message.
 */
export async function checkToken(options: {
  baseUrl: string;
  token: string;
  timeoutMs?: number;
}): Promise<TokenCheck> {
  const client = createTestIOClient({
    baseUrl: options.baseUrl,
    token: options.token,
    retries: 1,
    retryBaseDelayMs: 200,
    maxRetryAfterSeconds: 5,
    timeoutMs: options.timeoutMs ?? 15_000,
  });
  try {
    const products = await client.listProducts();
    return { ok: true, products: products.map((p) => ({ id: p.id, name: p.name })) };
  } catch (error) {
    if (error instanceof UpstreamError) {
      if (error.status === 401 || error.status === 403) {
        return {
          ok: false,
          kind: 'refused',
          message: `TestIO refused the token (HTTP ${error.status} on GET ${options.baseUrl}/products): check that you copied all of it (TestIO UI: Integrations → API) and that it belongs to this base URL`,
        };
      }
      if (error.status === 0 || error.status === 408) {
        return {
          ok: false,
          kind: 'unreachable',
          message: `${options.baseUrl} could not be reached (${error.status === 408 ? 'timed out' : 'network error'}): check the base URL and your connection, or use --skip-check to save without checking`,
        };
      }
      return {
        ok: false,
        kind: 'failed',
        message: `GET ${options.baseUrl}/products answered HTTP ${error.status}: ${error.message}`,
      };
    }
    return {
      ok: false,
      kind: 'failed',
      message: isDomainError(error)
        ? error.message
        : `the check failed: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    client.close();
  }
}
