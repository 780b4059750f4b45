import { afterAll, beforeAll, expect, test } from 'vitest';
import { FakePypi, seedDemo } from '../fake-pypi/index.js';
import { listTree, makeMirror, runJubjub } from './harness.js';

let up: FakePypi;
beforeAll(async () => {
  up = await FakePypi.start();
  seedDemo(up);
});
afterAll(() => up.close());

test('smoke', async () => {
  const m = await makeMirror(up.url);
  const r = await runJubjub(['sync', '-c', m.config]);
  console.log(r.code, r.stdout, r.stderr.slice(0, 5000));
  const fs = await import('node:fs/promises'); for (const f of ['simple/index.html','simple/index.v1_json','simple/requests/index.html','simple/requests/index.v1_json','simple/idna/index.html']) console.log(f, await fs.readFile(m.root + '/' + f, 'utf8')); console.log((await fs.readFile(m.root + '/pypi/requests/json','utf8')).slice(0,1500));
  expect(r.code).toBe(0);
});
