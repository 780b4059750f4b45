/**
 * jubjub against an upstream that fails the way real ones do: error statuses, resets,
 * short and corrupt bodies, rate limits, responses slower than the timeout, stale JSON.
 * Every run must end at the mirror a fault-free run makes, or record exactly what it
 * could not fetch, and never serve a wrong or partial byte in between.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakePypi, FAULT_KINDS, REQUEST_CLASSES } from '../fake-pypi/index.js';
import { cleanup, listTree, makeMirror, publishedFiles, runJubjub, spawnJubjub, type Mirror, type RunResult } from './harness.js';
import { checkTree } from './tree-check.js';

const mirrors: Mirror[] = [];
const upstreams: FakePypi[] = [];

afterAll(async () => {
  for (const up of upstreams) await up.close();
  for (const m of mirrors) await cleanup(m);
});

/** `projects` projects of two releases, each a wheel (with .metadata) and an sdist. */
async function upstream(prefix: string, projects: number, opts: { coreMetadataInJson?: boolean } = {}): Promise<FakePypi> {
  const up = await FakePypi.start(opts);
  upstreams.push(up);
  for (let p = 0; p < projects; p++) {
    const name = `${prefix}-${p}`;
    up.addProject(name);
    for (const v of ['1.0', '1.1']) {
      up.addRelease(name, v);
      up.addFile(name, v, { kind: 'wheel', size: 20_000 + p * 1000 });
      up.addFile(name, v, { kind: 'sdist', size: 10_000 });
    }
  }
  return up;
}

async function mirrorOf(up: FakePypi, upstreamOverrides: Record<string, unknown> = {}): Promise<Mirror> {
  const m = await makeMirror(up.url, { upstream: { retries: 6, ...upstreamOverrides } });
  mirrors.push(m);
  return m;
}

const sync = (m: Mirror): Promise<RunResult> => runJubjub(['sync', '-c', m.config]);

interface RunFinished {
  retries: number;
  requests: number;
  failed: number;
  durationMs: number;
}

/** The 'run finished' log line (pino JSON on stderr when it is not a terminal). */
function runFinished(r: RunResult): RunFinished {
  for (const line of r.stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    const rec = JSON.parse(line) as { msg?: string } & RunFinished;
    if (rec.msg === 'run finished') return rec;
  }
  throw new Error(`no 'run finished' line in:\n${r.stderr}`);
}

async function status(m: Mirror): Promise<{ failed: Record<string, { code: string }>; serial: number | null }> {
  return JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { failed: Record<string, { code: string }>; serial: number | null };
}

/** Path → sha256 of everything served, for comparing whole trees; `last-modified` is a clock. */
async function servedTree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const rel of await listTree(root)) {
    if (rel === 'last-modified' || rel.startsWith('.jubjub-tmp/')) continue;
    out.set(rel, createHash('sha256').update(await readFile(path.join(root, rel))).digest('hex'));
  }
  return out;
}

const expectedFiles = (up: FakePypi): Map<string, string> => new Map(up.files().map((f) => [f.filename, f.sha256]));

// Everything outside the temp folder is a page, the run's timestamp or a content-addressed file.
const SERVED = /^(last-modified|simple\/index\.(html|v1_html|v1_json)|simple\/[a-z0-9-]+\/index\.(html|v1_html|v1_json)|pypi\/[a-z0-9-]+\/json|packages\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{60}\/[^/]+)$/;

/**
 * Problems with what a web server would serve right now: a name that is not a page or a
 * content-addressed file (a stray temporary), or a file whose bytes are not the ones its
 * path promises. `checked` remembers files already hashed (they never change in place).
 */
async function servedProblems(up: FakePypi, root: string, checked: Set<string>): Promise<string[]> {
  const problems: string[] = [];
  const metadataSha = new Map(up.files().map((f) => [f.filename, f.metadataSha256]));
  for (const rel of await listTree(root)) {
    if (rel.startsWith('.jubjub-tmp/') || checked.has(rel)) continue;
    if (!SERVED.test(rel)) {
      problems.push(`unexpected file in the served tree: ${rel}`);
      continue;
    }
    if (!rel.startsWith('packages/')) continue;
    const buf = await readFile(path.join(root, rel)).catch(() => null);
    if (buf === null) continue; // removed since the listing: nothing left to serve wrong
    const [, a, b, rest, name = ''] = rel.split('/');
    const want = name.endsWith('.metadata') ? metadataSha.get(name.slice(0, -'.metadata'.length)) : `${a}${b}${rest}`;
    const got = createHash('sha256').update(buf).digest('hex');
    if (got !== want) problems.push(`${rel}: ${buf.length} bytes with sha256 ${got}, expected ${want ?? 'no such file'}`);
    checked.add(rel);
  }
  return problems;
}

