/**
 * SIGTERM during a rebuild that only deletes and rewrites pages. Such a rebuild never
 * waits on the network, so its loop over projects ran in microtasks alone: the signal
 * handler ran only once every project was done. It must stop within a few projects.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { FakePypi } from '../fake-pypi/index.js';
import { cleanup, makeMirror, publishedFiles, runJubjub, spawnJubjub, writeConfig, type Mirror } from './harness.js';
import { checkTree } from './tree-check.js';

const PROJECTS = 600;
let up: FakePypi;
let m: Mirror | undefined;

beforeAll(async () => {
  up = await FakePypi.start();
  for (let p = 0; p < PROJECTS; p++) {
    const name = `stop-project-${p}`;
    up.addProject(name);
    for (const v of ['1.0', '2.0']) {
      up.addRelease(name, v);
      up.addFile(name, v, { kind: 'wheel', size: 600 });
    }
  }
});
afterAll(async () => {
  await up.close();
  if (m) await cleanup(m);
});

async function journalLines(mirror: Mirror): Promise<number> {
  const text = await readFile(path.join(mirror.state, 'run.journal'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).length;
}

test('a rebuild with no downloads stops part-way on SIGTERM, and the next rebuild finishes it', async () => {
  m = await makeMirror(up.url);
  expect((await runJubjub(['sync', '-c', m.config])).code).toBe(0);
  await writeConfig(m, up.url, { filters: { latest: 1 } });

  const child = spawnJubjub(['rebuild', '-c', m.config]);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (let i = 0; i < 5000 && (await journalLines(m)) < 2; i++) await sleep(1);
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  const status = JSON.parse((await runJubjub(['status', '--json', '-c', m.config])).stdout) as { unfinishedRun: { command: string; done: number; projects: number } | null };
  expect(status.unfinishedRun?.command).toBe('rebuild');
  expect(status.unfinishedRun?.projects).toBe(PROJECTS);
  // Before the fix, every project was done by the time the handler ran.
  expect(status.unfinishedRun?.done).toBeLessThan(PROJECTS / 2);
  expect((await checkTree(m.root, { complete: false })).problems).toEqual([]);

  const r = await runJubjub(['rebuild', '-c', m.config]);
  expect(r.code, r.stderr).toBe(0);
  const latest = up.files().filter((f) => f.filename.includes('-2.0-'));
  expect(await publishedFiles(m.root)).toEqual(new Map(latest.map((f) => [f.filename, f.sha256])));
  expect((await checkTree(m.root)).problems).toEqual([]);
});
