/**
 * The root listing, updated incrementally. State lives in `<state>/listing/`: one TSV
 * shard per name prefix, a summary with each shard's totals and digest, and for each root
 * page the layout of its fragments. A run rewrites only the shards its changes touch, and
 * splices the root pages: the changed shards re-rendered, everything else copied from
 * the previous page as a few large byte ranges (root-splice.ts). A change of ten projects
 * on a mirror of 750,000 costs ten small shards plus one sequential write per page.
 * Re-applying the same changes gives the same files, so a resumed run repairs a crash.
 */
import PQueue from 'p-queue';
import type { ListingEntry } from '../state/types.js';
import type { Storage } from '../storage/storage.js';
import { FRAGMENT_THREAD_MIN_ENTRIES, FragmentPool } from './fragment-pool.js';
import { writeRootPages } from './root-page-writer.js';
import type { Entry } from './root-pages.js';
import { decodeShard, decodeSorted, encodeShard, sameInfo, shardDigest, shardKey, sortedShard, textTotals, type ShardInfo, type ShardTotals } from './root-shards.js';
import { freshShard, spliceShard } from './shard-text.js';

const DIR = 'listing';
const SUMMARY = `${DIR}/summary.json`;
const WRITE_CONCURRENCY = 16;
const LOAD_BATCH = 64;

interface Summary {
  version: 1 | 2;
  shards: Record<string, ShardInfo>;
}

export interface Totals {
  projects: number;
  files: number;
  bytes: number;
}

export class RootIndex {
  private readonly shards = new Map<string, Map<string, ListingEntry>>();
  /** Shards as this process last sorted them, so writing the pages does not sort them again. */
  private readonly sorted = new Map<string, Entry[]>();
  /**
   * Shards kept as their TSV (sorted lines), which `apply` changes as text (shard-text.ts);
   * a shard is here or in `shards`, decoded when something asks for its entries by name.
   */
  private readonly texts = new Map<string, string>();
  private summaryCache: Summary | null = null;
  /** Renders the fragments of the shards `apply` changed while it goes on, when they are many. */
  private fragments: FragmentPool | null = null;

  constructor(
    private readonly storage: Storage,
    /** Changed entries from which `apply` renders fragments on a thread (fragment-pool.ts). */
    private readonly threadFrom = FRAGMENT_THREAD_MIN_ENTRIES,
  ) {}

  private async summary(): Promise<Summary> {
    if (this.summaryCache) return this.summaryCache;
    const buf = await this.storage.read('state', SUMMARY);
    this.summaryCache = buf ? (JSON.parse(buf.toString('utf8')) as Summary) : { version: 1, shards: {} };
    return this.summaryCache;
  }

  private async shard(key: string): Promise<Map<string, ListingEntry>> {
    let entries = this.shards.get(key);
    if (!entries) {
      entries = decodeShard(this.texts.get(key) ?? (await this.readText(key)));
      this.texts.delete(key);
      this.shards.set(key, entries);
    }
    return entries;
  }

  private async readText(key: string): Promise<string> {
    const buf = await this.storage.read('state', `${DIR}/${key}.tsv`);
    return buf ? buf.toString('utf8') : '';
  }

