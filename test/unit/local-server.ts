/**
 * A plain HTTP server on 127.0.0.1 for unit tests of upstream clients: every request is
 * passed to `onRequest` (so a test can record it) and then to whichever handler the test
 * set last.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface LocalServer {
  /** `127.0.0.1:<port>`, for host allowlists. */
  host: string;
  /** `http://127.0.0.1:<port>`. */
  base: string;
  close(): Promise<void>;
}

export async function startLocalServer(onRequest: (req: http.IncomingMessage, res: http.ServerResponse) => void): Promise<LocalServer> {
  const server = http.createServer(onRequest);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, base: `http://${host}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}
