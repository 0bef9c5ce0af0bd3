import { prepared } from '../sqlite.js';
import { type DbTime, toDbTime } from '../time.js';
import type { StoreContext } from './context.js';

/** One appearance of a person in the data: a bug author (tester) or a test creator/submitter (customer). */
export interface UserSighting {
  readonly username: string;
  readonly role: 'tester' | 'customer';
  /** When the person acted, from the data (bug `reported_at`, test `start_at`/`end_at`). */
  readonly firstActivityAt: string | null;
  readonly lastActivityAt: string | null;
}

const UPSERT_USER = `
INSERT INTO users (customer_id, username, is_tester, is_customer, first_activity_at, last_activity_at, first_seen_at, last_seen_at)
VALUES (@customerId, @username, @isTester, @isCustomer, @firstActivityAt, @lastActivityAt, @seenAt, @seenAt)
ON CONFLICT (customer_id, username) DO UPDATE SET
  is_tester = max(users.is_tester, excluded.is_tester),
  is_customer = max(users.is_customer, excluded.is_customer),
  first_activity_at = min(coalesce(users.first_activity_at, excluded.first_activity_at), coalesce(excluded.first_activity_at, users.first_activity_at)),
  last_activity_at = max(coalesce(users.last_activity_at, excluded.last_activity_at), coalesce(excluded.last_activity_at, users.last_activity_at)),
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
 * Records users seen in a batch (call inside the batch's transaction): one row per `(customer, username)`
 * with role flags that only ever get added (a person can be tester and customer), the earliest and latest
 * activity from the data (NULL-safe), and the sighting time of the sync.
 */
export function recordUsers(ctx: StoreContext, sightings: Iterable<UserSighting>, seenAt: Date): number {
  const merged = new Map<
    string,
    { isTester: 0 | 1; isCustomer: 0 | 1; first: DbTime | null; last: DbTime | null }
  >();
  for (const s of sightings) {
    const current = merged.get(s.username) ?? { isTester: 0, isCustomer: 0, first: null, last: null };
    if (s.role === 'tester') current.isTester = 1;
    else current.isCustomer = 1;
    current.first = earlier(current.first, toDbTime(s.firstActivityAt));
    current.last = later(current.last, toDbTime(s.lastActivityAt));
    merged.set(s.username, current);
  }
  const statement = prepared(ctx.db, UPSERT_USER);
  const seen = toDbTime(seenAt);
  for (const [username, u] of merged) {
    statement.run({
      customerId: ctx.customerId,
      username,
      isTester: u.isTester,
      isCustomer: u.isCustomer,
      firstActivityAt: u.first,
      lastActivityAt: u.last,
      seenAt: seen,
    });
  }
  return merged.size;
}
