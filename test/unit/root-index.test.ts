/**
 * The incremental root listing must produce, after any sequence of changes, exactly the
 * bytes a full render of the same entries gives.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { FragmentPool } from '../../src/publish/fragment-pool.js';
import { RootIndex } from '../../src/publish/root-index.js';
import { renderRootHtml, renderRootJson, rootHtmlFragment, rootJsonFragment, sortedEntries } from '../../src/publish/root-pages.js';
import { decodeShard, encodeShard, shardDigest, sortedShard } from '../../src/publish/root-shards.js';
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

/** What the listing should hold after `changes` (null removes a name). */
function applyTo(truth: Map<string, ListingEntry>, changes: Map<string, ListingEntry | null>): void {
  for (const [n, e] of changes) {
    if (e) truth.set(n, e);
    else truth.delete(n);
  }
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
    applyTo(truth, second);
    expect(await idx.apply(second)).toBe(true);
    await idx.writePages(['html', 'json'], 30);
    await expectPagesOf(truth, 30);
    expect(await new RootIndex(storage).names()).toEqual([...truth.keys()].sort());
  });

  test('one process reading names between changes sees each change, and writes the pages they give', async () => {
    const truth = new Map<string, ListingEntry>([
      ['pa', entry('Pa', 1)],
      ['pb', entry('Pb', 2)],
      ['qa', entry('Qa', 3)],
    ]);
    expect(await new RootIndex(storage).apply(new Map(truth))).toBe(true);
    const idx = new RootIndex(storage);
    // Read by name first (the shard is decoded), then changed, then read again.
    expect(await idx.get('pb')).toEqual(entry('Pb', 2));
    const changes = new Map<string, ListingEntry | null>([
      ['pb', entry('Pb', 7, 3, 30)],
      ['pc', entry('Pc', 8)],
      ['pa', null],
      ['qb', entry('Qb', 9)],
    ]);
    applyTo(truth, changes);
    expect(await idx.apply(changes)).toBe(true);
    expect(await idx.get('pb')).toEqual(entry('Pb', 7, 3, 30));
    expect(await idx.get('pa')).toBeUndefined();
    expect(await idx.names()).toEqual([...truth.keys()].sort());
    expect(await idx.apply(new Map([['pc', entry('Pc', 10)]]))).toBe(true);
    truth.set('pc', entry('Pc', 10));
    await idx.writePages(['html', 'json'], 10);
    await expectPagesOf(truth, 10);
    expect(await idx.totals()).toEqual({ projects: 4, files: 2 + 3 + 2 + 2, bytes: 100 + 30 + 100 + 100 });
  });

  test('changes over many shards, rendered ahead on a thread, give the bytes of a full render', async () => {
    const truth = new Map<string, ListingEntry>();
    const letters = 'abcdefghijklmnopqrstuvwxyz0123456789';
    const shards = [...letters].flatMap((a) => [...'aeiou0'].map((b) => a + b));
    // The thread is used from 100 changed entries here (50,000 in a run).
    const threadFrom = 100;
    // Display names that need escaping in both formats, in every shard.
    const first = new Map(shards.flatMap((p, i) => [0, 1, 2].map((k): [string, ListingEntry] => [`${p}-${k}`, entry(`${p.toUpperCase()}<&"${k}">\\`, i * 3 + k)])));
    for (const [n, e] of first) truth.set(n, e);
    expect(await new RootIndex(storage).apply(first)).toBe(true);
    // The same process writes the pages, as a sync's finish does.
    let idx = new RootIndex(storage, threadFrom);
    expect(await idx.apply(new Map([...first].map(([n, e]) => [n, { ...e, serial: e.serial + 1 }])))).toBe(true);
    for (const [n, e] of truth) truth.set(n, { ...e, serial: e.serial + 1 });
    await idx.writePages(['html', 'json'], 500);
    await expectPagesOf(truth, 500);

    // Most shards change again in a new process: spliced pages, fragments from the thread.
    idx = new RootIndex(storage, threadFrom);
    const second = new Map<string, ListingEntry | null>(shards.slice(0, threadFrom + 10).map((p, i) => [`${p}-1`, i % 2 ? null : entry(`N${i}`, 900 + i)]));
    applyTo(truth, second);
    expect(await idx.apply(second)).toBe(true);
    await idx.writePages(['html', 'json'], 1000);
    await expectPagesOf(truth, 1000);
  });

  test('the render thread answers each format of a submitted shard once, and nothing after it is closed', async () => {
    const sorted = sortedEntries(new Map([['b-x', entry('B<x>', 1)], ['b', entry('b&"', 2)], ['ba', entry('Ba', 3)]]));
    const tsv = encodeShard(sorted);
    const digest = shardDigest(Buffer.from(tsv));
    const pool = FragmentPool.start();
    if (!pool) throw new Error('the render thread did not start (is dist/ built?)');
    pool.submit('b', digest, tsv);
    expect(await pool.fragment('b', digest, 'html')).toBe(rootHtmlFragment(sorted));
    expect(await pool.fragment('b', digest, 'json')).toBe(rootJsonFragment(sorted));
    expect(await pool.fragment('b', digest, 'html')).toBeNull();
    expect(await pool.fragment('b', 'another-state', 'json')).toBeNull();
    pool.submit('c', digest, tsv);
    await pool.close();
    expect(await pool.fragment('c', digest, 'html')).toBeNull();
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

  test('a layout recorded for a page that never went live: the next pages are rendered whole', async () => {
    const truth = new Map([['aa-one', entry('aa-one', 1)], ['bb-two', entry('bb-two', 2)], ['cc-three', entry('cc-three', 3)]]);
    let idx = new RootIndex(storage);
    await idx.apply(new Map(truth));
    await idx.writePages(['html', 'json'], 3);
    const layouts = { html: await storage.read('state', 'listing/page-html.json'), json: await storage.read('state', 'listing/page-json.json') };
    idx = new RootIndex(storage);
    truth.set('bb-two', entry('bb-two-renamed-longer', 4));
    await idx.apply(new Map(truth));
    await idx.writePages(['html', 'json'], 4);
    // Killed between recording a layout and renaming its page: the layout names a file
    // that is not the one served (here, the earlier page's, now replaced).
    await storage.writeFile('state', 'listing/page-html.json', layouts.html ?? '');
    await storage.writeFile('state', 'listing/page-json.json', layouts.json ?? '');
    idx = new RootIndex(storage);
    truth.set('cc-three', entry('cc-three', 5));
    await idx.apply(new Map(truth));
    await idx.writePages(['html', 'json'], 5);
    await expectPagesOf(truth, 5);
  });
});

