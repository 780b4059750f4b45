/**
 * Entry of a verify thread: checks whole projects (record, metadata, files, pages and
 * links) for the batches of names the main thread posts, so the main thread only adds
 * up results. On the main thread, reading records, rendering expected pages and parsing
 * links left the hashing threads waiting for work.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../config/types.js';
import { StateStore } from '../state/store.js';
import { Storage } from '../storage/storage.js';
import { listingChange, type ListingChange } from '../sync/finalize.js';
import { checkProject, type ProjectCheck } from './check-project.js';

export interface CheckThreadOptions {
  root: string;
  state: string;
  mirror: Config['mirror'];
  fast: boolean;
}

export interface CheckedProject {
  name: string;
  /** null: no record (removed since the names were listed). */
  change: ListingChange | null;
  check: ProjectCheck | null;
}

const port = parentPort;
if (port) {
  const opts = workerData as CheckThreadOptions;
  const state = new StateStore(new Storage(opts.root, opts.state));
  const deps = { root: state.storage.root, state, mirror: opts.mirror, fast: opts.fast };
  port.on('message', (msg: { id: number; names: string[] }) => {
    void (async () => {
      const results: CheckedProject[] = [];
      for (const name of msg.names) {
        const record = await state.published(name);
        results.push(record ? { name, change: listingChange(record), check: await checkProject(deps, record) } : { name, change: null, check: null });
      }
      port.postMessage({ id: msg.id, results });
    })();
  });
}
