import { runSandboxCli } from './cli.js';

await runSandboxCli(process.argv.slice(2));
