/**
 * `verify` finds what was deleted, corrupted, left over or tampered with by hand, and
 * `verify --repair` brings the tree back to exactly what it was, fetching again only the
 * damaged files.
 */
import { appendFile, mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { FakePypi } from '../fake-pypi/index.js';
import { useDemoUpstream } from './demo-upstream.js';
import { listTree, runJubjub, type Mirror } from './harness.js';
import { checkTree } from './tree-check.js';

let up: FakePypi;
const mirror = useDemoUpstream((u) => {
  up = u;
});

interface Report {
  ok: boolean;
  mode: string;
  counts: Record<string, number>;
  checked: { files: number; bytes: number; metadata: number; pages: number; links: number };
  problems: Array<{ kind: string; path: string; project: string | null }>;
  repair: { repaired: number; unrepaired: Array<{ path: string }> } | null;
}

async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const rel of await listTree(root)) if (rel !== 'last-modified') out.set(rel, (await readFile(path.join(root, rel))).toString('base64'));
  return out;
}

async function verify(m: Mirror, ...flags: string[]): Promise<{ code: number; report: Report; stderr: string }> {
  const r = await runJubjub(['verify', '--json', ...flags, '-c', m.config]);
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

async function synced(): Promise<Mirror> {
  const m = await mirror({});
  expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
  return m;
}

function flip(buf: Buffer): Buffer {
  const out = Buffer.from(buf);
  out[Math.floor(out.length / 2)] = (out[Math.floor(out.length / 2)] ?? 0) ^ 0xff;
  return out;
}

describe('verify', () => {
  test('a healthy mirror checks out, counting every file, metadata file, page and link', async () => {
    const m = await synced();
    const { code, report } = await verify(m);
    expect(code).toBe(0);
    expect(report.ok).toBe(true);
    const packages = (await listTree(path.join(m.root, 'packages')));
    expect(report.checked.files).toBe(packages.filter((p) => !p.endsWith('.metadata')).length);
    expect(report.checked.metadata).toBe(packages.filter((p) => p.endsWith('.metadata')).length);
    expect(report.checked.metadata).toBeGreaterThan(0);
    expect(report.checked.links).toBeGreaterThan(report.checked.files);
    const human = await runJubjub(['verify', '-c', m.config]);
    expect(human.stdout).toMatch(/everything checks out/);
  });

  test('finds damage by hand, and --repair restores the exact tree, fetching only what was damaged', async () => {
    const m = await synced();
    const pristine = await snapshot(m.root);
    const packages = (await listTree(m.root)).filter((p) => p.startsWith('packages/'));
    const wheels = packages.filter((p) => p.endsWith('.whl'));
    const [deleted, corrupted, truncated] = [wheels[0], wheels[1], packages.find((p) => p.endsWith('.tar.gz'))];
    const metadata = packages.find((p) => p.endsWith('.metadata') && p !== `${deleted}.metadata` && p !== `${corrupted}.metadata`);
    if (!deleted || !corrupted || !truncated || !metadata) throw new Error('demo upstream lacks wheels, sdists or metadata');
    const at = (rel: string) => path.join(m.root, rel);

    await rm(at(deleted));
    await writeFile(at(corrupted), flip(await readFile(at(corrupted))));
    await truncate(at(truncated), 10);
    await writeFile(at(metadata), flip(await readFile(at(metadata))));
    await mkdir(at('packages/zz/zz'), { recursive: true });
    await writeFile(at('packages/zz/zz/stray.whl'), 'left over');
    await appendFile(at('simple/idna/index.html'), '<a href="../../packages/no/such/file.whl">x</a>\n');
    await rm(at('simple/index.v1_json'));

    const found = await verify(m);
    expect(found.code).toBe(1);
    expect(found.report.counts).toMatchObject({ missing: 1, corrupt: 3, orphan: 1 });
    const kinds = (rel: string) => found.report.problems.filter((p) => p.path === rel).map((p) => p.kind);
    expect(kinds(deleted)).toEqual(['missing']);
    expect(kinds(corrupted)).toEqual(['corrupt']);
    expect(kinds(truncated)).toEqual(['corrupt']);
    expect(kinds(metadata)).toEqual(['corrupt']);
    expect(kinds('packages/zz/zz/stray.whl')).toEqual(['orphan']);
    expect(kinds('simple/idna/index.html').sort()).toEqual(['link', 'page']);
    expect(kinds('simple/index.v1_json')).toEqual(['page']);
    const human = await runJubjub(['verify', '-c', m.config]);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/problems: 1 missing, 3 corrupt, 1 orphaned/);

    // Sizes only: the same-size corruptions go unseen, the rest does not.
    const fast = await verify(m, '--fast');
    expect(fast.code).toBe(1);
    expect(fast.report.mode).toBe('fast');
    expect(fast.report.counts).toMatchObject({ missing: 1, corrupt: 1, orphan: 1 });

    up.resetCounts();
    const repaired = await verify(m, '--repair');
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.report.repair?.unrepaired).toEqual([]);
    expect(Object.keys(up.requests.files).sort()).toEqual([deleted, corrupted, truncated].map((p) => path.basename(p)).sort());
    expect(Object.values(up.requests.metadata)).toEqual([1]);
    expect(Object.keys(up.requests.json)).toEqual([]);
    expect(await snapshot(m.root)).toEqual(pristine);
    expect((await verify(m)).code).toBe(0);
  });

  test('a file the upstream cannot serve any more leaves the pages, the project is failed, and sync brings it back later', async () => {
    const m = await synced();
    const rel = (await listTree(m.root)).find((p) => p.startsWith('packages/') && p.endsWith('.tar.gz') && p.includes('docopt'));
    if (!rel) throw new Error('no docopt sdist');
    const filename = path.basename(rel);
    await rm(path.join(m.root, rel));
    up.corruptFile(filename, 'flip');
    const repaired = await verify(m, '--repair');
    expect(repaired.code).toBe(1);
    expect(repaired.report.repair?.unrepaired.map((p) => p.path)).toEqual([rel]);
    expect((await checkTree(m.root)).problems).toEqual([]);
    expect(await readFile(path.join(m.root, 'simple/index.html'), 'utf8')).not.toContain('docopt');
    const status = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { failed: Record<string, unknown> };
    expect(Object.keys(status.failed)).toEqual(['docopt']);
    expect((await verify(m)).code).toBe(0);

    up.corruptFile(filename, null);
    expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
    expect((await listTree(m.root))).toContain(rel);
    expect((await verify(m)).code).toBe(0);
  });
});
