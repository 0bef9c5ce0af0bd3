import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import type { Logger } from '@testio-mcp/domain';

export const CLIENT_VERSION = '0.1.0';
export const DEFAULT_USER_AGENT = `testio-mcp/${CLIENT_VERSION}`;

export interface TestIOClientOptions {
  /** API root, e.g. `https://api.test.io/customer/v2` (a trailing `/` is optional). */
  readonly baseUrl: string;
  /** Customer API token, sent as `Authorization: Token <token>`; never logged or put in an error. */
  readonly token: string;
  /** Requests (attempts) in flight at once for this client, across all calls. Default 10. */
  readonly maxConcurrentRequests?: number;
  /** Per-attempt timeout in milliseconds. Default 90,000. */
  readonly timeoutMs?: number;
  /** Retries after the first attempt for GETs failing with a network error, timeout, 408, 429 or 5xx. Default 3. */
  readonly retries?: number;
  /** Retries per request while the test walk shrinks a failing page (see `walkTests`). Default `min(retries, 1)`. */
  readonly recoveryRetries?: number;
  /**
   * Retries of a request TestIO keeps answering 429 with an acceptable `Retry-After`. Default
   * `max(retries, 6)`: a rate limit says "come back later", not "this request is broken".
   */
  readonly rateLimitRetries?: number;
  /** First backoff delay; doubles each retry, plus up to 20 % jitter. Default 1,000. */
  readonly retryBaseDelayMs?: number;
  /** Longest `Retry-After` the client waits on its own; a longer one fails at once. Default 120. */
  readonly maxRetryAfterSeconds?: number;
  /** Default `testio-mcp/<version>`. */
  readonly userAgent?: string;
  readonly logger?: Logger;
  /** Agents to use instead of the client's own keep-alive agents (the client then never destroys them). */
  readonly httpAgent?: HttpAgent;
  readonly httpsAgent?: HttpsAgent;
}

export interface ResolvedClientOptions {
  readonly baseUrl: string;
  readonly token: string;
  readonly maxConcurrentRequests: number;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly recoveryRetries: number;
  readonly rateLimitRetries: number;
  readonly retryBaseDelayMs: number;
  readonly maxRetryAfterSeconds: number;
  readonly userAgent: string;
}

/** A misconfigured client; `option` names the offending option. The token's value is never echoed. */
export class ClientOptionsError extends TypeError {
  readonly option: string;
  constructor(option: string, message: string) {
    super(`Invalid TestIO client option \`${option}\`: ${message}`);
    this.name = 'ClientOptionsError';
    this.option = option;
  }
}

function integerOption(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ClientOptionsError(name, `expected an integer between ${min} and ${max}, got ${String(value)}`);
  }
  return value;
}

/** Validates the options and fills in defaults; throws `ClientOptionsError` naming the bad option. */
export function resolveClientOptions(options: TestIOClientOptions): ResolvedClientOptions {
  if (typeof options !== 'object' || options === null)
    throw new ClientOptionsError('options', 'expected an object');
  const { baseUrl, token } = options;
  if (typeof baseUrl !== 'string' || baseUrl.trim() === '') {
    throw new ClientOptionsError('baseUrl', 'expected a non-empty http(s) URL');
  }
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new ClientOptionsError('baseUrl', 'not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ClientOptionsError('baseUrl', `expected an http or https URL, got ${url.protocol}`);
  }
  if (url.search || url.hash)
    throw new ClientOptionsError('baseUrl', 'must not contain a query or a fragment');
  if (url.username || url.password)
    throw new ClientOptionsError('baseUrl', 'must not contain credentials; pass `token`');
  if (typeof token !== 'string' || token.trim() === '') {
    throw new ClientOptionsError('token', 'expected a non-empty string (TESTIO_CUSTOMER_API_TOKEN)');
  }
  if (/[\s\r\n]/.test(token))
    throw new ClientOptionsError('token', 'must not contain whitespace or line breaks');
  const userAgent = options.userAgent ?? DEFAULT_USER_AGENT;
  if (typeof userAgent !== 'string' || userAgent.trim() === '' || /[\r\n]/.test(userAgent)) {
    throw new ClientOptionsError('userAgent', 'expected a non-empty single-line string');
  }
  const retries = integerOption('retries', options.retries, 3, 0, 10);
  return {
    // Always end with "/" so relative paths resolve under it.
    baseUrl: url.toString().replace(/\/*$/, '/'),
    token,
    maxConcurrentRequests: integerOption('maxConcurrentRequests', options.maxConcurrentRequests, 10, 1, 100),
    timeoutMs: integerOption('timeoutMs', options.timeoutMs, 90_000, 1, 600_000),
    retries,
    recoveryRetries: integerOption('recoveryRetries', options.recoveryRetries, Math.min(retries, 1), 0, 10),
    rateLimitRetries: integerOption(
      'rateLimitRetries',
      options.rateLimitRetries,
      Math.max(retries, 6),
      0,
      20,
    ),
    retryBaseDelayMs: integerOption('retryBaseDelayMs', options.retryBaseDelayMs, 1000, 0, 60_000),
    maxRetryAfterSeconds: integerOption('maxRetryAfterSeconds', options.maxRetryAfterSeconds, 120, 0, 3600),
    userAgent,
  };
}
