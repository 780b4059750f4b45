import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createMirrorServer } from '../../src/serve/server.js';

const PIP_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01';
const SIMPLE_JSON = 'application/vnd.pypi.simple.v1+json';

const FILES: Record<string, string> = {
  'simple/index.html': '<html>root html</html>',
  'simple/index.v1_json': '{"root":"json"}',
  'simple/foo/index.html': '<html>foo html</html>',
  'simple/foo/index.v1_json': '{"foo":"json"}',
  'simple/jsononly/index.v1_json': '{"jsononly":true}',
  'packages/x/foo-1.0.tar.gz': '0123456789abcdef',
  'packages/x/empty.whl': '',
  'pypi/foo/json': '{"info":{}}',
  'last-modified': '20240101T00:00:00\n',
  '.jubjub-tmp/partial': 'half a file',
  'simple/.hidden/index.html': 'secret',
};

let root: string;
let outside: string;
let server: http.Server;
let base: string;
let port: number;

beforeAll(async () => {
  const top = await mkdtemp(path.join(os.tmpdir(), 'jubjub-serve-'));
  root = path.join(top, 'web');
  outside = path.join(top, 'secret.txt');
  await writeFile(outside, 'outside the root');
  for (const [rel, body] of Object.entries(FILES)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), body);
  }
  server = createMirrorServer(root);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(path.dirname(root), { recursive: true, force: true });
});

