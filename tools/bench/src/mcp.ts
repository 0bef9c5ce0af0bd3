import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** The official SDK client on the Streamable HTTP endpoint, as Claude Code or Cursor would connect. */
export async function connectMcp(url: string, name = 'testio-bench', apiKey?: string): Promise<Client> {
  // Note: after ~1,500 calls on one client Node prints a MaxListenersExceededWarning about abort
  // listeners on an AbortSignal (seen with SDK 1.32.2); it is a warning only and changes no figure.
  const client = new Client({ name, version: '1.0.0' });
  // With a key, as a team client sends it (docs/deployment.md): a static bearer header.
  const requestInit = apiKey ? { headers: { Authorization: `Bearer ${apiKey}` } } : {};
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit }));
  return client;
}

export interface ToolAnswer {
  readonly isError: boolean;
  readonly text: string;
  readonly structured: unknown;
}

export async function callTool(
  client: Client,
  name: string,
  args: Record<string, unknown>,
  timeoutMs = 120_000,
): Promise<ToolAnswer> {
  const result = await client.callTool({ name, arguments: args }, undefined, { timeout: timeoutMs });
  const content = Array.isArray(result.content)
    ? (result.content as Array<{ type: string; text?: string }>)
    : [];
  return {
    isError: result.isError === true,
    text: content.map((c) => (c.type === 'text' ? (c.text ?? '') : '')).join('\n'),
    structured: result.structuredContent,
  };
}
