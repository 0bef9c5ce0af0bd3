export * from './config.js';
export { runServeCommand, type ServeOptions } from './cli.js';
export { createServer, describeTool, SERVER_NAME, SERVER_VERSION, type ServerDeps } from './server.js';
export { ToolTasks, taskOwner, type ToolTasksOptions } from './tasks.js';
export { createMcpContainer, resolveMcpRuntime, type McpContainer, type McpRuntime } from './container.js';
export {
  createHttpApp,
  listen,
  MCP_PATH,
  HEALTH_PATH,
  type HttpAppOptions,
  type RunningHttpServer,
} from './transports/http.js';
export { isMcpPath, routeByPath, type PreparedRestApi, type RestApiHost } from './transports/rest-host.js';
export { serveStdio } from './transports/stdio.js';
export { resolveToolSelection, selectTools, type ToolSelection } from './toolsets.js';
export { TOOLS, TOOL_NAMES } from './tools/index.js';
export {
  TOOLSETS,
  defineTool,
  type ToolDefinition,
  type ToolContext,
  type Toolset,
} from './tools/define-tool.js';
export { renderToolsDoc, writeToolsDoc } from './docs.js';
