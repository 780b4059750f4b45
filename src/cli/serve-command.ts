/** `jubjub serve [--port N] [--host H]`: runs until SIGINT/SIGTERM. */
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../config/load.js';
import { createMirrorServer } from '../serve/server.js';
import type { Args } from './args.js';

export async function serveCommand(args: Args): Promise<number> {
  const cfg = await loadConfig(args.config);
  const server = createMirrorServer(cfg.mirror.root);
  const host = args.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(args.port ?? 8080, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  // The URL goes to stdout so scripts (and tests) can read the port chosen for --port 0.
  process.stdout.write(`serving ${cfg.mirror.root} at http://${host}:${port}/simple/\n`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return 0;
}
