import { hostSchema, parseSettings, portSchema, sharedSettingsSchema, type EnvRecord } from '@testio-mcp/domain';

/** Settings of the MCP server process: the shared ones plus its HTTP transport address. */
export const mcpServerSettingsSchema = sharedSettingsSchema.extend({
  TESTIO_HTTP_HOST: hostSchema.default('127.0.0.1'),
  TESTIO_HTTP_PORT: portSchema.default(8080),
});

export type McpServerSettings = ReturnType<typeof parseMcpServerSettings>;

export function parseMcpServerSettings(env: EnvRecord) {
  return parseSettings(mcpServerSettingsSchema, env);
}
