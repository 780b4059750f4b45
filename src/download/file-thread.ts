/**
 * Entry of a download thread (see `file-pool.ts`): runs the jobs the main thread posts,
 * many at once on this thread's own event loop, and posts each outcome back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { FileGetter } from '../upstream/http.js';
import { fetchFile, type FileJob } from './fetch-file.js';

export interface ThreadOptions {
  userAgent: string;
  timeoutMs: number;
}

const port = parentPort;
if (port) {
  const getter = new FileGetter(workerData as ThreadOptions);
  port.on('message', (msg: { id: number; job: FileJob }) => {
    void fetchFile(getter, msg.job).then((outcome) => port.postMessage({ id: msg.id, outcome }));
  });
}
