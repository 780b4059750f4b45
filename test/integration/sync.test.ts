/** End to end: the built CLI against the fake PyPI, first sync and incremental syncs. */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { FakePypi, seedDemo } from '../fake-pypi/index.js';
import { cleanup, listTree, makeMirror, publishedFiles, readJson, runJubjub, type Mirror } from './harness.js';
import { checkTree } from './tree-check.js';

let up: FakePypi;
let m: Mirror;

beforeEach(async () => {
  up = await FakePypi.start();
  seedDemo(up);
});
afterEach(async () => {
  await up.close();
  if (m) await cleanup(m);
});

function expectedAll(): Map<string, string> {
  return new Map(up.files().map((f) => [f.filename, f.sha256]));
}

async function sync(args: string[] = []) {
  const r = await runJubjub(['sync', '-c', m.config, ...args]);
  return r;
}

describe('first sync', () => {
  test('mirrors exactly the upstream files, with consistent pages', async () => {
    m = await makeMirror(up.url);
    const r = await sync();
    expect(r.stderr).toContain('"msg":"run finished"');
    expect(r.code, r.stderr).toBe(0);
    expect(await publishedFiles(m.root)).toEqual(expectedAll());
    const report = await checkTree(m.root);
    expect(report.problems).toEqual([]);
    expect(report.named).toEqual(expectedAll());
    // A project with no releases has no page and is not listed.
    expect(report.projects).not.toContain('placeholder-project');
    expect(await listTree(path.join(m.root, '.jubjub-tmp'))).toEqual([]);
    const lm = await readFile(path.join(m.root, 'last-modified'), 'utf8');
    expect(lm).toMatch(/^\d{8}T\d\d:\d\d:\d\d\n$/);
    const status = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as Record<string, unknown>;
    expect(status.serial).toBe(up.serial());
    expect(status.files).toBe(expectedAll().size);
    expect(status.projects).toBe(report.projects.length);
  });

  test('a no-op sync makes one feed request and changes nothing', async () => {
    m = await makeMirror(up.url);
    { const r0 = await sync(); expect(r0.code, r0.stderr).toBe(0); }
    const before = await stat(path.join(m.root, 'simple/requests/index.html'));
    const rootBefore = await stat(path.join(m.root, 'simple/index.v1_json'));
    up.resetCounts();
    const r = await sync();
    expect(r.code, r.stderr).toBe(0);
    expect(up.requests.total).toBe(1);
    expect(up.requests.xmlrpc).toEqual({ changelog_since_serial: 1 });
    const after = await stat(path.join(m.root, 'simple/requests/index.html'));
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect((await stat(path.join(m.root, 'simple/index.v1_json'))).mtimeMs).toBe(rootBefore.mtimeMs);
  });
});

