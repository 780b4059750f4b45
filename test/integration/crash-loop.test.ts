/**
 * SIGKILL at twenty points spread across the life of a mirror: the listing, metadata,
 * downloads, page writes, the root listing, deletions of an incremental sync, and a
 * rebuild that deletes and one that downloads. After each kill the served tree must be
 * valid (every page names only complete files with the right hash, nothing temporary in
 * sight); then one ordinary run must end at exactly the mirror an uninterrupted run
 * makes, without downloading again a file that was already in place.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakePypi } from '../fake-pypi/index.js';
import { cleanup, listTree, makeMirror, runJubjub, spawnJubjub, writeConfig, type Mirror } from './harness.js';
import { checkTree } from './tree-check.js';

const PROJECTS = 20;
const mirrors: Mirror[] = [];
const upstreams: FakePypi[] = [];
/** The upstream the current scenario runs against. */
let up: FakePypi;
let shared: FakePypi;

const UPSTREAM = { download_concurrency: 2, metadata_concurrency: 2 };
/** Fresh mirrors a scenario may use to land its kill (see the test). */
const ATTEMPTS = 8;
const TIGHT = { filters: { latest: 1 }, upstream: UPSTREAM };
const WIDE = { upstream: UPSTREAM };

async function startUpstream(): Promise<FakePypi> {
  const u = await FakePypi.start();
  upstreams.push(u);
  for (let p = 0; p < PROJECTS; p++) {
    const name = `loop-${p}`;
    u.addProject(name);
    for (const v of ['1.0', '2.0']) {
      u.addRelease(name, v);
      u.addFile(name, v, { kind: 'wheel', size: 20_000 });
      u.addFile(name, v, { kind: 'sdist', size: 20_000 });
    }
  }
  return u;
}

beforeAll(async () => {
  shared = await startUpstream();
});
afterAll(async () => {
  for (const u of upstreams) await u.close();
  for (const m of mirrors) await cleanup(m);
});

async function served(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const rel of await listTree(root)) {
    if (rel === 'last-modified' || rel.startsWith('.jubjub-tmp/')) continue;
    out.set(rel, createHash('sha256').update(await readFile(path.join(root, rel))).digest('hex'));
  }
  return out;
}

const references = new Map<string, Map<string, string>>();

/** The tree an uninterrupted sync with `config` makes from `u` (made once per pair). */
async function reference(u: FakePypi, config: Record<string, unknown>): Promise<Map<string, string>> {
  const key = `${u.url} ${JSON.stringify(config)}`;
  let tree = references.get(key);
  if (!tree) {
    const fresh = await makeMirror(u.url, config);
    mirrors.push(fresh);
    expect((await runJubjub(['sync', '-c', fresh.config])).code).toBe(0);
    tree = await served(fresh.root);
    references.set(key, tree);
  }
  return tree;
}

