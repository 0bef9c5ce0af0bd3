import { InvalidInputError, type SharedSettings } from '@testio-mcp/domain';
import { defaultDatabasePath, resolveUserPath } from '@testio-mcp/persistence';

/** The settings every app resolves its runtime from: the shared ones, plus the demo flag `npm start` sets. */
export type RuntimeSettings = Pick<
  SharedSettings,
  | 'TESTIO_CUSTOMER_API_TOKEN'
  | 'TESTIO_CUSTOMER_API_BASE_URL'
  | 'TESTIO_DB_PATH'
  | 'TESTIO_DATABASE_URL'
  | 'TESTIO_CUSTOMER_ID'
  | 'TESTIO_PRODUCT_IDS'
> & { readonly TESTIO_DEMO_MODE: boolean };

/** What a process needs to reach TestIO and the mirror, checked and resolved once. */
export interface AppRuntime<Token extends string | undefined = string> {
  readonly token: Token;
  readonly baseUrl: string;
  readonly databasePath: string;
  /** TESTIO_DATABASE_URL: PostgreSQL instead of the SQLite file at `databasePath` (ADR 0034). */
  readonly databaseUrl?: string | undefined;
  readonly customerId: number;
  readonly productIds: readonly number[] | undefined;
  readonly demo: boolean;
}

export interface ResolveRuntimeOptions {
  /** Why this process needs the token, for the error when there is none (`The MCP server reads ...`). */
  readonly tokenReason: string;
}

/** The runtime of a process that cannot work without a TestIO token (the MCP server, the REST API, a sync). */
export function resolveRuntime(settings: RuntimeSettings, options: ResolveRuntimeOptions): AppRuntime {
  const token = settings.TESTIO_CUSTOMER_API_TOKEN;
  if (!token) throw missingToken(options.tokenReason);
  return { ...resolveRuntimeWithoutToken(settings), token };
}

/**
 * The runtime of a serving app (`The MCP server`, `The REST API`): both read the account from the mirror
 * and refresh it from TestIO, so both need the token for the same reason.
 */
export function resolveServingRuntime(settings: RuntimeSettings, server: string): AppRuntime {
  return resolveRuntime(settings, {
    tokenReason: `${server} reads your account from the local mirror and refreshes it from the TestIO Customer API, which needs a token`,
  });
}

/** The runtime of a command that may read the local mirror alone (`sync --status`, `--dry-run`). */
export function resolveRuntimeWithoutToken(settings: RuntimeSettings): AppRuntime<string | undefined> {
  return {
    token: settings.TESTIO_CUSTOMER_API_TOKEN,
    baseUrl: settings.TESTIO_CUSTOMER_API_BASE_URL,
    databasePath: resolveUserPath(settings.TESTIO_DB_PATH ?? defaultDatabasePath()),
    databaseUrl: settings.TESTIO_DATABASE_URL,
    customerId: settings.TESTIO_CUSTOMER_ID,
    productIds: settings.TESTIO_PRODUCT_IDS,
    demo: settings.TESTIO_DEMO_MODE,
  };
}

function missingToken(reason: string): InvalidInputError {
  return new InvalidInputError({
    field: 'TESTIO_CUSTOMER_API_TOKEN',
    message: 'No TestIO API token is configured (TESTIO_CUSTOMER_API_TOKEN)',
    reason,
    hint: 'Put TESTIO_CUSTOMER_API_TOKEN in .env (TestIO UI: Integrations → API), or run `npm start` for the demo on simulated data',
  });
}
