import {
  hostSchema,
  InvalidInputError,
  isLoopbackHost,
  parseSettings,
  portSchema,
  sharedSettingsSchema,
  type EnvRecord,
} from '@testio-mcp/domain';
import { z } from 'zod';

/** Settings of the REST API process: the shared ones plus its address and API keys. */
export const restApiSettingsSchema = sharedSettingsSchema.extend({
  TESTIO_REST_HOST: hostSchema.default('127.0.0.1'),
  TESTIO_REST_PORT: portSchema.default(8081),
  TESTIO_API_KEYS: z
    .string()
    .transform((raw) => raw.split(',').map((k) => k.trim()).filter((k) => k !== ''))
    .pipe(z.array(z.string().min(16, 'every API key must be at least 16 characters long')))
    .optional(),
});

export type RestApiSettings = ReturnType<typeof parseRestApiSettings>;

/**
 * A REST API reachable from the network must authenticate its callers, so a non-loopback bind address
 * without API keys is refused rather than silently exposed.
 */
export function parseRestApiSettings(env: EnvRecord) {
  const settings = parseSettings(restApiSettingsSchema, env);
  if (!isLoopbackHost(settings.TESTIO_REST_HOST) && !settings.TESTIO_API_KEYS?.length) {
    throw new InvalidInputError({
      field: 'TESTIO_API_KEYS',
      message: `TESTIO_REST_HOST='${settings.TESTIO_REST_HOST}' exposes the REST API beyond this machine, but TESTIO_API_KEYS is empty`,
      reason: 'Without API keys anyone who can reach the port could read the whole account',
      hint: 'Set TESTIO_API_KEYS to one or more comma-separated keys (16+ characters), or bind to 127.0.0.1',
    });
  }
  return settings;
}
