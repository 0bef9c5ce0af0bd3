import { describe, expect, it } from 'vitest';
import { GLOBAL_FLAGS, parseArgv, UsageError } from './argv.js';

describe('parseArgv', () => {
  it('takes global flags before or after the command, as --flag value or --flag=value', () => {
    const parsed = parseArgv([
      '--log-level',
      'debug',
      'sync',
      '--force',
      '--cache-ttl=120',
      '--env-file=./x.env',
    ]);
    expect(parsed.command).toBe('sync');
    expect(parsed.args).toEqual(['--force']);
    expect(parsed.flags.map(({ env, value }) => [env, value])).toEqual([
      ['LOG_LEVEL', 'debug'],
      ['CACHE_TTL_SECONDS', '120'],
    ]);
    expect(parsed.envFile).toBe('./x.env');
  });

  it('hands everything after -- to the command', () => {
    const parsed = parseArgv(['serve', '--', '--log-level', 'debug']);
    expect(parsed.args).toEqual(['--', '--log-level', 'debug']);
    expect(parsed.flags).toEqual([]);
  });

  it('reads -v as --version only before the command (a command may have its own -v)', () => {
    expect(parseArgv(['-v']).version).toBe(true);
    const parsed = parseArgv(['sync', '-v']);
    expect(parsed.version).toBe(false);
    expect(parsed.args).toEqual(['-v']);
    expect(parseArgv(['serve', '--version']).version).toBe(true);
    expect(parseArgv(['api', '-h']).help).toBe(true);
  });

  it('refuses a global flag without a value, naming what it expects', () => {
    for (const argv of [['--log-level'], ['--log-level', '--force'], ['--env-file']]) {
      expect(() => parseArgv(argv)).toThrow(UsageError);
    }
    expect(() => parseArgv(['--http-timeout'])).toThrow(
      /--http-timeout needs a value, e.g. --http-timeout SECONDS/,
    );
    expect(() => parseArgv(['--env-file'])).toThrow(/--env-file needs a value, e.g. --env-file PATH/);
  });

  it('refuses an unknown option before the command with exit code 2', () => {
    try {
      parseArgv(['--nope', 'sync']);
      expect.unreachable('parseArgv accepted --nope');
    } catch (error) {
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).exitCode).toBe(2);
      expect((error as UsageError).message).toContain("unknown option '--nope' before the command");
    }
  });

  it('documents each global flag with the variable it sets', () => {
    const variables = GLOBAL_FLAGS.map((g) => g.env);
    expect(new Set(variables).size).toBe(GLOBAL_FLAGS.length);
    for (const { flag, arg, help } of GLOBAL_FLAGS) {
      expect(flag).toMatch(/^--[a-z-]+$/);
      expect(arg).toMatch(/^[A-Z]+$/);
      expect(help.length).toBeGreaterThan(10);
    }
  });
});
