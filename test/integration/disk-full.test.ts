/**
 * A real full disk (a small tmpfs): the run stops with one clear line and exit 1,
 * nothing half-written is served, and after space is freed the next run completes.
 * Needs permission to mount (root, as in CI); skipped, and said so, where it is missing.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FakePypi } from '../fake-pypi/index.js';
import { publishedFiles, runJubjub, writeConfig, type Mirror } from './harness.js';
import { checkTree } from './tree-check.js';

let up: FakePypi;
let mountPoint = '';
let canMount = false;

beforeAll(async () => {
  mountPoint = await mkdtemp(path.join(tmpdir(), 'jubjub-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=400k', 'tmpfs', mountPoint], { stdio: 'ignore' });
    canMount = true;
  } catch {
    console.warn('disk-full test skipped: cannot mount a tmpfs here (needs root)');
  }
  up = await FakePypi.start();
  for (let p = 0; p < 8; p++) {
    up.addProject(`full-${p}`);
    up.addRelease(`full-${p}`, '1.0');
    up.addFile(`full-${p}`, '1.0', { kind: 'wheel', size: 90_000 });
  }
});
afterAll(async () => {
  await up.close();
  if (canMount) execFileSync('umount', [mountPoint], { stdio: 'ignore' });
  await rm(mountPoint, { recursive: true, force: true });
});

test('ENOSPC stops the run cleanly, and the run after space is freed completes', async (ctx) => {
  if (!canMount) ctx.skip();
  const dir = path.join(mountPoint, 'mirror');
  await mkdir(dir);
  const m: Mirror = { dir, config: path.join(dir, 'mirror.yaml'), root: path.join(dir, 'web'), state: path.join(dir, 'state') };
  await writeConfig(m, up.url, { upstream: { download_concurrency: 2 } });

  const full = await runJubjub(['sync', '-c', m.config]);
  expect(full.code).toBe(1);
  const last = full.stderr.trim().split('\n').pop() ?? '';
  expect(last).toMatch(/^jubjub: cannot .*: disk full$/);
  expect(full.stderr).not.toMatch(/\n\s+at /);
  expect((await checkTree(m.root, { complete: false })).problems).toEqual([]);

  execFileSync('mount', ['-o', 'remount,size=20m', mountPoint]);
  const again = await runJubjub(['sync', '-c', m.config]);
  expect(again.code, again.stderr).toBe(0);
  expect(await publishedFiles(m.root)).toEqual(new Map(up.files().map((f) => [f.filename, f.sha256])));
  expect((await checkTree(m.root)).problems).toEqual([]);
});

test('ENOSPC during page writes (no download needed) keeps the old pages served, and the next run completes', async (ctx) => {
  if (!canMount) ctx.skip();
  execFileSync('mount', ['-o', 'remount,size=20m', mountPoint]);
  const dir = path.join(mountPoint, 'pages');
  await mkdir(dir);
  const m: Mirror = { dir, config: path.join(dir, 'mirror.yaml'), root: path.join(dir, 'web'), state: path.join(dir, 'state') };
  await writeConfig(m, up.url);
  expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
  const before = await readFile(path.join(m.root, 'simple/full-3/index.v1_json'), 'utf8');

  // A yank changes every page of the project and downloads nothing; then fill the disk.
  up.yank('full-3', '1.0', 'broken');
  const filler = path.join(mountPoint, 'filler');
  try {
    execFileSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'ignore' });
  } catch {
    // dd stops with an error when the disk is full: that is the point.
  }
  const full = await runJubjub(['sync', '-c', m.config]);
  expect(full.code).toBe(1);
  expect(full.stderr.trim().split('\n').pop() ?? '').toMatch(/^jubjub: cannot .*: disk full$/);
  expect(full.stderr).not.toMatch(/\n\s+at /);
  expect(await readFile(path.join(m.root, 'simple/full-3/index.v1_json'), 'utf8')).toBe(before);
  expect((await checkTree(m.root)).problems).toEqual([]);

  await rm(filler);
  const again = await runJubjub(['sync', '-c', m.config]);
  expect(again.code, again.stderr).toBe(0);
  expect(await readFile(path.join(m.root, 'simple/full-3/index.v1_json'), 'utf8')).toContain('"yanked":"broken"');
  expect((await checkTree(m.root)).problems).toEqual([]);
});
