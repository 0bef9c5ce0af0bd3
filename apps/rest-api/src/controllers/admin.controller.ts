import {
  Body,
  Controller,
  Delete,
  Get,
  Path,
  Post,
  Response,
  Route,
  Security,
  SuccessResponse,
  Tags,
} from '@tsoa/runtime';
import {
  addTenant,
  issueApiKey,
  listApiKeys,
  listTenants,
  removeTenant,
  requireMasterKey,
  revokeApiKey,
  type checkToken,
} from '@testio-mcp/composition';
import {
  DEFAULT_TENANT,
  InvalidInputError,
  PRODUCTION_API_BASE_URL,
  isDomainError,
  type Clock,
} from '@testio-mcp/domain';
import type { PrincipalStore } from '@testio-mcp/persistence';
import { getServerDiagnosticsInputSchema, parseInput, type Services } from '@testio-mcp/services';
import type {
  AddTenantRequest,
  AdminApiKeyList,
  AdminDiagnostics,
  AdminTenant,
  AdminTenantList,
  CreatedKey,
  CreateKeyRequest,
  TenantDiagnostics,
} from '../dto/admin.js';
import type { ErrorBody } from '../dto/error.js';

/**
 * What the admin routes act on: the principal store of the mirror and the master key, the same the
 * `tenants` and `keys` commands use (libs/composition holds the logic both call).
 */
export interface AdminParts {
  readonly store: PrincipalStore;
  readonly masterKey: Buffer | undefined;
  /** The environment's own account, `default`. */
  readonly defaultAccount: { readonly customerId: number; readonly baseUrl: string };
  /** How a new tenant's token is checked; the API's GET /products by default. */
  readonly checkToken: typeof checkToken;
  /** The services of one tenant by slug (its mirror as its customer id). */
  readonly servicesForTenant: (slug: string) => Services;
  readonly clock: Pick<Clock, 'now'>;
}

@Route('api/admin')
@Security('bearer')
@Security('apiKey')
@Tags('Admin')
@Response<ErrorBody>(401, 'Missing or invalid API key')
@Response<ErrorBody>(403, 'The key is not an admin')
@Response<ErrorBody>(429, 'Rate limit exceeded (see Retry-After)')
export class AdminController extends Controller {
  constructor(private readonly parts: AdminParts) {
    super();
  }

  /**
   * Every tenant this server serves: `default` (the environment's account) first, then the stored ones
   * by slug. Never a token. The same list as `testio-mcp tenants list`.
   * @summary List tenants
   */
  @Get('tenants')
  public async listTenants(): Promise<AdminTenantList> {
    const { defaultAccount, store } = this.parts;
    const tenants: AdminTenant[] = [
      {
        slug: DEFAULT_TENANT,
        customer_id: defaultAccount.customerId,
        base_url: defaultAccount.baseUrl,
        created_at: null,
        token: 'TESTIO_CUSTOMER_API_TOKEN',
      },
      ...listTenants(store).map((t) => ({ ...t, token: 'encrypted' as const })),
    ];
    return { tenants };
  }

  /**
   * Adds a TestIO customer account: the token is checked with one GET /products against `base_url`
   * (unless `skip_check`), stored encrypted under the master key and never echoed. The worker picks the
   * tenant up at its next tenant scan. The same as `testio-mcp tenants add`.
   * @summary Add a tenant
   */
  @Post('tenants')
  @SuccessResponse(201, 'Created')
  @Response<ErrorBody>(400, 'Invalid slug, a slug or customer id in use, a refused token, or no master key')
  @Response<ErrorBody>(422, 'Body does not match the schema (unknown or mistyped property)')
  public async addTenant(@Body() body: AddTenantRequest): Promise<AdminTenant> {
    const { store, clock, defaultAccount } = this.parts;
    const masterKey = requireMasterKey(this.parts.masterKey, 'Adding a tenant');
    const baseUrl = (body.base_url ?? PRODUCTION_API_BASE_URL).replace(/\/+$/, '');
    const token = body.token.trim();
    if (!body.skip_check) {
      const result = await this.parts.checkToken({ baseUrl, token });
      if (!result.ok) {
        throw new InvalidInputError({
          field: 'token',
          message: `The token for tenant '${body.slug.slice(0, 64)}' did not work`,
          reason: result.message,
          hint: 'Check the token and base_url, or add it anyway with "skip_check": true',
        });
      }
    }
    const added = addTenant(
      store,
      { slug: body.slug, token, customerId: body.customer_id, baseUrl },
      masterKey,
      clock,
      [defaultAccount.customerId],
    );
    this.setStatus(201);
    return { ...added, token: 'encrypted' };
  }

