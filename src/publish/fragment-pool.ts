/**
 * Renders the root listing's fragments on a thread while the main thread is still
 * updating the listing. Writing a listing of 750,000 projects from nothing spent about
 * 40% of its time rendering HTML and JSON after the shards were done; here each shard is
 * handed over as soon as its TSV exists, and the page writer finds most fragments
 * ready. Used only when a run changes many entries (a first sync of a large mirror):
 * fewer render faster in place than a thread starts, and the thread's heap is memory a
 * small mirror's sync would not otherwise need. Any failure of the thread means
 * rendering in place, as without it.
 */
import { Worker } from 'node:worker_threads';
import { threadScript } from '../thread-script.js';
import type { FragmentJob, FragmentResult } from './fragment-thread.js';

/** A shard's fragments; null once taken. */
type Taken = { html: string | null; json: string | null };

/**
 * Changed entries from which the thread is used. Rendering 750,000 entries took 1.2–1.8 s;
 * 5,000 take about 10 ms, less than the thread's start, and the thread added 12 MB to
 * the peak RSS of a 5,000-project first sync.
 */
export const FRAGMENT_THREAD_MIN_ENTRIES = 50_000;

export class FragmentPool {
  private readonly worker: Worker;
  private readonly waiting = new Map<string, { resolve: (r: Taken | null) => void; promise: Promise<Taken | null> }>();
  private failed = false;

  private constructor(script: string) {
    this.worker = new Worker(script);
    this.worker.unref();
    this.worker.on('message', (r: FragmentResult) => this.settle(`${r.key}\t${r.digest}`, { html: r.html, json: r.json }));
    this.worker.on('error', () => this.fail());
    this.worker.on('exit', () => this.fail());
  }

  /** A pool, or null if its thread cannot start (then everything renders in place). */
  static start(): FragmentPool | null {
    try {
      return new FragmentPool(threadScript('publish', 'fragment-thread'));
    } catch {
      return null;
    }
  }

  private settle(id: string, r: Taken | null): void {
    this.waiting.get(id)?.resolve(r);
  }

  private fail(): void {
    this.failed = true;
    for (const id of this.waiting.keys()) this.settle(id, null);
  }

  /** Starts rendering one state of a shard (its digest says which). */
  submit(key: string, digest: string, tsv: string): void {
    const id = `${key}\t${digest}`;
    if (this.failed || this.waiting.has(id)) return;
    let resolve: (r: Taken | null) => void = () => undefined;
    const promise = new Promise<Taken | null>((r) => (resolve = r));
    this.waiting.set(id, { resolve, promise });
    this.worker.postMessage({ key, digest, tsv } satisfies FragmentJob);
  }

  /** The fragment of that state of the shard, or null if it was not submitted (or the thread failed). */
  async fragment(key: string, digest: string, format: 'html' | 'json'): Promise<string | null> {
    const id = `${key}\t${digest}`;
    const r = await this.waiting.get(id)?.promise;
    const text = r?.[format] ?? null;
    if (!r || text === null) return null;
    // Each page takes its format once: what was taken is not held until the end (a
    // second ask renders in place).
    r[format] = null;
    if (r.html === null && r.json === null) this.waiting.delete(id);
    return text;
  }

  async close(): Promise<void> {
    this.fail();
    this.waiting.clear();
    await this.worker.terminate();
  }
}
