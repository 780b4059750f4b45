/**
 * The end of a run, in publication order: the listing state, then the root pages, then
 * the pages and files of projects left with nothing (no listing names them any more),
 * then `last-modified`. The files that projects with pages left stopped publishing are
 * deleted as those projects finish, and the last of them meanwhile: no page names them.
 * Works from the run plan and its journal, so a resumed run finishes the same way.
 */
import { removeProjectPages, writeLastModified } from '../publish/writer.js';
import type { ListingEntry, PublishedRecord } from '../state/types.js';
import type { SyncContext } from './context.js';
import type { DeferredRemovals } from './deferred-removals.js';

/** What a finished project means for the root listing: its line, or `empty` (remove it). */
export type ListingChange = ListingEntry | 'empty' | 'unpublished';

export function listingChange(record: PublishedRecord | null): ListingChange {
  if (!record) return 'unpublished';
  if (record.files.length === 0) return 'empty';
  return {
    display: record.displayName,
    serial: record.serial,
    files: record.files.length,
    bytes: record.files.reduce((n, f) => n + f.size, 0),
  };
}

/**
 * `changes` holds what this process learned (one small line per project, never whole
 * records); projects finished by an earlier, killed process are read back from the state.
 */
export async function finalizeRun(
  ctx: SyncContext,
  names: Iterable<string>,
  changes: Map<string, ListingChange>,
  serial: number | null,
  opts: {
    /** A killed process may have updated the listing state but not the pages: write them whatever changed. */
    resumed: boolean;
    removals: DeferredRemovals;
  },
): Promise<void> {
  const updates = new Map<string, ListingEntry | null>();
  const emptied: string[] = [];
  for (const name of names) {
    const change = changes.get(name) ?? listingChange(await ctx.state.published(name));
    updates.set(name, typeof change === 'object' ? change : null);
    if (change === 'empty') emptied.push(name);
  }
  const started = performance.now();
  // What finished projects stopped publishing is mostly deleted by now (deferred-removals.ts);
  // the rest goes while the listing is written, as the listing names projects, not files.
  // Files of projects left empty wait below, until the listing no longer names those projects.
  const deleting = opts.removals.flush().then((files) => {
    ctx.log.debug({ files, durationMs: Math.round(performance.now() - started) }, 'files the run stopped publishing deleted');
  });
  // Awaited below; until then a failure must not count as unhandled.
  deleting.catch(() => undefined);
  const changed = await ctx.rootIndex.apply(updates);
  // Nothing to relist (a no-op run): the root pages stay as they are, byte for byte.
  const pages = [...(ctx.cfg.mirror.formats.includes('html') ? ['simple/index.html', 'simple/index.v1_html'] : []), ...(ctx.cfg.mirror.formats.includes('json') ? ['simple/index.v1_json'] : [])];
  let rootMissing = false;
  for (const rel of pages) if ((await ctx.storage.size('root', rel)) === null) rootMissing = true;
  if (changed || rootMissing || opts.resumed) {
    const fallback = Math.max(0, ...[...updates.values()].map((e) => e?.serial ?? 0));
    await ctx.rootIndex.writePages(ctx.cfg.mirror.formats, serial ?? fallback);
  }
  const listed = performance.now();
  ctx.log.debug({ projects: updates.size, changed, durationMs: Math.round(listed - started) }, 'root listing updated');
  for (const name of emptied) {
    const record = await ctx.state.published(name);
    if (!record) continue;
    await removeProjectPages(ctx.storage, name);
    for (const rel of record.pending) await ctx.storage.remove('root', rel);
    await ctx.state.removePublished(name);
  }
  await deleting;
  await writeLastModified(ctx.storage, new Date());
}
