export {
  apiKeyState,
  checkRole,
  hashApiKey,
  issueApiKey,
  listApiKeys,
  parseExpiry,
  revokeApiKey,
  type ApiKeyState,
  type ApiKeySummary,
  type IssueApiKeyInput,
  type IssuedApiKey,
} from './api-keys.js';
export {
  createAuthenticator,
  credentialFromHeaders,
  staticKeyFingerprint,
  type AuthOutcome,
  type Authenticator,
  type AuthenticatorOptions,
  type KeyAuthenticator,
} from './authenticator.js';
export {
  ACCEPTED_ALGORITHMS,
  createJwtVerifier,
  looksLikeJwt,
  metadataUrls,
  oauthConfigFrom,
  type JwtVerifier,
  type JwtVerifierOptions,
  type OAuthConfig,
  type OAuthSettings,
} from './jwt.js';
export { withOAuth } from './oauth-authenticator.js';
export { decryptSecret, encryptSecret, loadMasterKey, type MasterKeySettings } from './master-key.js';
export { checkToken, type TokenCheck } from './token-check.js';
export { mayAct, refusalParts, roleForRequest, roleForTool, serverAdminRefusal } from './policy.js';
export { EXPORT_PARAMETERS, isWriteRequest, readOnlyRefusalParts } from './read-only.js';
export {
  protectedResourceMetadata,
  RESOURCE_METADATA_PATH,
  resourceMetadataUrl,
  SCOPES_SUPPORTED,
  wwwAuthenticate,
} from './resource-metadata.js';
export {
  addTenant,
  assertMasterKeyForTenants,
  listTenants,
  rekeyTenants,
  removeTenant,
  requireMasterKey,
  tenantToken,
  type AddTenantInput,
  type TenantSummary,
} from './tenants.js';
export {
  assertPrincipalsForBind,
  CREATE_KEY_HINT,
  openServingPrincipals,
  type DefaultAccount,
  type PrincipalSettings,
  type ServingPrincipals,
} from './serving.js';
export { onlyTenants, storedTenants, type TenantCheck, type TenantRefusal } from './served-tenants.js';
export {
  createCustomerTokens,
  customerTokenSlug,
  validateWithTestIO,
  type CustomerTokenOptions,
  type CustomerTokens,
  type TokenValidity,
} from './customer-tokens.js';
