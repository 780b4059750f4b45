/** Read-only access to the served tree for verify: digests and a walk. Never writes. */
import { createHash } from 'node:crypto';
import { open, opendir } from 'node:fs/promises';
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

/** Every regular file under `root`, as a `/`-separated relative path, skipping dot-folders named in `skip`. */
export async function* walkFiles(root: string, skip: ReadonlySet<string>): AsyncGenerator<string> {
  const stack: string[] = [''];
  while (stack.length > 0) {
    const rel = stack.pop() ?? '';
    let dir;
    try {
      dir = await opendir(path.join(root, rel));
    } catch {
      continue;
    }
    for await (const entry of dir) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!skip.has(child)) stack.push(child);
      } else yield child;
    }
  }
}
