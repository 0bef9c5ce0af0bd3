#!/usr/bin/env node
// The Swagger UI test drives Debian's headless Chromium (never a browser download). `npm test` runs this
// first: when Chromium is missing and we may install system packages (root with apt-get, as on our
// machines and in CI), it installs Debian's `chromium`; otherwise it says what to do and the test fails.
import { spawnSync } from 'node:child_process';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

if (has('chromium')) process.exit(0);
if (process.getuid?.() !== 0 || !has('apt-get')) {
  process.stderr.write(
    'ensure-chromium: Debian chromium is not installed; the Swagger UI test needs it (apt-get install chromium).\n',
  );
  process.exit(0);
}
process.stderr.write('ensure-chromium: installing Debian chromium for the Swagger UI test...\n');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const install = () =>
  spawnSync('apt-get', ['install', '-y', '-q', 'chromium'], { stdio: ['ignore', 'ignore', 'inherit'], env });
if (install().status !== 0) {
  spawnSync('apt-get', ['update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (install().status !== 0)
    process.stderr.write('ensure-chromium: could not install chromium; the Swagger UI test will fail.\n');
}
