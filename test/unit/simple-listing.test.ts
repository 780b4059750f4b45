/** The PEP 691 root listing: streamed cutting, the conditional GET, and what is refused. */
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { JubjubError } from '../../src/errors.js';
import { UpstreamHttp } from '../../src/upstream/http.js';
import { startLocalServer, type Handler, type LocalServer } from './local-server.js';
import { ListingScanner } from '../../src/upstream/json-stream.js';
import { SimpleListingClient } from '../../src/upstream/simple-listing.js';

process.env.JUBJUB_BACKOFF_BASE_MS = '1';
const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';

function scan(text: string, chunk = 1, maxItemBytes = 1024): { meta: unknown[]; items: unknown[] } {
  const meta: unknown[] = [];
  const items: unknown[] = [];
  const s = new ListingScanner('meta', 'projects', { onMeta: (r) => meta.push(JSON.parse(r)), onItem: (r) => items.push(JSON.parse(r)) }, { maxItemBytes }, 'test');
  const buf = Buffer.from(text);
  for (let i = 0; i < buf.length; i += chunk) s.write(buf.subarray(i, i + chunk));
  s.end();
  return { meta, items };
}

function scanError(text: string, maxItemBytes = 1024): string {
  try {
    scan(text, 3, maxItemBytes);
  } catch (err) {
    expect(err).toBeInstanceOf(JubjubError);
    expect((err as JubjubError).code).toBe('E_INVALID_UPSTREAM');
    return (err as Error).message;
  }
  throw new Error('no error');
}

describe('ListingScanner', () => {
  const doc = {
    meta: { 'api-version': '1.4', '_last-serial': 42 },
    projects: [
      { name: 'a', '_last-serial': 1 },
      { name: 'b"}]{[\\', '_last-serial': 2, extra: { nested: [1, { x: '}' }] } },
      { name: 'ünïcödé-€', '_last-serial': 3 },
    ],
    other: ['ignored', { projects: [] }],
    tail: 'x',
  };

  test.each([1, 2, 7, 4096])('cuts out meta and every item, whatever the chunking (%i bytes)', (chunk) => {
    const pretty = JSON.stringify(doc, null, chunk % 2 === 0 ? 2 : 0);
    expect(scan(pretty, chunk)).toEqual({ meta: [doc.meta], items: doc.projects });
  });

  test('meta after the projects, scalars between', () => {
    const text = '{"n": 1, "projects": [], "flag": true, "meta": {"_last-serial": 0}}';
    expect(scan(text)).toEqual({ meta: [{ '_last-serial': 0 }], items: [] });
  });

  test.each([
    ['truncated', '{"meta":{"_last-serial":1},"projects":[{"name":"a"', 'ends early'],
    ['truncated after the array', '{"meta":{"_last-serial":1},"projects":[]', 'ends early'],
    ['not an object', '[1,2]', 'not a JSON object'],
    ['projects not an array', '{"meta":{},"projects":{}}', 'not an array'],
    ['a string item', '{"meta":{},"projects":["a"]}', 'non-object'],
    ['a number item', '{"meta":{},"projects":[1]}', 'non-object'],
    ['no projects', '{"meta":{}}', 'no projects'],
    ['no meta', '{"projects":[]}', 'no meta'],
    ['data after the end', '{"meta":{},"projects":[]} {}', 'after the end'],
  ])('refuses %s', (_label, text, why) => {
    expect(scanError(text)).toContain(why);
  });

  test('an item over the limit is refused before it is held', () => {
    expect(scanError(`{"meta":{},"projects":[{"name":"${'x'.repeat(2000)}"}]}`, 1024)).toContain('over 1024 bytes');
  });
});

let handler: Handler;
let server: LocalServer;
let base: string;
let host: string;
let seen: http.IncomingHttpHeaders[];

beforeAll(async () => {
  server = await startLocalServer((req, res) => {
    seen.push(req.headers);
    handler(req, res);
  });
  ({ host, base } = server);
});
afterAll(() => server.close());
beforeEach(() => {
  seen = [];
});

function client(): SimpleListingClient {
  const log = pino({ level: 'silent' });
  return new SimpleListingClient(new UpstreamHttp({ timeoutMs: 2000, retries: 1, userAgent: 'test', log }), base, [host]);
}

const listing = (serial: number, projects: Array<[string, number]>) =>
  JSON.stringify({ meta: { 'api-version': '1.1', '_last-serial': serial }, projects: projects.map(([name, s]) => ({ name, '_last-serial': s })) });

describe('SimpleListingClient', () => {
  test('streams projects, returns the serial and the validators; sends the PEP 691 Accept', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': JSON_TYPE, etag: '"v1"', 'last-modified': 'Mon, 01 Jan 2024 00:00:00 GMT', 'content-encoding': 'gzip' });
      res.end(gzipSync(listing(9, [['Foo', 3], ['bar', 9]])));
    };
    const got: Array<[string, number]> = [];
    const r = await client().fetch((n, s) => got.push([n, s]));
    expect(r).toEqual({ unchanged: false, serial: 9, validators: { etag: '"v1"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' } });
    expect(got).toEqual([['Foo', 3], ['bar', 9]]);
    expect(seen[0]?.accept).toBe(JSON_TYPE);
    expect(seen[0]?.['if-none-match']).toBeUndefined();
  });

  test('conditional: sends the validators, a 304 is "unchanged"', async () => {
    handler = (req, res) => {
      if (req.headers['if-none-match'] === '"v1"') res.writeHead(304).end();
      else res.writeHead(200, { 'content-type': JSON_TYPE }).end(listing(1, []));
    };
    const r = await client().fetch(() => undefined, { validators: { etag: '"v1"', lastModified: 'Mon, 01 Jan 2024 00:00:00 GMT' } });
    expect(r).toEqual({ unchanged: true });
    expect(seen[0]?.['if-modified-since']).toBe('Mon, 01 Jan 2024 00:00:00 GMT');
  });

  test('the serial may come from X-PyPI-Last-Serial when meta lacks it', async () => {
    handler = (_req, res) => res.writeHead(200, { 'content-type': JSON_TYPE, 'x-pypi-last-serial': '77' }).end('{"meta":{"api-version":"1.0"},"projects":[]}');
    expect(await client().fetch(() => undefined)).toMatchObject({ serial: 77 });
  });

  test.each([
    ['an HTML answer (no negotiation)', 'text/html', '<html></html>', 'not application/vnd.pypi.simple.v1+json'],
    ['a project without _last-serial', JSON_TYPE, '{"meta":{"_last-serial":1},"projects":[{"name":"a"}]}', 'projects[]._last-serial'],
    ['no serial at all', JSON_TYPE, '{"meta":{},"projects":[]}', 'no _last-serial'],
    ['a truncated body', JSON_TYPE, '{"meta":{"_last-serial":1},"projects":[{"name":"a","_last-serial":1}', 'ends early'],
  ])('refuses %s', async (_label, type, body, why) => {
    handler = (_req, res) => res.writeHead(200, { 'content-type': type }).end(body);
    const err = await client().fetch(() => undefined).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JubjubError);
    expect((err as JubjubError).code).toBe('E_INVALID_UPSTREAM');
    expect((err as Error).message).toContain(why);
  });

  test('metaOnly stops reading once the serial is known', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': JSON_TYPE });
      res.write('{"meta":{"_last-serial":5},"projects":[');
      // Never finished: the client must not wait for the rest.
    };
    expect(await client().fetch(() => undefined, { metaOnly: true })).toMatchObject({ serial: 5 });
  });
});
