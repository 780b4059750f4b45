/**
 * A listing shard changed as text. A sync changes a few names of a shard that may hold
 * tens of thousands (PyPI has about 50,000 names under `py`): decoding every line into
 * an entry, sorting them again and encoding them back took 71-151 ms for ten changes to
 * a listing of 750,000 names, 28-58 ms as text. The shard's lines are sorted by name, so
 * each change is found by a binary search over the text, and the new shard is the old
 * text cut at a few places with the changed lines in between.
 */
import type { ListingEntry } from '../state/types.js';
import { shardLine, tabBefore, type ShardTotals } from './root-shards.js';

/** The end of the line starting at `start` (its newline, or the text's end). */
function lineEnd(text: string, start: number): number {
  const end = text.indexOf('\n', start);
  return end < 0 ? text.length : end;
}

function nameAt(text: string, start: number, end: number): string {
  return text.slice(start, tabBefore(text, start, end));
}

/**
 * The start of the first line at or after `from` (a line start) whose name is not below
 * `name`, or the text's length. Bisects character offsets: each probe backs up to the
 * start of the line it lands in.
 */
export function seekLine(text: string, name: string, from: number): number {
  let lo = from;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const start = Math.max(lo, text.lastIndexOf('\n', mid - 1) + 1);
    const end = lineEnd(text, start);
    if (nameAt(text, start, end) < name) lo = end + 1;
    else hi = start;
  }
  return Math.min(lo, text.length);
}

export interface SplicedShard {
  text: string;
  /** Whether any line changed. */
  dirty: boolean;
  /** Projects, files and bytes, when they came for free. */
  totals?: ShardTotals;
}

/**
 * Applies `changes` (sorted by name, each name once; null removes) to a shard's TSV.
 * Lines are compared as text, so setting an entry to what it already is changes nothing.
 */
export function spliceShard(old: string, changes: ReadonlyArray<readonly [string, ListingEntry | null]>): SplicedShard {
  const text = old === '' || old.endsWith('\n') ? old : `${old}\n`;
  const pieces: string[] = [];
  let cursor = 0;
  let dirty = false;
  for (const [name, entry] of changes) {
    const at = seekLine(text, name, cursor);
    const end = lineEnd(text, at);
    const found = at < text.length && nameAt(text, at, end) === name;
    const line = entry === null ? null : shardLine(name, entry);
    if (found ? line !== null && text.slice(at, end + 1) === line : line === null) continue;
    pieces.push(text.slice(cursor, at));
    if (line !== null) pieces.push(line);
    cursor = found ? Math.min(end + 1, text.length) : at;
    dirty = true;
  }
  if (!dirty) return { text: old, dirty };
  pieces.push(text.slice(cursor));
  return { text: pieces.join(''), dirty };
}

/**
 * A shard new to the listing, from its changes in any order. Its lines are sorted rather
 * than its names: a line is its name and a tab, and a name (a normalized project name)
 * holds no character below a tab, so both orders agree. At 750,000 names this skips a
 * map lookup and a pair per name, a sixth of the first write.
 */
export function freshShard(changes: Iterable<readonly [string, ListingEntry | null]>): Required<SplicedShard> {
  const lines: string[] = [];
  let files = 0;
  let bytes = 0;
  for (const [name, entry] of changes) {
    if (entry === null) continue;
    lines.push(shardLine(name, entry));
    files += entry.files;
    bytes += entry.bytes;
  }
  lines.sort();
  return { text: lines.join(''), dirty: lines.length > 0, totals: [lines.length, files, bytes] };
}
