export { TestIOClient, createTestIOClient, type RequestOptions } from './client.js';
export {
  ClientOptionsError,
  CLIENT_VERSION,
  DEFAULT_USER_AGENT,
  resolveClientOptions,
  type ResolvedClientOptions,
  type TestIOClientOptions,
} from './options.js';
export { apiPath, withQuery, ApiPathError, type PathValue, type QueryValue } from './api-path.js';
export { bugRequestBatches, chunk, uniqueIds } from './chunk.js';
export {
  createUpstreamError,
  extractUpstreamMessage,
  MAX_UPSTREAM_MESSAGE_LENGTH,
  type CreateUpstreamErrorInput,
  type UpstreamFailure,
} from './errors.js';
export { parseResponseBody, type ParseContext } from './parse.js';
export { mergeFailedRanges, type FailedPosition } from './ranges.js';
export { REDACTED, redactSecrets, sanitizeExcerpt } from './redact.js';
export {
  backoffDelayMs,
  DEFAULT_RETRY_AFTER_SECONDS,
  parseRetryAfter,
  shouldRetryRequest,
  type RetryPolicy,
} from './retry.js';
export { type TransportStats } from './transport.js';
export {
  isRecoverablePageError,
  nextRecoverySize,
  walkTestPages,
  type PageReader,
  type WalkedPage,
  type WalkOptions,
} from './walk-tests.js';
export { noopLogger } from './logger.js';
