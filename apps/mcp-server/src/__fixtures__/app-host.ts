import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';

/**
 * A minimal MCP Apps host of our own (SEP-1865, 2026-01-26): a page that renders a `ui://` template in
 * a sandboxed iframe (`allow-scripts` only, so the view has an opaque origin, under the spec's default
 * CSP: no network at all), answers `ui/initialize`, sends the tool input and result, and relays the
 * view's `tools/call` through this node server to a real MCP server with the official SDK client.
 */

/** The restrictive CSP the spec prescribes when a resource declares no domains. */
export const DEFAULT_APP_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; media-src data:; connect-src 'none'; frame-src 'none'; object-src 'none'";

export interface HostedApp {
  /** The template's HTML, from resources/read. */
  readonly html: string;
  readonly theme: 'light' | 'dark';
  /** The tool call that opened the view: sent as ui/notifications/tool-input and tool-result. */
  readonly toolCall: { name: string; arguments: Record<string, unknown> };
}

export interface RunningAppHost {
  readonly url: string;
  /** The tools/call requests the view made, in order. */
  readonly relayed: Array<{ name: string; arguments: Record<string, unknown> }>;
  close(): Promise<void>;
}

function hostPage(app: HostedApp, toolResult: unknown): string {
  const srcdoc = app.html.replace(
    '<head>',
    `<head><meta http-equiv="Content-Security-Policy" content="${DEFAULT_APP_CSP}">`,
  );
  const config = JSON.stringify({ srcdoc, theme: app.theme, toolCall: app.toolCall, toolResult }).replaceAll(
    '</',
    '<\\/',
  );
  return `<!doctype html><html><head><meta charset="utf-8"><title>Test host</title>
<style>html,body{margin:0;background:${app.theme === 'dark' ? '#0b0f10' : '#eef2f2'}}iframe{border:0;width:100%;height:400px;display:block}</style>
</head><body><iframe id="view" sandbox="allow-scripts" title="MCP App"></iframe><script>
const config = ${config};
const frame = document.getElementById('view');
const send = (message) => frame.contentWindow.postMessage({ jsonrpc: '2.0', ...message }, '*');
window.addEventListener('message', async (event) => {
  if (event.source !== frame.contentWindow) return;
  const { id, method, params } = event.data ?? {};
  if (method === 'ui/initialize') {
    send({ id, result: { protocolVersion: '2026-01-26', hostInfo: { name: 'testio-test-host', version: '1.0.0' },
      hostCapabilities: { serverTools: {}, serverResources: {} },
      hostContext: { theme: config.theme, displayMode: 'inline', toolInfo: { tool: { name: config.toolCall.name } } } } });
  } else if (method === 'ui/notifications/initialized') {
    send({ method: 'ui/notifications/tool-input', params: { arguments: config.toolCall.arguments } });
    send({ method: 'ui/notifications/tool-result', params: config.toolResult });
  } else if (method === 'ui/notifications/size-changed') {
    frame.style.height = params.height + 'px';
  } else if (method === 'tools/call' || method === 'resources/read') {
    const res = await fetch('/relay', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ method, params }) });
    const body = await res.json();
    send(body.error ? { id, error: body.error } : { id, result: body.result });
  } else if (id !== undefined) {
    send({ id, error: { code: -32601, message: 'Not supported by the test host: ' + method } });
  }
});
frame.srcdoc = config.srcdoc;
</script></body></html>`;
}

export async function startAppHost(app: HostedApp, client: Client): Promise<RunningAppHost> {
  const relayed: RunningAppHost['relayed'] = [];
  const toolResult = await client.callTool(app.toolCall);
  const page = hostPage(app, toolResult);
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      return;
    }
    if (req.method !== 'POST' || req.url !== '/relay') {
      res.writeHead(404).end();
      return;
    }
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const { method, params } = JSON.parse(body) as {
        method: string;
        params: { name: string; arguments?: Record<string, unknown>; uri: string };
      };
      const answer =
        method === 'tools/call'
          ? (relayed.push({ name: params.name, arguments: params.arguments ?? {} }),
            client.callTool({ name: params.name, arguments: params.arguments ?? {} }))
          : client.readResource({ uri: params.uri });
      answer.then(
        (result) =>
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result })),
        (error: Error) =>
          res
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: { code: -32603, message: error.message } })),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    relayed,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
