// `npm start`: the main job. Today it serves the embedded sandbox (demo mode) when no token is
// configured; the MCP server, REST API and sync worker join it as their milestones land.

const DEMO_PORT = 4010;

function parsePort(value, name) {
  if (value === undefined || value === '') return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name}='${value}' is not valid: expected a port number between 0 and 65535`);
  }
  return port;
}

/**
 * @param {string[]} _args
 * @param {Record<string, string | undefined>} env
 */
export async function runStart(_args, env) {
  if (env.TESTIO_CUSTOMER_API_TOKEN && env.TESTIO_CUSTOMER_API_TOKEN.trim() !== '') {
    process.stderr.write(
      'testio-mcp: a TestIO token is configured, but the processes that use it (sync worker, MCP server,\n' +
        'REST API) are not built yet. Unset TESTIO_CUSTOMER_API_TOKEN to run the demo on the embedded sandbox.\n',
    );
    process.exitCode = 1;
    return;
  }

  const { startSandbox, SANDBOX_SCALES } = await import('@testio-mcp/testio-sandbox');
  const scale = env.TESTIO_SANDBOX_SCALE ?? 'small';
  if (!SANDBOX_SCALES.includes(scale)) {
    throw new Error(`TESTIO_SANDBOX_SCALE='${scale}' is not valid: expected one of ${SANDBOX_SCALES.join(', ')}`);
  }
  const port = parsePort(env.TESTIO_SANDBOX_PORT, 'TESTIO_SANDBOX_PORT') ?? DEMO_PORT;
  const sandbox = await startSandbox({ port, scale, seed: 7 });

  process.stderr.write(
    [
      '',
      '  ┌─────────────────────────────────────────────────────────────────────┐',
      '  │  DEMO MODE: no TESTIO_CUSTOMER_API_TOKEN, serving simulated data    │',
      '  └─────────────────────────────────────────────────────────────────────┘',
      '',
      `  TestIO sandbox   ${sandbox.baseUrl}   (Authorization: Token ${sandbox.token})`,
      `  ground truth     ${sandbox.origin}/_sandbox/truth`,
      `  try              curl -H 'Authorization: Token ${sandbox.token}' ${sandbox.baseUrl}/products`,
      '',
      '  Coming with the next milestones, started by this same command:',
      '    sync worker    mirrors the account into SQLite (~/.testio-mcp/demo.db in demo mode)',
      '    MCP server     http://127.0.0.1:8080/mcp',
      '    REST API       http://127.0.0.1:8081/api  (docs at /docs)',
      '',
      '  Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );

  await new Promise((resolve) => {
    const stop = (signal) => {
      process.stderr.write(`\n  ${signal} received, stopping the sandbox...\n`);
      sandbox.close().then(
        () => {
          process.stderr.write('  stopped.\n');
          resolve();
        },
        (error) => {
          process.stderr.write(`  could not stop cleanly: ${error.message}\n`);
          process.exitCode = 1;
          resolve();
        },
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
