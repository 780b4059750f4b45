/**
 * sha256 and size of one file, read synchronously into a reused buffer: run on verify's
 * threads, where blocking only that thread is the point. Most package files are small,
 * so the cost is the system calls, not the hashing; a promise round trip per call on
 * the main thread cost more than the hashing itself.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface FileDigest {
  size: number;
  sha256: string;
}

const CHUNK = 1024 * 1024;
const buf = Buffer.allocUnsafe(CHUNK);

/** null when the file is missing, unreadable or not a regular file. */
export function digestFile(file: string): FileDigest | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    if (!fstatSync(fd).isFile()) return null;
    const hash = createHash('sha256');
    let size = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(n === CHUNK ? buf : buf.subarray(0, n));
      size += n;
    }
    return { size, sha256: hash.digest('hex') };
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
