/** Finding system programs and free ports for tests that run real servers on 127.0.0.1. */
import { accessSync, constants } from 'node:fs';
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
