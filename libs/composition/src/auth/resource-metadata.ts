/**
 * OAuth 2.0 Protected Resource Metadata (RFC 9728), as the MCP authorization specification asks of a
 * resource server: where the document lives, what it says, and the challenge a 401 carries. With API keys
 * alone there is no authorization server to name; the document still tells clients how to send a bearer.
 */

export const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

export const SCOPES_SUPPORTED = ['testio:read', 'testio:sync', 'testio:admin'] as const;

/** `origin` + base path, without a trailing slash (`https://testio.example.com/team`). */
export function resourceMetadataUrl(base: string): string {
  return `${base.replace(/\/+$/, '')}${RESOURCE_METADATA_PATH}`;
}

export function wwwAuthenticate(base: string): string {
  return `Bearer resource_metadata="${resourceMetadataUrl(base)}"`;
}

export function protectedResourceMetadata(
  base: string,
  authorizationServers: readonly string[] = [],
): Record<string, unknown> {
  const root = base.replace(/\/+$/, '');
  return {
    resource: `${root}/mcp`,
    authorization_servers: [...authorizationServers],
    scopes_supported: [...SCOPES_SUPPORTED],
    bearer_methods_supported: ['header'],
    resource_name: 'TestIO MCP',
  };
}