const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
const journal = async (m: Mirror) => (await readFile(path.join(m.state, 'run.journal'), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
const count = async (m: Mirror, prefix: string) => (await listTree(m.root)).filter((p) => p.startsWith(prefix)).length;

/** Runs `command`, SIGKILLs it as soon as `when` holds (polled every 2 ms); reports whether it was still running. */
async function killWhen(m: Mirror, command: string, when: () => Promise<boolean>): Promise<boolean> {
  const child = spawnJubjub([command, '-c', m.config]);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  for (let i = 0; i < 5000 && child.exitCode === null; i++) {
    if (await when()) break;
    await sleep(2);
  }
  const killed = child.exitCode === null;
  child.kill('SIGKILL');
  await exited;
  return killed;
}

/** The invariant of a tree a killed run leaves: valid pages, only whole verified files, nothing temporary in sight. */
async function assertServable(m: Mirror): Promise<void> {
  expect((await checkTree(m.root, { complete: false })).problems).toEqual([]);
  for (const rel of await listTree(m.root)) {
    const top = rel.split('/')[0] ?? '';
    if (top === '.jubjub-tmp') continue;
    expect(['simple', 'pypi', 'packages', 'last-modified'], rel).toContain(top);
  }
}

interface Scenario {
  point: string;
  /** What the mirror holds before the killed run, and the configuration of that run. */
  before: 'empty' | 'synced-wide' | 'synced-tight';
  command: 'sync' | 'rebuild';
  config: Record<string, unknown>;
  when: (m: Mirror) => Promise<boolean>;
}

const json = () => sum(up.requests.json);
const files = () => sum(up.requests.files);
const first = (when: (m: Mirror) => Promise<boolean>, point: string): Scenario => ({ point, before: 'empty', command: 'sync', config: WIDE, when });

const scenarios: Scenario[] = [
  first(async () => (up.requests.xmlrpc['list_packages_with_serial'] ?? 0) >= 1, 'listing'),
  ...[1, 4, 10, 20].map((n) => first(async () => json() >= n, `metadata: ${n} documents fetched`)),
  ...[1, 10, 25, 45, 65].map((n) => first(async () => files() >= n, `downloads: ${n} requests`)),
  ...[1, 6, 14].map((n) => first(async (m) => (await count(m, 'simple/loop-')) >= n * 3, `page writes: ${n} projects`)),
  first(async (m) => (await journal(m)) >= PROJECTS, 'finish: root listing'),
  ...[1, 20].map((n): Scenario => ({
    point: `deletions of an incremental sync: ${n} gone`, before: 'synced-wide', command: 'sync', config: WIDE,
    // 4 files and 2 .metadata per project before; the sync deletes 2 and 1.
    when: async (m) => (await count(m, 'packages/')) <= PROJECTS * 6 - n,
  })),
  ...[1, 20].map((n): Scenario => ({
    point: `rebuild deleting: ${n} gone`, before: 'synced-wide', command: 'rebuild', config: TIGHT,
    when: async (m) => (await count(m, 'packages/')) <= PROJECTS * 6 - n,
  })),
  ...[1, 10].map((n): Scenario => ({
    point: `rebuild downloading: ${n} requests`, before: 'synced-tight', command: 'rebuild', config: WIDE,
    when: async () => files() >= n,
  })),
];

describe('SIGKILL loop', () => {
  test('covers twenty points', () => {
    expect(scenarios).toHaveLength(20);
  });

  test.each(scenarios.map((s, i) => [i + 1, s.point, s] as const))('%i. killed during %s: servable, then converges without re-downloading', async (_i, _point, s) => {
    const incremental = s.point.startsWith('deletions');
    // A point near the end (the root listing, the last deletions) is a short window: a
    // run that finishes before the kill lands is tried again on a fresh mirror. Deletions
    // go in quick batches as projects finish, and "20 gone" was missed in 5 of 14
    // attempts on a busy host: with 3 attempts the test failed about one run in 20.
    let m: Mirror | undefined;
    for (let attempt = 0; attempt < ATTEMPTS && !m; attempt++) {
      // The incremental case changes its upstream, so it gets one of its own.
      up = incremental ? await startUpstream() : shared;
      const fresh = await makeMirror(up.url, s.before === 'synced-tight' ? TIGHT : WIDE);
      mirrors.push(fresh);
      if (s.before !== 'empty') expect((await runJubjub(['sync', '-c', fresh.config])).code).toBe(0);
      // The upstream drops every 1.0 release, so the next sync deletes half the files.
      if (incremental) for (let p = 0; p < PROJECTS; p++) up.removeRelease(`loop-${p}`, '1.0');
      await writeConfig(fresh, up.url, s.config);
      up.resetCounts();
      if (await killWhen(fresh, s.command, () => s.when(fresh))) m = fresh;
    }
    if (!m) throw new Error(`the run ended before the kill point, ${ATTEMPTS} times`);
    await assertServable(m);
    const onDisk = new Set((await listTree(m.root)).filter((p) => p.startsWith('packages/')).map((p) => path.basename(p)));

    up.resetCounts();
    const r = await runJubjub([s.command, '-c', m.config]);
    expect(r.code, r.stderr).toBe(0);
    for (const name of onDisk) expect(up.requests.files[name] ?? 0, `${name} fetched again`).toBe(0);
    expect(await served(m.root)).toEqual(await reference(up, s.config));
    expect((await runJubjub(['verify', '-c', m.config])).code).toBe(0);
  });
});
