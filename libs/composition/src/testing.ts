export { startTestIssuer, type TestIssuer, type TestTokenClaims } from './auth/test-issuer.js';
export { sqliteOf } from './database/sqlite-of.js';
