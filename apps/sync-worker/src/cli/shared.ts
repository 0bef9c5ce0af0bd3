import { createProcessLogger, reportCliError } from '@testio-mcp/composition';
import type { EnvRecord, Logger } from '@testio-mcp/domain';
import type { Command } from 'commander';
import {
  parseSyncWorkerSettings,
  resolveSyncRuntime,
  type SyncRuntime,
  type SyncWorkerSettings,
} from '../config.js';

/** Everything a sync-side command needs before it does its work. */
export interface CommandContext {
  readonly settings: SyncWorkerSettings;
  readonly runtime: SyncRuntime;
  readonly logger: Logger;
}

/** A problem the user can fix; printed as the three-part message and mapped to an exit code. */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export function loadContext(
  env: EnvRecord,
  processName: string,
  options: { requireToken?: boolean } = {},
): CommandContext {
  const settings = parseSyncWorkerSettings(env);
  const runtime = resolveSyncRuntime(settings, new Date(), options);
  const logger = createProcessLogger(settings, env, { process: processName, demo: runtime.demo });
  return { settings, runtime, logger };
}

/** Commander throws instead of exiting, so one place decides how errors look and which code they get. */
export function prepareCommand(command: Command): Command {
  return command.exitOverride().configureOutput({
    writeOut: (s) => process.stdout.write(s),
    writeErr: (s) => process.stderr.write(s),
  });
}

/** Prints an error for a person (three-part when it is ours) and returns the exit code. */
export function reportCommandError(error: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (error instanceof CommandFailure) {
    stderr.write(`${error.message}\n`);
    return error.exitCode;
  }
  return reportCliError(error, stderr);
}
