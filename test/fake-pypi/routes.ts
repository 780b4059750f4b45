import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Catalog } from './catalog.js';
import { serveFile, serveMetadata } from './files.js';
import { notFound, readBody, redirect, send } from './http-util.js';
import { projectJson, releaseJson, staleProjectJson } from './json-api.js';
import { normalize } from './names.js';
import { callMethod } from './rpc-methods.js';
import { negotiate, projectPage, rootPage, SIMPLE_JSON } from './simple-api.js';
import { parseMethodCall, type XmlRpcValue } from './xmlrpc.js';

export interface RequestCounts {
  xmlrpc: Record<string, number>;
  json: Record<string, number>;
  simple: number;
  files: Record<string, number>;
  metadata: Record<string, number>;
  total: number;
}

/** Rewrites of what the fake serves, for an upstream whose metadata is hostile (hostile.ts). */
export interface HostileHooks {
  /** A project's JSON API document (`/pypi/<name>/json`), as parsed JSON, before it is sent. */
  json?(project: string, doc: Record<string, unknown>): Record<string, unknown>;
  /** An XML-RPC method's result, before it is encoded. */
  rpc?(method: string, result: XmlRpcValue): XmlRpcValue;
  /** An XML-RPC response body, as sent. */
  xml?(body: string): string;
  /** Answers a request before the fake's own routes; true when it did. */
  route?(req: IncomingMessage, res: ServerResponse, path: string): boolean;
}

export interface RouteContext {
  catalog: Catalog;
  baseUrl: string;
  maxChangelogRows: number;
  coreMetadataInJson: boolean;
  requests: RequestCounts;
  /** Set by the fault injector: serve this request a stale copy, and call it once served. */
  staleJson?: () => void;
  hostile?: HostileHooks | null;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

async function xmlrpc(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return send(req, res, 405, { Allow: 'POST', 'Content-Type': 'text/plain' }, 'POST only\n');
  // Warehouse routes XML-RPC by content type; anything else never reaches the RPC view.
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'text/xml') return send(req, res, 415, { 'Content-Type': 'text/plain' }, 'Unsupported Media Type\n');
  const call = parseMethodCall(await readBody(req));
  const xml = { 'Content-Type': 'text/xml; charset=utf-8' };
  if (!call) {
    bump(ctx.requests.xmlrpc, '<unparseable>');
    return send(req, res, 200, xml, callMethod(ctx.catalog, '', [], ctx));
  }
  bump(ctx.requests.xmlrpc, call.method);
  const body = callMethod(ctx.catalog, call.method, call.params, ctx);
  send(req, res, 200, xml, ctx.hostile?.xml?.(body) ?? body);
}

function jsonApi(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, name: string, version?: string): void {
  const norm = normalize(name);
  bump(ctx.requests.json, norm);
  const p = ctx.catalog.projects.get(norm);
  if (!p) return notFound(req, res);
  if (name !== norm) return redirect(req, res, version === undefined ? `/pypi/${norm}/json` : `/pypi/${norm}/${version}/json`);
  const o = { baseUrl: ctx.baseUrl, coreMetadataInJson: ctx.coreMetadataInJson };
  let body: object | null;
  let serial = p.lastSerial;
  const stale = version === undefined && ctx.staleJson ? staleProjectJson(ctx.catalog, p, o) : null;
  if (stale) {
    ({ body, serial } = stale);
    ctx.staleJson?.();
  } else if (version === undefined) {
    body = projectJson(ctx.catalog, p, o);
    if (body && ctx.hostile?.json) body = ctx.hostile.json(p.name, body as Record<string, unknown>);
  } else {
    const r = p.releases.get(version);
    body = r ? releaseJson(p, r, o) : null;
  }
  if (!body) return notFound(req, res);
  send(req, res, 200, { 'Content-Type': 'application/json', 'X-PyPI-Last-Serial': String(serial), 'Cache-Control': 'max-age=900, public' }, JSON.stringify(body));
}

function simple(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, name: string | null, slash: boolean): void {
  ctx.requests.simple += 1;
  const format = negotiate(req.headers.accept);
  const headers = {
    'Content-Type': format === SIMPLE_JSON ? format : `${format}; charset=utf-8`,
    Vary: 'Accept',
    'Cache-Control': 'max-age=600, public',
  };
  if (name === null) {
    if (!slash) return redirect(req, res, '/simple/');
    return send(req, res, 200, { ...headers, 'X-PyPI-Last-Serial': String(ctx.catalog.serial) }, rootPage(ctx.catalog, format));
  }
  const p = ctx.catalog.projects.get(normalize(name));
  if (!p) return notFound(req, res);
  if (!slash || name !== p.name) return redirect(req, res, `/simple/${p.name}/`);
  send(req, res, 200, { ...headers, 'X-PyPI-Last-Serial': String(p.lastSerial) }, projectPage(ctx.catalog, p, format, ctx.baseUrl));
}

function packages(ctx: RouteContext, req: IncomingMessage, res: ServerResponse, path: string): void {
  const isMeta = path.endsWith('.metadata');
  const filePath = isMeta ? path.slice(0, -'.metadata'.length) : path;
  const filename = decodeURIComponent(filePath.slice(filePath.lastIndexOf('/') + 1));
  bump(isMeta ? ctx.requests.metadata : ctx.requests.files, filename);
  const f = ctx.catalog.filesByPath.get(decodeURIComponent(filePath));
  if (!f) return notFound(req, res);
  if (isMeta) serveMetadata(req, res, f);
  else serveFile(req, res, f);
}

export async function route(ctx: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (ctx.hostile?.route?.(req, res, path)) return;
  if (path === '/pypi' || path === '/pypi/' || path === '/RPC2') return xmlrpc(ctx, req, res);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return send(req, res, 405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }, 'Method Not Allowed\n');
  }
  let m = /^\/pypi\/([^/]+)\/json\/?$/.exec(path);
  if (m?.[1]) return jsonApi(ctx, req, res, decodeURIComponent(m[1]));
  m = /^\/pypi\/([^/]+)\/([^/]+)\/json\/?$/.exec(path);
  if (m?.[1] && m[2]) return jsonApi(ctx, req, res, decodeURIComponent(m[1]), decodeURIComponent(m[2]));
  m = /^\/simple(\/?)$/.exec(path);
  if (m) return simple(ctx, req, res, null, m[1] === '/');
  m = /^\/simple\/([^/]+)(\/?)$/.exec(path);
  if (m?.[1]) return simple(ctx, req, res, decodeURIComponent(m[1]), m[2] === '/');
  if (path.startsWith('/packages/')) return packages(ctx, req, res, path);
  notFound(req, res);
}
