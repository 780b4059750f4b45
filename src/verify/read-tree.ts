/** Read-only access to the served tree for verify: digests and a walk. Never writes. */
import { createHash } from 'node:crypto';
import { open, readdir } from 'node:fs/promises';
import path from 'node:path';

const CHUNK = 1024 * 1024;

export interface FileDigest {
  size: number;
  sha256: string;
}

/**
 * sha256 and size of a file, read in large chunks into one reused buffer: no stream
 * machinery and no garbage per chunk, so hashing runs at what the disk and CPU allow.
 * Null when the file is missing or is not a regular file.
 */
export async function digestFile(full: string): Promise<FileDigest | null> {
  let fh;
  try {
    fh = await open(full, 'r');
  } catch {
    return null;
  }
  try {
    if (!(await fh.stat()).isFile()) return null;
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(CHUNK);
    let size = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(bytesRead === CHUNK ? buf : buf.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { size, sha256: hash.digest('hex') };
  } finally {
    await fh.close();
  }
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