describe('RootIndex root pages', () => {
  test('a page replaced by anyone else is rendered whole; index.v1_html is index.html', async () => {
    const truth = new Map([['aa-one', entry('aa-one', 1)], ['bb-two', entry('bb-two', 2)]]);
    await new RootIndex(storage).apply(new Map(truth));
    await new RootIndex(storage).writePages(['html', 'json'], 2);
    await writeFile(path.join(dir, 'web', 'simple/index.v1_json'), 'garbage that is not a listing at all');
    await writeFile(path.join(dir, 'web', 'simple/index.html'), 'garbage');
    const idx = new RootIndex(storage);
    truth.set('aa-one', entry('aa-one', 3));
    await idx.apply(new Map(truth));
    await idx.writePages(['html', 'json'], 3);
    await expectPagesOf(truth, 3);
    const [a, b] = await Promise.all(['index.html', 'index.v1_html'].map((p) => stat(path.join(dir, 'web', 'simple', p))));
    expect(a?.ino).toBe(b?.ino);
  });

  test('a change of serials only leaves the HTML page as it is, file and all', async () => {
    const truth = new Map([['aa-one', entry('aa-one', 1)], ['bb-two', entry('bb-two', 2)], ['cc-three', entry('cc-three', 3)]]);
    await new RootIndex(storage).apply(new Map(truth));
    await new RootIndex(storage).writePages(['html', 'json'], 3);
    const html = path.join(dir, 'web', 'simple/index.html');
    const before = await stat(html);
    truth.set('bb-two', entry('bb-two', 9, 4, 400));
    let idx = new RootIndex(storage);
    await idx.apply(new Map(truth));
    await idx.writePages(['html', 'json'], 9);
    await expectPagesOf(truth, 9);
    expect((await stat(html)).ino).toBe(before.ino);
    // The kept page's layout now records the new state: a later change elsewhere still splices right.
    truth.set('cc-three', entry('CC-three', 10));
    idx = new RootIndex(storage);
    await idx.apply(new Map(truth));
    await idx.writePages(['html', 'json'], 10);
    await expectPagesOf(truth, 10);
    expect((await stat(html)).ino).not.toBe(before.ino);
  });

  test('an unchanged page whose twin is gone is written again', async () => {
    const truth = new Map([['aa-one', entry('aa-one', 1)]]);
    await new RootIndex(storage).apply(new Map(truth));
    await new RootIndex(storage).writePages(['html'], 1);
    await storage.remove('root', 'simple/index.v1_html');
    truth.set('aa-one', entry('aa-one', 2));
    const idx = new RootIndex(storage);
    await idx.apply(new Map(truth));
    await idx.writePages(['html'], 2);
    expect(await readFile(path.join(dir, 'web', 'simple/index.v1_html'), 'utf8')).toBe(renderRootHtml(sortedEntries(truth)));
  });

  test('fresh renders every shard, whatever the layout says', async () => {
    const truth = new Map([['aa-one', entry('aa-one', 1)], ['bb-two', entry('bb-two', 2)]]);
    await new RootIndex(storage).apply(new Map(truth));
    await new RootIndex(storage).writePages(['json'], 1);
    const page = await readFile(path.join(dir, 'web', 'simple/index.v1_json'), 'utf8');
    // A layout that still names the served file but points at the wrong bytes (as if the
    // page had been edited without changing its size or time): only `fresh` is immune.
    const layout = JSON.parse((await storage.read('state', 'listing/page-json.json'))?.toString() ?? '{}') as { parts: Array<[string, string, number, number]> };
    for (const part of layout.parts) part[2] -= 1;
    await writeFile(path.join(dir, 'state', 'listing/page-json.json'), JSON.stringify(layout));
    await new RootIndex(storage).writePages(['json'], 1, { fresh: true });
    expect(await readFile(path.join(dir, 'web', 'simple/index.v1_json'), 'utf8')).toBe(page);
  });
});

describe('root listing encodings', () => {
  test('JSON fragments are byte for byte JSON.stringify, whatever the display name', () => {
    const names = ['plain', 'qu"ote', 'back\\slash', 'tab\tnew\nline', '\u0001ctl', 'lone\ud800', 'pair\ud83d\ude00', 'ünï', '\u2028sep', ''];
    const entries = names.map((n, i): [string, ListingEntry] => [`k${i}`, entry(n, i * 7)]);
    entries.push(['nan', { display: 'n', serial: Number.NaN, files: 0, bytes: 0 }]);
    const want = entries.map(([, e]) => JSON.stringify({ name: e.display, '_last-serial': e.serial })).join(',');
    expect(rootJsonFragment(entries)).toBe(want);
  });

  test('TSV shards decode to what was encoded, sorted by name', () => {
    const map = new Map<string, ListingEntry>([['b-x', entry('B.x', 3, 1, 10)], ['a', entry('A', 1)], ['a0', entry('A0', 2, 0, 0)]]);
    const sorted = sortedShard(map);
    expect(sorted.map(([n]) => n)).toEqual(['a', 'a0', 'b-x']);
    expect([...decodeShard(encodeShard(sorted))]).toEqual(sorted);
  });
});
