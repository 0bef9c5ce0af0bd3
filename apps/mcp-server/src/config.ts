import {
  booleanFromEnv,
  hostSchema,
  numberIn,
  portSchema,
  InvalidInputError,
  isDomainError,
  parseSettings,
  parseStringList,
  sharedSettingsSchema,
  type EnvRecord,
} from '@testio-mcp/domain';
import { z } from 'zod';

/** `a,b`, `["a", "b"]` or `a`: the reference's list form for ENABLED_TOOLS and friends. */
const stringListFromEnv = z
  .string()
  .trim()
  .transform((raw, ctx) => {
    try {
      return parseStringList(raw, 'list') ?? [];
    } catch (error) {
      if (!isDomainError(error)) throw error;
      ctx.addIssue({
        code: 'custom',
        message: 'expected names separated by commas, or a JSON array of strings',
      });
      return z.NEVER;
    }
  });

/** What `serve --transport http` serves on its one port (ADR 0015). */
export const API_MODES = ['hybrid', 'mcp', 'rest'] as const;
export type ApiMode = (typeof API_MODES)[number];

const fraction = z
  .string()
  .trim()
  .regex(/^(0(\.\d+)?|1(\.0+)?|\.\d+)$/, 'expected a number between 0 and 1, e.g. 0.2')
  .transform(Number);

/** Settings of the MCP server process: the shared ones plus tool selection and the HTTP transport. */
export const mcpServerSettingsSchema = sharedSettingsSchema.extend({
  TESTIO_HTTP_HOST: hostSchema.default('127.0.0.1'),
  /** 0 picks a free port (the ready line and /health tell which). */
  TESTIO_HTTP_PORT: portSchema.default(8080),
  /**
   * Extra Host names the HTTP transport accepts (DNS-rebinding protection). Loopback names are always
   * accepted when bound to loopback; binding elsewhere requires listing the names clients use.
   */
  TESTIO_HTTP_ALLOWED_HOSTS: stringListFromEnv.optional(),
  /** Browser origins allowed to call /mcp (e.g. `https://inspector.example`); loopback origins always are. */
  TESTIO_HTTP_ALLOWED_ORIGINS: stringListFromEnv.optional(),
  /**
   * What `serve --transport http` answers on its port (`--api-mode` wins): `hybrid` MCP at /mcp and the
   * REST API (/api, /docs, /openapi.json, /health, /metrics); `mcp` MCP and /health only; `rest` the REST
   * API only. Ignored over stdio.
   */
  TESTIO_API_MODE: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(API_MODES, { message: 'expected hybrid, mcp or rest' }))
    .default('hybrid'),
  /** Allow-list of tools (mutually exclusive with DISABLED_TOOLS). */
  ENABLED_TOOLS: stringListFromEnv.optional(),
  /** Deny-list of tools (mutually exclusive with ENABLED_TOOLS). */
  DISABLED_TOOLS: stringListFromEnv.optional(),
  /** Tool groups to serve: discovery, summaries, analytics, search, admin (default all). */
  TESTIO_TOOLSETS: stringListFromEnv.optional(),
  /** Set by `npm start` when it runs on the embedded sandbox. */
  TESTIO_DEMO_MODE: booleanFromEnv.default(false),
  /** `serve` keeps the mirror fresh through a sync process of its own (ADR 0012); false = `--no-sync`. */
  TESTIO_SERVE_SYNC: booleanFromEnv.default(true),
  /** `get_test_summary` raises `has_alert` above this auto-acceptance rate. */
  AUTO_ACCEPTANCE_ALERT_THRESHOLD: fraction.default(0.2),
  /** Seconds; `10.0` as the reference writes it is accepted. */
  SHUTDOWN_GRACE_PERIOD_SECONDS: numberIn(1, 60).default(10),
  /** Where the REST API of this deployment listens (the same variables as the REST API's); shown by testio://knowledge/programmatic-access. */
  TESTIO_REST_HOST: hostSchema.default('127.0.0.1'),
  TESTIO_REST_PORT: portSchema.default(8081),
  /** The REST API's public URL when it sits behind a proxy (e.g. https://testio.example.com/api-root); wins over host and port. */
  TESTIO_REST_PUBLIC_URL: z.url({ message: 'expected an http(s) URL' }).optional(),
});

/** The REST base URL the resources show: TESTIO_REST_PUBLIC_URL, else http://{TESTIO_REST_HOST}:{TESTIO_REST_PORT}. */
export function restBaseUrl(
  settings: Pick<McpServerSettings, 'TESTIO_REST_HOST' | 'TESTIO_REST_PORT' | 'TESTIO_REST_PUBLIC_URL'>,
): string {
  if (settings.TESTIO_REST_PUBLIC_URL) return settings.TESTIO_REST_PUBLIC_URL.replace(/\/+$/, '');
  const host =
    settings.TESTIO_REST_HOST.includes(':') && !settings.TESTIO_REST_HOST.startsWith('[')
      ? `[${settings.TESTIO_REST_HOST}]`
      : settings.TESTIO_REST_HOST;
  return `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${settings.TESTIO_REST_PORT}`;
}

export type McpServerSettings = ReturnType<typeof parseMcpServerSettings>;

export function parseMcpServerSettings(env: EnvRecord) {
  const settings = parseSettings(mcpServerSettingsSchema, env);
  if (settings.ENABLED_TOOLS && settings.DISABLED_TOOLS) {
    throw new InvalidInputError({
      field: 'ENABLED_TOOLS',
      message: 'ENABLED_TOOLS and DISABLED_TOOLS cannot be used simultaneously',
      reason: 'One is an allow-list and the other a deny-list; together they are ambiguous',
      hint: 'Choose one approach: allow-list (ENABLED_TOOLS) or deny-list (DISABLED_TOOLS), and unset the other',
    });
  }
  return settings;
}
