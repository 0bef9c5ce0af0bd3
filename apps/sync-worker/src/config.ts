import { parseSettings, sharedSettingsSchema, type EnvRecord } from '@testio-mcp/domain';

/** The worker runs on the shared settings; `TESTIO_REFRESH_INTERVAL_SECONDS=0` means one run, no loop. */
export const syncWorkerSettingsSchema = sharedSettingsSchema;

export type SyncWorkerSettings = ReturnType<typeof parseSyncWorkerSettings>;

export function parseSyncWorkerSettings(env: EnvRecord) {
  return parseSettings(syncWorkerSettingsSchema, env);
}

/** Milliseconds until the next run, or null when periodic sync is off. */
export function nextRunDelayMs(settings: Pick<SyncWorkerSettings, 'TESTIO_REFRESH_INTERVAL_SECONDS'>): number | null {
  return settings.TESTIO_REFRESH_INTERVAL_SECONDS === 0 ? null : settings.TESTIO_REFRESH_INTERVAL_SECONDS * 1000;
}
