import { formatThreePart } from '@testio-mcp/domain';
import {
  MissingRequiredClientCapabilityError,
  ProtocolError,
  ProtocolErrorCode,
  type Server,
  type ServerContext,
  type Task,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { TASKS_EXTENSION_ID, type ToolTasks } from './tasks.js';

/**
 * The task methods on the wire (ADR 0033, 0037): SDK 2.x keeps the 2025-11-25 task vocabulary but no
 * longer answers `tasks/*` itself, so these handlers do, for both revisions, over the one registry.
 */

const CLIENT_CAPABILITIES_META = 'io.modelcontextprotocol/clientCapabilities';

/**
 * Whether a request is on 2026-07-28 and declares the tasks extension in its `_meta` capabilities
 * (`extensions: { 'io.modelcontextprotocol/tasks': {} }`). Undefined for a 2025-era request.
 */
export function declaresTasksExtension(ctx: ServerContext): boolean | undefined {
  const envelope = ctx.mcpReq.envelope as Record<string, unknown> | undefined;
  if (envelope === undefined) return undefined;
  const capabilities = envelope[CLIENT_CAPABILITIES_META] as
    { extensions?: Record<string, unknown> } | undefined;
  const declared = capabilities?.extensions?.[TASKS_EXTENSION_ID];
  return typeof declared === 'object' && declared !== null && !Array.isArray(declared);
}

/** The -32021 answer to a 2026-07-28 `tasks/*` request that does not declare the extension (SEP-2663). */
function missingExtension(method: string): MissingRequiredClientCapabilityError {
  return new MissingRequiredClientCapabilityError(
    { requiredCapabilities: { extensions: { [TASKS_EXTENSION_ID]: {} } } },
    formatThreePart(
      `${method} needs the tasks extension`,
      `On 2026-07-28 the task methods belong to ${TASKS_EXTENSION_ID}, which this request does not declare`,
      `Declare extensions['${TASKS_EXTENSION_ID}']: {} in the request's clientCapabilities (_meta)`,
    ),
  );
}

const TaskIdParams = z.looseObject({ taskId: z.string() });
const UpdateParams = z.looseObject({
  taskId: z.string(),
  inputResponses: z.record(z.string(), z.unknown()).optional(),
});
const CursorParams = z.looseObject({ cursor: z.string().optional() }).optional();

/**
 * Answers the task methods on `server` for one owner's tasks: on 2025-11-25 `tasks/get`, `tasks/result`,
 * `tasks/list` and `tasks/cancel`; on 2026-07-28 (the extension) `tasks/get`, `tasks/update` and
 * `tasks/cancel` (the SDK answers -32601 for the other two on that revision).
 */
export function registerTaskHandlers(server: Server, tasks: ToolTasks, owner: string): void {
  server.setRequestHandler('tasks/get', { params: TaskIdParams }, async (params, ctx) => {
    const modern = declaresTasksExtension(ctx);
    if (modern === undefined) return tasks.getShared(owner, params.taskId);
    if (!modern) throw missingExtension('tasks/get');
    return (await tasks.getV2Shared(owner, params.taskId)) as unknown as Task;
  });
  server.setRequestHandler('tasks/result', { params: TaskIdParams }, (params, ctx) =>
    tasks.result(owner, params.taskId, ctx.mcpReq.signal),
  );
  server.setRequestHandler('tasks/list', { params: CursorParams }, (params) =>
    tasks.list(owner, params?.cursor),
  );
  server.setRequestHandler('tasks/cancel', { params: TaskIdParams }, async (params, ctx) => {
    const modern = declaresTasksExtension(ctx);
    if (modern === undefined) return tasks.cancelTask(owner, params.taskId);
    if (!modern) throw missingExtension('tasks/cancel');
    await tasks.cancelV2(owner, params.taskId);
    return {} as Task;
  });
  server.setRequestHandler('tasks/update', { params: UpdateParams }, async (params, ctx) => {
    const modern = declaresTasksExtension(ctx);
    if (modern === undefined) {
      throw new ProtocolError(
        ProtocolErrorCode.MethodNotFound,
        formatThreePart(
          'Method not found: tasks/update',
          'tasks/update belongs to the 2026-07-28 tasks extension; 2025-11-25 tasks take no input this way',
          'Poll tasks/get and fetch the answer with tasks/result',
        ),
      );
    }
    if (!modern) throw missingExtension('tasks/update');
    // The SDK lifts `inputResponses` off a 2026-07-28 request's params into the context (MRTR).
    await tasks.updateShared(owner, params.taskId, ctx.mcpReq.inputResponses ?? params.inputResponses ?? {});
    return {};
  });
}
