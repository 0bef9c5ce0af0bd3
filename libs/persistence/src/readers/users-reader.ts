import type {
  MirrorReader,
  PageOf,
  UserListQuery,
  UserRow,
  UserSortField,
  UserSummaryRow,
} from '@testio-mcp/domain';
import type { UserRow as UserSqlRow } from '../rows.js';
import { readTransaction } from '../sqlite.js';
import { dbTime, fromDbTime } from '../time.js';
import { orderBy, type ReaderContext, requiredTime, run, sortExpression } from './sql.js';

export type UsersReader = Pick<MirrorReader, 'listUsers' | 'getUserSummary' | 'usersSeenAt'>;

const USER_SORT: Record<UserSortField, string> = {
  username: 'a.username COLLATE NOCASE',
  user_type: "CASE WHEN a.is_tester THEN 'tester' ELSE 'customer' END",
  last_activity: 'a.last_activity_at',
  first_seen: 'a.first_seen_at',
};

/**
 * Users with their activity. `last_activity_at` is kept by the stores from the data itself (newest bug
 * `reported_at` as author, test `start_at`/`end_at` as creator or submitter; NULL-safe), never from the
 * sync time, and is indexed, so lists filter and sort on it cheaply.
 */
const USER_ACTIVITY = `WITH a AS (
  SELECT u.id, u.username, u.is_tester, u.is_customer, u.first_seen_at, u.last_seen_at, u.last_activity_at
  FROM users u WHERE u.customer_id = @customerId)`;

type UserActivityRow = Pick<
  UserSqlRow,
  'id' | 'username' | 'is_tester' | 'is_customer' | 'first_seen_at' | 'last_seen_at' | 'last_activity_at'
>;

const USER_WHERE = `(@userType IS NULL OR (@userType = 'tester' AND a.is_tester = 1) OR (@userType = 'customer' AND a.is_customer = 1))
  AND a.last_activity_at >= @activeSince`;

function toUserRow(r: UserActivityRow): UserRow {
  return {
    id: r.id,
    username: r.username,
    isTester: r.is_tester === 1,
    isCustomer: r.is_customer === 1,
    firstSeenAt: requiredTime(r.first_seen_at),
    lastSeenAt: requiredTime(r.last_seen_at),
    lastActivityAt: fromDbTime(r.last_activity_at),
  };
}

export function createUsersReader(ctx: ReaderContext): UsersReader {
  const { db, all, one, count } = ctx;
  return {
    listUsers(q: UserListQuery): Promise<PageOf<UserRow>> {
      return run(() =>
        readTransaction(db, () => {
          const params = { userType: q.userType ?? null, activeSince: dbTime(q.activeSince) };
          const total = count(`${USER_ACTIVITY} SELECT count(*) AS n FROM a WHERE ${USER_WHERE}`, params);
          const rows = all<UserActivityRow>(
            `${USER_ACTIVITY} SELECT a.* FROM a WHERE ${USER_WHERE} ${orderBy(sortExpression(USER_SORT, q.sortBy), q.sortOrder, 'a.id')}
             LIMIT @limit OFFSET @offset`,
            { ...params, limit: q.limit, offset: q.offset },
          );
          return { total, items: rows.map(toUserRow) };
        }),
      );
    },

    getUserSummary(userId: number): Promise<UserSummaryRow | null> {
      return run(() => {
        const r = one<UserActivityRow & { created: number; submitted: number; reported: number }>(
          `${USER_ACTIVITY} SELECT a.*,
             (SELECT count(*) FROM tests t WHERE t.customer_id = @customerId AND t.created_by = a.username) AS created,
             (SELECT count(*) FROM tests t WHERE t.customer_id = @customerId AND t.submitted_by = a.username) AS submitted,
             (SELECT count(*) FROM bugs b WHERE b.customer_id = @customerId AND b.author = a.username) AS reported
           FROM a WHERE a.id = @id`,
          { id: userId },
        );
        if (!r) return null;
        return {
          ...toUserRow(r),
          testsCreated: r.created,
          testsSubmitted: r.submitted,
          bugsReported: r.reported,
        };
      });
    },

    usersSeenAt(): Promise<Date | null> {
      return run(() =>
        fromDbTime(
          one<{ t: string | null }>(
            'SELECT max(last_seen_at) AS t FROM users WHERE customer_id = @customerId',
            {},
          )?.t,
        ),
      );
    },
  };
}
