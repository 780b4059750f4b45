/**
 * Memory stays bounded whatever the upstream sends: a listing far larger than any
 * document cap is streamed through, a JSON document over the cap is refused before it
 * is held, and the refusal is not retried.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MAX_JSON_BYTES } from '../../src/upstream/documents.js';
import { UpstreamHttp } from '../../src/upstream/http.js';
import { JsonApiClient } from '../../src/upstream/json-api.js';
import { XmlRpcClient } from '../../src/upstream/xmlrpc-client.js';

process.env.JUBJUB_BACKOFF_BASE_MS = '1';

const LISTED = 1_200_000;
let server: http.Server;
let base: string;
let host: string;
let hits = 0;
let sent = 0;

/** A `list_packages_with_serial` answer of LISTED members (about 100 MB), generated as it is sent. */
function streamListing(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/xml' });
  res.write('<?xml version="1.0"?><methodResponse><params><param><value><struct>');
  let i = 0;
  const pump = () => {
    while (i < LISTED) {
      let chunk = '';
      for (let j = 0; j < 2000 && i < LISTED; j++, i++) chunk += `<member><name>project-number-${i}-with-a-long-name</name><value><int>${i + 1}</int></value></member>`;
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end('</struct></value></param></params></methodResponse>');
  };
  pump();
}

/** A changelog page that never ends (until the client hangs up). */
function streamEndlessChangelog(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/xml' });
  res.write('<?xml version="1.0"?><methodResponse><params><param><value><array><data>');
  const row = '<value><array><data><value><string>p</string></value><value><string>1.0</string></value><value><int>1</int></value><value><string>new release</string></value><value><int>2</int></value></data></array></value>';
  const chunk = row.repeat(500);
  let open = true;
  res.on('close', () => {
    open = false;
  });
  const pump = () => {
    while (open) if (!res.write(chunk)) return void res.once('drain', pump);
  };
  pump();
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits++;
    if (req.url === '/pypi') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => (body.includes('changelog_since_serial') ? streamEndlessChangelog(res) : streamListing(res)));
      return;
    }
    if (req.url === '/pypi/declared/json') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(MAX_JSON_BYTES + 1) });
      return void res.end();
    }
    // No Content-Length: the cap must cut the body off as it arrives.
    res.writeHead(200, { 'content-type': 'application/json' });
    const block = Buffer.alloc(1024 * 1024, 0x20);
    let n = 0;
    const pump = () => {
      while (n++ < 100) if (!res.write(block)) return void res.once('drain', pump);
      res.end();
    };
    res.on('error', () => undefined);
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  base = `http://${host}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const log = pino({ level: 'silent' });
const upstream = () => new UpstreamHttp({ timeoutMs: 20_000, retries: 2, userAgent: 'test', log });

describe('bounded input', () => {
  test('a listing larger than any cap streams through without being held', async () => {
    const gc = globalThis.gc;
    if (!gc) throw new Error('run with --expose-gc (vitest.config.ts sets it)');
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    let retained = 0;
    let seen = 0;
    let last = 0;
    await new XmlRpcClient(upstream(), base, [host]).listPackagesWithSerial((_name, serial) => {
      seen++;
      last = serial;
      if (seen % 200_000 === 0) {
        gc();
        retained = Math.max(retained, process.memoryUsage().heapUsed - heapBefore);
      }
    });
    expect(seen).toBe(LISTED);
    expect(last).toBe(LISTED);
    expect(sent).toBeGreaterThan(MAX_JSON_BYTES);
    // What survives a collection mid-stream: held whole, the members alone would be over 100 MB.
    expect(retained).toBeLessThan(16 * 1024 * 1024);
  }, 60_000);

  test('a changelog answer that never ends is cut off at the cap, not held', async () => {
    hits = 0;
    const httpc = new UpstreamHttp({ timeoutMs: 20_000, retries: 2, userAgent: 'test', log });
    const rpc = new XmlRpcClient(httpc, base, [host], 1024 * 1024);
    const err = await rpc.changelogSince(0).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_TOO_LARGE' });
    expect(hits).toBe(1);
  });

  test('a JSON document declared over the cap is refused unread, and not retried', async () => {
    hits = 0;
    const err = await new JsonApiClient(upstream(), { url: base, hosts: [host], fileHosts: [host], coreMetadata: false }, log)
      .fetchProject('declared', 0)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_TOO_LARGE' });
    expect(hits).toBe(1);
  });

  test('a JSON document that grows past the cap is cut off as it arrives', async () => {
    hits = 0;
    const httpc = upstream();
    const err = await new JsonApiClient(httpc, { url: base, hosts: [host], fileHosts: [host], coreMetadata: false }, log)
      .fetchProject('endless', 0)
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'E_TOO_LARGE' });
    expect(hits).toBe(1);
    expect(httpc.stats.bytes).toBeLessThan(MAX_JSON_BYTES + 4 * 1024 * 1024);
  });
});
