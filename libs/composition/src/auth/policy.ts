import { ROLE_PURPOSE, roleAllows, type Principal, type Role } from '@testio-mcp/domain';

/**
 * What each role may do (ADR 0022): viewer reads everything (tools, prompts, resources, REST GET and the
 * analytics query and chart, reads sent as POST); operator also starts syncs; admin everything else. A
 * tool or route not named here needs viewer when it reads and admin otherwise, so a new write is closed
 * until it is placed.
 */

const TOOL_ROLES: Readonly<Record<string, Role>> = {
  sync_data: 'operator',
};

export function roleForTool(tool: string): Role {
  return TOOL_ROLES[tool] ?? 'viewer';
}

/** Paths relative to the REST base path. */
const POST_ROLES: ReadonlyArray<readonly [RegExp, Role]> = [
  // Reads sent as POST: the analytics query and its chart (a body too rich for a query string).
  [/^\/api\/analytics\/(query|chart)\/?$/i, 'viewer'],
  [/^\/api\/sync\/?$/i, 'operator'],
];

export function roleForRequest(method: string, path: string): Role {
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
