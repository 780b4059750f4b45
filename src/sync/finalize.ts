/**
 * The end of a run, in publication order: the listing state, then the root pages, then
 * the pages and files of projects left with nothing (no listing names them any more),
 * then `last-modified`. Works from the run plan, so a resumed run finishes the same way.
 */
import { removeProjectPages, writeLastModified, writeRootPages } from '../publish/writer.js';
import type { ListingEntry, PublishedRecord } from '../state/types.js';
import type { SyncContext } from './context.js';

function entryOf(record: PublishedRecord): ListingEntry {
  return {
    display: record.displayName,
    serial: record.serial,
    files: record.files.length,
    bytes: record.files.reduce((n, f) => n + f.size, 0),
  };
}

/**
 * `records` holds what this process learned; projects finished by an earlier, killed
 * process are read back from the state.
 */
export async function finalizeRun(
  ctx: SyncContext,
  names: Iterable<string>,
  records: Map<string, PublishedRecord | null>,
  serial: number | null,
): Promise<void> {
  const listing = await ctx.state.listing();
  const emptied: PublishedRecord[] = [];
  for (const name of names) {
    const record = records.has(name) ? (records.get(name) ?? null) : await ctx.state.published(name);
    if (record && record.files.length > 0) listing.set(name, entryOf(record));
    else {
      listing.delete(name);
      if (record) emptied.push(record);
    }
  }
  await ctx.state.saveListing(listing);
  const rootSerial = serial ?? Math.max(0, ...[...listing.values()].map((e) => e.serial));
  await writeRootPages(ctx.storage, ctx.cfg.mirror, listing, rootSerial);

  for (const record of emptied) {
    await removeProjectPages(ctx.storage, record.name);
    for (const rel of record.pending) await ctx.storage.remove('root', rel);
    await ctx.state.removePublished(record.name);
  }
  await writeLastModified(ctx.storage, new Date());
}
