/**
 * sha256 of many files on worker threads. Most package files are small, where the cost
 * is not hashing but the round trips of promise-based `open`/`stat`/`read`/`close` on the
 * main thread; a worker does them synchronously (blocking only itself), reading into one
 * reused buffer, and several workers keep both the disk and the cores busy.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { FileDigest } from './read-tree.js';

// Plain CommonJS run with `eval`: no separate file to find next to a bundle.
const WORKER = `
const { parentPort } = require('node:worker_threads');
const { openSync, fstatSync, readSync, closeSync, readFileSync } = require('node:fs');
const { createHash } = require('node:crypto');
const CHUNK = 1024 * 1024;
const buf = Buffer.allocUnsafe(CHUNK);
function digest(file) {
  let fd;
  try { fd = openSync(file, 'r'); } catch { return null; }
  try {
    if (!fstatSync(fd).isFile()) return null;
    const hash = createHash('sha256');
    let size = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(n === CHUNK ? buf : buf.subarray(0, n));
      size += n;
    }
    return { size, sha256: hash.digest('hex') };
  } catch { return null; } finally { closeSync(fd); }
}
function read(file) {
  try { return readFileSync(file); } catch { return null; }
}
parentPort.on('message', ({ id, files, op }) => parentPort.postMessage({ id, results: files.map(op === 'read' ? read : digest) }));
`;

type Op = 'digest' | 'read';
type Result = FileDigest | Uint8Array | null;

interface Pending {
  op: Op;
  files: string[];
  resolve: (results: Result[]) => void;
}

/**
 * Files per message to a worker: each message costs a structured clone both ways and a
 * wake-up, and at 32 files these were a tenth of verify's main thread.
 */
export const BATCH = 128;

/** Files go to the workers in batches, so one message carries many files. */
export class HashPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly inFlight = new Map<number, Pending>();
  private readonly batches: Record<Op, Pending[]> = { digest: [], read: [] };
  private nextId = 0;
  private flushScheduled = false;

  constructor(size = Math.max(2, availableParallelism() * 2)) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(WORKER, { eval: true });
      w.on('message', (m: { id: number; results: Result[] }) => {
        const job = this.inFlight.get(m.id);
        this.inFlight.delete(m.id);
        job?.resolve(m.results);
        this.idle.push(w);
        this.pump();
      });
      this.workers.push(w);
      this.idle.push(w);
    }
  }

  digest(file: string): Promise<FileDigest | null> {
    return this.submit('digest', file) as Promise<FileDigest | null>;
  }

  /** A whole (small) file, such as a page: read off the main thread too. */
  async read(file: string): Promise<Buffer | null> {
    const r = (await this.submit('read', file)) as Uint8Array | null;
    return r === null ? null : Buffer.from(r.buffer, r.byteOffset, r.byteLength);
  }

  private submit(op: Op, file: string): Promise<Result> {
    return new Promise((resolve) => {
      const batch = this.batches[op];
      batch.push({ op, files: [file], resolve: (r) => resolve(r[0] ?? null) });
      if (batch.length >= BATCH) this.flush(op);
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.flush('digest');
          this.flush('read');
        });
      }
    });
  }

  private flush(op: Op): void {
    const jobs = this.batches[op];
    if (jobs.length === 0) return;
    this.batches[op] = [];
    this.queue.push({
      op,
      files: jobs.flatMap((j) => j.files),
      resolve: (results) => jobs.forEach((j, i) => j.resolve([results[i] ?? null])),
    });
    this.pump();
  }

  private pump(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const w = this.idle.pop();
      const job = this.queue.shift();
      if (!w || !job) return;
      const id = this.nextId++;
      this.inFlight.set(id, job);
      w.postMessage({ id, files: job.files, op: job.op });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
