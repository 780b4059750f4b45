/**
 * Verify's threads (`check-thread.ts`): names go out in batches, checked projects come
 * back. Each thread holds at most two batches, so a slow project (a large file) never
 * leaves the others idle for long, and results arrive in order of completion.
 */
import { Worker } from 'node:worker_threads';
import { threadScript } from '../thread-script.js';
import type { CheckedProject, CheckThreadOptions } from './check-thread.js';

/** Projects per message: a message costs a structured clone both ways and a wake-up. */
const BATCH = 16;

export async function checkAll(
  names: readonly string[],
  opts: CheckThreadOptions,
  threads: number,
  onResult: (r: CheckedProject) => void,
): Promise<void> {
  const script = threadScript('verify', 'check-thread');
  const workers = Array.from({ length: Math.max(1, Math.min(threads, Math.ceil(names.length / BATCH))) }, () => new Worker(script, { workerData: opts }));
  let next = 0;
  let nextId = 0;
  try {
    await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
      let inHand = 0;
      const send = (): void => {
        while (inHand < 2 && next < names.length) {
          w.postMessage({ id: nextId++, names: names.slice(next, next + BATCH) });
          next += BATCH;
          inHand++;
        }
        if (inHand === 0) resolve();
      };
      w.on('message', (m: { results: CheckedProject[] }) => {
        inHand--;
        m.results.forEach(onResult);
        send();
      });
      w.on('error', reject);
      w.on('exit', (code) => reject(new Error(`a verify thread stopped (exit code ${code})`)));
      send();
    })));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
