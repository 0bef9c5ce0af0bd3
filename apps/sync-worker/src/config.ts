import {
  booleanFromEnv,
  InvalidInputError,
  numberIn,
  parseFlexibleDate,
  parseSettings,
  sharedSettingsSchema,
  type EnvRecord,
} from '@testio-mcp/domain';
import { defaultDatabasePath, resolveUserPath } from '@testio-mcp/persistence';

/** The worker's settings: the shared ones, plus how long shutdown may take. */
export const syncWorkerSettingsSchema = sharedSettingsSchema.extend({
  /** Set by `npm start` when it runs on the embedded sandbox, so every line says it is a demo. */
  TESTIO_DEMO_MODE: booleanFromEnv.default(false),
  /** Seconds; `10.0` as the reference writes it is accepted. */
  SHUTDOWN_GRACE_PERIOD_SECONDS: numberIn(1, 60).default(10),
});

export type SyncWorkerSettings = ReturnType<typeof parseSyncWorkerSettings>;

export function parseSyncWorkerSettings(env: EnvRecord) {
  return parseSettings(syncWorkerSettingsSchema, env);
}

/** Milliseconds until the next run, or null when periodic sync is off. */
export function nextRunDelayMs(
  settings: Pick<SyncWorkerSettings, 'TESTIO_REFRESH_INTERVAL_SECONDS'>,
): number | null {
  return settings.TESTIO_REFRESH_INTERVAL_SECONDS === 0
    ? null
    : settings.TESTIO_REFRESH_INTERVAL_SECONDS * 1000;
}

/** What a sync process needs to reach TestIO and the mirror, checked and resolved once. */
export interface SyncRuntime {
  /** Absent only for commands that read the local mirror alone (`sync --status`, `--dry-run`). */
  readonly token: string | undefined;
  readonly baseUrl: string;
  readonly databasePath: string;
  readonly customerId: number;
  readonly productIds: readonly number[] | undefined;
  readonly since: Date | undefined;
  readonly demo: boolean;
}

export function resolveSyncRuntime(
  settings: SyncWorkerSettings,
  now: Date,
  options: { requireToken?: boolean } = {},
): SyncRuntime {
  const token = settings.TESTIO_CUSTOMER_API_TOKEN;
  if (!token && options.requireToken !== false) {
    throw new InvalidInputError({
      field: 'TESTIO_CUSTOMER_API_TOKEN',
      message: 'No TestIO API token is configured (TESTIO_CUSTOMER_API_TOKEN)',
      reason: 'Syncing reads your account from the TestIO Customer API, which needs a token',
      hint: 'Put TESTIO_CUSTOMER_API_TOKEN in .env (TestIO UI: Integrations → API), or run `npm start` for the demo on simulated data',
    });
  }
  return {
    token,
    baseUrl: settings.TESTIO_CUSTOMER_API_BASE_URL,
    databasePath: resolveUserPath(settings.TESTIO_DB_PATH ?? defaultDatabasePath()),
    customerId: settings.TESTIO_CUSTOMER_ID,
    productIds: settings.TESTIO_PRODUCT_IDS,
    // One parser for every entry point: relative values such as "90 days ago" work everywhere.
    since: settings.TESTIO_SYNC_SINCE
      ? parseFlexibleDate(settings.TESTIO_SYNC_SINCE, { startOfDay: true, now, field: 'TESTIO_SYNC_SINCE' })
      : undefined,
    demo: settings.TESTIO_DEMO_MODE,
  };
}