  private isLoaded(key: string): boolean {
    return this.shards.has(key) || this.texts.has(key);
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

  /** Reads the shards of `keys` not loaded yet, a batch at a time: one by one, a thousand small reads dominate. */
  private async load(keys: Iterable<string>): Promise<void> {
    const missing = [...keys].filter((k) => !this.isLoaded(k));
    const read = async (k: string) => this.texts.set(k, await this.readText(k));
    for (let i = 0; i < missing.length; i += LOAD_BATCH) await Promise.all(missing.slice(i, i + LOAD_BATCH).map(read));
  }

  /**
   * One shard's changes, made to its text (a shard decoded for `get` goes back to text
   * first); `text` is the shard after them.
   */
  private applyGroup(key: string, group: Array<[string, ListingEntry | null]>): { totals: ShardTotals; text: string; dirty: boolean } {
    const map = this.shards.get(key);
    if (map) {
      this.texts.set(key, encodeShard(sortedShard(map)));
      this.shards.delete(key);
    }
    const old = this.texts.get(key);
    if (old === undefined) throw new Error(`listing shard ${key} was not loaded`);
    // A shard new to the listing (every shard, on a first sync) is its changes' lines.
    const next = old === '' ? freshShard(group) : spliceShard(old, group.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
    this.texts.set(key, next.text);
    return { totals: next.totals ?? textTotals(next.text), text: next.text, dirty: next.dirty };
  }

  /** Sets (entry) or removes (null) lines; returns whether any line changed. */
  async apply(changes: Map<string, ListingEntry | null>): Promise<boolean> {
    const summary = await this.summary();
    const groups = new Map<string, Array<[string, ListingEntry | null]>>();
    for (const change of changes) {
      const key = shardKey(change[0]);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      group.push(change);
    }
    await this.load(groups.keys());
    // Shards are independent files: a first sync touches a thousand of them, and written
    // one after another the run would mostly wait on the disk.
    const queue = new PQueue({ concurrency: WRITE_CONCURRENCY });
    const writes: Array<Promise<unknown>> = [];
    let any = false;
    if (changes.size >= this.threadFrom) this.fragments ??= FragmentPool.start();
    for (const [key, group] of groups) {
      const { totals, text, dirty } = this.applyGroup(key, group);
      // Encoded once: the digest and the write take the same bytes.
      const tsv = Buffer.from(text);
      const info: ShardInfo | undefined = totals[0] > 0 ? [...totals, shardDigest(tsv)] : undefined;
      // A process killed between writing a shard and the summary left the summary behind:
      // a shard it does not describe is written (and summed) again.
      if (!dirty && sameInfo(summary.shards[key], info)) continue;
      if (info?.[3] !== undefined) this.fragments?.submit(key, info[3], text);
      any = true;
      // Its entries are made only if the pages must render it here (`entries` below).
      this.sorted.delete(key);
      writes.push(queue.add(() => this.storage.writeFile('state', `${DIR}/${key}.tsv`, tsv)));
      if (info) summary.shards[key] = info;
      else delete summary.shards[key];
    }
    if (!any) {
      await this.close();
      return false;
    }
    await Promise.all(writes);
    summary.version = 2;
    await this.storage.writeFile('state', SUMMARY, JSON.stringify(summary), { fsync: true });
    return true;
  }

  /**
   * Writes the root pages, spliced from the previous ones where their layout still
   * holds; `fresh` renders every shard (repair, when a page itself is in doubt).
   */
  async writePages(formats: ReadonlyArray<'html' | 'json'>, serial: number, opts: { fresh?: boolean } = {}): Promise<void> {
    const summary = await this.summary();
    const want = Object.keys(summary.shards)
      .sort()
      .map((k) => [k, summary.shards[k]?.[3] ?? ''] as const);
    try {
      await this.writeRootPages(formats, serial, want, opts.fresh ?? false);
    } finally {
      await this.close();
    }
  }

  /** Stops the render thread, if `apply` started one that no `writePages` has used up. */
  async close(): Promise<void> {
    await this.fragments?.close();
    this.fragments = null;
  }

  private async writeRootPages(formats: ReadonlyArray<'html' | 'json'>, serial: number, want: Array<readonly [string, string]>, fresh: boolean): Promise<void> {
    const fragments = this.fragments;
    await writeRootPages(this.storage, formats, serial, want, {
      fresh,
      fragment: async (key, digest, format) => (fragments ? fragments.fragment(key, digest, format) : null),
      load: (keys) => this.load(keys),
      entries: (key) => {
        const cached = this.sorted.get(key);
        if (cached) return cached;
        const text = this.texts.get(key);
        const sorted = text !== undefined ? decodeSorted(text) : sortedShard(this.shards.get(key) ?? new Map<string, ListingEntry>());
        this.sorted.set(key, sorted);
        return sorted;
      },
    });
  }
}