const SEEDS = [1, 2, 3];

describe('random faults on every request class', () => {
  let up: FakePypi;
  let reference: Map<string, string>;

  beforeAll(async () => {
    // Without core-metadata in the JSON API, jubjub also reads every PEP 691 page: all five classes see traffic.
    up = await upstream('flaky', 16, { coreMetadataInJson: false });
    const m = await mirrorOf(up);
    const r = await sync(m);
    expect(r.code, r.stderr).toBe(0);
    expect(runFinished(r).retries).toBe(0);
    reference = await servedTree(m.root);
  });

  test('at 5% over all kinds, each sync ends at the exact fault-free mirror and reports its retries', async () => {
    const kindsMet = new Set<string>();
    for (const seed of SEEDS) {
      const m = await mirrorOf(up, { timeout: '500ms' });
      up.resetCounts();
      up.setFaults({ rate: 0.05, seed, kinds: [...FAULT_KINDS], only: [...REQUEST_CLASSES], slowMs: 1200, retryAfter: 1 });
      const r = await sync(m);
      up.setFaults(null);
      expect(r.code, `seed ${seed}: ${r.stderr}`).toBe(0);
      const injected = up.faultsInjected;
      expect(injected.total, `seed ${seed}`).toBeGreaterThan(0);
      for (const e of up.faultLog) kindsMet.add(e.kind);
      // Each fault costs an attempt (stale JSON, a 200 carrying -32500 and a corrupt body
      // included), feed calls as well as project work.
      expect(runFinished(r).retries, `seed ${seed}`).toBeGreaterThanOrEqual(injected.total);
      expect(await servedTree(m.root), `seed ${seed}`).toEqual(reference);
      expect((await checkTree(m.root)).problems).toEqual([]);
      expect(await listTree(path.join(m.root, '.jubjub-tmp'))).toEqual([]);
      expect((await status(m)).failed).toEqual({});
    }
    expect(kindsMet.size, [...kindsMet].join(', ')).toBeGreaterThanOrEqual(5);
  });

  test('no corrupt, partial or temporary file is ever visible while damaged bodies arrive', async () => {
    const m = await mirrorOf(up, { timeout: '500ms', download_concurrency: 4 });
    up.resetCounts();
    up.setFaults({ rate: 0.3, seed: 11, kinds: ['corrupt', 'truncate', 'reset', 'stall'], only: ['files', 'metadata'], slowMs: 700 });
    const child = spawnJubjub(['sync', '-c', m.config]);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const checked = new Set<string>();
    const problems: string[] = [];
    let polls = 0;
    let sawFiles = false;
    while (child.exitCode === null) {
      problems.push(...(await servedProblems(up, m.root, checked)));
      if (polls % 10 === 0) problems.push(...(await checkTree(m.root, { complete: false })).problems);
      sawFiles ||= checked.size > 0;
      polls++;
      await sleep(5);
    }
    const code = await exited;
    up.setFaults(null);
    problems.push(...(await servedProblems(up, m.root, checked)));
    expect(problems).toEqual([]);
    expect(sawFiles).toBe(true); // the watch overlapped the downloads
    expect(up.faultsInjected.kind.corrupt).toBeGreaterThan(0);
    expect(up.faultsInjected.kind.truncate + up.faultsInjected.kind.reset).toBeGreaterThan(0);
    expect(code).toBe(0);
    expect(await publishedFiles(m.root)).toEqual(expectedFiles(up));
    expect((await checkTree(m.root)).problems).toEqual([]);
    expect(await listTree(path.join(m.root, '.jubjub-tmp'))).toEqual([]);
  });

  test('responses slower than upstream.timeout are abandoned at the timeout and retried; the run completes', async () => {
    const m = await mirrorOf(up, { timeout: '300ms' });
    up.resetCounts();
    const slowMs = 2000;
    up.setFaults({ rate: 0.15, seed: 5, kinds: ['slow', 'stall'], slowMs });
    const r = await sync(m);
    up.setFaults(null);
    expect(r.code, r.stderr).toBe(0);
    const injected = up.faultsInjected;
    expect(injected.kind.slow).toBeGreaterThan(0);
    expect(injected.kind.stall).toBeGreaterThan(0);
    expect(runFinished(r).retries).toBeGreaterThanOrEqual(injected.total);
    // The retry follows the timeout, not the end of the held response.
    for (const e of up.faultLog) {
      const [t0 = 0, t1] = up.log.filter((l) => l.path === e.path).map((l) => l.at);
      if (t1 === undefined) throw new Error(`${e.path} was not retried`);
      expect(t1 - t0, `${e.kind} ${e.path}`).toBeGreaterThanOrEqual(280);
      expect(t1 - t0, `${e.kind} ${e.path}`).toBeLessThan(slowMs);
    }
    expect(await servedTree(m.root)).toEqual(reference);
  });
});

