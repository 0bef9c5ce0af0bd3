import { formatThreePart, isDomainError } from '@testio-mcp/domain';
import { CommanderError } from 'commander';

/**
 * Prints an error for a person and returns the exit code, the same way for every command: commander's
 * own (usage printed already) 2, or 0 for --help; ours as the three-part message, 2 for bad input and 1
 * otherwise; anything else as an unexpected error, 1.
 */
export function reportCliError(error: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
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

/** Whether an error is one the person was already told about (ours, or commander's usage error). */
export function isReportedCliError(error: unknown): boolean {
  return isDomainError(error) || error instanceof CommanderError;
}
