/**
 * Putting a finished temporary under its final name, for `Storage`.
 *
 * Renaming over an existing file is the costly step on ext4: its replace-by-rename
 * safety (`auto_da_alloc`) starts the new file's writeback inside the rename. 5,000
 * pages of 5 KB took 1.0–1.1 s to rename over older ones and 0.1 s to new names. Done
 * synchronously, the main thread waited out every one; on libuv's pool it plans and
 * renders the next projects meanwhile. Renames to one name still land in the order they
 * were asked for, so an older version can never replace a newer one.
 */
import { mkdirSync, renameSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import path from 'node:path';

export class Placement {
  /**
   * Folders this process made or found: a run writes thousands of files into a few
   * folders, and a `mkdir` before each would double its system calls. A prune forgets
   * the folder; a rename that still meets a missing folder makes it and tries again.
   */
  private readonly knownDirs = new Set<string>();
  /** The latest rename to each name still in flight. */
  private readonly pending = new Map<string, Promise<void>>();

  forget(dir: string): void {
    this.knownDirs.delete(dir);
  }

  ensureDir(dir: string, again = false): void {
    if (!again && this.knownDirs.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.knownDirs.add(dir);
  }

  /**
   * `folderLikely`: the folder most likely exists already (a page or state file being
   * replaced), so the rename is tried before any mkdir: a rebuild rewriting 1,600
   * projects' pages otherwise paid a mkdir and a stat per folder.
   */
  renameSync(from: string, to: string, folderLikely = false): void {
    const dir = path.dirname(to);
    for (let attempt = 0; ; attempt++) {
      if (!(folderLikely && attempt === 0)) this.ensureDir(dir, attempt > 0);
      try {
        renameSync(from, to);
        this.knownDirs.add(dir);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt > 2) throw err;
      }
    }
  }

  /** Like `renameSync` for a folder that likely exists, on the pool, in order per name. */
  async rename(from: string, to: string): Promise<void> {
    const before = this.pending.get(to);
    const done = (async () => {
      if (before) await before.catch(() => undefined);
      try {
        await rename(from, to);
        this.knownDirs.add(path.dirname(to));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        this.renameSync(from, to);
      }
    })();
    this.pending.set(to, done);
    try {
      await done;
    } finally {
      if (this.pending.get(to) === done) this.pending.delete(to);
    }
  }
}
