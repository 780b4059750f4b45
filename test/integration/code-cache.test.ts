/**
 * bin/jubjub.js compiles the CLI bundle with V8's code cache. V8 checks a cache against
 * the source's length only, so a cache made for another bundle of the same length would
 * run that bundle's code: the loader must tell them apart itself.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { REPO } from './harness.js';

let dir: string;

function run(args: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(dir, 'bin/jubjub.js'), ...args], { env: { ...process.env, JUBJUB_DEBUG: '1', ...env } }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ stdout, stderr });
    });
  });
}

async function caches(): Promise<string[]> {
  return (await readdir(path.join(dir, 'dist'))).filter((n) => n.endsWith('.cache'));
}

beforeAll(async () => {
  // A copy of the installed layout, without the build's own caches.
  dir = await mkdtemp(path.join(tmpdir(), 'jubjub-cache-'));
  await mkdir(path.join(dir, 'bin'));
  await mkdir(path.join(dir, 'dist'));
  await copyFile(path.join(REPO, 'bin/jubjub.js'), path.join(dir, 'bin/jubjub.js'));
  await copyFile(path.join(REPO, 'dist/jubjub.cjs'), path.join(dir, 'dist/jubjub.cjs'));
  await copyFile(path.join(REPO, 'package.json'), path.join(dir, 'package.json'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('a cache is written only when the build asks, and then used', async () => {
  expect((await run(['--help'])).stderr).toMatch(/code cache none/);
  expect(await caches()).toEqual([]);
  await run(['--help'], { JUBJUB_WRITE_CODE_CACHE: '1' });
  expect(await caches()).toHaveLength(1);
  const r = await run(['--help']);
  expect(r.stderr).toMatch(/code cache used/);
  expect(r.stdout).toMatch(/^usage: jubjub/);
});

test('a bundle changed to the same length does not run the old cache', async () => {
  await run(['--help'], { JUBJUB_WRITE_CODE_CACHE: '1' });
  const bundle = path.join(dir, 'dist/jubjub.cjs');
  const before = await readFile(bundle, 'utf8');
  const after = before.replace('usage: jubjub <command>', 'USAGE: jubjub <command>');
  expect(after).not.toBe(before);
  expect(after.length).toBe(before.length);
  await writeFile(bundle, after);
  const r = await run(['--help']);
  expect(r.stdout).toMatch(/^USAGE: jubjub/);
  expect(r.stderr).toMatch(/code cache none/);
});
