/**
 * The download threads. Moving downloads off the main thread took a first sync's main
 * thread from busy most of the run to mostly idle: the HTTP parsing, hashing and file
 * calls of 16 downloads in flight now run on every core, while the main thread fetches
 * metadata and writes pages. Threads start on the first download, so a run that
 * downloads nothing (a no-op sync) never pays for them.
 *
 * Each thread runs at most its share of `concurrency` requests at once and holds the
 * rest of what it is given (see `file-thread.ts`); callers bound how much that is (the
 * run's download queue), and each job goes to the thread with the fewest in hand.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { JubjubError } from '../errors.js';
import { threadScript } from '../thread-script.js';
import { NOT_BEGUN, type FileJob, type FileOutcome } from './fetch-file.js';
import type { JobMessage, OutcomeMessage, ThreadData, ThreadOptions, ToThread } from './file-thread.js';

/**
 * Young-generation size of a thread, in MB. Download garbage is short-lived buffers and
 * request objects: with V8's default (16 MB semi-spaces) each thread grew by tens of
 * megabytes, and with 2 MB a first sync peaked 90 MB lower and ran no slower.
 */
const YOUNG_GENERATION_MB = 2;

interface Thread {
  worker: Worker;
  index: number;
  inHand: Set<number>;
  /** Jobs given this turn of the event loop, posted together (see `run`). */
  outbox: JobMessage[];
}

export class FilePool {
  private threads: Thread[] | null = null;
  private readonly pending = new Map<number, { resolve: (o: FileOutcome) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  private readonly size: number;

  /** `concurrency`: requests in flight over all threads, as `download_concurrency`. */
  constructor(
    private readonly opts: ThreadOptions,
    private readonly concurrency: number,
    threads = Math.min(4, availableParallelism()),
  ) {
    this.size = Math.max(1, Math.min(threads, concurrency));
  }

  run(job: FileJob): Promise<FileOutcome> {
    const thread = this.pick();
    const id = this.nextId++;
    thread.inHand.add(id);
    return new Promise<FileOutcome>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // A batch of outcomes frees as many download slots at once: the jobs that fill them
      // go in one message per thread rather than one each (every message wakes a thread).
      if (thread.outbox.length === 0) setImmediate(() => this.post(thread));
      thread.outbox.push({ id, job });
    });
  }

  private post(thread: Thread): void {
    const jobs = thread.outbox;
    thread.outbox = [];
    if (jobs.length > 0) thread.worker.postMessage(jobs satisfies ToThread);
  }

  /**
   * A stop: downloads in flight finish, and every job still waiting, here or in a
   * thread, ends as `E_INTERRUPTED` without a request.
   */
  cancelWaiting(): void {
    for (const thread of this.threads ?? []) {
      for (const { id } of thread.outbox.splice(0)) {
        thread.inHand.delete(id);
        this.pending.get(id)?.resolve(NOT_BEGUN);
        this.pending.delete(id);
      }
      thread.worker.postMessage('cancel' satisfies ToThread);
    }
  }

  async close(): Promise<void> {
    const threads = this.threads ?? [];
    this.threads = null;
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private pick(): Thread {
    this.threads ??= Array.from({ length: this.size }, (_, i) => this.spawn(i));
    let best = this.threads[0];
    for (const t of this.threads) if (best && t.inHand.size < best.inHand.size) best = t;
    if (!best) throw new JubjubError('E_STORAGE', 'no download thread');
    return best;
  }

  private spawn(index: number): Thread {
    // The shares add up to `concurrency` exactly: 16 over 3 threads is 6, 5 and 5.
    const limit = Math.floor(this.concurrency / this.size) + (index < this.concurrency % this.size ? 1 : 0);
    const workerData: ThreadData = { ...this.opts, limit };
    const worker = new Worker(threadScript('download', 'file-thread'), { workerData, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    const thread: Thread = { worker, index, inHand: new Set(), outbox: [] };
    worker.on('message', (batch: OutcomeMessage[]) => {
      for (const m of batch) {
        thread.inHand.delete(m.id);
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(m.outcome);
      }
    });
    // A thread that dies takes its jobs with it: they fail (and are retried), and a new
    // thread takes its place for the next job.
    const fail = (err: Error): void => {
      thread.outbox = [];
      for (const id of thread.inHand) {
        this.pending.get(id)?.reject(new JubjubError('E_NETWORK', `download thread failed: ${err.message}`, { transient: true, cause: err }));
        this.pending.delete(id);
      }
      thread.inHand.clear();
      if (this.threads) this.threads = this.threads.map((t) => (t === thread ? this.spawn(thread.index) : t));
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.threads?.includes(thread)) fail(new Error(`exited with code ${code}`));
    });
    return thread;
  }
}
