/**
 * Undoing a destructive command between repetitions without copying the mirror. Before
 * the first run, every file it may replace or delete gets a hard link in a flat save
 * folder (the same inode, so the same bytes, for free). Restoring puts back, as links to
 * those inodes, exactly the files whose inode changed or that are gone: jubjub replaces
 * files by rename and deletes by unlink, never writing through a link.
 */
import { link, lstat, mkdir, readdir, rm, unlink } from 'node:fs/promises';
import path from 'node:path';

interface Entry {
  /** Absolute path in the mirror. */
  dest: string;
  saved: string;
  ino: number;
}

export interface Saved {
  dir: string;
  entries: Entry[];
}

const PARALLEL = 64;

async function eachParallel<T>(items: T[], fn: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(PARALLEL, items.length) }, async () => {
      for (let i = next++; i < items.length; i = next++) await fn(items[i]!, i);
    }),
  );
}

/** Every regular file under `dir`, absolute paths. */
export async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  let level = [dir];
  while (level.length > 0) {
    const nextLevel: string[] = [];
    await eachParallel(level, async (d) => {
      const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        const full = path.join(d, e.name);
        if (e.isDirectory()) nextLevel.push(full);
        else if (e.isFile()) out.push(full);
      }
    });
    level = nextLevel;
  }
  return out;
}

/** Links each of `files` (absolute; missing ones are skipped) into `dir`. */
export async function save(files: string[], dir: string): Promise<Saved> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const entries: Array<Entry | null> = new Array<Entry | null>(files.length).fill(null);
  await eachParallel(files, async (dest, i) => {
    const st = await lstat(dest).catch(() => null);
    if (!st?.isFile()) return;
    const saved = path.join(dir, String(i));
    await link(dest, saved);
    entries[i] = { dest, saved, ino: st.ino };
  });
  return { dir, entries: entries.filter((e): e is Entry => e !== null) };
}

/** Puts every saved file back where it was; returns how many had to be relinked. */
export async function restoreSaved(s: Saved): Promise<number> {
  let relinked = 0;
  await eachParallel(s.entries, async (e) => {
    const st = await lstat(e.dest).catch(() => null);
    if (st && st.ino === e.ino) return;
    if (st) await unlink(e.dest);
    else await mkdir(path.dirname(e.dest), { recursive: true });
    await link(e.saved, e.dest);
    relinked++;
  });
  return relinked;
}
