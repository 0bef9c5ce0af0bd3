export { startTestIssuer, type TestIssuer, type TestTokenClaims } from './auth/test-issuer.js';
