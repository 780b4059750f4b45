/** The fake upstream's fault injector: every kind really happens, and the same seed gives the same faults. */
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FakePypi, type FaultKind } from './fake-pypi/index.js';

function rpc(method: string, params: string[] = []): string {
  const p = params.map((v) => `<param><value>${v}</value></param>`).join('');
  return `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${p}</params></methodCall>`;
}

async function post(url: string, body: string, type = 'text/xml'): Promise<Response> {
  return fetch(`${url}/pypi`, { method: 'POST', headers: { 'Content-Type': type }, body });
}

interface Raw {
  status: number;
  declared: number;
  body: Buffer;
  /** How the connection ended: 'fin' for a clean close, else the socket error code. */
  end: string;
  headMs: number;
  ms: number;
}

/** One GET on a raw socket, to see exactly how a response ends (FIN vs reset, short body). */
function rawGet(base: string, path: string): Promise<Raw> {
  return new Promise((resolve) => {
    const start = Date.now();
    const chunks: Buffer[] = [];
    let headMs = -1;
    const s = connect(Number(new URL(base).port), '127.0.0.1');
    const done = (end: string): void => {
      const all = Buffer.concat(chunks);
      const cut = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, cut).toString('latin1');
      resolve({
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(head)?.[1] ?? 0),
        declared: Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? -1),
        body: all.subarray(cut + 4),
        end,
        headMs,
        ms: Date.now() - start,
      });
    };
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      if (headMs < 0 && Buffer.concat(chunks).includes('\r\n\r\n')) headMs = Date.now() - start;
    });
    s.once('end', () => done('fin'));
    s.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? 'error'));
    s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
  });
}

interface ProjectDoc {
  last_serial: number;
  info: { name: string };
  releases: Record<string, Array<{ filename: string; url: string }>>;
}

