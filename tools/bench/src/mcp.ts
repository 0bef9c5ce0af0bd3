import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import { fetchWithRequestSignal } from './request-signal-fetch.js';

/** The official SDK client on the Streamable HTTP endpoint, as Claude Code or Cursor would connect. */
export async function connectMcp(
  url: string,
  name = 'testio-bench',
  apiKey?: string,
  /** Wraps the transport's fetch, e.g. to see the signal the transport hands it (a test does). */
  wrapFetch: (fetch: FetchLike) => FetchLike = (fetch) => fetch,
): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  // With a key, as a team client sends it (docs/deployment.md): a static bearer header.
  const requestInit = apiKey ? { headers: { Authorization: `Bearer ${apiKey}` } } : {};
  // A signal per request: the transport's own one signal would collect a listener per call (issue 18).
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), {
      requestInit,
      fetch: wrapFetch(fetchWithRequestSignal()),
    }),
  );
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
