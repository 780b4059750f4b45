/**
 * `jubjub serve`: the mirror over HTTP with the same behaviour as the shipped nginx and
 * Apache configurations (negotiation, trailing-slash redirect, Vary, Range, caching,
 * dot-paths hidden). For trying a mirror out and for tests; production uses a real server.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { negotiate } from './negotiate.js';

function contentType(rel: string): string {
  if (rel.startsWith('pypi/') && rel.endsWith('/json')) return 'application/json';
  if (rel.endsWith('.html')) return 'text/html; charset=utf-8';
  if (rel === 'last-modified') return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'invalid' | null {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // A malformed or multi-range header is ignored (RFC 9110): the whole file is sent.
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start > end || start >= size ? 'invalid' : { start, end };
}

/** RFC 9110 13.1: If-None-Match wins over If-Modified-Since (whole seconds). */
function notModified(req: http.IncomingMessage, etag: string, mtime: Date): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) return inm.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*');
  const ims = Date.parse(req.headers['if-modified-since'] ?? '');
  return !Number.isNaN(ims) && Math.floor(mtime.getTime() / 1000) * 1000 <= ims;
}

async function isDir(p: string): Promise<boolean> {
  return (await stat(p).catch(() => null))?.isDirectory() ?? false;
}

export function createMirrorServer(root: string): http.Server {
  const base = path.resolve(root);
  return http.createServer((req, res) => {
    void handle(base, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
}

async function handle(base: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' }).end();
    return;
  }
  const url = new URL(req.url ?? '/', 'http://mirror');
  let rel: string;
  try {
    rel = decodeURIComponent(url.pathname).replace(/^\/+/, '');
  } catch {
    res.writeHead(400).end();
    return;
  }
  const segments = rel.split('/').filter((s) => s !== '');
  // Temporaries and anything hidden are never served, nor is anything outside the root.
  if (segments.some((s) => s.startsWith('.') || s.includes('\0') || s.includes('\\'))) {
    res.writeHead(404).end();
    return;
  }
  if (segments.length === 0) {
    res.writeHead(301, { location: '/simple/' }).end();
    return;
  }
  let file = path.join(base, ...segments);
  let relFile = segments.join('/');
  const headers: Record<string, string> = {};
  if (await isDir(file)) {
    if (!url.pathname.endsWith('/')) {
      res.writeHead(301, { location: `${url.pathname}/${url.search}` }).end();
      return;
    }
    if (segments[0] !== 'simple') {
      res.writeHead(404).end();
      return;
    }
    const choice = negotiate(req.headers.accept);
    headers.vary = 'Accept';
    if (!choice) {
      res.writeHead(406, headers).end();
      return;
    }
    const json = `${relFile}/index.v1_json`;
    const html = `${relFile}/index.html`;
    // A mirror may publish one format only; serve the other when the client accepts it.
    const wantJson = choice.format === 'json';
    const preferred = wantJson ? json : html;
    const other = wantJson ? html : json;
    const otherType = wantJson ? 'text/html; charset=utf-8' : 'application/vnd.pypi.simple.v1+json';
    const useOther = !(await stat(path.join(base, preferred)).catch(() => null)) && choice.alternative !== null;
    relFile = useOther ? other : preferred;
    file = path.join(base, relFile);
    headers['content-type'] = useOther ? (choice.alternative ?? otherType) : choice.contentType;
    headers['cache-control'] = 'max-age=600';
  } else if (relFile.startsWith('packages/')) {
    headers['cache-control'] = 'max-age=31536000, immutable';
  } else {
    headers['cache-control'] = 'max-age=600';
  }
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) {
    res.writeHead(404, headers.vary ? { vary: 'Accept' } : {}).end();
    return;
  }
  headers['content-type'] ??= relFile.endsWith('index.v1_json') ? 'application/vnd.pypi.simple.v1+json' : contentType(relFile);
  headers['accept-ranges'] = 'bytes';
  headers['last-modified'] = info.mtime.toUTCString();
  // As nginx makes it: a mirror following this one sends it back and gets a 304.
  headers.etag = `"${Math.floor(info.mtimeMs / 1000).toString(16)}-${info.size.toString(16)}"`;
  if (notModified(req, headers.etag, info.mtime)) {
    delete headers['content-type'];
    res.writeHead(304, headers).end();
    return;
  }
  const range = parseRange(req.headers.range, info.size);
  if (range === 'invalid') {
    res.writeHead(416, { 'content-range': `bytes */${info.size}` }).end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: info.size - 1 };
  if (range) headers['content-range'] = `bytes ${start}-${end}/${info.size}`;
  headers['content-length'] = String(Math.max(0, end - start + 1));
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD' || info.size === 0) {
    res.end();
    return;
  }
  createReadStream(file, { start, end }).pipe(res);
}
