import type { Services, ThresholdsOutput } from '@testio-mcp/services';

/**
 * MCP resources: fixed documents (`testio://knowledge/...`) and templates over entities
 * (`testio://products/{id}`). One file per resource; `createServer` serves them through
 * `resources/list`, `resources/templates/list` and `resources/read`.
 */

export interface ResourceContext {
  readonly services: Services;
  readonly thresholds: ThresholdsOutput;
  /** Where the REST API of this deployment answers, e.g. `http://127.0.0.1:8081`; null when unknown. */
  readonly restBaseUrl: string | null;
}

export interface StaticResource {
  readonly uri: string;
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly mimeType: string;
  read(ctx: ResourceContext): Promise<string> | string;
}

export interface ResourceTemplate {
  /** RFC 6570 level 1, one `{id}` variable. */
  readonly uriTemplate: string;
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly mimeType: string;
  /** The entity kind, for messages. */
  readonly entity: string;
  /** The same answer as the summary tool for that id. */
  read(id: number, ctx: ResourceContext): Promise<unknown>;
}

export function defineResource(resource: StaticResource): StaticResource {
  return resource;
}

export function defineTemplate(template: ResourceTemplate): ResourceTemplate {
  return template;
}

/** The id of `uri` when it matches the template (`testio://products/598` → 598), else undefined (null for a bad id). */
export function matchTemplate(template: ResourceTemplate, uri: string): number | null | undefined {
  const prefix = template.uriTemplate.slice(0, template.uriTemplate.indexOf('{id}'));
  if (!uri.startsWith(prefix)) return undefined;
  const rest = uri.slice(prefix.length);
  return /^[1-9]\d{0,15}$/.test(rest) ? Number(rest) : null;
}
