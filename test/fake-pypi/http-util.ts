import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';

export function send(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  headers: OutgoingHttpHeaders,
  body: string | Buffer = '',
): void {
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.writeHead(status, { ...headers, 'Content-Length': buf.length });
  res.end(req.method === 'HEAD' ? undefined : buf);
}

export function redirect(req: IncomingMessage, res: ServerResponse, location: string): void {
  send(req, res, 301, { Location: location, 'Content-Type': 'text/plain' }, `Moved to ${location}\n`);
}

export function notFound(req: IncomingMessage, res: ServerResponse): void {
  send(req, res, 404, { 'Content-Type': 'text/plain' }, '404 Not Found\n');
}

/** Request bodies are small XML-RPC calls; the cap keeps a runaway client from eating memory. */
export async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer; // http request streams yield Buffers when no encoding is set
    n += b.length;
    if (n > limit) throw new Error('request body too large');
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A single `bytes=` range, as uv sends for wheel metadata; null when absent, 'bad' when unsatisfiable. */
export function parseRange(header: string | undefined, size: number): [number, number] | null | 'bad' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'bad';
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start > end || start >= size ? 'bad' : [start, end];
}
