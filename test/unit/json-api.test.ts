/** The JSON API boundary: stale caches, redirects, 404, validation, unsafe entries. */
import { pino } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { JubjubError } from '../../src/errors.js';
import { UpstreamHttp } from '../../src/upstream/http.js';
import { startLocalServer, type Handler, type LocalServer } from './local-server.js';
import { JsonApiClient } from '../../src/upstream/json-api.js';

process.env.JUBJUB_BACKOFF_BASE_MS = '1';

let handler: Handler;
let server: LocalServer;
let base: string;
let host: string;
let hits: string[];

beforeAll(async () => {
  server = await startLocalServer((req, res) => {
    hits.push(req.url ?? '');
    handler(req, res);
  });
  ({ host, base } = server);
});
afterAll(() => server.close());
beforeEach(() => {
  hits = [];
});

const sha = 'a'.repeat(64);

function doc(overrides: Record<string, unknown> = {}, file: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    info: { name: 'Foo.Bar', version: '1.0' },
    last_serial: 10,
    releases: {
      '1.0': [
        {
          filename: 'foo_bar-1.0.tar.gz',
          url: '../../packages/aa/foo_bar-1.0.tar.gz',
          digests: { sha256: sha.toUpperCase() },
          size: 12,
          packagetype: 'sdist',
          python_version: 'source',
          requires_python: '>=3.8',
          yanked: false,
          yanked_reason: null,
          upload_time_iso_8601: '2024-01-02T03:04:05.1Z',
          'core-metadata': false,
          ...file,
        },
      ],
    },
    ...overrides,
  };
}

function json(body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}

function client(retries = 2): JsonApiClient {
  const log = pino({ level: 'silent' });
  const httpc = new UpstreamHttp({ timeoutMs: 2000, retries, userAgent: 'test', log });
  return new JsonApiClient(httpc, { url: base, hosts: [host], fileHosts: [host], coreMetadata: false }, log);
}

describe('fetchProject', () => {
  test('converts a document: normalized name, lowercase sha, resolved URL, PEP 700 time', async () => {
    handler = json(doc(), { 'x-pypi-last-serial': '10' });
    const meta = await client().fetchProject('foo-bar', 10);
    expect(meta?.name).toBe('foo-bar');
    expect(meta?.displayName).toBe('Foo.Bar');
    expect(meta?.lastSerial).toBe(10);
    const f = meta?.releases[0]?.files[0];
    expect(f?.sha256).toBe(sha);
    expect(f?.url).toBe(`${base}/packages/aa/foo_bar-1.0.tar.gz`);
    expect(f?.uploadTime).toBe('2024-01-02T03:04:05.100000Z');
    expect(hits).toEqual(['/pypi/foo-bar/json']);
  });

  test('a stale copy is retried until the promised serial appears', async () => {
    let n = 0;
    handler = (req, res) => json(doc({ last_serial: n < 2 ? 5 : 12 }), { 'x-pypi-last-serial': String(n++ < 2 ? 5 : 12) })(req, res);
    const meta = await client(3).fetchProject('foo-bar', 12);
    expect(meta?.lastSerial).toBe(12);
    expect(hits).toHaveLength(3);
  });

  test('a copy that stays stale fails the project with E_STALE', async () => {
    handler = json(doc({ last_serial: 5 }), { 'x-pypi-last-serial': '5' });
    await expect(client(2).fetchProject('foo-bar', 12)).rejects.toMatchObject({ code: 'E_STALE' });
    expect(hits).toHaveLength(3);
  });

  test('the body serial counts when no header is sent; no serial at all is trusted', async () => {
    handler = json(doc({ last_serial: 11 }));
    expect((await client().fetchProject('foo-bar', 11))?.lastSerial).toBe(11);
    const { last_serial: _s, ...noSerial } = doc();
    handler = json(noSerial);
    expect((await client().fetchProject('foo-bar', 7))?.lastSerial).toBe(7);
  });

  test('404 means no project; a redirect to the normalized name is followed', async () => {
    handler = (_req, res) => res.writeHead(404).end();
    expect(await client().fetchProject('gone', 0)).toBeNull();
    handler = (req, res) => {
      if (req.url === '/pypi/Foo.Bar/json') res.writeHead(301, { location: '/pypi/foo-bar/json' }).end();
      else json(doc())(req, res);
    };
    expect((await client().fetchProject('Foo.Bar', 0))?.name).toBe('foo-bar');
  });

  test('a document for another project, a schema failure and non-JSON are invalid, not retried', async () => {
    handler = json(doc({ info: { name: 'other' } }));
    await expect(client().fetchProject('foo-bar', 0)).rejects.toMatchObject({ code: 'E_INVALID_UPSTREAM' });
    handler = json(doc({}, { size: 'big' }));
    await expect(client().fetchProject('foo-bar', 0)).rejects.toMatchObject({ code: 'E_INVALID_UPSTREAM' });
    hits = [];
    handler = (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"info":');
    const err = await client().fetchProject('foo-bar', 0).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JubjubError);
    expect((err as JubjubError).code).toBe('E_INVALID_UPSTREAM');
    expect(hits).toHaveLength(1);
  });

  test.each([
    ['../etc/passwd', `${'http'}://HOST/x`],
    ['a/b.tar.gz', 'http://HOST/x'],
    ['.hidden.tar.gz', 'http://HOST/x'],
    ['ok-1.0.tar.gz', 'file:///etc/passwd'],
    ['ok-1.0.tar.gz', 'javascript:alert(1)'],
    ['ok-1.0.tar.gz', 'http://evil.example/ok-1.0.tar.gz'],
  ])('an unsafe entry (%s at %s) is dropped, the rest of the project kept', async (filename, url) => {
    const d = doc();
    const releases = d.releases as Record<string, Array<Record<string, unknown>>>;
    releases['0.9'] = [{ ...releases['1.0']?.[0], filename, url: url.replace('HOST', host) }];
    handler = json(d);
    const c = client();
    const meta = await c.fetchProject('foo-bar', 0);
    const names = meta?.releases.flatMap((r) => r.files.map((f) => f.filename));
    expect(names).toEqual(['foo_bar-1.0.tar.gz']);
    // Only a refusal for the host alone is worth the "add it to file_hosts" hint.
    expect([...c.refusedHosts]).toEqual(url.includes('evil.example') ? ['evil.example'] : []);
  });
});