describe('incremental sync', () => {
  test('fetches metadata only for changed projects and converges, removals included', async () => {
    m = await makeMirror(up.url);
    { const r0 = await sync(); expect(r0.code, r0.stderr).toBe(0); }
    const idnaGone = up.files().find((f) => f.filename.startsWith('idna-3.6') && f.filename.endsWith('.whl'));
    if (!idnaGone) throw new Error('demo catalog changed');
    up.removeFile(idnaGone.filename);
    up.removeProject('docopt');
    up.yank('urllib3', '2.2.1', 'broken <b>build</b>');
    up.addRelease('certifi', '2025.1.1', { requiresPython: '>=3.7' });
    const added = up.addFile('certifi', '2025.1.1', { kind: 'wheel' });
    up.addProject('brand_new');
    up.addRelease('brand_new', '0.1');
    up.addFile('brand_new', '0.1', { kind: 'sdist' });
    up.resetCounts();

    const r = await sync();
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stderr.split('\n').find((l) => l.includes('"run finished"')) ?? '{}') as Record<string, number>;
    expect(summary).toMatchObject({ projects: 5, failed: 0, filesAdded: 2, filesRemoved: 2 });
    expect(Object.keys(up.requests.json).sort()).toEqual(['brand-new', 'certifi', 'docopt', 'idna', 'urllib3']);
    expect(Object.keys(up.requests.files).sort()).toEqual([added, up.files().find((f) => f.project === 'brand-new')?.filename].sort());
    expect(await publishedFiles(m.root)).toEqual(expectedAll());
    const report = await checkTree(m.root);
    expect(report.problems).toEqual([]);
    expect(report.projects).toContain('brand-new');
    expect(report.projects).not.toContain('docopt');
    expect(await listTree(path.join(m.root, 'simple/docopt'))).toEqual([]);
    expect(await listTree(path.join(m.root, 'pypi/docopt'))).toEqual([]);
    const urllib3 = await readFile(path.join(m.root, 'simple/urllib3/index.html'), 'utf8');
    expect(urllib3).toContain('data-yanked="broken &lt;b&gt;build&lt;/b&gt;"');
    const page = await readJson<{ files: Array<{ filename: string; yanked: unknown }> }>(path.join(m.root, 'simple/urllib3/index.v1_json'));
    expect(page.files.filter((f) => f.filename.includes('2.2.1')).map((f) => f.yanked)).toEqual(['broken <b>build</b>', 'broken <b>build</b>']);
  });

  test('upstream_deletions: keep retains files the upstream removed', async () => {
    m = await makeMirror(up.url, { mirror: { upstream_deletions: 'keep' } });
    { const r0 = await sync(); expect(r0.code, r0.stderr).toBe(0); }
    const before = await publishedFiles(m.root);
    up.removeProject('docopt');
    up.removeRelease('idna', '3.6');
    { const r0 = await sync(); expect(r0.code, r0.stderr).toBe(0); }
    expect(await publishedFiles(m.root)).toEqual(before);
    expect((await checkTree(m.root)).problems).toEqual([]);
  });

  test('sync --project re-syncs named projects and reports unknown names', async () => {
    m = await makeMirror(up.url);
    { const r0 = await sync(); expect(r0.code, r0.stderr).toBe(0); }
    up.resetCounts();
    const r = await sync(['--project', 'Requests', 'no-such-project']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no-such-project');
    expect(Object.keys(up.requests.json).sort()).toEqual(['no-such-project', 'requests']);
    expect(Object.keys(up.requests.files)).toEqual([]);
    const status = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { serial: number };
    expect(status.serial).toBe(up.serial());
  });
});

describe('integrity', () => {
  test('a corrupt download is never published; the project fails and the next run retries it', async () => {
    m = await makeMirror(up.url);
    const bad = up.files().find((f) => f.project === 'idna' && f.version === '3.7' && f.filename.endsWith('.whl'));
    if (!bad) throw new Error('demo catalog changed');
    up.corruptFile(bad.filename, 'flip');
    const r = await sync();
    expect(r.code).toBe(1);
    const files = await publishedFiles(m.root);
    expect(files.has(bad.filename)).toBe(false);
    expect((await checkTree(m.root)).problems).toEqual([]);
    expect(up.requests.files[bad.filename]).toBe(3); // first try plus retries: 2
    const status = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { failed: Record<string, { code: string }> };
    expect(Object.keys(status.failed)).toEqual(['idna']);
    expect(status.failed.idna?.code).toBe('E_HASH_MISMATCH');

    up.corruptFile(bad.filename, null);
    up.resetCounts();
    const again = await sync();
    expect(again.code).toBe(0);
    expect(Object.keys(up.requests.json)).toEqual(['idna']);
    expect(await publishedFiles(m.root)).toEqual(expectedAll());
    const after = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { failed: object };
    expect(after.failed).toEqual({});
  });

  test('a truncated body is never published', async () => {
    m = await makeMirror(up.url);
    const bad = up.files().find((f) => f.project === 'certifi' && f.filename.endsWith('.tar.gz'));
    if (!bad) throw new Error('demo catalog changed');
    up.corruptFile(bad.filename, 'truncate');
    expect((await sync()).code).toBe(1);
    expect((await publishedFiles(m.root)).has(bad.filename)).toBe(false);
    expect((await checkTree(m.root)).problems).toEqual([]);
  });

  test('core metadata comes from the PEP 691 page when the JSON API does not state it', async () => {
    await up.close();
    up = await FakePypi.start({ coreMetadataInJson: false });
    seedDemo(up);
    m = await makeMirror(up.url);
    { const r0 = await sync(); expect(r0.code, r0.stderr).toBe(0); }
    const tree = await listTree(m.root);
    expect(tree.filter((t) => t.endsWith('.whl.metadata')).length).toBe(up.files().filter((f) => f.filename.endsWith('.whl')).length);
    expect((await checkTree(m.root)).problems).toEqual([]);
  });
});
