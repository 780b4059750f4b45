/**
 * Entry of a download thread (see `file-pool.ts`): runs the jobs the main thread posts,
 * many at once on this thread's own event loop, and posts the outcomes back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FileGetter } from '../upstream/http.js';
import { fetchFile, type FileJob, type FileOutcome } from './fetch-file.js';

export interface ThreadOptions {
  userAgent: string;
  timeoutMs: number;
}

export interface JobMessage {
  id: number;
  job: FileJob;
}

export interface OutcomeMessage {
  id: number;
  outcome: FileOutcome;
}

const port = parentPort;
if (port) {
  const getter = new FileGetter(workerData as ThreadOptions);
  // Outcomes go back in one message per turn of this thread's event loop, however many
  // downloads it finished in that turn: each message wakes the main thread.
  let outbox: OutcomeMessage[] = [];
  const send = (): void => {
    const batch = outbox;
    outbox = [];
    port.postMessage(batch);
  };
  port.on('message', (jobs: JobMessage[]) => {
    for (const { id, job } of jobs) {
      void fetchFile(getter, job).then((outcome) => {
        if (outbox.length === 0) setImmediate(send);
        outbox.push({ id, outcome });
      });
    }
  });
}
