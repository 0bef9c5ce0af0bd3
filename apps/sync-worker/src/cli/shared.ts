import { loggingFromSettings } from '@testio-mcp/app-runtime';
import {
  formatThreePart,
  isDomainError,
  referenceOnlySettingWarnings,
  type EnvRecord,
  type Logger,
} from '@testio-mcp/domain';
import { CommanderError, type Command } from 'commander';
import {
  parseSyncWorkerSettings,
  resolveSyncRuntime,
  type SyncRuntime,
  type SyncWorkerSettings,
} from '../config.js';
import { createRootLogger } from '../logger.js';

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
  const logger = createRootLogger({
    ...loggingFromSettings(settings),
    base: { process: processName, ...(runtime.demo ? { demo: true } : {}) },
  });
  // Carried over from the reference's .env: not an error, but never silently ignored.
  for (const { variable, message } of referenceOnlySettingWarnings(env)) logger.warn({ variable }, message);
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
  if (error instanceof CommanderError) {
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof CommandFailure) {
    stderr.write(`${error.message}\n`);
    return error.exitCode;
  }
  if (isDomainError(error)) {
    stderr.write(`${error.toUserText()}\n`);
    return error.code === 'invalid_input' ? 2 : 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(
    `${formatThreePart(`Unexpected error: ${message}`, undefined, 'Run again with LOG_LEVEL=debug, and report it if it persists')}\n`,
  );
  return 1;
}
