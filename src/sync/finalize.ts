/**
 * The end of a run, in publication order: the listing state, then the root pages, then
 * the pages and files of projects left with nothing (no listing names them any more),
 * then `last-modified`. Works from the run plan, so a resumed run finishes the same way.
 */
import { removeProjectPages, writeLastModified, writeRootPages } from '../publish/writer.js';
import type { ListingEntry, PublishedRecord } from '../state/types.js';
import type { SyncContext } from './context.js';

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

function sameEntry(a: ListingEntry | undefined, b: ListingEntry): boolean {
  return a !== undefined && a.display === b.display && a.serial === b.serial && a.files === b.files && a.bytes === b.bytes;
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
): Promise<void> {
  const listing = await ctx.state.listing();
  const emptied: string[] = [];
  let changed = false;
  for (const name of names) {
    const change = changes.get(name) ?? listingChange(await ctx.state.published(name));
    if (typeof change === 'object') {
      if (!sameEntry(listing.get(name), change)) {
        listing.set(name, change);
        changed = true;
      }
      continue;
    }
    if (listing.delete(name)) changed = true;
    if (change === 'empty') emptied.push(name);
  }
  // Nothing to relist (a no-op run): the root pages stay as they are, byte for byte.
  const rootMissing = (await ctx.storage.size('root', 'simple/index.html')) === null && (await ctx.storage.size('root', 'simple/index.v1_json')) === null;
  if (changed || rootMissing) {
    await ctx.state.saveListing(listing);
    const rootSerial = serial ?? Math.max(0, ...[...listing.values()].map((e) => e.serial));
    await writeRootPages(ctx.storage, ctx.cfg.mirror, listing, rootSerial);
  }
  for (const name of emptied) {
    const record = await ctx.state.published(name);
    if (!record) continue;
    await removeProjectPages(ctx.storage, name);
    for (const rel of record.pending) await ctx.storage.remove('root', rel);
    await ctx.state.removePublished(name);
  }
  await writeLastModified(ctx.storage, new Date());
}
