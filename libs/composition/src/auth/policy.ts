import { DEFAULT_TENANT, ROLE_PURPOSE, roleAllows, type Principal, type Role } from '@testio-mcp/domain';

/**
 * What each role may do (ADR 0022): viewer reads everything (tools, prompts, resources, REST GET and the
 * analytics query and chart, reads sent as POST); operator also starts syncs; admin everything else. A
 * tool or route not named here needs viewer when it reads and admin otherwise, so a new write is closed
 * until it is placed.
 */

const TOOL_ROLES: Readonly<Record<string, Role>> = {
  sync_data: 'operator',
  // Bug triage (ADR 0032): an operator decides on bugs; viewers never see these tools.
  accept_bug: 'operator',
  reject_bug: 'operator',
  mark_bug_known: 'operator',
  mark_bug_fixed: 'operator',
  triage_bugs: 'operator',
};

export function roleForTool(tool: string): Role {
  return TOOL_ROLES[tool] ?? 'viewer';
}

/** Paths relative to the REST base path. */
const POST_ROLES: ReadonlyArray<readonly [RegExp, Role]> = [
  // Reads sent as POST: the analytics query and its chart (a body too rich for a query string).
  [/^\/api\/analytics\/(query|chart)\/?$/i, 'viewer'],
  [/^\/api\/sync\/?$/i, 'operator'],
  // Bug triage (ADR 0032): previews and confirmed writes alike.
  [/^\/api\/bugs\/(\d+\/(accept|reject|mark_known|mark_fixed)|triage)\/?$/i, 'operator'],
];

/** Tenants, keys and every tenant's diagnostics: admin whatever the verb, reads included (ADR 0022). */
const ADMIN_PATH = /^\/api\/admin(\/|$)/i;

/**
 * The admin routes act on every tenant (tenants, keys, diagnostics), so they take an admin of `default`,
 * the server's own account (TESTIO_API_KEYS are such admins): an admin of another tenant administers
 * its own account's reads and syncs, never the server. The refusal's three parts, or undefined when allowed.
 */
export function serverAdminRefusal(
  principal: Principal | undefined,
  path: string,
): { message: string; reason: string; hint: string } | undefined {
  if (principal === undefined || !ADMIN_PATH.test(path) || principal.tenant === DEFAULT_TENANT)
    return undefined;
  return {
    message: `${path} needs an admin of tenant ${DEFAULT_TENANT}; key ${principal.id} is an admin of tenant ${principal.tenant}`,
    reason:
      'The admin API manages every tenant, its keys and its tokens, so only the server’s own account may use it',
    hint: `Use a key created with \`testio-mcp keys create --tenant ${DEFAULT_TENANT} --role admin --name "<label>"\` (or one from TESTIO_API_KEYS)`,
  };
}

export function roleForRequest(method: string, path: string): Role {
  if (ADMIN_PATH.test(path)) return 'admin';
  const verb = method.toUpperCase();
  if (verb === 'GET' || verb === 'HEAD' || verb === 'OPTIONS') return 'viewer';
  if (verb === 'POST') return POST_ROLES.find(([pattern]) => pattern.test(path))?.[1] ?? 'admin';
  return 'admin';
}

/** `undefined` (no principal: the open loopback setup) may do everything, as before principals existed. */
export function mayAct(principal: Principal | undefined, needed: Role): boolean {
  return principal === undefined || roleAllows(principal.role, needed);
}

/** The three parts of a refusal, for MCP's error text and REST's 403 body. */
export function refusalParts(
  principal: Principal,
  needed: Role,
  what: string,
): { message: string; reason: string; hint: string } {
  return {
    message: `${what} needs the ${needed} role; key ${principal.id} is ${principal.role === 'admin' ? 'an' : 'a'} ${principal.role}`,
    reason: `The ${needed} role allows ${ROLE_PURPOSE[needed]}`,
    hint: `Ask an admin for a ${needed} key (\`testio-mcp keys create --tenant ${principal.tenant} --role ${needed} --name "<label>"\`)`,
  };
}
