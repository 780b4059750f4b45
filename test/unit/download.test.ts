import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { FilePool } from '../../src/download/file-pool.js';
import type { SyncContext } from '../../src/sync/context.js';
import { candidateUrls } from '../../src/sync/fetch-files.js';
import { downloadVerified, type DownloadDeps, type Expected } from '../../src/download/verified-download.js';
import { JubjubError } from '../../src/errors.js';
import { TEMP_DIR, Storage } from '../../src/storage/storage.js';
import { UpstreamHttp } from '../../src/upstream/http.js';

const BODY = Buffer.from('the quick brown fox jumps over the lazy dog\n'.repeat(200));
const SHA = createHash('sha256').update(BODY).digest('hex');
const EXPECTED: Expected = { sha256: SHA, size: BODY.length };
const DEST = 'packages/ab/cd/ef/fox-1.0.tar.gz';

/** Requests seen per path. */
const hits = new Map<string, number>();
let server: http.Server;
let host: string;
let port: number;

/** Requests to `/held` being answered now, and the most there were at once. */
const held = { now: 0, peak: 0 };

function hit(p: string): number {
  const n = (hits.get(p) ?? 0) + 1;
  hits.set(p, n);
  return n;
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const n = hit(url.pathname);
    switch (url.pathname) {
      case '/good':
        res.writeHead(200, { 'content-length': BODY.length }).end(BODY);
        return;
      case '/wrong': {
        const bad = Buffer.from(BODY);
        bad[10] = 0x21;
        res.writeHead(200, { 'content-length': bad.length }).end(bad);
        return;
      }
      case '/short':
        res.writeHead(200).end(BODY.subarray(0, BODY.length - 1));
        return;
      case '/long':
        // No Content-Length: the body simply runs on past the declared size.
        res.writeHead(200);
        res.write(BODY);
        res.end(BODY);
        return;
      case '/gzip':
        // Compressed although nobody asked: the bytes are checked after decoding.
        res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(BODY));
        return;
      case '/stall':
        // Half the body, then silence past the timeout.
        res.writeHead(200, { 'content-length': BODY.length });
        res.write(BODY.subarray(0, 100));
        return;
      case '/reset':
        res.writeHead(200, { 'content-length': BODY.length });
        res.write(BODY.subarray(0, 100), () => res.socket?.destroy());
        return;
      case '/held':
      case '/held-long':
        // Answered after a pause, so that requests overlap as far as the client lets them.
        held.now++;
        held.peak = Math.max(held.peak, held.now);
        setTimeout(() => {
          held.now--;
          res.writeHead(200, { 'content-length': BODY.length }).end(BODY);
        }, url.pathname === '/held' ? 15 : 300);
        return;
      case '/missing':
        res.writeHead(404).end('not here');
        return;
      case '/flaky':
        if (n === 1) res.writeHead(503).end('busy');
        else res.writeHead(200).end(BODY);
        return;
      case '/slow-down':
        if (n === 1) res.writeHead(503, { 'retry-after': '1' }).end('busy');
        else res.writeHead(200).end(BODY);
        return;
      case '/always-503':
        res.writeHead(503).end('busy');
        return;
      case '/redirect-out':
        res.writeHead(302, { location: `http://localhost:${port}/good` }).end();
        return;
      case '/redirect-in':
        res.writeHead(302, { location: `http://127.0.0.1:${port}/good` }).end();
        return;
      default:
        res.writeHead(500).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  host = `127.0.0.1:${port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

let dir: string;
let storage: Storage;
let upstream: UpstreamHttp;
let deps: DownloadDeps;
let files: FilePool;
let savedBackoff: string | undefined;

beforeEach(async () => {
  hits.clear();
  savedBackoff = process.env.JUBJUB_BACKOFF_BASE_MS;
  process.env.JUBJUB_BACKOFF_BASE_MS = '1';
  dir = await mkdtemp(path.join(os.tmpdir(), 'jubjub-download-'));
  storage = new Storage(path.join(dir, 'web'), path.join(dir, 'state'));
  await storage.ensureDirs();
  upstream = new UpstreamHttp({ timeoutMs: 5000, retries: 1, userAgent: 'jubjub-test', log: pino({ level: 'silent' }) });
  files = new FilePool({ userAgent: 'jubjub-test', timeoutMs: 1000 }, 16);
  deps = { http: upstream, files, storage, hosts: [host], fsync: false };
});

afterEach(async () => {
  upstream.close();
  await files.close();
  if (savedBackoff === undefined) delete process.env.JUBJUB_BACKOFF_BASE_MS;
  else process.env.JUBJUB_BACKOFF_BASE_MS = savedBackoff;
  await rm(dir, { recursive: true, force: true });
});

function url(p: string): string {
  return `http://${host}${p}`;
}

