/**
 * The shipped docs/nginx.conf run by the real nginx over a tree, with only the root and
 * the listen address replaced (as webservers.test.ts does), plus an access log that
 * records each request's status. Null when nginx is not installed (CI installs it).
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO } from './harness.js';
import { findBin, freePort, nginxMainConf } from './local-bin.js';

export function nginxBin(): string | null {
  return findBin('nginx');
}

export interface StaticServer {
  url: string;
  /** `<status> <method> <path>` per request, in order. */
  accessLog(): Promise<string[]>;
  stop(): Promise<void>;
}

function up(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    http.get({ host: '127.0.0.1', port, path: '/simple/', agent: false }, (res) => {
      res.resume();
      resolve(true);
    }).on('error', () => resolve(false));
  });
}

export async function startNginx(bin: string, root: string): Promise<StaticServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'jubjub-nginx-'));
  // Workers run as another user when started as root: they must reach the config and the tree.
  await chmod(dir, 0o755);
  const port = await freePort();
  let site = await readFile(path.join(REPO, 'docs/nginx.conf'), 'utf8');
  for (const [from, to] of [['listen 80;', `listen 127.0.0.1:${port};`], ['root /srv/jubjub/web;', `root ${root};`]] as const) {
    if (site.split(from).length !== 2) throw new Error(`docs/nginx.conf should contain \`${from}\` exactly once`);
    site = site.replace(from, to);
  }
  await writeFile(path.join(dir, 'jubjub.conf'), site);
  const { conf, args } = nginxMainConf(dir, ['log_format jubjub "$status $request_method $request_uri";', `access_log ${dir}/access.log jubjub;`]);
  await writeFile(path.join(dir, 'nginx.conf'), conf);
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline && child.exitCode === null) {
    if (await up(port)) {
      return {
        url: `http://127.0.0.1:${port}`,
        accessLog: async () => (await readFile(path.join(dir, 'access.log'), 'utf8').catch(() => '')).split('\n').filter((l) => l !== ''),
        stop,
      };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const log = await readFile(path.join(dir, 'error.log'), 'utf8').catch(() => '');
  await stop();
  throw new Error(`nginx did not come up on port ${port}:\n${output}\n${log}`);
}
