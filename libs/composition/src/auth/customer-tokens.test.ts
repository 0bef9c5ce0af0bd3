import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createPrincipalStore, type PrincipalStore } from '@testio-mcp/persistence';
import { createTestDatabase, type TestDatabase } from '@testio-mcp/persistence/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuthenticator } from './authenticator.js';
import { createCustomerTokens, customerTokenSlug, type TokenValidity } from './customer-tokens.js';
import { storedTenants } from './served-tenants.js';
import { openServingPrincipals } from './serving.js';
import { tenantToken } from './tenants.js';

/**
 * Customer tokens (TESTIO_ACCEPT_CUSTOMER_TOKENS, ADR 0024) with a TestIO stand-in that counts the
 * questions: the tenant created on first use with the token sealed, the answers remembered for their TTL,
 * one question per token at a time, and our own keys never sent to TestIO.
 */

const GOOD = 'customer-token-GOOD-0123456789';
const BAD = 'customer-token-BAD-0123456789';
const DEFAULT_TOKEN = 'the-environment-token-0123456789';

let db: TestDatabase;
let store: PrincipalStore;
let now = 0;
const clock = { now: () => new Date(now) };
const masterKey = randomBytes(32);
let asked: string[];
let answer: Record<string, TokenValidity>;

beforeEach(() => {
  now = Date.parse('2026-12-08T10:00:00Z');
  db = createTestDatabase();
  store = createPrincipalStore(db.sqlite);
  asked = [];
  answer = { [GOOD]: 'valid', [BAD]: 'refused', [DEFAULT_TOKEN]: 'valid' };
});
afterEach(async () => {
  await db.cleanup();
});

function tokens() {
  return createCustomerTokens({
    store,
    masterKey,
    baseUrl: 'https://api.example.test/customer/v2',
    defaultToken: DEFAULT_TOKEN,
    reservedCustomerIds: [1],
    clock,
    validate: (token) => {
      asked.push(token);
      return Promise.resolve(answer[token] ?? 'unavailable');
    },
    ttlMs: 60_000,
    refusedTtlMs: 10_000,
  });
}

describe('customer tokens', () => {
  it('an accepted token is operator of its own tenant, created once with the token sealed', async () => {
    const source = tokens();
    const auth = createAuthenticator({
      staticKeys: [],
      store,
      servedTenants: storedTenants(store, { hasMasterKey: true }),
      clock,
      customerTokens: source,
    });
    expect(auth.configured()).toBe(true);
    await Promise.all([auth.prepare(GOOD), auth.prepare(GOOD), auth.prepare(GOOD)]);
    expect(asked).toEqual([GOOD]);
    const outcome = auth.check(GOOD);
    const slug = customerTokenSlug(GOOD);
    expect(outcome).toMatchObject({ kind: 'principal', principal: { tenant: slug, role: 'operator' } });
    expect(JSON.stringify(outcome)).not.toContain(GOOD);
    const row = store.findTenant(slug);
    expect(row?.customerId).toBeGreaterThan(1);
    expect(tenantToken(store, slug, masterKey)).toBe(GOOD);
    db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    expect(readFileSync(db.path).includes(Buffer.from(GOOD))).toBe(false);

    // Remembered for the TTL, then asked again; the tenant is not created twice.
    await auth.prepare(GOOD);
    expect(asked).toHaveLength(1);
    now += 61_000;
    expect(auth.check(GOOD)).toMatchObject({ kind: 'refused', status: 401 });
    await auth.prepare(GOOD);
    expect(asked).toHaveLength(2);
    expect(auth.check(GOOD)).toMatchObject({ kind: 'principal', principal: { tenant: slug } });
    expect(store.listTenants()).toHaveLength(1);
  });

  it('a refused token is 401 and remembered; no answer is asked again; our keys never go to TestIO', async () => {
    const source = tokens();
    await source.prepare(BAD);
    await source.prepare(BAD);
    expect(asked).toEqual([BAD]);
    expect(source.lookup(BAD)).toBeUndefined();
    now += 11_000;
    await source.prepare(BAD);
    expect(asked).toEqual([BAD, BAD]);

    await source.prepare('down-token-0123456789');
    await source.prepare('down-token-0123456789');
    expect(asked.filter((t) => t.startsWith('down'))).toHaveLength(2);

    await source.prepare('tmcp_0123456789ab_not-a-real-secret');
    expect(asked.some((t) => t.startsWith('tmcp_'))).toBe(false);
    expect(store.listTenants()).toHaveLength(0);
  });

  it('a static key is answered by the keys and never sent to TestIO; a customer token is asked once', async () => {
    const auth = createAuthenticator({
      staticKeys: ['static-key-0123456789'],
      store,
      servedTenants: storedTenants(store, { hasMasterKey: true }),
      clock,
      customerTokens: tokens(),
    });
    expect(await auth.authenticate('static-key-0123456789')).toMatchObject({
      kind: 'principal',
      principal: { tenant: 'default', role: 'admin' },
    });
    expect(await auth.authenticate(GOOD)).toMatchObject({
      kind: 'principal',
      principal: { role: 'operator' },
    });
    expect(asked).toEqual([GOOD]);
  });

  it("the environment's own token acts for `default` and creates nothing", async () => {
    const source = tokens();
    await source.prepare(DEFAULT_TOKEN);
    expect(source.lookup(DEFAULT_TOKEN)).toMatchObject({ tenant: 'default', role: 'operator' });
    expect(store.listTenants()).toHaveLength(0);
  });

  it('a serving process that accepts them refuses to start without the master key, saying what to set', () => {
    const account = { baseUrl: 'https://api.example.test/customer/v2', token: DEFAULT_TOKEN, customerId: 1 };
    expect(() =>
      openServingPrincipals({ TESTIO_ACCEPT_CUSTOMER_TOKENS: true }, store, clock, account),
    ).toThrow(/needs the master key/);
    const opened = openServingPrincipals(
      { TESTIO_ACCEPT_CUSTOMER_TOKENS: true, TESTIO_MASTER_KEY: masterKey.toString('hex') },
      store,
      clock,
      account,
    );
    expect(opened.authenticator.configured()).toBe(true);
  });
});
