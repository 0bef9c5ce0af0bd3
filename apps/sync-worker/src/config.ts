import { resolveRuntime, resolveRuntimeWithoutToken, type AppRuntime } from '@testio-mcp/composition';
import {
  booleanFromEnv,
  numberIn,
  parseFlexibleDate,
  parseSettings,
  sharedSettingsSchema,
  type EnvRecord,
} from '@testio-mcp/domain';

/** The worker's settings: the shared ones, plus how long shutdown may take. */
export const syncWorkerSettingsSchema = sharedSettingsSchema.extend({
  /** Set by `npm start` when it runs on the embedded sandbox, so every line says it is a demo. */
  TESTIO_DEMO_MODE: booleanFromEnv.default(false),
  /** Seconds; `10.0` as the reference writes it is accepted. */
  SHUTDOWN_GRACE_PERIOD_SECONDS: numberIn(1, 60).default(10),
  /** How often the worker re-reads the stored tenants, so one added or removed needs no restart. */
  TESTIO_TENANT_RESCAN_SECONDS: numberIn(1, 3600).default(60),
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
export interface SyncRuntime extends AppRuntime<string | undefined> {
  readonly since: Date | undefined;
}

/** The token is required unless `requireToken: false` (commands that read the local mirror alone). */
export function resolveSyncRuntime(
  settings: SyncWorkerSettings,
  now: Date,
  options: { requireToken?: boolean } = {},
): SyncRuntime {
  const runtime =
    options.requireToken === false
      ? resolveRuntimeWithoutToken(settings)
      : resolveRuntime(settings, {
          tokenReason: 'Syncing reads your account from the TestIO Customer API, which needs a token',
        });
  return {
    ...runtime,
    // One parser for every entry point: relative values such as "90 days ago" work everywhere.
    since: settings.TESTIO_SYNC_SINCE
      ? parseFlexibleDate(settings.TESTIO_SYNC_SINCE, { startOfDay: true, now, field: 'TESTIO_SYNC_SINCE' })
      : undefined,
  };
}
