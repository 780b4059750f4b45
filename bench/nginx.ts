/**
 * nginx on 127.0.0.1 serving the corpus's files statically, so that downloads measure
 * the client rather than the fake PyPI (a single Node process serving from memory).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import path from 'node:path';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = connect(port, '127.0.0.1');
      c.once('connect', () => {
        c.destroy();
        resolve(true);
      });
      c.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export class Nginx {
  private constructor(
    readonly url: string,
    readonly workers: number,
    private readonly dir: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(docroot: string, dir: string, workers: number): Promise<Nginx> {
    await mkdir(path.join(dir, 'tmp'), { recursive: true });
    const port = await freePort();
    const conf = [
      process.getuid?.() === 0 ? 'user root root;' : '',
      `worker_processes ${workers};`,
      `error_log ${path.join(dir, 'error.log')} warn;`,
      `pid ${path.join(dir, 'nginx.pid')};`,
      'daemon off;',
      'events { worker_connections 4096; }',
      'http {',
      '  access_log off;',
      '  sendfile on; tcp_nopush on; tcp_nodelay on;',
      '  keepalive_requests 1000000; keepalive_timeout 300s;',
      '  default_type application/octet-stream;',
      ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${path.join(dir, 'tmp', t)};`),
      '  server {',
      `    listen 127.0.0.1:${port} backlog=4096;`,
      `    root ${docroot};`,
      '    location /packages/ { }',
      '    location / { return 404; }',
      '  }',
      '}',
      '',
    ].join('\n');
    const confFile = path.join(dir, 'nginx.conf');
    await writeFile(confFile, conf);
    const child = spawn('nginx', ['-p', dir, '-c', confFile, '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'inherit'] });
    const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`nginx exited ${code}; see ${dir}/error.log`))));
    await Promise.race([waitForPort(port, Date.now() + 10_000), exited]);
    return new Nginx(`http://127.0.0.1:${port}`, workers, dir, child);
  }

  /** Lines nginx logged at warn or above (none is expected: any would mean the server, not jubjub, was measured). */
  async errors(): Promise<string[]> {
    const text = await readFile(path.join(this.dir, 'error.log'), 'utf8').catch(() => '');
    return text.split('\n').filter((l) => l.trim() !== '');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    await done;
  }
}