async function destExists(): Promise<boolean> {
  return (await stat(path.join(storage.root, DEST)).catch(() => null)) !== null;
}

/** Files left in the temporary folder (its shard subfolders are always there). */
async function tempLeft(): Promise<string[]> {
  // The folder is made on first use: none means nothing was left.
  const entries = await readdir(path.join(storage.root, TEMP_DIR), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => !e.isDirectory()).map((e) => e.name);
}

async function failure(urls: string[], expected: Expected = EXPECTED): Promise<JubjubError> {
  let caught: unknown;
  try {
    await downloadVerified(deps, urls, expected, DEST);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(JubjubError);
  return caught as JubjubError;
}

describe('downloadVerified', () => {
  test('the right bytes land at dest', async () => {
    const n = await downloadVerified(deps, [url('/good')], EXPECTED, DEST);
    expect(n).toBe(BODY.length);
    expect(await readFile(path.join(storage.root, DEST))).toEqual(BODY);
    expect(await tempLeft()).toEqual([]);
    expect(hits.get('/good')).toBe(1);
    expect(upstream.stats.retries).toBe(0);
    expect(upstream.stats.requests).toBe(1);
  });

  test('size unknown (a cap): the right bytes land', async () => {
    const n = await downloadVerified(deps, [url('/good')], { sha256: SHA, size: null, maxBytes: BODY.length }, DEST);
    expect(n).toBe(BODY.length);
    expect(await destExists()).toBe(true);
  });

  test('a wrong sha256: E_HASH_MISMATCH after the retry, nothing published, no temporary left', async () => {
    const err = await failure([url('/wrong')]);
    expect(err.code).toBe('E_HASH_MISMATCH');
    expect(hits.get('/wrong')).toBe(2);
    expect(upstream.stats.retries).toBe(1);
    expect(await destExists()).toBe(false);
    expect(await tempLeft()).toEqual([]);
  });

  test('the right bytes but a different expected hash: refused', async () => {
    const err = await failure([url('/good')], { sha256: 'f'.repeat(64), size: BODY.length });
    expect(err.code).toBe('E_HASH_MISMATCH');
    expect(await destExists()).toBe(false);
  });

  test('a short body: E_HASH_MISMATCH, nothing published', async () => {
    const err = await failure([url('/short')]);
    expect(err.code).toBe('E_HASH_MISMATCH');
    expect(err.message).toContain(`${BODY.length - 1} bytes`);
    expect(await destExists()).toBe(false);
    expect(await tempLeft()).toEqual([]);
  });

  test('a body longer than declared is cut off, nothing published', async () => {
    const err = await failure([url('/long')]);
    expect(err.code).toBe('E_TOO_LARGE');
    expect(await destExists()).toBe(false);
    expect(await tempLeft()).toEqual([]);
  });

  test('a body over the cap when the size is unknown', async () => {
    const err = await failure([url('/good')], { sha256: SHA, size: null, maxBytes: 100 });
    expect(err.code).toBe('E_TOO_LARGE');
    expect(await destExists()).toBe(false);
    expect(await tempLeft()).toEqual([]);
  });

  test('the first URL 404s, the second works (files_url fallback)', async () => {
    await downloadVerified(deps, [url('/missing'), url('/good')], EXPECTED, DEST);
    expect(hits.get('/missing')).toBe(1); // a 404 is not retried
    expect(hits.get('/good')).toBe(1);
    expect(await readFile(path.join(storage.root, DEST))).toEqual(BODY);
  });

  test('every URL fails: the last error is thrown', async () => {
    const err = await failure([url('/wrong'), url('/missing')]);
    expect(err.code).toBe('E_HTTP');
    expect(err.message).toContain('404');
    expect(await destExists()).toBe(false);
  });

  test('no URL at all', async () => {
    expect((await failure([])).code).toBe('E_HTTP');
  });

  test('503 then 200 succeeds after a retry', async () => {
    await downloadVerified(deps, [url('/flaky')], EXPECTED, DEST);
    expect(hits.get('/flaky')).toBe(2);
    expect(upstream.stats.retries).toBeGreaterThanOrEqual(1);
    expect(await readFile(path.join(storage.root, DEST))).toEqual(BODY);
  });

  test('503 past the retries fails with a transient E_HTTP', async () => {
    const err = await failure([url('/always-503')]);
    expect(err.code).toBe('E_HTTP');
    expect(err.transient).toBe(true);
    expect(hits.get('/always-503')).toBe(2);
  });

  test('Retry-After is honoured', async () => {
    const started = Date.now();
    await downloadVerified(deps, [url('/slow-down')], EXPECTED, DEST);
    const elapsed = Date.now() - started;
    expect(hits.get('/slow-down')).toBe(2);
    // The backoff base is 1 ms: only Retry-After: 1 explains a second's wait.
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(await destExists()).toBe(true);
  });

  test('a host not in hosts: E_UNSAFE and no request made', async () => {
    const err = await failure([`http://localhost:${port}/good`]);
    expect(err.code).toBe('E_UNSAFE');
    expect(hits.size).toBe(0);
    expect(upstream.stats.requests).toBe(0);
    expect(await destExists()).toBe(false);
  });

  test('a redirect to a disallowed host is refused', async () => {
    const err = await failure([url('/redirect-out')]);
    expect(err.code).toBe('E_UNSAFE');
    expect(hits.get('/redirect-out')).toBeGreaterThanOrEqual(1);
    expect(hits.get('/good')).toBeUndefined();
    expect(await destExists()).toBe(false);
    expect(await tempLeft()).toEqual([]);
  });

  test('a gzip-encoded body is decoded before it is checked', async () => {
    await downloadVerified(deps, [url('/gzip')], EXPECTED, DEST);
    expect(await readFile(path.join(storage.root, DEST))).toEqual(BODY);
  });

  test('a body that stalls past the timeout: transient E_NETWORK, retried, nothing left', async () => {
    const err = await failure([url('/stall')]);
    expect(err.code).toBe('E_NETWORK');
    // Said as a timeout, not as the reset that ends the connection.
    expect(err.message).toMatch(/ETIMEDOUT .*no data for 1000 ms/);
    expect(err.transient).toBe(true);
    expect(hits.get('/stall')).toBe(2);
    expect(await destExists()).toBe(false);
    expect(await tempLeft()).toEqual([]);
  });

  test('a connection reset mid-body: transient E_NETWORK, nothing left', async () => {
    const err = await failure([url('/reset')]);
    expect(err.code).toBe('E_NETWORK');
    expect(hits.get('/reset')).toBe(2);
    expect(await destExists()).toBe(false);
    expect(await tempLeft()).toEqual([]);
  });

  test('downloads run on the pool\'s threads, many at once', async () => {
    const dests = Array.from({ length: 40 }, (_, i) => `packages/p/${i}/fox-1.0.tar.gz`);
    await Promise.all(dests.map((d) => downloadVerified(deps, [url('/good')], EXPECTED, d)));
    for (const d of dests) expect(await readFile(path.join(storage.root, d))).toEqual(BODY);
    expect(upstream.stats.requests).toBe(40);
    expect(upstream.stats.bytes).toBe(40 * BODY.length);
    expect(await tempLeft()).toEqual([]);
  });

  test.each([1, 3, 5])('the threads together never have more than the concurrency (%i) in flight', async (concurrency) => {
    const pool = new FilePool({ userAgent: 'jubjub-test', timeoutMs: 5000 }, concurrency, 2);
    held.peak = 0;
    try {
      const dests = Array.from({ length: 24 }, (_, i) => `packages/h/${i}/fox-1.0.tar.gz`);
      // All handed over at once: what is over the limit waits in the threads.
      await Promise.all(dests.map((d) => downloadVerified({ ...deps, files: pool }, [url('/held')], EXPECTED, d)));
      for (const d of dests) expect(await readFile(path.join(storage.root, d))).toEqual(BODY);
      expect(held.peak).toBe(concurrency);
    } finally {
      await pool.close();
    }
  });

  test('a stop lets the download in flight finish and ends the waiting ones without a request', async () => {
    const pool = new FilePool({ userAgent: 'jubjub-test', timeoutMs: 5000 }, 1, 1);
    try {
      const dests = Array.from({ length: 6 }, (_, i) => `packages/c/${i}/fox-1.0.tar.gz`);
      const all = Promise.allSettled(dests.map((d) => downloadVerified({ ...deps, files: pool }, [url('/held-long'), url('/good')], EXPECTED, d)));
      // Once the thread has one in flight, the other five wait in it.
      while (held.now === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      pool.cancelWaiting();
      const settled = await all;
      expect(settled[0]?.status).toBe('fulfilled');
      for (const r of settled.slice(1)) {
        expect(r.status).toBe('rejected');
        expect(r.status === 'rejected' && (r.reason as JubjubError).code).toBe('E_INTERRUPTED');
      }
      // No retry, and no second URL: the stop means no more requests.
      expect(hits.get('/held-long')).toBe(1);
      expect(hits.get('/good')).toBeUndefined();
      expect(await readFile(path.join(storage.root, dests[0] ?? ''))).toEqual(BODY);
    } finally {
      await pool.close();
    }
  });

  test('a redirect within the allowed hosts is followed', async () => {
    await downloadVerified(deps, [url('/redirect-in')], EXPECTED, DEST);
    expect(hits.get('/good')).toBe(1);
    expect(await readFile(path.join(storage.root, DEST))).toEqual(BODY);
  });

  async function escape(): Promise<unknown> {
    try {
      await downloadVerified(deps, [url('/good')], EXPECTED, '../escape.tar.gz');
    } catch (e) {
      return e;
    }
    return undefined;
  }

  test('a dest outside the root is refused', async () => {
    const caught = await escape();
    expect(caught).toBeInstanceOf(JubjubError);
    expect((caught as JubjubError).code).toBe('E_UNSAFE');
    expect(await stat(path.join(dir, 'escape.tar.gz')).catch(() => null)).toBeNull();
  });

  // storage.ts commit(): `this.resolve('root', rel)` runs before the try whose catch
  // discards the temporary, so a refused dest leaves the downloaded temp file behind
  // in <root>/.jubjub-tmp/ (until the next run's clearTemp).
  test('a refused dest leaves no temporary behind', async () => {
    await escape();
    expect(await tempLeft()).toEqual([]);
  });
});

describe('candidateUrls', () => {
  const ctxWith = (filesUrl: string | null) => ({ cfg: { upstream: { filesUrl } } }) as unknown as SyncContext;
  const file = 'https://files.pythonhosted.org/packages/ab/cd/ef/x-1.0.tar.gz';

  test('files_url first, at the same path under its own prefix, then the file\'s own URL', () => {
    expect(candidateUrls(ctxWith('http://10.0.0.5:8080/pypi-files/'), file)).toEqual([
      'http://10.0.0.5:8080/pypi-files/packages/ab/cd/ef/x-1.0.tar.gz',
      file,
    ]);
    expect(candidateUrls(ctxWith('http://near'), `${file}?x=1`)).toEqual([`http://near/packages/ab/cd/ef/x-1.0.tar.gz?x=1`, `${file}?x=1`]);
  });

  test('no files_url, or one that names the same place: just the URL', () => {
    expect(candidateUrls(ctxWith(null), file)).toEqual([file]);
    expect(candidateUrls(ctxWith('https://files.pythonhosted.org'), file)).toEqual([file]);
  });
});
