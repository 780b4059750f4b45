/**
 * The download threads. Moving downloads off the main thread took a first sync's main
 * thread from busy most of the run to mostly idle: the HTTP parsing, hashing and file
 * calls of 16 downloads in flight now run on every core, while the main thread fetches
 * metadata and writes pages. Threads start on the first download, so a run that
 * downloads nothing (a no-op sync) never pays for them.
 *
 * The pool does no queueing of its own: callers bound what is in flight (the run's
 * download queue) and each job goes to the thread with the fewest in hand.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { JubjubError } from '../errors.js';
import { threadScript } from '../thread-script.js';
import type { FileJob, FileOutcome } from './fetch-file.js';
import type { ThreadOptions } from './file-thread.js';

/**
 * Young-generation size of a thread, in MB. Download garbage is short-lived buffers and
 * request objects: with V8's default (16 MB semi-spaces) each thread grew by tens of
 * megabytes, and with 2 MB a first sync peaked 90 MB lower and ran no slower.
 */
const YOUNG_GENERATION_MB = 2;

interface Thread {
  worker: Worker;
  inHand: Set<number>;
}

export class FilePool {
  private threads: Thread[] | null = null;
  private readonly pending = new Map<number, { resolve: (o: FileOutcome) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(
    private readonly opts: ThreadOptions,
    private readonly size = Math.max(1, Math.min(4, availableParallelism())),
  ) {}

  run(job: FileJob): Promise<FileOutcome> {
    const thread = this.pick();
    const id = this.nextId++;
    thread.inHand.add(id);
    return new Promise<FileOutcome>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    const threads = this.threads ?? [];
    this.threads = null;
    await Promise.all(threads.map((t) => t.worker.terminate()));
  }

  private pick(): Thread {
    this.threads ??= Array.from({ length: this.size }, () => this.spawn());
    let best = this.threads[0];
    for (const t of this.threads) if (best && t.inHand.size < best.inHand.size) best = t;
    if (!best) throw new JubjubError('E_STORAGE', 'no download thread');
    return best;
  }

  private spawn(): Thread {
    const worker = new Worker(threadScript('download', 'file-thread'), { workerData: this.opts, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
    const thread: Thread = { worker, inHand: new Set() };
    worker.on('message', (m: { id: number; outcome: FileOutcome }) => {
      thread.inHand.delete(m.id);
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      p?.resolve(m.outcome);
    });
    // A thread that dies takes its jobs with it: they fail (and are retried), and a new
    // thread takes its place for the next job.
    const fail = (err: Error): void => {
      for (const id of thread.inHand) {
        this.pending.get(id)?.reject(new JubjubError('E_NETWORK', `download thread failed: ${err.message}`, { transient: true, cause: err }));
        this.pending.delete(id);
      }
      thread.inHand.clear();
      if (this.threads) this.threads = this.threads.map((t) => (t === thread ? this.spawn() : t));
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.threads?.includes(thread)) fail(new Error(`exited with code ${code}`));
    });
    return thread;
  }
}
