/**
 * Entry of a download thread (see `file-pool.ts`): runs the jobs the main thread posts,
 * up to its share of `download_concurrency` at once on this thread's own event loop,
 * and posts the outcomes back. Jobs beyond that share wait here, so a finished download
 * is followed by the next one at once, not after a round trip through a main thread
 * that may be busy parsing a project document or writing its pages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FileGetter } from '../upstream/http.js';
import { NOT_BEGUN, fetchFile, type FileJob, type FileOutcome } from './fetch-file.js';

export interface ThreadOptions {
  userAgent: string;
  timeoutMs: number;
}

export interface ThreadData extends ThreadOptions {
  /** Requests this thread may have in flight. */
  limit: number;
}

export interface JobMessage {
  id: number;
  job: FileJob;
}

export interface OutcomeMessage {
  id: number;
  outcome: FileOutcome;
}

/** From the main thread: a batch of jobs, or `cancel` (a stop: what waits is not begun). */
export type ToThread = JobMessage[] | 'cancel';

const port = parentPort;
if (port) {
  const data = workerData as ThreadData;
  const getter = new FileGetter(data);
  const waiting: JobMessage[] = [];
  let running = 0;
  // Outcomes go back in one message per turn of this thread's event loop, however many
  // downloads it finished in that turn: each message wakes the main thread.
  let outbox: OutcomeMessage[] = [];
  const send = (): void => {
    const batch = outbox;
    outbox = [];
    port.postMessage(batch);
  };
  const start = (): void => {
    while (running < data.limit) {
      const next = waiting.shift();
      if (!next) return;
      running++;
      void fetchFile(getter, next.job).then((outcome) => {
        running--;
        report(next.id, outcome);
        start();
      });
    }
  };
  const report = (id: number, outcome: FileOutcome): void => {
    if (outbox.length === 0) setImmediate(send);
    outbox.push({ id, outcome });
  };
  port.on('message', (message: ToThread) => {
    if (message === 'cancel') {
      for (const job of waiting.splice(0)) report(job.id, NOT_BEGUN);
      return;
    }
    waiting.push(...message);
    start();
  });
}
