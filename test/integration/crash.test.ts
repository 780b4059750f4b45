/**
 * SIGTERM stops a sync gracefully, and SIGKILL during a rebuild leaves a servable tree that
 * the next rebuild completes. (SIGKILL at twenty points of sync and rebuild: crash-loop.test.ts.)
 */
import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { FakePypi } from '../fake-pypi/index.js';
import { cleanup, listTree, makeMirror, publishedFiles, readJson, runJubjub, spawnJubjub, writeConfig, type Mirror } from './harness.js';
import { checkTree } from './tree-check.js';

let up: FakePypi;
const mirrors: Mirror[] = [];

beforeAll(async () => {
  up = await FakePypi.start();
  for (let p = 0; p < 24; p++) {
    const name = `crash-project-${p}`;
    up.addProject(name);
    for (const v of ['1.0', '2.0']) {
      up.addRelease(name, v);
      up.addFile(name, v, { kind: 'wheel', size: 60_000 });
      up.addFile(name, v, { kind: 'sdist', size: 60_000 });
    }
  }
});
afterAll(async () => {
  await up.close();
  for (const m of mirrors) await cleanup(m);
});

async function journalLines(m: Mirror): Promise<number> {
  const text = await readFile(path.join(m.state, 'run.journal'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).length;
}

async function killAfter(m: Mirror, when: () => Promise<boolean>, command = 'sync'): Promise<void> {
  const child = spawnJubjub([command, '-c', m.config]);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (let i = 0; i < 2000; i++) {
    if (child.exitCode !== null || (await when())) break;
    await sleep(2);
  }
  child.kill('SIGKILL');
  await exited;
}

describe('SIGTERM during sync', () => {
  test('stops starting work, saves state, exits 0 quickly; the next sync finishes the run', async () => {
    const m = await makeMirror(up.url, { upstream: { download_concurrency: 1, metadata_concurrency: 1 } });
    mirrors.push(m);
    up.resetCounts();
    const child = spawnJubjub(['sync', '-c', m.config]);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    for (let i = 0; i < 2000 && (await journalLines(m)) < 2; i++) await sleep(2);
    const stoppedAt = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    expect((await checkTree(m.root, { complete: false })).problems).toEqual([]);
    const status = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { serial: number | null; unfinishedRun: { done: number; projects: number } | null };
    expect(status.serial).toBeNull();
    expect(status.unfinishedRun?.projects).toBe(24);
    expect(status.unfinishedRun?.done).toBeLessThan(24);

    const r = await runJubjub(['sync', '-c', m.config]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('resuming interrupted run');
    expect(await publishedFiles(m.root)).toEqual(new Map(up.files().map((f) => [f.filename, f.sha256])));
    expect((await checkTree(m.root)).problems).toEqual([]);
    for (const [f, n] of Object.entries(up.requests.files)) expect(n, f).toBe(1);
  });
});

/** A file a record holds as pending (downloaded, not yet named by a page) that is on disk. */
async function pendingOnDisk(m: Mirror): Promise<{ rel: string; size: number } | null> {
  const dir = path.join(m.state, 'published');
  for (const f of await readdir(dir).catch(() => [])) {
    const record = JSON.parse(await readFile(path.join(dir, f), 'utf8').catch(() => '{}')) as { pending?: string[] };
    for (const rel of record.pending ?? []) {
      const s = await stat(path.join(m.root, rel)).catch(() => null);
      if (s?.isFile() && s.size > 0) return { rel, size: s.size };
    }
  }
  return null;
}

describe('power cut after a download is renamed into place, before its flush', () => {
  test('downloads are flushed with sync -f on the root before any page names them; a no-op sync flushes nothing', async () => {
    const m = await makeMirror(up.url);
    mirrors.push(m);
    const bin = await mkdtemp(path.join(os.tmpdir(), 'jubjub-fake-sync-'));
    const calls = path.join(bin, 'calls');
    // Logs its arguments and how many project pages exist when it runs, then really syncs.
    await writeFile(
      path.join(bin, 'sync'),
      `#!/bin/sh\necho "$* $(ls ${JSON.stringify(path.join(m.root, 'simple'))} 2>/dev/null | grep -c crash-project)" >> ${JSON.stringify(calls)}\nexec /usr/bin/env -i PATH=/usr/bin:/bin sync "$@"\n`,
    );
    await chmod(path.join(bin, 'sync'), 0o755);
    const env = { PATH: `${bin}:${process.env.PATH ?? ''}` };
    try {
      expect((await runJubjub(['sync', '-c', m.config], { env })).code).toBe(0);
      const lines = (await readFile(calls, 'utf8')).trim().split('\n');
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines.length).toBeLessThanOrEqual(24);
      for (const line of lines) expect(line).toMatch(new RegExp(`^-f ${m.root.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\d+$`));
      expect(lines[0]).toMatch(/ 0$/);
      await rm(calls);
      expect((await runJubjub(['sync', '-c', m.config], { env })).code).toBe(0);
      expect(await readFile(calls, 'utf8').catch(() => '')).toBe('');
    } finally {
      await rm(bin, { recursive: true, force: true });
    }
  });

  test('the resumed sync re-hashes pending files and fetches again the one whose bytes were lost', async () => {
    const m = await makeMirror(up.url, { upstream: { download_concurrency: 1, metadata_concurrency: 1 } });
    mirrors.push(m);
    up.resetCounts();
    let found: { rel: string; size: number } | null = null;
    await killAfter(m, async () => (found = await pendingOnDisk(m)) !== null);
    expect(found).not.toBeNull();
    const lost = found as unknown as { rel: string; size: number };
    // What a power cut can leave under the final name: the right length, other bytes.
    await writeFile(path.join(m.root, lost.rel), Buffer.alloc(lost.size));
    const r = await runJubjub(['sync', '-c', m.config]);
    expect(r.code, r.stderr).toBe(0);
    expect(await publishedFiles(m.root)).toEqual(new Map(up.files().map((f) => [f.filename, f.sha256])));
    expect((await checkTree(m.root)).problems).toEqual([]);
    const name = path.basename(lost.rel);
    expect(up.requests.files[name]).toBe(2);
    // Besides it, only the one download in flight at the kill may have been asked for twice.
    const again = Object.entries(up.requests.files).filter(([f, n]) => f !== name && n > 1);
    expect(again.length, JSON.stringify(again)).toBeLessThanOrEqual(1);
    for (const [f, n] of again) expect(n, f).toBe(2);
  });
});

describe('SIGKILL during rebuild', () => {
  // Narrow to 1.0 only, then rebuild back to everything: the rebuild downloads 48 files
  // and rewrites every page, so a kill lands mid-work.
  const narrow = { filters: { deny: ['crash-project-0', 'crash-project-1'], allow: [] as string[], latest: 1 } };
  const wide = { upstream: { download_concurrency: 1, metadata_concurrency: 1 } };
  test.each([
    ['early', 2],
    ['mid-run', 10],
    ['late', 20],
  ])('killed %s: the tree stays valid and the next rebuild ends at a fresh sync\'s tree', async (_label, lines) => {
    const m = await makeMirror(up.url, narrow);
    mirrors.push(m);
    expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
    await writeConfig(m, up.url, wide);
    up.resetCounts();
    await killAfter(m, async () => (await journalLines(m)) >= lines, 'rebuild');
    const status = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { unfinishedRun: { command: string } | null };
    expect(status.unfinishedRun?.command).toBe('rebuild');
    expect((await checkTree(m.root, { complete: false })).problems).toEqual([]);
    const onDisk = new Set((await listTree(m.root)).filter((p) => p.startsWith('packages/')).map((p) => path.basename(p)));
    const before = { ...up.requests.files };
    const r = await runJubjub(['rebuild', '-c', m.config]);
    expect(r.code, r.stderr).toBe(0);
    expect(await publishedFiles(m.root)).toEqual(new Map(up.files().map((f) => [f.filename, f.sha256])));
    expect((await checkTree(m.root)).problems).toEqual([]);
    // What the kill left in place is not fetched again. A download in flight when the
    // kill landed (one at most: download_concurrency 1) is fetched a second time.
    for (const name of onDisk) expect((up.requests.files[name] ?? 0) - (before[name] ?? 0), `${name} fetched again`).toBe(0);
    const twice = Object.entries(up.requests.files).filter(([, n]) => n > 1);
    expect(twice.length, JSON.stringify(twice)).toBeLessThanOrEqual(1);
    for (const [f, n] of Object.entries(up.requests.files)) expect(n, f).toBeLessThanOrEqual(2);
    expect((await runJubjub(['verify', '-c', m.config])).code).toBe(0);
  });
});

describe('deletions wait until their project is done', () => {
  const one = { download_concurrency: 1, metadata_concurrency: 1 };
  const tight = { filters: { latest: 1 }, upstream: one };

  /** A mirror of everything, with a `latest: 1` rebuild of it killed part-way (retried if it ends first). */
  async function killedRebuild(): Promise<{ m: Mirror; lines: Array<{ name: string; ok?: boolean; removes?: string[] }> }> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const m = await makeMirror(up.url, { upstream: one });
      mirrors.push(m);
      expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
      await writeConfig(m, up.url, tight);
      await killAfter(m, async () => (await journalLines(m)) >= 1, 'rebuild');
      const text = await readFile(path.join(m.state, 'run.journal'), 'utf8').catch(() => null);
      const running = await stat(path.join(m.state, 'run.json')).catch(() => null);
      if (text === null || running === null) continue;
      return { m, lines: text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { name: string; ok?: boolean; removes?: string[] }) };
    }
    throw new Error('the rebuild ended before the kill, three times');
  }

  test('a killed rebuild deleted only what finished projects dropped; the next run deletes the rest', async () => {
    const { m, lines } = await killedRebuild();
    expect((await checkTree(m.root, { complete: false })).problems).toEqual([]);
    expect(lines.some((l) => l.removes !== undefined)).toBe(true);
    // A project's dropped files go once its line says it is done, never before: its
    // record may still name them, and a resumed run with other filters may keep them.
    const done = new Set(lines.filter((l) => l.ok !== undefined).map((l) => l.name));
    const served = await publishedFiles(m.root);
    for (const f of up.files()) {
      if (served.has(f.filename)) continue;
      expect(f.version, f.filename).toBe('1.0');
      expect(done.has(f.project), f.filename).toBe(true);
    }
    const r = await runJubjub(['rebuild', '-c', m.config]);
    expect(r.code, r.stderr).toBe(0);
    expect(await publishedFiles(m.root)).toEqual(new Map(up.files().filter((f) => f.version === '2.0').map((f) => [f.filename, f.sha256])));
    expect((await checkTree(m.root)).problems).toEqual([]);
    expect((await runJubjub(['verify', '-c', m.config])).code).toBe(0);
  });

  test('killed after a project journaled its deletions, resumed with the old filters: the files it journaled stay published', async () => {
    const { m, lines } = await killedRebuild();
    // The moment after a project journaled its deletions and before its record changed.
    const seen = new Set(lines.map((l) => l.name));
    const name = Array.from({ length: 24 }, (_, p) => `crash-project-${p}`).find((n) => !seen.has(n));
    if (name === undefined) throw new Error('every project had a journal line');
    const record = await readJson<{ files: Array<{ path: string; version: string; metadataSha256: string | null }> }>(path.join(m.state, 'published', `${name}.json`));
    const removes = record.files.filter((f) => f.version === '1.0').flatMap((f) => (f.metadataSha256 ? [f.path, `${f.path}.metadata`] : [f.path]));
    expect(removes.length).toBeGreaterThan(0);
    await writeFile(path.join(m.state, 'run.journal'), `${JSON.stringify({ name, removes })}\n`, { flag: 'a' });

    await writeConfig(m, up.url, { upstream: one });
    up.resetCounts();
    const r = await runJubjub(['rebuild', '-c', m.config]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('resuming interrupted run');
    expect(await publishedFiles(m.root)).toEqual(new Map(up.files().map((f) => [f.filename, f.sha256])));
    expect((await checkTree(m.root)).problems).toEqual([]);
    // Its files were never deleted, so nothing of it is fetched again.
    for (const rel of removes) expect(up.requests.files[path.basename(rel)] ?? 0, rel).toBe(0);
    expect((await runJubjub(['verify', '-c', m.config])).code).toBe(0);
  });
});
