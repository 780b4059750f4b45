/** The XML-RPC client over real HTTP: User-Agent, content type, int params, back-off on rate limits. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, expect, test } from 'vitest';
import { UpstreamHttp } from '../../src/upstream/http.js';
import { XmlRpcClient } from '../../src/upstream/xmlrpc-client.js';

process.env.JUBJUB_BACKOFF_BASE_MS = '1';

interface Seen {
  path: string;
  ua: string;
  type: string;
  body: string;
}
let seen: Seen[];
let replies: Array<(res: http.ServerResponse) => void>;
let server: http.Server;
let base: string;

const ok = (value: string) => (res: http.ServerResponse) =>
  res.writeHead(200, { 'content-type': 'text/xml' }).end(`<?xml version='1.0'?><methodResponse><params><param><value>${value}</value></param></params></methodResponse>`);
const fault = (code: number, text: string) => (res: http.ServerResponse) =>
  res
    .writeHead(200, { 'content-type': 'text/xml' })
    .end(`<methodResponse><fault><value><struct><member><name>faultCode</name><value><int>${code}</int></value></member><member><name>faultString</name><value><string>${text}</string></value></member></struct></value></fault></methodResponse>`);

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', ua: String(req.headers['user-agent']), type: String(req.headers['content-type']), body });
      (replies.shift() ?? ((r: http.ServerResponse) => r.writeHead(500).end()))(res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  seen = [];
  replies = [];
});

function client(): { rpc: XmlRpcClient; http: UpstreamHttp } {
  const h = new UpstreamHttp({ timeoutMs: 2000, retries: 3, userAgent: 'jubjub/9.9.9', log: pino({ level: 'silent' }) });
  return { rpc: new XmlRpcClient(h, base, [new URL(base).host]), http: h };
}

test('POSTs text/xml to <url>/pypi with real <int> params and the jubjub User-Agent', async () => {
  replies.push(ok('<array><data></data></array>'));
  const { rpc } = client();
  expect(await rpc.changelogSince(42)).toEqual([]);
  expect(seen).toHaveLength(1);
  expect(seen[0]).toMatchObject({ path: '/pypi', ua: 'jubjub/9.9.9', type: 'text/xml' });
  expect(seen[0]?.body).toContain('<methodName>changelog_since_serial</methodName>');
  expect(seen[0]?.body).toContain('<int>42</int>');
});

test('fault -32500 (too many requests) and HTTP 429 with Retry-After are backed off and retried', async () => {
  replies.push(fault(-32500, 'HTTPTooManyRequests: slow down'));
  replies.push((res) => res.writeHead(429, { 'retry-after': '0' }).end());
  replies.push(ok('<int>1234</int>'));
  const { rpc, http: h } = client();
  expect(await rpc.changelogLastSerial()).toBe(1234);
  expect(seen).toHaveLength(3);
  expect(h.stats.retries).toBe(2);
});

test('another fault fails at once, without retries', async () => {
  replies.push(fault(-32601, 'no such method'));
  const { rpc } = client();
  await expect(rpc.changelogLastSerial()).rejects.toMatchObject({ code: 'E_XMLRPC_FAULT' });
  expect(seen).toHaveLength(1);
});

test('the listing streams to the callback; rows with a nil version are kept', async () => {
  replies.push(ok('<struct><member><name>Foo</name><value><int>3</int></value></member><member><name>bar</name><value><i4>5</i4></value></member></struct>'));
  const { rpc } = client();
  const got: Array<[string, number]> = [];
  await rpc.listPackagesWithSerial((name, serial) => got.push([name, serial]));
  expect(got).toEqual([['Foo', 3], ['bar', 5]]);

  replies.push(ok('<array><data><value><array><data><value><string>Foo</string></value><value><nil/></value><value><int>1</int></value><value><string>remove project</string></value><value><int>7</int></value></data></array></value></data></array>'));
  expect(await rpc.changelogSince(6)).toEqual([{ name: 'Foo', version: null, action: 'remove project', serial: 7 }]);
});
