import { InvalidInputError, isLoopbackHost, type Clock } from '@testio-mcp/domain';
import type { PrincipalStore } from '@testio-mcp/persistence';
import { createAuthenticator, type Authenticator } from './authenticator.js';
import { createJwtVerifier, oauthConfigFrom, type OAuthSettings } from './jwt.js';
import { loadMasterKey, type MasterKeySettings } from './master-key.js';
import { createCustomerTokens, type CustomerTokens } from './customer-tokens.js';
import { withOAuth } from './oauth-authenticator.js';
import { storedTenants } from './served-tenants.js';
import { assertMasterKeyForTenants, requireMasterKey } from './tenants.js';

/**
 * What a serving process (MCP over HTTP, the REST API) knows about its callers, built once from the open
 * mirror: the authenticator over TESTIO_API_KEYS and the database's keys. Opening it refuses a database
 * with encrypted tenants and no master key, before anything listens.
 */

export type PrincipalSettings = MasterKeySettings &
  OAuthSettings & {
    readonly TESTIO_API_KEYS?: readonly string[] | undefined;
    readonly TESTIO_ACCEPT_CUSTOMER_TOKENS?: boolean | undefined;
  };

/** The environment's own account (`default`): where customer tokens are checked, and its token and id. */
export interface DefaultAccount {
  readonly baseUrl: string;
  readonly token: string | undefined;
  readonly customerId: number;
}

export interface ServingPrincipals {
  readonly authenticator: Authenticator;
  readonly store: PrincipalStore;
  readonly masterKey: Buffer | undefined;
}

export function openServingPrincipals(
  settings: PrincipalSettings,
  store: PrincipalStore,
  clock: Pick<Clock, 'now'>,
  account?: DefaultAccount,
): ServingPrincipals {
  const masterKey = loadMasterKey(settings);
  // Checked before anything listens: a half-configured OAuth must not start as keys-only.
  oauthConfigFrom(settings);
  assertMasterKeyForTenants(store, masterKey);
  let customerTokens: CustomerTokens | undefined;
  if (settings.TESTIO_ACCEPT_CUSTOMER_TOKENS) {
    if (!account) throw new Error('customer tokens need the default account (openServingParts passes it)');
    customerTokens = createCustomerTokens({
      store,
      masterKey: requireMasterKey(
        masterKey,
        'Accepting TestIO customer tokens (TESTIO_ACCEPT_CUSTOMER_TOKENS)',
      ),
      baseUrl: account.baseUrl,
      defaultToken: account.token,
      reservedCustomerIds: [account.customerId],
      clock,
    });
  }
  // `default` and every stored tenant, looked up per request (ADR 0024).
  const servedTenants = storedTenants(store, { hasMasterKey: masterKey !== undefined });
  const keys = createAuthenticator({
    staticKeys: settings.TESTIO_API_KEYS ?? [],
    store,
    servedTenants,
    clock,
    ...(customerTokens ? { customerTokens } : {}),
  });
  const oauth = oauthConfigFrom(settings);
  const authenticator = oauth ? withOAuth(keys, createJwtVerifier(oauth, { clock }), servedTenants) : keys;
  return { authenticator, store, masterKey };
}

/** The words every refusal to bind uses: how to get a principal source. */
export const CREATE_KEY_HINT =
  'Create a key with `testio-mcp keys create --tenant default --role admin --name "<label>"` (or set TESTIO_API_KEYS), or bind to 127.0.0.1';

/**
 * Binding beyond loopback with no principal source would hand the account to anyone who reaches the
 * port: refused (exit 2) instead of warned about.
 */
export function assertPrincipalsForBind(
  host: string,
  authenticator: Pick<Authenticator, 'configured'>,
  surface: string,
  variable: string,
): void {
  if (isLoopbackHost(host) || authenticator.configured()) return;
  throw new InvalidInputError({
    field: variable,
    message: `${surface} on ${host} would be reachable beyond this machine, but no API key is configured (TESTIO_API_KEYS is empty and the database holds no usable key; TESTIO_OAUTH_ISSUER is unset)`,
    reason: 'Without a principal source anyone who can reach the port could read the whole account',
    hint: CREATE_KEY_HINT,
  });
}
