/**
 * The listing is kept in shards keyed by the first two characters of the normalized
 * name: a change touches one small shard, and walking the shards in key order walks the
 * names in order, so the assembled root page stays sorted. Shards are TSV (names and
 * display names never hold tabs): far cheaper to read and write than JSON at 750,000
 * entries.
 */
import type { ListingEntry } from '../state/types.js';
import type { Entry } from './root-pages.js';

export function shardKey(name: string): string {
  return name.slice(0, 2);
}

/** `sorted` as from `sortedShard`, so one sort serves the TSV and both fragments. */
export function encodeShard(sorted: Entry[]): string {
  let out = '';
  for (const [name, e] of sorted) out += `${name}\t${e.display}\t${e.serial}\t${e.files}\t${e.bytes}\n`;
  return out;
}

export function decodeShard(text: string): Map<string, ListingEntry> {
  const out = new Map<string, ListingEntry>();
  for (const line of text.split('\n')) {
    const [name, display, serial, files, bytes] = line.split('\t');
    if (!name || display === undefined) continue;
    out.set(name, { display, serial: Number(serial), files: Number(files), bytes: Number(bytes) });
  }
  return out;
}

export function sortedShard(entries: Map<string, ListingEntry>): Entry[] {
  return [...entries.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** Projects, files and bytes of one shard. */
export type ShardTotals = [projects: number, files: number, bytes: number];

export function totalsOf(entries: Map<string, ListingEntry>): ShardTotals {
  let files = 0;
  let bytes = 0;
  for (const e of entries.values()) {
    files += e.files;
    bytes += e.bytes;
  }
  return [entries.size, files, bytes];
}

export function sameEntry(a: ListingEntry | undefined, b: ListingEntry): boolean {
  return a !== undefined && a.display === b.display && a.serial === b.serial && a.files === b.files && a.bytes === b.bytes;
}

export function sameTotals(a: ShardTotals | undefined, b: ShardTotals | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}
