/**
 * `rebuild` re-applies changed filters from cached metadata: previewable, exact (the
 * tree equals a fresh sync with the new filters, file for file), and cheap (no metadata
 * requests for projects already fetched, no downloads of files that stay).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { FakePypi } from '../fake-pypi/index.js';
import { useDemoUpstream } from './demo-upstream.js';
import { listTree, runJubjub, writeConfig, type Mirror } from './harness.js';
import { checkTree } from './tree-check.js';

let up: FakePypi;
const mirror = useDemoUpstream((u) => {
  up = u;
});

async function mtimes(root: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const rel of await listTree(root)) if (rel !== 'last-modified') out.set(rel, (await stat(path.join(root, rel))).mtimeMs);
  return out;
}

/** Every served file with its bytes, except the run timestamp. */
async function snapshot(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const rel of await listTree(root)) {
    if (rel === 'last-modified' || rel.startsWith('.jubjub-tmp/')) continue;
    out.set(rel, (await readFile(path.join(root, rel))).toString('base64'));
  }
  return out;
}

function requestTotals(): { json: number; files: number; xmlrpc: number; total: number } {
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);
  return { json: sum(up.requests.json), files: sum(up.requests.files), xmlrpc: sum(up.requests.xmlrpc), total: up.requests.total };
}

async function run(m: Mirror, ...args: string[]) {
  const r = await runJubjub([...args, '-c', m.config]);
  return r;
}

interface Preview {
  visited: number;
  added: number;
  removed: number;
  changed: number;
  downloadFiles: number;
  deleteFiles: number;
  freeBytes: number;
  fetched: string[];
  projects: Array<{ name: string; change: string; download: Array<{ filename: string }>; delete: Array<{ path: string }> }>;
}

const WIDE = {};
const NARROW = { deny: ['docopt', 'requests<2.32'], platforms: { exclude: ['windows', 'macos'] }, prereleases: false };

/** A mirror synced with `from`, then switched to `to` in its configuration. */
async function syncedWith(from: object, to: object): Promise<Mirror> {
  const m = await mirror({ filters: from });
  expect((await run(m, 'sync')).code).toBe(0);
  await writeConfig(m, up.url, { filters: to });
  return m;
}

async function freshSync(filters: object): Promise<Map<string, string>> {
  const m = await mirror({ filters });
  expect((await run(m, 'sync')).code).toBe(0);
  return snapshot(m.root);
}

