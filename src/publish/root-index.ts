/**
 * The root listing, updated incrementally. State lives in `<state>/listing/`: one TSV
 * shard per name prefix, its pre-rendered HTML and JSON fragments, and a summary with
 * each shard's totals. A run re-renders only the shards its changes touch, then streams
 * the fragments into the root pages, so a change of ten projects on a mirror of 750,000
 * costs ten small shards plus one sequential write, never a re-render of everything.
 * Re-applying the same changes gives the same files, so a resumed run repairs a crash.
 */
import PQueue from 'p-queue';
import type { ListingEntry } from '../state/types.js';
import type { Storage } from '../storage/storage.js';
import { ROOT_HTML_HEAD, ROOT_HTML_TAIL, ROOT_JSON_TAIL, rootHtmlFragment, rootJsonFragment, rootJsonHead } from './root-pages.js';
import { decodeShard, encodeShard, sameEntry, sameTotals, shardKey, sortedShard, totalsOf, type ShardTotals } from './root-shards.js';

const DIR = 'listing';
const SUMMARY = `${DIR}/summary.json`;
const READ_AHEAD = 64;
const WRITE_CONCURRENCY = 16;

interface Summary {
  version: 1;
  shards: Record<string, ShardTotals>;
}

export interface Totals {
  projects: number;
  files: number;
  bytes: number;
}

export class RootIndex {
  private readonly shards = new Map<string, Map<string, ListingEntry>>();
  private summaryCache: Summary | null = null;

  constructor(private readonly storage: Storage) {}

  private async summary(): Promise<Summary> {
    if (this.summaryCache) return this.summaryCache;
    const buf = await this.storage.read('state', SUMMARY);
    this.summaryCache = buf ? (JSON.parse(buf.toString('utf8')) as Summary) : { version: 1, shards: {} };
    return this.summaryCache;
  }

  private async shard(key: string): Promise<Map<string, ListingEntry>> {
    let entries = this.shards.get(key);
    if (!entries) {
      const buf = await this.storage.read('state', `${DIR}/${key}.tsv`);
      entries = buf ? decodeShard(buf.toString('utf8')) : new Map();
      this.shards.set(key, entries);
    }
    return entries;
  }

  async get(name: string): Promise<ListingEntry | undefined> {
    return (await this.shard(shardKey(name))).get(name);
  }

  /** Every listed name: reads every shard, so only for rare whole-mirror work. */
  async names(): Promise<string[]> {
    const out: string[] = [];
    for (const key of Object.keys((await this.summary()).shards).sort()) out.push(...(await this.shard(key)).keys());
    return out;
  }

  async totals(): Promise<Totals> {
    const t: Totals = { projects: 0, files: 0, bytes: 0 };
    for (const [p, f, b] of Object.values((await this.summary()).shards)) {
      t.projects += p;
      t.files += f;
      t.bytes += b;
    }
    return t;
  }

  /** Sets (entry) or removes (null) lines; returns whether any line changed. */
  async apply(changes: Map<string, ListingEntry | null>): Promise<boolean> {
    const byShard = new Map<string, Array<[string, ListingEntry | null]>>();
    for (const [name, entry] of changes) {
      const key = shardKey(name);
      let list = byShard.get(key);
      if (!list) byShard.set(key, (list = []));
      list.push([name, entry]);
    }
    const summary = await this.summary();
    const touched = new Set<string>();
    for (const [key, list] of byShard) {
      const shard = await this.shard(key);
      for (const [name, entry] of list) {
        if (entry === null) {
          if (shard.delete(name)) touched.add(key);
        } else if (!sameEntry(shard.get(name), entry)) {
          shard.set(name, entry);
          touched.add(key);
        }
      }
      // A process killed between writing shards and the summary left the summary behind:
      // a shard whose totals it does not match is written (and summed) again.
      if (!sameTotals(summary.shards[key], shard.size > 0 ? totalsOf(shard) : undefined)) touched.add(key);
    }
    if (touched.size === 0) return false;
    // Shards are independent files: a first sync touches a thousand of them, and written
    // one after another the run would mostly wait on the disk.
    const queue = new PQueue({ concurrency: WRITE_CONCURRENCY });
    const writes: Array<Promise<unknown>> = [];
    for (const key of touched) {
      const shard = this.shards.get(key) ?? new Map<string, ListingEntry>();
      const sorted = sortedShard(shard);
      // The fragments first, the TSV (what the next run compares against) last: a kill in
      // between leaves the old TSV, so the change is seen, and written, again.
      writes.push(queue.add(async () => {
        await Promise.all([
          this.storage.writeFile('state', `${DIR}/${key}.html`, rootHtmlFragment(sorted)),
          this.storage.writeFile('state', `${DIR}/${key}.json`, rootJsonFragment(sorted)),
        ]);
        await this.storage.writeFile('state', `${DIR}/${key}.tsv`, encodeShard(sorted));
      }));
      if (shard.size > 0) summary.shards[key] = totalsOf(shard);
      else delete summary.shards[key];
    }
    await Promise.all(writes);
    await this.storage.writeFile('state', SUMMARY, JSON.stringify(summary), { fsync: true });
    return true;
  }

  /** The fragments in key order, read ahead a window at a time: one by one, a thousand small reads dominate. */
  private async *fragments(ext: 'html' | 'json'): AsyncGenerator<Buffer> {
    const keys = Object.keys((await this.summary()).shards).sort();
    const read = (key: string) => this.storage.read('state', `${DIR}/${key}.${ext}`);
    const window: Array<Promise<Buffer | null>> = keys.slice(0, READ_AHEAD).map(read);
    for (let i = 0; i < keys.length; i++) {
      const next = keys[i + READ_AHEAD];
      if (next !== undefined) window.push(read(next));
      const buf = await window.shift();
      if (buf && buf.length > 0) yield buf;
    }
  }

  /** Writes the root pages from the fragments, one sequential pass per page. */
  async writePages(formats: ReadonlyArray<'html' | 'json'>, serial: number): Promise<void> {
    if (formats.includes('json')) {
      const parts = this.fragments('json');
      await this.storage.writeStream('root', 'simple/index.v1_json', (async function* () {
        yield rootJsonHead(serial);
        let first = true;
        for await (const part of parts) {
          if (!first) yield ',';
          first = false;
          yield part;
        }
        yield ROOT_JSON_TAIL;
      })());
    }
    if (formats.includes('html')) {
      const parts = this.fragments('html');
      await this.storage.writeStream('root', 'simple/index.html', (async function* () {
        yield ROOT_HTML_HEAD;
        yield* parts;
        yield ROOT_HTML_TAIL;
      })());
      await this.storage.copy('root', 'simple/index.html', 'simple/index.v1_html');
    }
  }
}
