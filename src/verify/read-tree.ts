/** Read-only access to the served tree for verify: the walk. Never writes. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';

export interface FileDigest {
  size: number;
  sha256: string;
}

/**
 * Every non-directory under `root`, as `/`-separated relative paths, skipping the folders
 * named in `skip`. Folders are read many at a time: a content-addressed tree is wide
 * (one folder per file) and read one by one the walk would wait on each in turn.
 */
export async function walkFiles(root: string, skip: ReadonlySet<string>, concurrency = 16): Promise<string[]> {
  const files: string[] = [];
  const pending: string[] = [''];
  let active = 0;
  await new Promise<void>((resolve, reject) => {
    const pump = (): void => {
      if (pending.length === 0 && active === 0) return resolve();
      while (active < concurrency && pending.length > 0) {
        const rel = pending.pop() ?? '';
        active++;
        readdir(path.join(root, rel), { withFileTypes: true })
          .catch(() => [])
          .then((entries) => {
            for (const e of entries) {
              const child = rel === '' ? e.name : `${rel}/${e.name}`;
              if (e.isDirectory()) {
                if (!skip.has(child)) pending.push(child);
              } else files.push(child);
            }
            active--;
            pump();
          })
          .catch(reject);
      }
    };
    pump();
  });
  return files;
}
