import {
  booleanFromEnv,
  hostSchema,
  intIn,
  numberIn,
  InvalidInputError,
  parseSettings,
  portSchema,
  sharedSettingsSchema,
  type EnvRecord,
} from '@testio-mcp/domain';
import { assertPrincipalsForBind, CREATE_KEY_HINT, type Authenticator } from '@testio-mcp/composition';
import { z } from 'zod';

const commaList = z.string().transform((raw) =>
  raw
    .split(',')
    .map((k) => k.trim())
    .filter((k) => k !== ''),
);

/**
 * express' `trust proxy`: `false` (default: the socket address is the client), `true` (trust every
 * proxy: only when the port is reachable by the proxy alone), a hop count (`1` = one proxy in front), or
 * a comma list of addresses/subnets/names (`loopback`, `10.0.0.0/8, 127.0.0.1`).
 */
export const trustProxySchema = z
  .string()
  .trim()
  .transform((raw, ctx): boolean | number | string[] => {
    const lower = raw.toLowerCase();
    if (['false', '0', 'no', 'off'].includes(lower)) return false;
    if (['true', 'yes', 'on'].includes(lower)) return true;
    if (/^\d+$/.test(lower)) return Number(lower);
    const list = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = list.filter(
      (s) => !/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(s) && !['loopback', 'linklocal', 'uniquelocal'].includes(s),
    );
    if (list.length === 0 || bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected true, false, a hop count, or addresses/subnets (loopback, linklocal, uniquelocal, 10.0.0.0/8); got ${bad.map((b) => `'${b}'`).join(', ') || 'nothing'}`,
      });
      return z.NEVER;
    }
    return list;
  });

/** `''` or `/prefix` (no trailing slash): where the whole app is mounted behind a reverse proxy. */
export const basePathSchema = z
  .string()
  .trim()
  .transform((raw) => (raw === '/' ? '' : raw.replace(/\/+$/, '')))
  .pipe(
    z
      .string()
      .regex(
        /^(\/[A-Za-z0-9._~-]+)*$/,
        'expected a path such as /testio (letters, digits, . _ ~ -), or empty',
      ),
  );

/** A byte size the way express' body parser reads it: `100kb`, `1mb`, `2048`. */
const byteSize = z
  .string()
  .trim()
  .regex(/^\d+(b|kb|mb)?$/i, 'expected a size such as 100kb or 1mb')
  .transform((v) => v.toLowerCase());

const originSchema = z
  .string()
  .regex(
    /^https?:\/\/[^/\s]+$/,
    'expected origins such as https://dashboard.example.com (scheme://host[:port], no path)',
  );

const fraction = z
  .string()
  .trim()
  .regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, 'expected a number between 0 and 1, e.g. 0.2')
  .transform(Number);

/** Settings of the REST API process: the shared ones plus its address, keys and reverse-proxy knobs. */
export const restApiSettingsSchema = sharedSettingsSchema.extend({
  TESTIO_REST_HOST: hostSchema.default('127.0.0.1'),
  TESTIO_REST_PORT: portSchema.default(8081),
  /** Refuse to start without a principal source even on loopback (any other address always does). */
  TESTIO_REST_REQUIRE_API_KEY: booleanFromEnv.default(false),
  TESTIO_REST_TRUST_PROXY: trustProxySchema.default(false),
  TESTIO_REST_BASE_PATH: basePathSchema.default(''),
  /** Browser origins allowed by CORS; none ⇒ no CORS headers at all (same-origin only). */
  TESTIO_REST_CORS_ORIGINS: commaList.pipe(z.array(originSchema)).optional(),
  /** Requests per key (or per client address without a key) per window; 0 disables the limit. */
  TESTIO_REST_RATE_LIMIT: intIn(0, 1_000_000).default(300),
  TESTIO_REST_RATE_LIMIT_WINDOW_SECONDS: intIn(1, 3600).default(60),
  TESTIO_REST_BODY_LIMIT: byteSize.default('100kb'),
  /** `has_alert` of the test summary; must match the MCP server's for the same numbers. */
  AUTO_ACCEPTANCE_ALERT_THRESHOLD: fraction.default(0.2),
  /** Set by `npm start` when it runs on the embedded sandbox. */
  TESTIO_DEMO_MODE: booleanFromEnv.default(false),
  /** Seconds; `10.0` as the reference writes it is accepted. */
  SHUTDOWN_GRACE_PERIOD_SECONDS: numberIn(1, 60).default(10),
});

export type RestApiSettings = ReturnType<typeof parseRestApiSettings>;

/** The REST API's settings. Whether callers can be authenticated is checked once the mirror is open. */
export function parseRestApiSettings(env: EnvRecord) {
  return parseSettings(restApiSettingsSchema, env);
}

/**
 * A REST API reachable from the network (or asked to require keys) must authenticate its callers: with
 * no principal source at all (TESTIO_API_KEYS, a key in the database) it refuses to start rather than be
 * silently exposed.
 */
export function assertRestPrincipals(
  settings: Pick<RestApiSettings, 'TESTIO_REST_HOST' | 'TESTIO_REST_REQUIRE_API_KEY'>,
  authenticator: Pick<Authenticator, 'configured'>,
): void {
  if (settings.TESTIO_REST_REQUIRE_API_KEY && !authenticator.configured()) {
    throw new InvalidInputError({
      field: 'TESTIO_API_KEYS',
      message:
        'TESTIO_REST_REQUIRE_API_KEY=true, but no API key is configured (TESTIO_API_KEYS is empty and the database holds no usable key)',
      reason: 'No request could ever be authenticated',
      hint: CREATE_KEY_HINT,
    });
  }
  assertPrincipalsForBind(settings.TESTIO_REST_HOST, authenticator, 'The REST API', 'TESTIO_REST_HOST');
}
