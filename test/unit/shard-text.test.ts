/**
 * A shard changed as text must come out byte for byte as the shard decoded, changed and
 * encoded again would.
 */
import { describe, expect, test } from 'vitest';
import { decodeShard, decodeSorted, encodeShard, sortedShard, textTotals } from '../../src/publish/root-shards.js';
import { seekLine, spliceShard } from '../../src/publish/shard-text.js';
import type { ListingEntry } from '../../src/state/types.js';

/** A small deterministic PRNG, so a failure names the seed that reproduces it. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a * 1664525 + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

const entry = (display: string, serial: number, files = 2, bytes = 100): ListingEntry => ({ display, serial, files, bytes });

function viaEntries(text: string, changes: ReadonlyArray<readonly [string, ListingEntry | null]>): string {
  const map = decodeShard(text);
  for (const [name, e] of changes) {
    if (e) map.set(name, e);
    else map.delete(name);
  }
  return encodeShard(sortedShard(map));
}

const byName = (a: readonly [string, unknown], b: readonly [string, unknown]) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

describe('spliceShard', () => {
  test('random changes give the text a full decode and encode gives', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rand = rng(seed);
      // Names share prefixes (pa, pa-b, pa0, ...), so the search compares past the first letters.
      const pool = Array.from({ length: 40 }, (_, i) => `p${'ab-0'.charAt(i % 4)}${(i * 7) % 13}${i % 3 === 0 ? '-x' : ''}`);
      const start = new Map<string, ListingEntry>();
      for (const n of pool) if (rand() < 0.5) start.set(n, entry(n.toUpperCase(), Math.floor(rand() * 1000)));
      const text = encodeShard(sortedShard(start));
      const changes = new Map<string, ListingEntry | null>();
      const count = Math.floor(rand() * 12);
      for (let k = 0; k < count; k++) {
        const n = pool[Math.floor(rand() * pool.length)] as string;
        const r = rand();
        const same = start.get(n);
        changes.set(n, r < 0.3 ? null : r < 0.45 && same ? same : entry(r < 0.7 ? n.toUpperCase() : `${n}!`, Math.floor(rand() * 1000), 1 + (k % 3)));
      }
      const sorted = [...changes].sort(byName);
      const out = spliceShard(text, sorted);
      const want = viaEntries(text, sorted);
      expect(out.text, `seed ${seed}`).toBe(want);
      expect(out.dirty, `seed ${seed}`).toBe(want !== text);
    }
  });

  test('setting entries to what they are, or removing absent names, changes nothing', () => {
    const text = encodeShard([
      ['pa', entry('Pa', 1)],
      ['pb', entry('Pb', 2)],
    ]);
    expect(spliceShard(text, [['pa', entry('Pa', 1)], ['pab', null]])).toEqual({ text, dirty: false });
    expect(spliceShard(text, [['pb', entry('Pb', 3)]]).dirty).toBe(true);
  });

  test('a shard whose last line lost its newline still gets whole lines', () => {
    const text = 'pa\tPa\t1\t2\t100\npc\tPc\t3\t2\t100';
    expect(spliceShard(text, [['pd', entry('Pd', 4)]]).text).toBe('pa\tPa\t1\t2\t100\npc\tPc\t3\t2\t100\npd\tPd\t4\t2\t100\n');
    expect(spliceShard('', [['pd', entry('Pd', 4)]]).text).toBe('pd\tPd\t4\t2\t100\n');
  });

  test('seekLine finds the first line not below a name', () => {
    const text = encodeShard(['b', 'bb', 'bc', 'c'].map((n) => [n, entry(n, 1)]));
    const starts = [0, ...[...text.matchAll(/\n/g)].map((m) => (m.index ?? 0) + 1)];
    expect(seekLine(text, 'a', 0)).toBe(starts[0]);
    expect(seekLine(text, 'bb', 0)).toBe(starts[1]);
    expect(seekLine(text, 'bba', 0)).toBe(starts[2]);
    expect(seekLine(text, 'c', starts[2] ?? 0)).toBe(starts[3]);
    expect(seekLine(text, 'd', 0)).toBe(text.length);
  });
});

describe('decodeSorted and textTotals', () => {
  test('read a shard as its lines say, without sorting', () => {
    const sorted = sortedShard(new Map([['b', entry('B', 2, 3, 30)], ['a', entry('A', 1, 1, 10)]]));
    const text = encodeShard(sorted);
    expect(decodeSorted(text)).toEqual(sorted);
    expect(textTotals(text)).toEqual([2, 4, 40]);
  });
});
