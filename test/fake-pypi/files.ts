import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FileRecord } from './catalog.js';
import { notFound, parseRange, send } from './http-util.js';

/** Wrong bytes of the right length: only a hash check can catch it. */
function flipped(bytes: Buffer): Buffer {
  const out = Buffer.from(bytes);
  const i = Math.floor(out.length / 2);
  if (out.length) out[i] = out[i]! ^ 0xff;
  return out;
}

const BINARY = { 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes', 'Cache-Control': 'max-age=365000000, immutable, public' };

export function serveFile(req: IncomingMessage, res: ServerResponse, f: FileRecord): void {
  const full = f.corrupt === 'flip' ? flipped(f.bytes) : f.bytes;
  const range = parseRange(req.headers.range, full.length);
  if (range === 'bad') {
    send(req, res, 416, { 'Content-Range': `bytes */${full.length}` });
    return;
  }
  const body = range ? full.subarray(range[0], range[1] + 1) : full;
  const headers = range
    ? { ...BINARY, 'Content-Range': `bytes ${range[0]}-${range[1]}/${full.length}` }
    : { ...BINARY, ETag: `"${f.md5}"` };
  if (f.corrupt !== 'truncate' || req.method === 'HEAD') {
    send(req, res, range ? 206 : 200, headers, body);
    return;
  }
  // Promise the full length, deliver half, then drop the connection mid-body.
  res.writeHead(range ? 206 : 200, { ...headers, 'Content-Length': body.length });
  res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
}

export function serveMetadata(req: IncomingMessage, res: ServerResponse, f: FileRecord): void {
  if (!f.metadata) {
    notFound(req, res);
    return;
  }
  send(req, res, 200, { ...BINARY, ETag: `"${f.metadataSha256}"` }, f.metadata);
}
