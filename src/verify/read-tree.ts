/** Read-only access to the served tree for verify: the walk. Never writes. */
import { Worker } from 'node:worker_threads';

// Plain CommonJS run with `eval`: no separate file to find next to a bundle. Synchronous
// readdir on its own thread: a content-addressed tree has a folder per file, and on the
// main thread each of those 50,000 folders cost a promise round trip through libuv's
// pool, competing with the project checks for the one thread that runs them.
const WALKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { readdirSync } = require('node:fs');
const path = require('node:path');
const { root, skip } = workerData;
const skipped = new Set(skip);
const files = [];
const pending = [''];
while (pending.length > 0) {
  const rel = pending.pop();
  let entries;
  try { entries = readdirSync(path.join(root, rel), { withFileTypes: true }); } catch { continue; }
  for (const e of entries) {
    const child = rel === '' ? e.name : rel + '/' + e.name;
    if (e.isDirectory()) { if (!skipped.has(child)) pending.push(child); }
    else files.push(child);
  }
}
parentPort.postMessage(files);
`;

/**
 * Every non-directory under `root`, as `/`-separated relative paths, skipping the folders
 * named in `skip` (relative to `root`). Unreadable folders are skipped, as if empty.
 */
export function walkFiles(root: string, skip: ReadonlySet<string>): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WALKER, { eval: true, workerData: { root, skip: [...skip] } });
    let done = false;
    worker.once('message', (files: string[]) => {
      done = true;
      resolve(files);
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (!done) reject(new Error(`the tree walk stopped (exit code ${code})`));
    });
  });
}
