import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CliUsageError, parseSandboxCliArgs } from './cli.js';

const PROJECT_DIR = fileURLToPath(new URL('..', import.meta.url));

describe('parseSandboxCliArgs', () => {
  it('applies the defaults', () => {
    expect(parseSandboxCliArgs([])).toEqual({
      port: 4010,
      host: '127.0.0.1',
      seed: 7,
      scale: 'small',
      token: 'sandbox-token',
      faults: {},
      advanceDays: 0,
    });
  });

  it('reads every flag', () => {
    const options = parseSandboxCliArgs([
      '--port',
      '0',
      '--host',
      '0.0.0.0',
      '--seed',
      '42',
      '--scale',
      'large',
      '--token',
      'abc',
      '--latency-ms',
      '25',
      '--fault-rate',
      '0.1',
      '--anchor',
      '2024-02-29',
      '--advance-days',
      '1.5',
    ]);
    expect(options).toEqual({
      port: 0,
      host: '0.0.0.0',
      seed: 42,
      scale: 'large',
      token: 'abc',
      faults: { latencyMs: 25, failRate: 0.1 },
      anchor: new Date('2024-02-29T00:00:00Z'),
      advanceDays: 1.5,
    });
  });

  it.each([
    [['--scale', 'huge'], /--scale: "huge".*demo, small, medium, large/],
    [['--port', '70000'], /--port: "70000".*0 to 65535/],
    [['--port', 'abc'], /--port: "abc"/],
    [['--seed', '1.5'], /--seed: "1.5".*integer/],
    [['--fault-rate', '2'], /--fault-rate: "2".*0 to 1/],
    [['--latency-ms', '-5'], /--latency-ms: "-5"/],
    [['--anchor', '2024-02-30'], /--anchor: "2024-02-30".*YYYY-MM-DD/],
    [['--token', ''], /--token: ""/],
  ])('rejects %j naming the flag, value and what is allowed', (argv, message) => {
    expect(() => parseSandboxCliArgs(argv)).toThrow(CliUsageError);
    expect(() => parseSandboxCliArgs(argv)).toThrow(message);
  });

  it('rejects unknown flags', () => {
    expect(() => parseSandboxCliArgs(['--colour', 'red'])).toThrow(/unknown option '--colour'/);
  });
});

function runMain(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    cwd: PROJECT_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe('the sandbox command', () => {
  it('exits with code 2 on a bad value', async () => {
    const run = runMain(['--scale', 'huge']);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toMatch(/invalid value for --scale: "huge"/);
  });

  it('serves until SIGTERM, announcing the base URL and token', async () => {
    const run = runMain(['--port', '0', '--scale', 'demo', '--anchor', '2025-06-01']);
    try {
      const baseUrl = await new Promise<string>((resolve, reject) => {
        const check = () => {
          const match = /base URL\s+(\S+)/.exec(run.stderr());
          if (match?.[1]) resolve(match[1]);
        };
        run.child.stderr.on('data', check);
        void run.exited.then(() => reject(new Error(`exited early: ${run.stderr()}`)));
      });
      expect(run.stderr()).toContain('Authorization: Token sandbox-token');
      expect(run.stderr()).toContain('/_sandbox/truth');
      const response = await fetch(`${baseUrl}/products`, {
        headers: { Authorization: 'Token sandbox-token' },
      });
      expect(response.status).toBe(200);
      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });
});
