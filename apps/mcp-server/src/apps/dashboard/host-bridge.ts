/**
 * The app's side of MCP Apps (SEP-1865, 2026-01-26): JSON-RPC 2.0 over `postMessage` with the host
 * window. Hand-written rather than ext-apps' `App` class: the dashboard needs five messages, and the
 * bundle stays small enough to read when a host reviews the template (ADR 0038).
 */

export interface HostContext {
  readonly theme?: 'light' | 'dark';
  readonly styles?: { readonly variables?: Record<string, string | undefined> };
  readonly toolInfo?: { readonly tool?: { readonly name?: string } };
}

export interface ToolResult {
  readonly isError?: boolean;
  readonly content?: ReadonlyArray<{ readonly type: string; readonly text?: string }>;
  readonly structuredContent?: Record<string, unknown>;
}

type Handler = (params: Record<string, unknown>) => void;

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

export const APP_PROTOCOL_VERSION = '2026-01-26';

export class HostBridge {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly handlers = new Map<string, Handler>();

  constructor(private readonly host: Window) {
    window.addEventListener('message', (event) => {
      // Only the window that embeds us speaks for the host.
      if (event.source !== this.host) return;
      this.receive(event.data as Record<string, unknown> | null);
    });
  }

  on(method: string, handler: Handler): void {
    this.handlers.set(method, handler);
  }

  request(method: string, params: Record<string, unknown>): Promise<unknown> {
    const id = this.nextId++;
    this.host.postMessage({ jsonrpc: '2.0', id, method, params }, '*');
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  notify(method: string, params: Record<string, unknown>): void {
    this.host.postMessage({ jsonrpc: '2.0', method, params }, '*');
  }

  /** `ui/initialize` then `ui/notifications/initialized`; the host sends nothing before the latter. */
  async initialize(appInfo: { name: string; version: string }): Promise<HostContext> {
    const result = (await this.request('ui/initialize', {
      protocolVersion: APP_PROTOCOL_VERSION,
      appInfo,
      appCapabilities: { availableDisplayModes: ['inline'] },
    })) as { hostContext?: HostContext } | undefined;
    this.notify('ui/notifications/initialized', {});
    return result?.hostContext ?? {};
  }

  /** `tools/call`, relayed by the host to this app's own server. */
  async callTool(name: string, args: Record<string, unknown>): Promise<ToolResult> {
    return (await this.request('tools/call', { name, arguments: args })) as ToolResult;
  }

  private receive(message: Record<string, unknown> | null): void {
    if (!message || message['jsonrpc'] !== '2.0') return;
    const id = message['id'];
    const method = message['method'];
    if (typeof method === 'string') {
      const params = (message['params'] ?? {}) as Record<string, unknown>;
      if (id !== undefined) {
        // A request from the host: teardown and ping need an answer; nothing here keeps state to save.
        this.host.postMessage({ jsonrpc: '2.0', id, result: {} }, '*');
        return;
      }
      this.handlers.get(method)?.(params);
      return;
    }
    if (typeof id !== 'number') return;
    const waiting = this.pending.get(id);
    if (!waiting) return;
    this.pending.delete(id);
    const error = message['error'] as { message?: string } | undefined;
    if (error) waiting.reject(new Error(error.message ?? 'The host refused the request'));
    else waiting.resolve(message['result']);
  }
}