  /**
   * Removes a stored tenant and revokes its keys at once; its mirrored rows stay until the database is
   * rebuilt. `default` cannot be removed. The same as `testio-mcp tenants remove`.
   * @summary Remove a tenant
   * @param slug The tenant's slug.
   */
  @Delete('tenants/{slug}')
  @SuccessResponse(204, 'Removed')
  @Response<ErrorBody>(400, 'No such tenant')
  public async removeTenant(@Path() slug: string): Promise<void> {
    removeTenant(this.parts.store, slug, this.parts.clock.now());
    this.setStatus(204);
  }

  /**
   * Every server-issued key of every tenant with its state (active, expired, revoked). Never a secret.
   * Keys from TESTIO_API_KEYS are configuration and not listed. The same as `testio-mcp keys list`.
   * @summary List API keys
   */
  @Get('keys')
  public async listKeys(): Promise<AdminApiKeyList> {
    return { keys: listApiKeys(this.parts.store, this.parts.clock.now()) };
  }

  /**
   * Creates a key for a tenant and answers it this once: only its SHA-256 is stored. The same as
   * `testio-mcp keys create`.
   * @summary Create an API key
   */
  @Post('keys')
  @SuccessResponse(201, 'Created; `key` is shown this once')
  @Response<ErrorBody>(400, 'Unknown tenant, bad name or expiry')
  @Response<ErrorBody>(422, 'Body does not match the schema (unknown or mistyped property)')
  public async createKey(@Body() body: CreateKeyRequest): Promise<CreatedKey> {
    const issued = issueApiKey(this.parts.store, body, this.parts.clock);
    this.setStatus(201);
    this.setHeader('Cache-Control', 'no-store');
    return issued;
  }

  /**
   * Revokes a key at once: requests with it are refused from now on. The same as `testio-mcp keys revoke`.
   * @summary Revoke an API key
   * @param id The key id from GET /api/admin/keys.
   */
  @Delete('keys/{id}')
  @SuccessResponse(204, 'Revoked')
  @Response<ErrorBody>(400, 'No such key, or already revoked')
  public async revokeKey(@Path() id: string): Promise<void> {
    revokeApiKey(this.parts.store, id, this.parts.clock.now());
    this.setStatus(204);
  }

  /**
   * For every tenant, its mirror counts and sync state: what `get_server_diagnostics` (and
   * `GET /api/diagnostics`) shows for one tenant, without the API probe. A tenant that cannot be read
   * (e.g. its token does not decrypt) is listed with `error` instead of failing the answer.
   * @summary Diagnostics of every tenant
   */
  @Get('diagnostics')
  public async getDiagnostics(): Promise<AdminDiagnostics> {
    const { defaultAccount, store } = this.parts;
    const all = [
      { slug: DEFAULT_TENANT, customerId: defaultAccount.customerId },
      ...store.listTenants().map((t) => ({ slug: t.slug, customerId: t.customerId })),
    ];
    const input = parseInput(getServerDiagnosticsInputSchema, { check_api: false }, 'get_server_diagnostics');
    const tenants: TenantDiagnostics[] = [];
    for (const { slug, customerId } of all) {
      try {
        const d = await this.parts.servicesForTenant(slug).getServerDiagnostics(input);
        tenants.push({
          tenant: slug,
          customer_id: customerId,
          database: d.database,
          sync: d.sync,
          data_as_of: d.data_as_of,
        });
      } catch (error) {
        if (!isDomainError(error)) throw error;
        tenants.push({
          tenant: slug,
          customer_id: customerId,
          database: null,
          sync: null,
          data_as_of: null,
          error: error.message,
        });
      }
    }
    return { tenants };
  }
}
