/**
 * The listing is kept in shards keyed by the first two characters of the normalized
 * name: a change touches one small shard, and walking the shards in key order walks the
 * names in order, so the assembled root page stays sorted. Shards are TSV (names and
 * display names never hold tabs): far cheaper to read and write than JSON at 750,000
 * entries.
 */
import { createHash } from 'node:crypto';
import type { ListingEntry } from '../state/types.js';
import type { Entry } from './root-pages.js';

export function shardKey(name: string): string {
  return name.slice(0, 2);
}

/**
 * `sorted` as from `sortedShard`, so one sort serves the TSV and both fragments. Lines
 * joined once rather than appended: appending builds a rope that the UTF-8 encoding of
 * the shard must flatten, and at 750,000 lines that flattening alone took 0.24 s.
 */
export function encodeShard(sorted: Entry[]): string {
  const lines = new Array<string>(sorted.length);
  for (let i = 0; i < sorted.length; i++) {
    const [name, e] = sorted[i] as Entry;
    lines[i] = shardLine(name, e);
  }
  return lines.join('');
}

/** One entry's line of a shard, newline included. */
export function shardLine(name: string, e: ListingEntry): string {
  return `${name}\t${e.display}\t${e.serial}\t${e.files}\t${e.bytes}\n`;
}

/** The next tab in `text` from `from`, or `end` if the line has none left. */
export function tabBefore(text: string, from: number, end: number): number {
  const t = text.indexOf('\t', from);
  return t < 0 || t > end ? end : t;
}

function numberAt(text: string, from: number, to: number, end: number): number {
  return from > end ? NaN : Number(text.slice(from, to));
}

/**
 * Lines without a name or a display name are skipped; a missing number reads as NaN.
 * indexOf over the text rather than split: no array per line, which at a shard of
 * 15,000 lines is most of what a fresh process spends reading it.
 */
export function decodeShard(text: string): Map<string, ListingEntry> {
  const out = new Map<string, ListingEntry>();
  eachLine(text, (name, entry) => out.set(name, entry));
  return out;
}

/** A shard's entries in the order of its lines, which is sorted: no map, no sort. */
export function decodeSorted(text: string): Entry[] {
  const out: Entry[] = [];
  eachLine(text, (name, entry) => out.push([name, entry]));
  return out;
}

function eachLine(text: string, take: (name: string, entry: ListingEntry) => void): void {
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const t1 = tabBefore(text, start, end);
    if (t1 > start && t1 < end) {
      const t2 = tabBefore(text, t1 + 1, end);
      const t3 = t2 < end ? tabBefore(text, t2 + 1, end) : end;
      const t4 = t3 < end ? tabBefore(text, t3 + 1, end) : end;
      const t5 = t4 < end ? tabBefore(text, t4 + 1, end) : end;
      take(text.slice(start, t1), {
        display: text.slice(t1 + 1, t2),
        serial: numberAt(text, t2 + 1, t3, end),
        files: numberAt(text, t3 + 1, t4, end),
        bytes: numberAt(text, t4 + 1, t5, end),
      });
    }
    start = end + 1;
  }
}

export function sortedShard(entries: Map<string, ListingEntry>): Entry[] {
  // The names alone, with the default sort (UTF-16 code unit order, as `<` compares):
  // about twice as fast as sorting pairs with a comparator, at 750,000 names.
  const names = [...entries.keys()].sort();
  const out: Entry[] = new Array<Entry>(names.length);
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    out[i] = [name, entries.get(name) as ListingEntry];
  }
  return out;
}

/** Projects, files and bytes of one shard. */
export type ShardTotals = [projects: number, files: number, bytes: number];

/**
 * A shard in the summary: its totals and the digest of its TSV, which says which state
 * of the shard a root page renders (see root-splice.ts). Summaries of earlier versions
 * have no digest.
 */
export type ShardInfo = [projects: number, files: number, bytes: number, digest?: string];

/** Short, but ample to tell two states of one shard apart. */
export function shardDigest(tsv: Buffer): string {
  return createHash('sha256').update(tsv).digest('base64url').slice(0, 22);
}

/** Totals of a shard's TSV, read without keeping its entries. */
export function textTotals(text: string): ShardTotals {
  let projects = 0;
  let files = 0;
  let bytes = 0;
  eachLine(text, (_, e) => {
    projects++;
    files += e.files;
    bytes += e.bytes;
  });
  return [projects, files, bytes];
}

export function sameEntry(a: ListingEntry | undefined, b: ListingEntry): boolean {
  return a !== undefined && a.display === b.display && a.serial === b.serial && a.files === b.files && a.bytes === b.bytes;
}

export function sameInfo(a: ShardInfo | undefined, b: ShardInfo | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
}
