import { createInterface } from 'node:readline/promises';
import { InvalidInputError } from '@testio-mcp/domain';

export interface ConfirmOptions {
  /** `--yes` / `-y`: the answer is yes without asking. */
  readonly yes: boolean;
  /** The command as the user typed it, for the refusal without a terminal (`sync --nuke`). */
  readonly command: string;
  /** What the command is about to do, said in the question and in the refusal. */
  readonly consequence: string;
  readonly input?: NodeJS.ReadableStream & { isTTY?: boolean };
  readonly output?: NodeJS.WritableStream;
}

/**
 * Asks "...? [y/N]" before something that cannot be undone. Without a terminal nobody can answer, so
 * it refuses (a script must say `--yes`) rather than guess. The question goes to stderr: stdout is the
 * command's output.
 */
export async function confirmDestructive(options: ConfirmOptions): Promise<boolean> {
  if (options.yes) return true;
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stderr;
  if (!input.isTTY) {
    throw new InvalidInputError({
      field: '--yes',
      message: `${options.command} needs a confirmation: it ${options.consequence}`,
      reason: 'No terminal is attached to ask the question, and this cannot be undone',
      hint: `Run it again with --yes (or -y) to confirm, e.g. testio-mcp ${options.command} --yes`,
    });
  }
  const prompt = createInterface({ input, output, terminal: true });
  try {
    const answer = await prompt.question(
      `testio-mcp ${options.command} ${options.consequence}. Continue? [y/N] `,
    );
    return /^(y|yes)$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
