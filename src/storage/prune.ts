/**
 * Pruning the folders deletions leave empty, for `Storage` (the only writer). Only the
 * folder a deleted file was in goes, never the folders above it: in PyPI's layout that
 * is the file's own `<hash>` folder, and its two fan-out parents (`packages/ab/cd/`, at
 * most 65,536) are shared and bounded. Removing a folder costs about five times what
 * unlinking a file does here; pruning the parents too made a rebuild that drops 30% of
 * a mirror spend more time in `rmdir` than in `unlink`. Each folder is tried once,
 * deepest first, so one that held another of the list is tried after it.
 */
import { rmdir } from 'node:fs/promises';
import path from 'node:path';
import { inLanes } from './lanes.js';

/** Removes the folders of `dirs` (under `root`) that are empty; returns those removed. */
export async function pruneEmpty(root: string, dirs: readonly string[], lanes: number): Promise<string[]> {
  const prefix = root + path.sep;
  const byDepth = new Map<number, string[]>();
  for (const dir of new Set(dirs)) {
    if (!dir.startsWith(prefix)) continue;
    const depth = dir.split(path.sep).length;
    const level = byDepth.get(depth);
    if (level) level.push(dir);
    else byDepth.set(depth, [dir]);
  }
  const removed: string[] = [];
  for (const depth of [...byDepth.keys()].sort((a, b) => b - a)) {
    await inLanes(byDepth.get(depth) ?? [], lanes, async (dir) => {
      try {
        await rmdir(dir);
        removed.push(dir);
      } catch {
        // Not empty (or already gone): it stays.
      }
    });
  }
  return removed;
}
