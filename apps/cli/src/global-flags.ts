import { sharedSettingsSchema } from '@testio-mcp/domain';
import { UsageError, type GlobalFlagValue } from './argv.js';

/**
 * Checks each global flag with its variable's schema (so the limits agree), then sets the variable in
 * `env`: flags win over the environment and the env files.
 */
export function applyGlobalFlags(flags: readonly GlobalFlagValue[], env: NodeJS.ProcessEnv): void {
  for (const { flag, env: variable, value } of flags) {
    const parsed = sharedSettingsSchema.shape[variable].safeParse(value);
    if (!parsed.success || value.trim() === '') {
      const reason = parsed.success
        ? 'a value is required'
        : parsed.error.issues.map((issue) => issue.message).join('; ');
      throw new UsageError(
        `${flag} '${value}' is not valid: ${reason} (it sets ${variable}; see testio-mcp --help)`,
      );
    }
    env[variable] = value;
  }
}