describe('fault injection', () => {
  let f: FakePypi;
  let wheel: string;
  let wheelPath: string;
  const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

  beforeAll(async () => {
    f = await FakePypi.start();
    f.addProject('flaky');
    f.addRelease('flaky', '1.0');
    wheel = f.addFile('flaky', '1.0', { size: 100_000 });
    f.addFile('flaky', '1.0', { kind: 'sdist' });
    f.addRelease('flaky', '2.0');
    f.addFile('flaky', '2.0');
    const body = (await (await fetch(`${f.url}/pypi/flaky/json`)).json()) as ProjectDoc;
    wheelPath = new URL(body.releases['1.0']?.find((x) => x.filename === wheel)?.url ?? '').pathname;
  });
  afterEach(() => {
    f.setFaults(null);
    f.resetCounts();
  });
  afterAll(async () => {
    await f.close();
  });

  it('answers 500, 503, and 429 with Retry-After, counting each by kind and class', async () => {
    for (const [kind, status] of [['http-500', 500], ['http-503', 503], ['http-429', 429]] as const) {
      f.setFaults({ rate: 1, seed: 3, kinds: [kind], retryAfter: 2 });
      const res = await fetch(f.url + wheelPath);
      expect(res.status).toBe(status);
      expect(res.headers.get('retry-after')).toBe(status === 429 ? '2' : null);
      await res.arrayBuffer();
      expect(f.faultsInjected.kind[kind]).toBe(1);
    }
    expect(f.faultsInjected.total).toBe(3);
    expect(f.faultsInjected.class.files).toBe(3);
    expect(f.faultLog.map((e) => e.kind)).toEqual(['http-500', 'http-503', 'http-429']);
    expect(f.requests.files[wheel]).toBe(3); // the upstream still saw, and counted, each request
  });

  it('resets mid-body, truncates below Content-Length, corrupts at the right length', async () => {
    const size = f.fileBytes(wheel).length;
    f.setFaults({ rate: 1, kinds: ['reset'] });
    const reset = await rawGet(f.url, wheelPath);
    expect(reset).toMatchObject({ status: 200, declared: size, end: 'ECONNRESET' });
    expect(reset.body.length).toBeLessThan(size);

    f.setFaults({ rate: 1, kinds: ['truncate'] });
    const cut = await rawGet(f.url, wheelPath);
    expect(cut).toMatchObject({ status: 200, declared: size, end: 'fin' });
    expect(cut.body.length).toBeGreaterThan(0);
    expect(cut.body.length).toBeLessThan(size);
    expect(cut.body.equals(f.fileBytes(wheel).subarray(0, cut.body.length))).toBe(true);

    f.setFaults({ rate: 1, kinds: ['corrupt'] });
    const bad = Buffer.from(await (await fetch(f.url + wheelPath)).arrayBuffer());
    expect(bad.length).toBe(size);
    expect(sha(bad)).not.toBe(f.sha256(wheel));
    expect(f.faultsInjected.kind).toMatchObject({ reset: 1, truncate: 1, corrupt: 1 });

    f.setFaults(null);
    const good = await rawGet(f.url, wheelPath);
    expect(good).toMatchObject({ status: 200, end: 'fin' });
    expect(sha(good.body)).toBe(f.sha256(wheel));
  });

  it('holds a response back before its headers (slow) or mid-body (stall)', async () => {
    f.setFaults({ rate: 1, kinds: ['slow'], slowMs: 400 });
    const slow = await rawGet(f.url, wheelPath);
    expect(slow.headMs).toBeGreaterThanOrEqual(380);
    expect(sha(slow.body)).toBe(f.sha256(wheel));
    f.setFaults({ rate: 1, kinds: ['stall'], slowMs: 400 });
    const stall = await rawGet(f.url, wheelPath);
    expect(stall.headMs).toBeLessThan(300);
    expect(stall.ms).toBeGreaterThanOrEqual(380);
    expect(sha(stall.body)).toBe(f.sha256(wheel));
    expect(f.faultsInjected.total).toBe(2);
  });

  it('rate-limits XML-RPC with fault -32500, applies kinds only where they fit, stops after max', async () => {
    f.setFaults({ rate: 1, kinds: ['rpc-fault', 'corrupt'] });
    const xml = await (await post(f.url, rpc('changelog_last_serial'))).text();
    expect(xml).toMatch(/<fault>[\s\S]*<int>-32500<\/int>[\s\S]*<string>HTTPTooManyRequests/);
    // Neither kind applies to a JSON document: it is served intact.
    const doc = await fetch(`${f.url}/pypi/flaky/json`);
    expect(((await doc.json()) as ProjectDoc).info.name).toBe('flaky');
    expect(f.faultsInjected).toMatchObject({ total: 1, kind: { 'rpc-fault': 1 }, class: { xmlrpc: 1, json: 0 } });

    f.setFaults({ rate: 1, kinds: ['http-500'], only: ['json'] });
    expect((await fetch(`${f.url}/pypi/flaky/json`)).status).toBe(500);
    expect((await fetch(f.url + wheelPath)).status).toBe(200);
    expect((await fetch(`${f.url}/simple/flaky/`)).status).toBe(200);

    f.setFaults({ rate: 1, max: 2, kinds: ['http-503'] });
    const burst: number[] = [];
    for (let i = 0; i < 4; i++) burst.push((await fetch(f.url + wheelPath)).status);
    expect(burst).toEqual([503, 503, 200, 200]);
  });

  it('serves the first N JSON documents of a project stale: older serial, newest release missing', async () => {
    f.setFaults({ stale: { first: 2, projects: ['Flaky'] } });
    const seen: Array<{ header: number; body: number; versions: string[] }> = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${f.url}/pypi/flaky/json`);
      const body = (await res.json()) as ProjectDoc;
      seen.push({ header: Number(res.headers.get('x-pypi-last-serial')), body: body.last_serial, versions: Object.keys(body.releases) });
    }
    const fresh = seen[2];
    expect(fresh?.versions).toEqual(['1.0', '2.0']);
    for (const s of seen.slice(0, 2)) {
      expect(s.header).toBe(s.body);
      expect(s.header).toBeLessThan(fresh?.header ?? 0);
      expect(s.versions).toEqual(['1.0']);
    }
    expect(f.faultsInjected.kind.stale).toBe(2);
  });

  it('fails one file on every request until cleared', async () => {
    const other = f.files().find((x) => x.filename !== wheel)?.filename;
    f.failFile(wheel, 'http-500');
    for (let i = 0; i < 3; i++) expect((await fetch(f.url + wheelPath)).status).toBe(500);
    const doc = (await (await fetch(`${f.url}/pypi/flaky/json`)).json()) as ProjectDoc;
    const url = Object.values(doc.releases).flat().find((x) => x.filename === other)?.url;
    expect((await fetch(url ?? '')).status).toBe(200);
    expect(f.faultsInjected.kind['http-500']).toBe(3);
    f.failFile(wheel, null);
    expect((await fetch(f.url + wheelPath)).status).toBe(200);
    expect(() => f.failFile('no-such-file.whl', 'corrupt')).toThrow();
  });

  it('draws faults from the seed alone: same seed, same faults, whatever the request order', async () => {
    const kinds: FaultKind[] = ['http-500', 'http-503'];
    const paths = Array.from({ length: 100 }, (_, i) => `/pypi/nope-${i}/json`);
    const faulted = async (seed: number, order: 'serial' | 'parallel'): Promise<string[]> => {
      f.setFaults({ rate: 0.3, seed, kinds });
      f.resetCounts();
      const statuses: number[] = [];
      if (order === 'serial') for (const p of paths) statuses.push((await fetch(f.url + p)).status);
      else statuses.push(...(await Promise.all([...paths].reverse().map(async (p) => (await fetch(f.url + p)).status))).reverse());
      expect(f.faultsInjected.total).toBe(statuses.filter((s) => s >= 500).length);
      return paths.filter((_, i) => (statuses[i] ?? 0) >= 500);
    };
    const a = await faulted(7, 'serial');
    expect(a.length).toBeGreaterThan(15);
    expect(a.length).toBeLessThan(45);
    expect(await faulted(7, 'serial')).toEqual(a);
    expect(await faulted(7, 'parallel')).toEqual(a);
    expect(await faulted(8, 'serial')).not.toEqual(a);
    // A retry of the same request draws again: a faulted request does not fail forever.
    f.setFaults({ rate: 0.3, seed: 7, kinds });
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) statuses.push((await fetch(f.url + (a[0] ?? ''))).status);
    expect(statuses[0]).toBeGreaterThanOrEqual(500);
    expect(statuses).toContain(404);
  });
});
