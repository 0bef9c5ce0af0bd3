import type pg from 'pg';
import { type DbTime, toDbTime } from '../../time.js';
import type { UserSighting } from '../../stores/users.js';
import type { PgStoreContext } from './context.js';

const UPSERT_USER = `
INSERT INTO users (customer_id, username, is_tester, is_customer, first_activity_at, last_activity_at, first_seen_at, last_seen_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
ON CONFLICT (customer_id, username) DO UPDATE SET
  is_tester = users.is_tester OR excluded.is_tester,
  is_customer = users.is_customer OR excluded.is_customer,
  first_activity_at = least(users.first_activity_at, excluded.first_activity_at),
  last_activity_at = greatest(users.last_activity_at, excluded.last_activity_at),
  last_seen_at = excluded.last_seen_at`;

function earlier(a: DbTime | null, b: DbTime | null): DbTime | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}

function later(a: DbTime | null, b: DbTime | null): DbTime | null {
  if (a === null) return b;
  if (b === null) return a;
  return a > b ? a : b;
}

/**
 * The PostgreSQL twin of `recordUsers` (call inside the batch's transaction): role flags only ever added,
 * earliest and latest activity NULL-safe (`least`/`greatest` skip NULLs), the sighting time of the sync.
 */
export async function recordPgUsers(
  ctx: PgStoreContext,
  client: pg.ClientBase,
  sightings: Iterable<UserSighting>,
  seenAt: Date,
): Promise<number> {
  const merged = new Map<
    string,
    { isTester: boolean; isCustomer: boolean; first: DbTime | null; last: DbTime | null }
  >();
  for (const s of sightings) {
    const current = merged.get(s.username) ?? { isTester: false, isCustomer: false, first: null, last: null };
    if (s.role === 'tester') current.isTester = true;
    else current.isCustomer = true;
    current.first = earlier(current.first, toDbTime(s.firstActivityAt));
    current.last = later(current.last, toDbTime(s.lastActivityAt));
    merged.set(s.username, current);
  }
  // Sorted: concurrent writers lock user rows in one order (no deadlock).
  for (const username of [...merged.keys()].sort()) {
    const u = merged.get(username);
    if (!u) continue;
    await client.query({
      name: 'testio-upsert-user',
      text: UPSERT_USER,
      values: [ctx.customerId, username, u.isTester, u.isCustomer, u.first, u.last, seenAt],
    });
  }
  return merged.size;
}
