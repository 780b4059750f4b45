/**
 * sha256 and size of a file, read as a stream (a package file may be gigabytes): for the
 * rare check of a file a stopped run left on disk, on the main thread.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** null when there is no such file or it cannot be read. */
export async function streamDigest(file: string): Promise<{ sha256: string; size: number } | null> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
    }
  } catch {
    return null;
  }
  return { sha256: hash.digest('hex'), size };
}
