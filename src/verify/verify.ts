/**
 * `jubjub verify`: every published file, `.metadata`, page, link and listing line
 * checked against the state, and every file under the root accounted for. Reads only;
 * `repair.ts` acts on the report. Projects are checked a few at a time while their file
 * reads share one bounded queue, so the disk stays busy without unbounded memory.
 */
import { availableParallelism } from 'node:os';
import PQueue from 'p-queue';
import type { Config } from '../config/types.js';
import type { RootIndex } from '../publish/root-index.js';
import type { StateStore } from '../state/store.js';
import type { ListingEntry } from '../state/types.js';
import { TEMP_DIR } from '../storage/storage.js';
import { listingChange } from '../sync/finalize.js';
import { checkListing, ROOT_PAGES } from './check-listing.js';
import { checkProject } from './check-project.js';
import { BATCH, HashPool } from './hash-pool.js';
import { walkFiles } from './read-tree.js';
import { countProblems, type Problem, type VerifyReport } from './report.js';

export interface VerifyDeps {
  state: StateStore;
  rootIndex: RootIndex;
  mirror: Config['mirror'];
}

/** Worker threads reading and hashing: enough to keep an SSD's queue full and every core busy. */
export const IO_CONCURRENCY = Math.max(4, availableParallelism() * 2);

export async function verifyMirror(deps: VerifyDeps, opts: { fast: boolean }): Promise<VerifyReport> {
  const started = Date.now();
  const storage = deps.state.storage;
  // Room for every hashing thread to hold a full batch (hash-pool.ts) with the next one queued.
  const blobs = new PQueue({ concurrency: 2 * BATCH * IO_CONCURRENCY });
  const hashes = new HashPool(IO_CONCURRENCY);
  const projectQueue = new PQueue({ concurrency: 32 });
  const report: VerifyReport = {
    mode: opts.fast ? 'fast' : 'full',
    ok: true,
    durationMs: 0,
    checked: { projects: 0, files: 0, bytes: 0, metadata: 0, pages: 0, links: 0, walked: 0 },
    counts: countProblems([]),
    problems: [],
    unfinishedRun: (await deps.state.run()) !== null,
  };
  const known = new Set<string>(['last-modified']);
  for (const format of deps.mirror.formats) for (const rel of ROOT_PAGES[format]) known.add(rel);
  const listing = new Map<string, ListingEntry>();
  const problems: Problem[] = [];
  // The walk needs nothing from the project checks until the end: run both at once.
  const walked = walkFiles(storage.root, new Set([TEMP_DIR]));
  // Awaited at the end; a walk failing before then must not count as unhandled.
  walked.catch(() => undefined);

  for (const name of await deps.state.publishedNames()) {
    void projectQueue.add(async () => {
      const record = await deps.state.published(name);
      if (!record) return;
      const change = listingChange(record);
      if (typeof change === 'object') listing.set(name, change);
      const r = await checkProject({ root: storage.root, state: deps.state, mirror: deps.mirror, blobs, hashes, fast: opts.fast }, record);
      for (const rel of r.known) known.add(rel);
      problems.push(...r.problems);
      const c = report.checked;
      c.projects++;
      c.files += r.files;
      c.bytes += r.bytes;
      c.metadata += r.metadata;
      c.pages += r.pages;
      c.links += r.links;
    });
  }
  try {
    await projectQueue.onIdle();
  } finally {
    await hashes.close();
  }
  problems.push(...(await checkListing(storage, deps.rootIndex, deps.mirror.formats, listing, opts.fast)));
  for (const rel of await walked) {
    report.checked.walked++;
    if (!known.has(rel)) problems.push({ kind: 'orphan', path: rel, project: null, detail: 'no page or record names this file' });
  }
  problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.kind.localeCompare(b.kind)));
  report.problems = problems;
  report.counts = countProblems(problems);
  report.ok = problems.length === 0;
  report.durationMs = Date.now() - started;
  return report;
}
