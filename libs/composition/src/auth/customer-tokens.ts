import { createHash } from 'node:crypto';
import { createTestIOClient } from '@testio-mcp/api-client';
import { DEFAULT_TENANT, UpstreamError, type Clock, type Principal } from '@testio-mcp/domain';
import type { PrincipalStore } from '@testio-mcp/persistence';
import { addTenant } from './tenants.js';

/**
 * Per-request TestIO tokens (`TESTIO_ACCEPT_CUSTOMER_TOKENS=true`, ADR 0024): a bearer that TestIO
 * accepts acts as operator of that customer's tenant, created on first use with the token sealed as
 * `tenants add` seals it. TestIO is asked once per token per `ttlMs` (a refused token is remembered for
 * `refusedTtlMs`), and one question at a time per token, so a busy client does not multiply the calls.
 * The token is kept only as its SHA-256 in memory and sealed in the database.
 */

/** What TestIO said about a token: accepted, refused (401/403), or no answer (down, timeout, 5xx). */
export type TokenValidity = 'valid' | 'refused' | 'unavailable';

export interface CustomerTokenOptions {
  readonly store: Pick<PrincipalStore, 'findTenant' | 'insertTenant' | 'listTenants'>;
  readonly masterKey: Buffer;
  /** The Customer API the tokens belong to (TESTIO_CUSTOMER_API_BASE_URL). */
  readonly baseUrl: string;
  /** The environment's own token: it stands for `default`, not for a new tenant. */
  readonly defaultToken: string | undefined;
  /** Customer ids a new tenant must not take (`default`'s). */
  readonly reservedCustomerIds: readonly number[];
  readonly clock: Pick<Clock, 'now'>;
  /** Asks TestIO; default `GET /products` with the token. */
  readonly validate?: (token: string) => Promise<TokenValidity>;
  /** How long an accepted token is believed; default 10 minutes. */
  readonly ttlMs?: number;
  /** How long a refused token is remembered; default 1 minute. */
  readonly refusedTtlMs?: number;
  /** Tokens remembered at most (the oldest are forgotten first); default 10,000. */
  readonly maxEntries?: number;
}

export interface CustomerTokens {
  /** Asks TestIO about a credential not known yet; never throws, never logs the credential. */
  prepare(credential: string): Promise<void>;
  /** The principal of a credential TestIO accepted within the TTL, or undefined. */
  lookup(credential: string): Principal | undefined;
}

interface Entry {
  readonly principal: Principal | undefined;
  readonly until: number;
}

/** Our own keys never go to TestIO: they are not TestIO tokens, and TestIO must not see them. */
const OWN_KEY = /^tmcp_/;

export function validateWithTestIO(baseUrl: string): (token: string) => Promise<TokenValidity> {
  return async (token) => {
    const client = createTestIOClient({
      baseUrl,
      token,
      retries: 1,
      retryBaseDelayMs: 200,
      maxRetryAfterSeconds: 5,
      timeoutMs: 15_000,
    });
    try {
      await client.listProducts();
      return 'valid';
    } catch (error) {
      if (error instanceof UpstreamError && (error.status === 401 || error.status === 403)) return 'refused';
      return 'unavailable';
    } finally {
      client.close();
    }
  };
}

const digest = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

/** The slug of a customer token's tenant: stable per token, and says nothing about it. */
export const customerTokenSlug = (token: string): string => `ct-${digest(token).slice(0, 12)}`;

export function createCustomerTokens(options: CustomerTokenOptions): CustomerTokens {
  const validate = options.validate ?? validateWithTestIO(options.baseUrl);
  const ttlMs = options.ttlMs ?? 600_000;
  const refusedTtlMs = options.refusedTtlMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<void>>();
  const now = (): number => options.clock.now().getTime();

  const remember = (hash: string, entry: Entry): void => {
    entries.delete(hash);
    entries.set(hash, entry);
    while (entries.size > maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
  };

  /** The tenant of an accepted token: `default` for the environment's own, else its own, created once. */
  function tenantOf(token: string): string {
    if (options.defaultToken !== undefined && token === options.defaultToken) return DEFAULT_TENANT;
    const slug = customerTokenSlug(token);
    if (!options.store.findTenant(slug)) {
      try {
        addTenant(
          options.store as PrincipalStore,
          { slug, token, baseUrl: options.baseUrl },
          options.masterKey,
          options.clock,
          options.reservedCustomerIds,
        );
      } catch (error) {
        // Another request (or process) created it first: what matters is that it exists now.
        if (!options.store.findTenant(slug)) throw error;
      }
    }
    return slug;
  }

  async function ask(token: string, hash: string): Promise<void> {
    const answer = await validate(token);
    if (answer === 'unavailable') return; // Not remembered: the next request asks again.
    if (answer === 'refused') {
      remember(hash, { principal: undefined, until: now() + refusedTtlMs });
      return;
    }
    const principal: Principal = {
      id: `customer-token:${hash.slice(0, 12)}`,
      tenant: tenantOf(token),
      role: 'operator',
    };
    remember(hash, { principal, until: now() + ttlMs });
  }

  return {
    async prepare(credential) {
      if (OWN_KEY.test(credential)) return;
      const hash = digest(credential);
      const known = entries.get(hash);
      if (known && known.until > now()) return;
      let pending = inFlight.get(hash);
      if (!pending) {
        pending = ask(credential, hash)
          .catch(() => undefined)
          .finally(() => inFlight.delete(hash));
        inFlight.set(hash, pending);
      }
      await pending;
    },
    lookup(credential) {
      if (OWN_KEY.test(credential)) return undefined;
      const entry = entries.get(digest(credential));
      return entry && entry.until > now() ? entry.principal : undefined;
    },
  };
}
