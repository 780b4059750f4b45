/**
 * Pruning the folders deletions leave empty, for `Storage` (the only writer). Each
 * folder is tried once, deepest first, so a folder is tried only after every folder
 * below it was: a file and its `.metadata` share a folder, and pruning after each
 * deletion tried that folder twice, the first time in vain.
 */
import { rmdir } from 'node:fs/promises';
import path from 'node:path';

/** Removes the empty folders among `dirs` and their parents, up to (not including) `root`. */
export async function pruneEmpty(root: string, dirs: readonly string[], removed: (dir: string) => void): Promise<void> {
  const prefix = root + path.sep;
  const byDepth = new Map<number, Set<string>>();
  const add = (dir: string): void => {
    if (!dir.startsWith(prefix)) return;
    let depth = 0;
    for (let i = prefix.length; i < dir.length; i++) if (dir[i] === path.sep) depth++;
    let set = byDepth.get(depth);
    if (!set) byDepth.set(depth, (set = new Set()));
    set.add(dir);
  };
  dirs.forEach(add);
  while (byDepth.size > 0) {
    const deepest = Math.max(...byDepth.keys());
    const level = byDepth.get(deepest) ?? new Set<string>();
    byDepth.delete(deepest);
    await Promise.all([...level].map(async (dir) => {
      try {
        await rmdir(dir);
      } catch {
        // Not empty (or already gone): its parents stay too.
        return;
      }
      removed(dir);
      add(path.dirname(dir));
    }));
  }
}