describe('random faults on incremental runs', () => {
  test('additions, removals and yanks under faults keep the mirror equal to a fault-free one', async () => {
    const up = await upstream('moving', 8);
    const reference = await mirrorOf(up);
    const m = await mirrorOf(up, { timeout: '500ms' });
    const changes: Array<() => void> = [
      () => undefined,
      () => {
        up.addRelease('moving-1', '2.0');
        up.addFile('moving-1', '2.0');
        up.removeFile(up.files().find((f) => f.project === 'moving-2' && f.packagetype === 'sdist')?.filename ?? '');
        up.yank('moving-3', '1.0', 'broken');
        up.removeProject('moving-4');
        up.removeRelease('moving-5', '1.0');
        up.addProject('moving-new');
        up.addRelease('moving-new', '0.1');
        up.addFile('moving-new', '0.1');
      },
    ];
    for (const [step, change] of changes.entries()) {
      change();
      up.setFaults(null);
      expect((await sync(reference)).code).toBe(0);
      up.resetCounts();
      // Incremental runs make few requests: a higher rate still hits several of them.
      // Retry-After 0: the rate-limits test below checks the wait; here it would only add seconds.
      up.setFaults({ rate: step === 0 ? 0.1 : 0.3, seed: 20 + step, slowMs: 1200, retryAfter: 0 });
      const r = await sync(m);
      up.setFaults(null);
      expect(up.faultsInjected.total, `step ${step}`).toBeGreaterThan(0);
      expect(r.code, `step ${step}: ${r.stderr}`).toBe(0);
      expect(await servedTree(m.root), `step ${step}`).toEqual(await servedTree(reference.root));
      expect((await checkTree(m.root)).problems).toEqual([]);
    }
    expect((await status(m)).serial).toBe(up.serial());
  });
});

describe('one file that always fails', () => {
  test.each([['corrupt'], ['http-500']] as const)('%s: its project is recorded as failed, exit 1, the rest is complete; the next run heals it', async (kind) => {
    const up = await upstream('pinned', 4);
    const m = await mirrorOf(up, { retries: 2 });
    const bad = up.files().find((f) => f.project === 'pinned-2' && f.version === '1.1' && f.packagetype === 'bdist_wheel');
    if (!bad) throw new Error('catalog changed');
    up.failFile(bad.filename, kind);
    const r = await sync(m);
    expect(r.code, r.stderr).toBe(1);
    expect(up.faultsInjected.kind[kind]).toBe(3); // the first try and 2 retries, all failed
    expect(up.requests.files[bad.filename]).toBe(3);
    expect(Object.keys((await status(m)).failed)).toEqual(['pinned-2']);
    const others = expectedFiles(up);
    others.delete(bad.filename);
    expect(await publishedFiles(m.root)).toEqual(others);
    expect((await checkTree(m.root)).problems).toEqual([]);
    const tree = await listTree(m.root);
    expect(tree.filter((rel) => rel.includes(bad.filename))).toEqual([]);
    for (const rel of tree.filter((t) => t.startsWith('simple/') || t.startsWith('pypi/'))) {
      expect(await readFile(path.join(m.root, rel), 'utf8'), rel).not.toContain(bad.filename);
    }

    up.failFile(bad.filename, null);
    up.resetCounts();
    const again = await sync(m);
    expect(again.code, again.stderr).toBe(0);
    expect(up.faultsInjected.total).toBe(0);
    expect(Object.keys(up.requests.files)).toEqual([bad.filename]); // only what was missing
    expect(await publishedFiles(m.root)).toEqual(expectedFiles(up));
    expect((await checkTree(m.root)).problems).toEqual([]);
    expect((await status(m)).failed).toEqual({});
  });
});

describe('core metadata that cannot be fetched', () => {
  test('the wheel is published without it, the project is failed, and the next run adds it', async () => {
    const up = await upstream('nometa', 2);
    const m = await mirrorOf(up, { retries: 1 });
    up.setFaults({ rate: 1, kinds: ['http-500'], only: ['metadata'] });
    const r = await sync(m);
    expect(r.code, r.stderr).toBe(1);
    expect(Object.keys((await status(m)).failed).sort()).toEqual(['nometa-0', 'nometa-1']);
    expect(await publishedFiles(m.root)).toEqual(expectedFiles(up));
    expect((await listTree(m.root)).filter((rel) => rel.endsWith('.metadata'))).toEqual([]);
    expect(await readFile(path.join(m.root, 'simple/nometa-0/index.html'), 'utf8')).not.toContain('data-core-metadata');
    expect((await checkTree(m.root)).problems).toEqual([]);

    up.setFaults(null);
    up.resetCounts();
    const again = await sync(m);
    expect(again.code, again.stderr).toBe(0);
    expect(Object.keys(up.requests.files)).toEqual([]);
    expect((await listTree(m.root)).filter((rel) => rel.endsWith('.metadata'))).toHaveLength(4);
    expect(await readFile(path.join(m.root, 'simple/nometa-0/index.html'), 'utf8')).toContain('data-core-metadata');
    expect((await status(m)).failed).toEqual({});
  });
});