function get(p: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response> {
  return fetch(`${base}${p}`, { headers, method, redirect: 'manual' });
}

/** A request with the path sent exactly as given (fetch would normalize `..`). */
function raw(p: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method: 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('mirror server: negotiation', () => {
  test.each<[string, Record<string, string>, string, string]>([
    ['text/html', { accept: 'text/html' }, 'text/html; charset=utf-8', '<html>foo html</html>'],
    ['pip', { accept: PIP_ACCEPT }, SIMPLE_JSON, '{"foo":"json"}'],
    ['poetry', { accept: `${SIMPLE_JSON}, */*;q=0.1` }, SIMPLE_JSON, '{"foo":"json"}'],
    ['v1 html', { accept: 'application/vnd.pypi.simple.v1+html' }, 'application/vnd.pypi.simple.v1+html', '<html>foo html</html>'],
  ])('project page, %s', async (_label, headers, type, body) => {
    const res = await get('/simple/foo/', headers);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('vary')).toBe('Accept');
    expect(res.headers.get('cache-control')).toBe('max-age=600');
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await res.text()).toBe(body);
  });

  test('project page, no Accept header at all', async () => {
    const res = await raw('/simple/foo/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers.vary).toBe('Accept');
    expect(res.body).toBe('<html>foo html</html>');
  });

  // See negotiate.test.ts: `*/*` (what fetch, curl and requests send by default) should
  // be answered like no Accept, as text/html; it gets application/vnd.pypi.simple.v1+html.
  test('project page, Accept */* is text/html', async () => {
    const res = await get('/simple/foo/', { accept: '*/*' });
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  test('project page, Accept */* is HTML', async () => {
    const res = await get('/simple/foo/', { accept: '*/*' });
    expect(res.status).toBe(200);
    expect(res.headers.get('vary')).toBe('Accept');
    expect(await res.text()).toBe('<html>foo html</html>');
  });

  test('root listing in both formats', async () => {
    const html = await get('/simple/');
    expect(html.status).toBe(200);
    expect(html.headers.get('vary')).toBe('Accept');
    expect(await html.text()).toBe('<html>root html</html>');
    const json = await get('/simple/', { accept: SIMPLE_JSON });
    expect(json.headers.get('content-type')).toBe(SIMPLE_JSON);
    expect(json.headers.get('vary')).toBe('Accept');
    expect(await json.json()).toEqual({ root: 'json' });
  });

  test('only application/json is 406, with Vary', async () => {
    const res = await get('/simple/foo/', { accept: 'application/json' });
    expect(res.status).toBe(406);
    expect(res.headers.get('vary')).toBe('Accept');
  });

  test('a missing project is 404', async () => {
    const res = await get('/simple/nope/', { accept: PIP_ACCEPT });
    expect(res.status).toBe(404);
  });

  test('the index files are also reachable by name', async () => {
    const res = await get('/simple/foo/index.v1_json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(SIMPLE_JSON);
    expect(await res.text()).toBe('{"foo":"json"}');
    const html = await get('/simple/foo/index.html');
    expect(html.headers.get('content-type')).toBe('text/html; charset=utf-8');
  });

  test('a JSON-only project still answers a JSON client', async () => {
    const res = await get('/simple/jsononly/', { accept: PIP_ACCEPT });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(SIMPLE_JSON);
    expect(await res.json()).toEqual({ jsononly: true });
  });

  test('a JSON-only project: HTML preferred but JSON accepted gets the JSON', async () => {
    const res = await get('/simple/jsononly/', { accept: `text/html, ${SIMPLE_JSON};q=0.5` });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(SIMPLE_JSON);
    expect(await res.json()).toEqual({ jsononly: true });
  });

  test('a JSON-only project: an HTML-only client gets 404, never JSON', async () => {
    const res = await get('/simple/jsononly/', { accept: 'text/html' });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('jsononly');
  });

  test('JSON API and last-modified content types', async () => {
    const api = await get('/pypi/foo/json');
    expect(api.status).toBe(200);
    expect(api.headers.get('content-type')).toBe('application/json');
    const lm = await get('/last-modified');
    expect(lm.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await lm.text()).toBe('20240101T00:00:00\n');
  });
});

describe('mirror server: redirects', () => {
  test('/simple/foo redirects to /simple/foo/', async () => {
    const res = await get('/simple/foo');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/simple/foo/');
  });

  test('/simple redirects to /simple/', async () => {
    const res = await get('/simple');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/simple/');
  });

  test('the query string survives the redirect', async () => {
    const res = await get('/simple/foo?x=1');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/simple/foo/?x=1');
  });

  test('/ redirects to /simple/', async () => {
    const res = await get('/');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/simple/');
  });
});

describe('mirror server: files', () => {
  test('a package file, whole', async () => {
    const res = await get('/packages/x/foo-1.0.tar.gz');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(res.headers.get('content-length')).toBe('16');
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(res.headers.get('last-modified')).toBeTruthy();
    expect(await res.text()).toBe('0123456789abcdef');
  });

  test('cache-control differs between pages and packages', async () => {
    const pkg = await get('/packages/x/foo-1.0.tar.gz');
    const page = await get('/simple/foo/');
    expect(page.headers.get('cache-control')).toBe('max-age=600');
    expect(pkg.headers.get('cache-control')).not.toBe(page.headers.get('cache-control'));
    expect(pkg.headers.get('cache-control')).toMatch(/max-age=\d{6,}/);
  });

  test('Range bytes=2-5', async () => {
    const res = await get('/packages/x/foo-1.0.tar.gz', { range: 'bytes=2-5' });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe('bytes 2-5/16');
    expect(res.headers.get('content-length')).toBe('4');
    expect(await res.text()).toBe('2345');
  });

  test('open-ended and suffix ranges', async () => {
    const open = await get('/packages/x/foo-1.0.tar.gz', { range: 'bytes=10-' });
    expect(open.status).toBe(206);
    expect(open.headers.get('content-range')).toBe('bytes 10-15/16');
    expect(await open.text()).toBe('abcdef');
    const suffix = await get('/packages/x/foo-1.0.tar.gz', { range: 'bytes=-3' });
    expect(suffix.status).toBe(206);
    expect(suffix.headers.get('content-range')).toBe('bytes 13-15/16');
    expect(await suffix.text()).toBe('def');
    const past = await get('/packages/x/foo-1.0.tar.gz', { range: 'bytes=14-100' });
    expect(past.status).toBe(206);
    expect(past.headers.get('content-range')).toBe('bytes 14-15/16');
    expect(await past.text()).toBe('ef');
  });

  test.each(['bytes=16-20', 'bytes=100-', 'bytes=5-2', 'bytes=-0'])('unsatisfiable range %s is 416', async (range) => {
    const res = await get('/packages/x/foo-1.0.tar.gz', { range });
    expect(res.status).toBe(416);
    expect(res.headers.get('content-range')).toBe('bytes */16');
    expect(await res.text()).toBe('');
  });

  test.each(['bytes=0-1,4-5', 'items=0-3', 'bytes=x-2'])('malformed or multi-part range %s is ignored: 200 with the whole file', async (range) => {
    const res = await get('/packages/x/foo-1.0.tar.gz', { range });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('16');
  });

  test('an empty file', async () => {
    const res = await get('/packages/x/empty.whl');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('0');
    expect(await res.text()).toBe('');
  });

  test('HEAD gives the headers and no body', async () => {
    const res = await get('/packages/x/foo-1.0.tar.gz', {}, 'HEAD');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-length')).toBe('16');
    expect(await res.text()).toBe('');
    const page = await get('/simple/foo/', { accept: PIP_ACCEPT }, 'HEAD');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe(SIMPLE_JSON);
    expect(page.headers.get('vary')).toBe('Accept');
    expect(page.headers.get('content-length')).toBe(String('{"foo":"json"}'.length));
  });

  test('other methods are 405', async () => {
    const res = await get('/simple/foo/', {}, 'POST');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toMatch(/GET/);
  });

  test('a missing file is 404', async () => {
    expect((await get('/packages/x/nope.tar.gz')).status).toBe(404);
  });

  test('a folder outside simple/ is not listed', async () => {
    expect((await get('/packages/x/')).status).toBe(404);
  });
});

describe('mirror server: what is never served', () => {
  test('the download temporaries', async () => {
    expect((await get('/.jubjub-tmp/partial')).status).toBe(404);
    expect((await raw('/.jubjub-tmp/partial')).status).toBe(404);
    expect((await raw('/%2ejubjub-tmp/partial')).status).toBe(404);
  });

  test('dot-folders anywhere', async () => {
    expect((await get('/simple/.hidden/')).status).toBe(404);
    expect((await get('/simple/.hidden/index.html')).status).toBe(404);
  });

  test.each([
    '/../secret.txt',
    '/simple/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/simple/%2e%2e/%2e%2e/secret.txt',
    '/simple/..%2f..%2fsecret.txt',
    '/packages/..%2F..%2Fsecret.txt',
    '/simple/..%5c..%5csecret.txt',
    '/simple/foo%00/index.html',
    '/packages/x/foo-1.0.tar.gz%00.txt',
    '/packages/x/..%2f.jubjub-tmp%2fpartial',
  ])('%s', async (p) => {
    const res = await raw(p);
    expect([400, 404]).toContain(res.status);
    expect(res.body).not.toContain('outside the root');
    expect(res.body).not.toContain('half a file');
  });

  test('bad percent-encoding is 400', async () => {
    expect((await raw('/simple/%zz/')).status).toBe(400);
  });
});
