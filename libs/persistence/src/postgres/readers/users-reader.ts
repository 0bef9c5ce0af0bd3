import type { PageOf, UserListQuery, UserRow, UserSortField, UserSummaryRow } from '@testio-mcp/domain';
import type { UsersReader } from '../../readers/users-reader.js';
import { nocase, orderBy, type PgReaderContext, requiredTime, run, sortExpression, time } from './sql.js';

const USER_SORT: Record<UserSortField, string> = {
  username: nocase('a.username'),
  user_type: "CASE WHEN a.is_tester THEN 'tester' ELSE 'customer' END",
  last_activity: 'a.last_activity_at',
  first_seen: 'a.first_seen_at',
};

/** Users with their activity (`last_activity_at` is kept by the stores from the data, as on SQLite). */
const USER_ACTIVITY = `WITH a AS (
  SELECT u.id, u.username, u.is_tester, u.is_customer, u.first_seen_at, u.last_seen_at, u.last_activity_at
  FROM users u WHERE u.customer_id = @customerId)`;

interface UserActivityRow {
  id: number;
  username: string;
  is_tester: boolean;
  is_customer: boolean;
  first_seen_at: Date;
  last_seen_at: Date;
  last_activity_at: Date | null;
}

const USER_WHERE = `(@userType::text IS NULL OR (@userType::text = 'tester' AND a.is_tester) OR (@userType::text = 'customer' AND a.is_customer))
  AND a.last_activity_at >= @activeSince::timestamptz`;

function toUserRow(r: UserActivityRow): UserRow {
  return {
    id: r.id,
    username: r.username,
    isTester: r.is_tester === true,
    isCustomer: r.is_customer === true,
    firstSeenAt: requiredTime(r.first_seen_at),
    lastSeenAt: requiredTime(r.last_seen_at),
    lastActivityAt: time(r.last_activity_at),
  };
}

export function createPgUsersReader(ctx: PgReaderContext): UsersReader {
  return {
    listUsers(q: UserListQuery): Promise<PageOf<UserRow>> {
      return run(() =>
        ctx.snapshot(async ({ all, count }) => {
          const params = { userType: q.userType ?? null, activeSince: q.activeSince };
          const total = await count(
            `${USER_ACTIVITY} SELECT count(*) AS n FROM a WHERE ${USER_WHERE}`,
            params,
          );
          const rows = await all<UserActivityRow>(
            `${USER_ACTIVITY} SELECT a.* FROM a WHERE ${USER_WHERE} ${orderBy(sortExpression(USER_SORT, q.sortBy), q.sortOrder, 'a.id')}
             LIMIT @limit::int OFFSET @offset::int`,
            { ...params, limit: q.limit, offset: q.offset },
          );
          return { total, items: rows.map(toUserRow) };
        }),
      );
    },

    getUserSummary(userId: number): Promise<UserSummaryRow | null> {
      return run(async () => {
        const r = await ctx.q.one<UserActivityRow & { created: number; submitted: number; reported: number }>(
          `${USER_ACTIVITY} SELECT a.*,
             (SELECT count(*) FROM tests t WHERE t.customer_id = @customerId AND t.created_by = a.username) AS created,
             (SELECT count(*) FROM tests t WHERE t.customer_id = @customerId AND t.submitted_by = a.username) AS submitted,
             (SELECT count(*) FROM bugs b WHERE b.customer_id = @customerId AND b.author = a.username) AS reported
           FROM a WHERE a.id = @id::int`,
          { id: userId },
        );
        if (!r) return null;
        return {
          ...toUserRow(r),
          testsCreated: Number(r.created),
          testsSubmitted: Number(r.submitted),
          bugsReported: Number(r.reported),
        };
      });
    },

    usersSeenAt(): Promise<Date | null> {
      return run(async () =>
        time(
          (
            await ctx.q.one<{ t: Date | null }>(
              'SELECT max(last_seen_at) AS t FROM users WHERE customer_id = @customerId',
            )
          )?.t,
        ),
      );
    },
  };
}