describe('stale JSON', () => {
  test('a document older than the feed promised is retried until fresh, never mirrored', async () => {
    const up = await upstream('cached', 3);
    const m = await mirrorOf(up, { retries: 2 });
    expect((await sync(m)).code).toBe(0);
    const addRelease = (v: string): string => {
      up.addRelease('cached-1', v);
      return up.addFile('cached-1', v, { kind: 'wheel' });
    };

    // Two stale answers, two retries allowed: the third answer is fresh.
    const newer = addRelease('2.0');
    up.resetCounts();
    up.setFaults({ stale: { first: 2, projects: ['cached-1'] } });
    const r = await sync(m);
    expect(r.code, r.stderr).toBe(0);
    expect(up.faultsInjected.kind.stale).toBe(2);
    expect(up.requests.json['cached-1']).toBe(3);
    expect(runFinished(r).retries).toBeGreaterThanOrEqual(2);
    expect((await publishedFiles(m.root)).get(newer)).toBe(up.sha256(newer));
    expect(await publishedFiles(m.root)).toEqual(expectedFiles(up));

    // Three stale answers, two retries: the project fails rather than mirror the old copy.
    const newest = addRelease('3.0');
    up.resetCounts();
    up.setFaults({ stale: { first: 3, projects: ['cached-1'] } });
    const stale = await sync(m);
    expect(stale.code).toBe(1);
    expect(up.faultsInjected.kind.stale).toBe(3);
    expect((await status(m)).failed['cached-1']?.code).toBe('E_STALE');
    expect((await publishedFiles(m.root)).has(newest)).toBe(false);
    const page = await readFile(path.join(m.root, 'simple/cached-1/index.v1_json'), 'utf8');
    expect(page).toContain(newer);

    // The failed project is retried next run, with a fresh answer now.
    const healed = await sync(m);
    expect(healed.code, healed.stderr).toBe(0);
    expect(await publishedFiles(m.root)).toEqual(expectedFiles(up));
    expect((await status(m)).failed).toEqual({});
    up.setFaults(null);
  });
});

describe('rate limits', () => {
  test('HTTP 429 waits out its Retry-After, XML-RPC fault -32500 is retried; both are absorbed', async () => {
    const up = await upstream('limited', 4);
    const m = await mirrorOf(up);
    // The first three JSON or file requests to arrive are told to come back in a second.
    up.setFaults({ rate: 1, max: 3, kinds: ['http-429'], only: ['json', 'files'], retryAfter: 1 });
    const first = await sync(m);
    expect(first.code, first.stderr).toBe(0);
    const limited = up.faultLog.filter((e) => e.kind === 'http-429');
    expect(limited).toHaveLength(3);
    expect(runFinished(first).retries).toBeGreaterThanOrEqual(3);
    // JUBJUB_BACKOFF_BASE_MS is 10 in the harness: only the Retry-After makes jubjub wait this long.
    for (const e of limited) {
      const [t0 = 0, t1 = 0] = up.log.filter((l) => l.path === e.path).map((l) => l.at);
      expect(t1 - t0, e.path).toBeGreaterThanOrEqual(950);
    }
    expect(await publishedFiles(m.root)).toEqual(expectedFiles(up));

    up.addRelease('limited-0', '2.0');
    up.addFile('limited-0', '2.0', { kind: 'wheel' });
    up.resetCounts();
    // -32500 applies to XML-RPC only: the run's changelog call is rate limited twice.
    up.setFaults({ rate: 1, max: 2, kinds: ['rpc-fault'] });
    const second = await sync(m);
    up.setFaults(null);
    expect(second.code, second.stderr).toBe(0);
    expect(up.faultsInjected.kind['rpc-fault']).toBe(2);
    expect(up.requests.xmlrpc['changelog_since_serial']).toBe(3); // two retries
    expect(runFinished(second).retries).toBe(2);
    expect(await publishedFiles(m.root)).toEqual(expectedFiles(up));
    expect((await checkTree(m.root)).problems).toEqual([]);
  });
});
