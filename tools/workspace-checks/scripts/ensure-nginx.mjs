#!/usr/bin/env node
// The multi-instance topology test (tools/bench/src/topology) puts Debian's nginx in front of two server
// instances as the load balancer. `npm test` runs this first: when nginx is missing and we may install
// system packages (root with apt-get, as on our machines and in CI), it installs Debian's `nginx-light`;
// otherwise it says what to do, and the topology test fails with the same advice.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

if (existsSync('/usr/sbin/nginx') || existsSync('/usr/bin/nginx')) process.exit(0);
if (process.getuid?.() !== 0 || !has('apt-get')) {
  process.stderr.write(
    'ensure-nginx: nginx is not installed; the multi-instance topology test needs it (apt-get install nginx-light).\n',
  );
  process.exit(0);
}
process.stderr.write('ensure-nginx: installing Debian nginx-light for the topology test...\n');
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
// The package's own service is not wanted: the test runs nginx itself, on loopback, from a temp dir.
const install = () =>
  spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'nginx-light'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env,
  });
if (install().status !== 0) {
  spawnSync('apt-get', ['update', '-q'], { stdio: ['ignore', 'ignore', 'inherit'], env });
  if (install().status !== 0)
    process.stderr.write('ensure-nginx: could not install nginx-light; the topology test will fail.\n');
}
