/** Finding system programs and free ports for tests that run real servers on 127.0.0.1. */
import { accessSync, constants, existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

/** The path of an installed program, or null. */
export function findBin(name: string): string | null {
  // /usr/sbin is not on a non-root PATH, and that is where Debian puts nginx and apache2.
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs.filter((d) => d !== '')) {
    try {
      accessSync(path.join(dir, name), constants.X_OK);
      return path.join(dir, name);
    } catch {
      // not in this one
    }
  }
  return null;
}

/** A port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * A minimal nginx.conf around the shipped site config (`<dir>/jubjub.conf`), writable
 * by any user: what a distribution's `http {}` holds, plus `http` lines the caller adds.
 * Returns nginx's command-line arguments.
 */
export function nginxMainConf(dir: string, httpLines: readonly string[]): { conf: string; args: string[] } {
  const main = [
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/error.log warn;`,
    'worker_processes 1;',
    'events { worker_connections 64; }',
    'http {',
    existsSync('/etc/nginx/mime.types') ? '  include /etc/nginx/mime.types;' : '',
    '  default_type application/octet-stream;',
    ...httpLines.map((l) => `  ${l}`),
    // The compiled-in temp paths are under /var/lib/nginx, not writable by everyone.
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/${t};`),
    `  include ${dir}/jubjub.conf;`,
    '}',
  ];
  return { conf: `${main.join('\n')}\n`, args: ['-p', `${dir}/`, '-c', `${dir}/nginx.conf`, '-g', 'daemon off;'] };
}