describe('rebuild', () => {
  test('tightening: dry run changes nothing, then rebuild equals a fresh sync without any upstream request', async () => {
    const m = await syncedWith(WIDE, NARROW);
    const before = await snapshot(m.root);
    up.resetCounts();

    const dry = await run(m, 'rebuild', '--dry-run', '--json');
    expect(dry.code, dry.stderr).toBe(0);
    const plan = JSON.parse(dry.stdout) as Preview;
    expect(await snapshot(m.root)).toEqual(before);
    expect(requestTotals().total).toBe(0);
    expect(plan.removed).toBe(1); // docopt
    expect(plan.downloadFiles).toBe(0);
    expect(plan.projects.find((p) => p.name === 'docopt')?.change).toBe('removed');
    const human = await run(m, 'rebuild', '--dry-run');
    expect(human.stdout).toMatch(/1 removed/);
    expect(human.stdout).toMatch(new RegExp(`delete: +${plan.deleteFiles} files`));

    const r = await run(m, 'rebuild');
    expect(r.code, r.stderr).toBe(0);
    expect(requestTotals().total).toBe(0);
    const after = await snapshot(m.root);
    expect(after).toEqual(await freshSync(NARROW));
    const removedFiles = [...before.keys()].filter((k) => k.startsWith('packages/') && !after.has(k) && !k.endsWith('.metadata'));
    const plannedDeletes = plan.projects.flatMap((p) => p.delete.map((d) => d.path)).filter((p) => !p.endsWith('.metadata'));
    expect(removedFiles.sort()).toEqual(plannedDeletes.sort());
    expect((await checkTree(m.root)).problems).toEqual([]);
  });

  test('an unchanged filter: zero requests and not one byte rewritten', async () => {
    const m = await syncedWith(NARROW, NARROW);
    const before = await snapshot(m.root);
    const times = await mtimes(m.root);
    up.resetCounts();
    const dry = JSON.parse((await run(m, 'rebuild', '--dry-run', '--json')).stdout) as Preview;
    expect([dry.added, dry.removed, dry.changed, dry.downloadFiles, dry.deleteFiles]).toEqual([0, 0, 0, 0, 0]);
    expect((await run(m, 'rebuild')).code).toBe(0);
    expect(requestTotals().total).toBe(0);
    expect(await snapshot(m.root)).toEqual(before);
    expect(await mtimes(m.root)).toEqual(times);
  });

  test('only base_url and formats change: rebuild renders every page again, as a fresh sync with them would', async () => {
    const m = await syncedWith(NARROW, NARROW);
    const changed = { filters: NARROW, mirror: { base_url: 'https://pypi.example.org/mirror/', formats: ['html'] } };
    await writeConfig(m, up.url, changed);
    up.resetCounts();
    const r = await run(m, 'rebuild');
    expect(r.code, r.stderr).toBe(0);
    expect(requestTotals().total).toBe(0);
    const fresh = await mirror(changed);
    expect((await run(fresh, 'sync')).code).toBe(0);
    const pages = (tree: Map<string, string>) => new Map([...tree].filter(([k]) => k.endsWith('index.html') || k.endsWith('/json')));
    const rebuilt = pages(await snapshot(m.root));
    expect(rebuilt.size).toBeGreaterThan(0);
    expect(rebuilt).toEqual(pages(await snapshot(fresh.root)));
  });

  test('loosening: downloads only the newly selected files; newly allowed projects cost one listing and their metadata', async () => {
    const m = await syncedWith(NARROW, WIDE);
    const before = await snapshot(m.root);
    up.resetCounts();
    const dry = JSON.parse((await run(m, 'rebuild', '--dry-run', '--json')).stdout) as Preview;
    expect(dry.fetched).toEqual(['docopt']);
    expect(dry.added).toBe(1);
    expect(await snapshot(m.root)).toEqual(before);
    up.resetCounts();

    const r = await run(m, 'rebuild');
    expect(r.code, r.stderr).toBe(0);
    const counts = requestTotals();
    // docopt was denied, so never fetched: its metadata and the upstream's listing are needed.
    expect(Object.keys(up.requests.json)).toEqual(['docopt']);
    expect(up.requests.xmlrpc).toEqual({ changelog_last_serial: 1, list_packages_with_serial: 1 });
    expect(counts.files).toBe(dry.downloadFiles);
    // Files that stayed selected were not downloaded again.
    for (const rel of before.keys()) {
      if (rel.startsWith('packages/')) expect(up.requests.files[path.basename(rel)] ?? 0, rel).toBe(0);
    }
    expect(await snapshot(m.root)).toEqual(await freshSync(WIDE));
  });

  test('allowlist: newly allowed projects are fetched once; a name the upstream lacks is reported, not asked again', async () => {
    const m = await syncedWith({ allow: ['certifi'] }, { allow: ['certifi', 'idna', 'no-such-project'] });
    up.resetCounts();
    const r = await run(m, 'rebuild');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('"projects":["no-such-project"],"msg":"projects not found upstream"');
    expect(Object.keys(up.requests.json).sort()).toEqual(['idna', 'no-such-project']);
    expect(await snapshot(m.root)).toEqual(await freshSync({ allow: ['certifi', 'idna', 'no-such-project'] }));
    up.resetCounts();
    expect((await run(m, 'rebuild')).code).toBe(0);
    expect(requestTotals().total).toBe(0);
  });

  test('a mirror never synced is refused with one line and exit 2', async () => {
    const m = await mirror({});
    const r = await run(m, 'rebuild');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('jubjub: the mirror has never completed a sync; run `jubjub sync` first');
  });
});
