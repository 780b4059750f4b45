/**
 * The incremental root listing must produce, after any sequence of changes, exactly the
 * bytes a full render of the same entries gives.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { RootIndex } from '../../src/publish/root-index.js';
import { renderRootHtml, renderRootJson, sortedEntries } from '../../src/publish/root-pages.js';
import type { ListingEntry } from '../../src/state/types.js';
import { useTempStorage } from './temp-storage.js';
import type { Storage } from '../../src/storage/storage.js';

let dir: string;
let storage: Storage;
useTempStorage((d, s) => {
  dir = d;
  storage = s;
});

const entry = (display: string, serial: number, files = 2, bytes = 100): ListingEntry => ({ display, serial, files, bytes });

async function pages(): Promise<{ html: string; v1html: string; json: string }> {
  const read = (rel: string) => readFile(path.join(dir, 'web', rel), 'utf8');
  return { html: await read('simple/index.html'), v1html: await read('simple/index.v1_html'), json: await read('simple/index.v1_json') };
}

async function expectPagesOf(truth: Map<string, ListingEntry>, serial: number): Promise<void> {
  const p = await pages();
  const sorted = sortedEntries(truth);
  expect(p.html).toBe(renderRootHtml(sorted));
  expect(p.v1html).toBe(p.html);
  expect(p.json).toBe(renderRootJson(sorted, serial));
  expect(JSON.parse(p.json)).toMatchObject({ meta: { '_last-serial': serial } });
}

describe('RootIndex', () => {
  test('an empty mirror has valid, empty root pages', async () => {
    await new RootIndex(storage).writePages(['html', 'json'], 0);
    await expectPagesOf(new Map(), 0);
  });

  test('any sequence of changes gives the bytes of a full render', async () => {
    const truth = new Map<string, ListingEntry>();
    const names = ['a', 'a-b', 'a0', 'aa', 'pyyaml', 'py', 'pytest', 'pip', 'zope-interface', 'z', '0x', 'requests', 'r'];
    let idx = new RootIndex(storage);
    const first = new Map(names.map((n, i) => [n, entry(n.toUpperCase(), i)]));
    for (const [n, e] of first) truth.set(n, e);
    expect(await idx.apply(first)).toBe(true);
    await idx.writePages(['html', 'json'], 20);
    await expectPagesOf(truth, 20);

    // A new process: nothing cached, everything read back from the state.
    idx = new RootIndex(storage);
    const second = new Map<string, ListingEntry | null>([
      ['pytest', entry('pytest', 99, 5, 500)],
      ['a-b', null],
      ['z', null],
      ['pz', entry('pz', 3)],
      ['never-listed', null],
    ]);
    for (const [n, e] of second) {
      if (e) truth.set(n, e);
      else truth.delete(n);
    }
    expect(await idx.apply(second)).toBe(true);
    await idx.writePages(['html', 'json'], 30);
    await expectPagesOf(truth, 30);
    expect(await new RootIndex(storage).names()).toEqual([...truth.keys()].sort());
  });

  test('re-applying what is there changes nothing', async () => {
    const idx = new RootIndex(storage);
    const changes = new Map([['foo', entry('Foo', 1)]]);
    expect(await idx.apply(changes)).toBe(true);
    expect(await new RootIndex(storage).apply(changes)).toBe(false);
    expect(await new RootIndex(storage).apply(new Map([['gone', null]]))).toBe(false);
  });

  test('totals follow every shard, also after a shard empties', async () => {
    const idx = new RootIndex(storage);
    await idx.apply(new Map([
      ['foo', entry('foo', 1, 3, 300)],
      ['fob', entry('fob', 1, 1, 10)],
      ['bar', entry('bar', 1, 2, 20)],
    ]));
    expect(await new RootIndex(storage).totals()).toEqual({ projects: 3, files: 6, bytes: 330 });
    const again = new RootIndex(storage);
    await again.apply(new Map([['bar', null], ['foo', entry('foo', 2, 1, 1)]]));
    expect(await new RootIndex(storage).totals()).toEqual({ projects: 2, files: 2, bytes: 11 });
    expect(await new RootIndex(storage).get('bar')).toBeUndefined();
    expect(await new RootIndex(storage).get('foo')).toEqual(entry('foo', 2, 1, 1));
  });

  test('display names are escaped in HTML and JSON', async () => {
    const idx = new RootIndex(storage);
    const truth = new Map([['x', entry('<x>&"', 1)]]);
    await idx.apply(truth);
    await idx.writePages(['html', 'json'], 1);
    await expectPagesOf(truth, 1);
    expect((await pages()).html).toContain('&lt;x&gt;&amp;&quot;');
  });
});

describe('RootIndex after a kill', () => {
  test('shards written but not the summary: the same changes applied again list every project', async () => {
    const truth = new Map([['aa-one', entry('aa-one', 1)], ['bb-two', entry('bb-two', 2)], ['cc-three', entry('cc-three', 3)]]);
    await new RootIndex(storage).apply(new Map(truth));
    // The killed process wrote every shard, but its summary never reached the disk.
    await storage.remove('state', 'listing/summary.json');
    const resumed = new RootIndex(storage);
    await resumed.apply(new Map(truth));
    await resumed.writePages(['html', 'json'], 3);
    await expectPagesOf(truth, 3);
    expect(await new RootIndex(storage).totals()).toEqual({ projects: 3, files: 6, bytes: 300 });
  });

  test('a shard TSV older than its fragments: the change is seen and every file rewritten', async () => {
    const before = new Map([['aa-one', entry('aa-one', 1)]]);
    await new RootIndex(storage).apply(new Map(before));
    const tsv = await storage.read('state', 'listing/aa.tsv');
    const after = new Map([['aa-one', entry('aa-one', 7)]]);
    await new RootIndex(storage).apply(new Map(after));
    // Killed after the fragments, before the TSV: put the old TSV back.
    await storage.writeFile('state', 'listing/aa.tsv', tsv ?? '');
    const resumed = new RootIndex(storage);
    expect(await resumed.apply(new Map(after))).toBe(true);
    await resumed.writePages(['html', 'json'], 7);
    await expectPagesOf(after, 7);
  });
});
