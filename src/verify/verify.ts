/**
 * `jubjub verify`: every published file, `.metadata`, page, link and listing line
 * checked against the state, and every file under the root accounted for. Reads only;
 * `repair.ts` acts on the report. Whole projects are checked on threads
 * (`check-pool.ts`) while another thread walks the tree; the main thread adds up.
 */
import { availableParallelism } from 'node:os';
import type { Config } from '../config/types.js';
import type { RootIndex } from '../publish/root-index.js';
import type { StateStore } from '../state/store.js';
import type { ListingEntry } from '../state/types.js';
import { TEMP_DIR } from '../storage/storage.js';
import { checkListing, ROOT_PAGES } from './check-listing.js';
import { checkAll } from './check-pool.js';
import { walkFiles } from './read-tree.js';
import { countProblems, type Problem, type VerifyReport } from './report.js';

export interface VerifyDeps {
  state: StateStore;
  rootIndex: RootIndex;
  mirror: Config['mirror'];
}

/** Threads reading and hashing: enough to keep an SSD's queue full and every core busy. */
export const IO_CONCURRENCY = Math.max(4, availableParallelism() * 2);

export async function verifyMirror(deps: VerifyDeps, opts: { fast: boolean }): Promise<VerifyReport> {
  const started = Date.now();
  const storage = deps.state.storage;
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

  const names = await deps.state.publishedNames();
  const threadOpts = { root: storage.root, state: storage.state, mirror: deps.mirror, fast: opts.fast };
  await checkAll(names, threadOpts, IO_CONCURRENCY, ({ name, change, check: r }) => {
    if (!r) return;
    if (typeof change === 'object' && change !== null) listing.set(name, change);
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
