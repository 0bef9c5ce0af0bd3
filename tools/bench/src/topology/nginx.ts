import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Debian's nginx (`nginx-light`) as the load balancer of the multi-instance topology (ADR 0036): a
 * non-daemon child with a generated configuration and every path (pid, logs, temp files) in its own
 * directory, listening on loopback only.
 */

const CANDIDATES = ['/usr/sbin/nginx', '/usr/bin/nginx'];

/** The nginx binary, or an error that says how to get it (tools/workspace-checks installs it for `npm test`). */
export function findNginx(): string {
  const found = CANDIDATES.find((path) => existsSync(path));
  if (found) return found;
  throw new Error(
    "nginx is not installed: the multi-instance topology uses Debian's nginx as its load balancer. Install it with `apt-get install -y nginx-light` (as root; `npm test` does so when it runs as root)",
  );
}

export interface NginxConfigOptions {
  /** The directory holding the configuration, pid file, logs and temp files. */
  readonly dir: string;
  /** The loopback port the proxy listens on. */
  readonly port: number;
  /** `host:port` of each server instance. */
  readonly upstreams: readonly string[];
  /** Failures before an instance is taken out, and for how long (passive health checks); 1 and 10 s. */
  readonly maxFails?: number;
  readonly failTimeoutSeconds?: number;
}

/**
 * The configuration as tested (docs/deployment.md shows it). The MCP endpoint is stateless Streamable HTTP
 * (every POST stands alone, no Mcp-Session-Id), so plain round robin is right and no stickiness is needed.
 * A request whose connection was refused (the instance is down) goes to the next instance, POST included,
 * since nothing reached the dead one (hence no keepalive pool to the instances); a GET is also retried after an error or a 502/503/504 from an
 * instance. A POST that was already sent is not retried: an MCP tool call may write (bug triage).
 */
export function nginxConfig(options: NginxConfigOptions): string {
  const { dir } = options;
  const maxFails = options.maxFails ?? 1;
  const failTimeout = options.failTimeoutSeconds ?? 10;
  // As root, nginx would switch its workers to `nobody`, who cannot write this directory.
  const user = process.getuid?.() === 0 ? 'user root root;\n' : '';
  return `${user}daemon off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;

events {
    worker_connections 1024;
}

http {
    access_log ${join(dir, 'access.log')};
    client_body_temp_path ${join(dir, 'client_body')};
    proxy_temp_path ${join(dir, 'proxy')};
    fastcgi_temp_path ${join(dir, 'fastcgi')};
    uwsgi_temp_path ${join(dir, 'uwsgi')};
    scgi_temp_path ${join(dir, 'scgi')};

    upstream testio_mcp {
${options.upstreams.map((u) => `        server ${u} max_fails=${maxFails} fail_timeout=${failTimeout}s;`).join('\n')}
        # No keepalive pool: a POST sent on a kept connection to an instance that has just died fails
        # after it was sent, and nginx rightly does not resend it. On a new connection the dead
        # instance refuses it before anything is sent, and nginx passes it to the next one.
    }

    server {
        listen 127.0.0.1:${options.port};

        # The instances check Host against the names they are reached by (DNS-rebinding protection):
        # pass the client's, not the upstream block's name.
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_http_version 1.1;
        proxy_connect_timeout 2s;
        proxy_next_upstream error timeout http_502 http_503 http_504;
        proxy_next_upstream_tries 2;
        # Which instance answered (its host:port): tests check that requests land on each of them.
        add_header X-Upstream $upstream_addr always;

        location = /mcp {
            # Streamable HTTP answers a POST with an event stream: pass each event on as it comes, and
            # let a long tool call (a report, a sync) stream for up to an hour.
            proxy_pass http://testio_mcp;
            proxy_buffering off;
            proxy_cache off;
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;
        }

        location / {
            proxy_pass http://testio_mcp;
            proxy_read_timeout 300s;
        }
    }
}
`;
}

export interface RunningNginx {
  readonly child: ChildProcess;
  readonly url: string;
  /** The error log so far (upstream failures show here). */
  errorLog(): string;
  stop(): Promise<void>;
}

/** Checks the configuration (`nginx -t`), then runs nginx in the foreground until `stop()`. */
export async function startNginx(options: NginxConfigOptions): Promise<RunningNginx> {
  const bin = findNginx();
  mkdirSync(options.dir, { recursive: true });
  const conf = join(options.dir, 'nginx.conf');
  writeFileSync(conf, nginxConfig(options));
  const args = ['-p', options.dir, '-c', conf, '-e', join(options.dir, 'error.log')];
  const check = spawnSync(bin, [...args, '-t'], { encoding: 'utf8' });
  if (check.status !== 0) throw new Error(`nginx -t refused the generated configuration: ${check.stderr}`);
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited at start: ${stderr}`);
    try {
      await fetch(`${url}/__nginx_probe`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`nginx did not listen on ${url} within 10 s: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return {
    child,
    url,
    errorLog: () => {
      try {
        return readFileSync(join(options.dir, 'error.log'), 'utf8');
      } catch {
        return '';
      }
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      // SIGQUIT: graceful shutdown (finish the requests in flight).
      child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
