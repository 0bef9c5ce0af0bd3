/** The public API: only what other projects import (tests inside the lib import from the file itself). */
export { TestIOClient, createTestIOClient } from './client.js';
export { chunk, uniqueIds } from './chunk.js';
export { REDACTED } from './redact.js';
